using System.Globalization;
using Monitoring.Stats.Slices;

namespace Monitoring.Cli.Slices;

/// <summary>Writes a <see cref="SlicesReport"/> as readable text tables.</summary>
public static class SlicesTableWriter
{
    /// <summary>Writes the report to <paramref name="output"/>.</summary>
    public static void Write(SlicesReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var r = report.Report;
        var metric = r.Options.Metric.Name();
        output.WriteLine($"{report.Path}: {report.Rows} rows, {r.Overall.Count} scored and labelled{(report.SkippedRows > 0 ? $" ({report.SkippedRows} skipped for an empty score or label)" : string.Empty)}; threshold {F(report.Threshold)}");
        var o = r.Overall;
        output.WriteLine($"Overall: accuracy {Rate(o.Accuracy)}   precision {Rate(o.Precision)}   recall {Rate(o.Recall)}   F1 {F(o.F1)}   AUC {Auc(o)}   Brier {F(o.Brier)}   ECE {F(o.ExpectedCalibrationError)}");
        output.WriteLine($"Intervals: Wilson (rates), DeLong (AUC), {100 * (1 - r.Options.Alpha):0.#}%. Each value vs the rest of the rows on {metric}; p-values adjusted with Benjamini-Hochberg across all values.");
        foreach (var d in r.Dimensions)
        {
            output.WriteLine();
            output.WriteLine($"{d.Name} ({d.Volume} non-null rows{(d.OtherValues > 0 ? $", {d.OtherValues} values merged into {SliceKey.OtherValue}" : string.Empty)})");
            var rows = new List<string[]>
            {
                new[] { "value", "rows", "accuracy [95% CI]", "precision", "recall", "F1", "AUC [95% CI]", "Brier", "ECE", $"diff {metric}", "p (BH)", string.Empty },
            };
            foreach (var s in d.Slices)
            {
                var m = s.Metrics;
                var c = s.Comparison;
                rows.Add(
                [
                    s.Key.First.Value, m.Count.ToString(CultureInfo.InvariantCulture), Rate(m.Accuracy), F(m.Precision.Value), F(m.Recall.Value), F(m.F1),
                    Auc(m), F(m.Brier), F(m.ExpectedCalibrationError), c is null ? "-" : Signed(c.Difference), c?.AdjustedPValue is { } p ? P(p) : "-",
                    c is { Significant: true } ? (c.Degradation > 0 ? "worse" : "better") : string.Empty,
                ]);
            }

            WriteAligned(output, rows, leftAligned: 1);
        }

        if (report.PredictionDrift is { } drift)
        {
            output.WriteLine();
            output.WriteLine($"Prediction drift per slice against the same slice of {drift.Path} ({drift.ScoredRows} scored rows; 10 score bins; {Monitoring.Stats.Drift.DriftPolicy.Default.CategoricalMethod}, chi-square p-values adjusted with Benjamini-Hochberg across slices)");
            var rows = new List<string[]> { new[] { "slice", "rows", "reference rows", "PSI", "JS", "p (BH)", string.Empty } };
            foreach (var (slice, d) in drift.Slices)
            {
                rows.Add(
                [
                    slice, d.Count.ToString(CultureInfo.InvariantCulture), d.ReferenceCount.ToString(CultureInfo.InvariantCulture), F(d.Psi), F(d.JensenShannon),
                    d.AdjustedPValue is { } p ? P(p) : "-", d.Decision.Drifted ? "drifted" : d.Decision.Reasons.FirstOrDefault() ?? string.Empty,
                ]);
            }

            WriteAligned(output, rows, leftAligned: 1);
        }

        output.WriteLine();
        output.WriteLine($"Worst slices by {metric} (min support {r.Options.MinimumSupport}; pairs over the {r.Options.PairDimensions} largest dimensions; ranked by the lower {100 * (1 - r.Options.Alpha):0.#}% bound of the degradation vs the rest; {r.Worst.Evaluated} tested, BH across them; {r.Worst.ExplainedByParent} pairs explained by a single value omitted)");
        if (r.Worst.Slices.Count == 0)
        {
            output.WriteLine("  none: no slice with enough rows is worse than the rest.");
            return;
        }

        var worst = new List<string[]> { new[] { "#", "slice", "rows", metric, "rest", "degradation", "lower bound", "p (BH)", string.Empty } };
        foreach (var w in r.Worst.Slices)
        {
            var c = w.Comparison;
            worst.Add(
            [
                w.Rank.ToString(CultureInfo.InvariantCulture), w.Key.ToString(), w.Metrics.Count.ToString(CultureInfo.InvariantCulture),
                F(c.SliceValue), F(c.RestValue), F(c.Degradation), F(c.LowerBound), c.AdjustedPValue is { } p ? P(p) : "-", c.Significant ? "significant" : string.Empty,
            ]);
        }

        WriteAligned(output, worst, leftAligned: 2);
    }

    private static string Rate(RateEstimate rate) =>
        rate.Interval is { } i ? $"{F(rate.Value)} [{F(i.Lower)}, {F(i.Upper)}]" : F(rate.Value);

    private static string Auc(SliceMetrics m) =>
        m.Auc is null ? "-" : m.Auc.Interval() is { } i ? $"{F(m.Auc.Auc)} [{F(i.Lower)}, {F(i.Upper)}]" : F(m.Auc.Auc);

    private static void WriteAligned(TextWriter output, List<string[]> rows, int leftAligned)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var r in rows)
        {
            output.WriteLine(("  " + string.Join("  ", r.Select((cell, i) => i < leftAligned ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i])))).TrimEnd());
        }
    }

    private static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "-";

    private static string Signed(double v) => double.IsFinite(v) ? v.ToString("+0.0000;-0.0000;0.0000", CultureInfo.InvariantCulture) : "-";

    private static string P(double v) => v < 1e-4 ? v.ToString("0.0E+0", CultureInfo.InvariantCulture) : v.ToString("0.0000", CultureInfo.InvariantCulture);
}
