using System.Globalization;
using Monitoring.Abstractions.Rollouts;

namespace Monitoring.Cli.Rollouts;

/// <summary>The human-readable form of a <see cref="VersionComparisonReport"/>: verdict first, then the evidence.</summary>
public static class RolloutTableWriter
{
    /// <summary>Writes the report.</summary>
    public static void Write(VersionComparisonReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var c = CultureInfo.InvariantCulture;
        var v = report.Verdict;
        output.WriteLine(string.Create(c, $"verdict: {v.Decision.ToUpperInvariant()}  ({report.Candidate} vs {report.Baseline}, {report.Pairing}, {report.Confidence * 100:0.##}% intervals)"));
        if (v.LabeledNeeded is { } needed)
        {
            output.WriteLine(string.Create(c, $"  labelled predictions still needed per version: {needed}"));
        }

        foreach (var r in v.Reasons)
        {
            output.WriteLine($"  [{r.Outcome}] {r.Guardrail}: {r.Message}");
        }

        output.WriteLine();
        output.WriteLine("version     predictions   labelled        auc   accuracy         f1      brier        ece");
        foreach (var s in new[] { report.BaselineSummary, report.CandidateSummary })
        {
            output.WriteLine(string.Create(c, $"{Cut(s.Version, 10),-10} {s.Predictions,12} {s.Labeled,10} {F(s.Auc),10} {F(s.Accuracy),10} {F(s.F1),10} {F(s.Brier),10} {F(s.Ece),10}"));
        }

        output.WriteLine();
        output.WriteLine("metric     difference   interval                 p-value   test");
        foreach (var m in report.Metrics)
        {
            var interval = m.CiLower is { } lo && m.CiUpper is { } hi ? string.Create(c, $"[{lo:+0.0000;-0.0000}, {hi:+0.0000;-0.0000}]") : "-";
            output.WriteLine(string.Create(c, $"{m.Metric,-10} {m.Difference,10:+0.0000;-0.0000;0}   {interval,-22} {P(m.PValue),9}   {m.Test}"));
        }

        if (report.PredictionShift is { } shift)
        {
            output.WriteLine();
            output.WriteLine(string.Create(c, $"prediction shift: PSI {shift.Psi:0.0000}, JS {shift.JensenShannon:0.0000}, KS {shift.Ks:0.0000} [{shift.KsLower:0.0000}, {shift.KsUpper:0.0000}]{(shift.KsPValue is { } p ? string.Create(c, $" p={p:G3}") : string.Empty)} ({shift.Binning})"));
        }

        if (report.Latency is { } l)
        {
            output.WriteLine(string.Create(c, $"latency p99: {l.CandidateMs:0.###} ms vs {l.BaselineMs:0.###} ms (ratio {l.Ratio:0.###}, bounds {l.RatioLower:0.###}-{l.RatioUpper:0.###})"));
        }

        foreach (var f in report.Features)
        {
            output.WriteLine(string.Create(c, $"feature {f.Feature} ({f.Kind}): PSI {f.Psi:0.0000}, JS {f.JensenShannon:0.0000}"));
        }

        if (report.Slices.Count > 0)
        {
            output.WriteLine();
            output.WriteLine(string.Create(c, $"slices ({report.SliceMetric}, candidate vs baseline, BH across {report.Slices.Count}):"));
            foreach (var s in report.Slices.OrderByDescending(s => s.Degradation))
            {
                output.WriteLine(string.Create(c, $"  {Cut(s.Dimension + "=" + s.Value, 28),-28} {s.Candidate,8:0.0000} vs {s.Baseline,8:0.0000}  degradation {s.Degradation,8:+0.0000;-0.0000;0}  adj p {s.AdjustedPValue:G3}{(s.Significant ? " *" : string.Empty)}"));
            }
        }

        if (report.Shadow is { } sh)
        {
            output.WriteLine();
            output.WriteLine(string.Create(c, $"shadow pairs: {sh.Pairs}, agreement {sh.Agreement:0.0000} [{sh.AgreementLower:0.0000}, {sh.AgreementUpper:0.0000}], mean |d| {sh.MeanAbsoluteDifference:0.0000}, max |d| {sh.MaxAbsoluteDifference:0.0000}"));
            foreach (var s in sh.Slices.Take(5))
            {
                output.WriteLine(string.Create(c, $"  {Cut(s.Dimension + "=" + s.Value, 28),-28} disagreement {s.DisagreementRate:0.0000} [{s.Lower:0.0000}, {s.Upper:0.0000}] of {s.Pairs}"));
            }
        }
    }

    private static string P(double? value) => value is { } x ? x.ToString("G3", CultureInfo.InvariantCulture) : "-";

    private static string F(double? value) => value is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "~";
}
