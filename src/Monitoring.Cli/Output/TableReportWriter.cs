using System.Globalization;
using Monitoring.Cli.Drift;

namespace Monitoring.Cli.Output;

/// <summary>Writes a <see cref="DriftReport"/> as a readable text table.</summary>
public static class TableReportWriter
{
    /// <summary>Writes the report to <paramref name="output"/>.</summary>
    public static void Write(DriftReport report, TextWriter output)
    {
        var drifted = report.Features.Count(f => f.Decision.Drifted);
        output.WriteLine($"Reference rows: {report.ReferenceRows}    Current rows: {report.CurrentRows}");
        output.WriteLine($"Features: {report.Features.Count}    Drifted: {drifted}");
        output.WriteLine();
        var rows = new List<string[]>
        {
            new[] { "feature", "kind", "null ref", "null cur", "PSI", "JS", "Hellinger", "test", "stat", "p", "p (BH)", "W1", "drift" },
        };
        foreach (var f in report.Features)
        {
            string test = "-", stat = "-", p = "-", w1 = "-";
            double? psi = null, js = null, hel = null;
            if (f.Numeric is { } n)
            {
                (psi, js, hel) = (n.Psi, n.JensenShannon, n.Hellinger);
                (test, stat, p, w1) = ("KS", F(n.Ks.Statistic), P(n.Ks.PValue), F(n.Wasserstein));
            }
            else if (f.Categorical is { } c)
            {
                (psi, js, hel) = (c.Psi, c.JensenShannon, c.Hellinger);
                test = "chi2";
                stat = c.ChiSquare is { } x ? F(x.Statistic) : "-";
                p = c.ChiSquare is { } y ? P(y.PValue) : "-";
            }

            var drift = f.Decision.Drifted ? "DRIFT (" + string.Join('+', f.Decision.Reasons) + ")" : f.Decision.Reasons.Count > 0 ? string.Join(',', f.Decision.Reasons) : "no";
            rows.Add(
            [
                f.Name, f.Kind == FeatureKind.Numeric ? "num" : "cat", Pct(f.ReferenceNullFraction), Pct(f.CurrentNullFraction),
                F(psi), F(js), F(hel), test, stat, p, f.AdjustedPValue is { } a ? P(a) : "-", w1, drift,
            ]);
        }

        WriteAligned(output, rows);
        foreach (var f in report.Features.Where(f => f.Categorical is { NewCategories.Length: > 0 }))
        {
            output.WriteLine($"  new categories in '{f.Name}': {string.Join(", ", f.Categorical!.NewCategories.Take(10))}{(f.Categorical.NewCategories.Length > 10 ? ", ..." : string.Empty)}");
        }

        output.WriteLine();
        output.WriteLine($"Drift rule (numeric): {report.Policy.NumericMethod}; (categorical): {report.Policy.CategoricalMethod}; no call below n={report.Policy.MinimumSampleSize}.");
        if (report.Classification is { } cls)
        {
            var m = cls.Metrics;
            output.WriteLine();
            output.WriteLine($"Classification ({cls.ScoreColumn} vs {cls.LabelColumn}, current file, n={m.Count}, positives={m.Positives}{(cls.SkippedRows > 0 ? $", {cls.SkippedRows} rows skipped for empty cells" : string.Empty)})");
            output.WriteLine($"  AUC {(m.Auc is { } auc ? F(auc) : "undefined (one class)")}   Brier {F(m.Brier)}   log loss {F(m.LogLoss)}   ECE {F(m.Calibration.ExpectedCalibrationError)}   MCE {F(m.Calibration.MaximumCalibrationError)}");
            output.WriteLine($"  at threshold {F(m.Threshold)}: accuracy {F(m.Accuracy)}   precision {F(m.Precision)}   recall {F(m.Recall)}   F1 {F(m.F1)}");
            output.WriteLine();
            var bins = new List<string[]> { new[] { "bin", "range", "count", "mean predicted", "fraction positive" } };
            foreach (var b in m.Calibration.Bins)
            {
                bins.Add([b.Bin.ToString(CultureInfo.InvariantCulture), $"{(b.Bin == 0 ? "[" : "(")}{F(b.Lower)}, {F(b.Upper)}]", b.Count.ToString(CultureInfo.InvariantCulture), F(b.MeanPredicted), F(b.FractionPositive)]);
            }

            WriteAligned(output, bins);
        }
    }

    private static void WriteAligned(TextWriter output, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var r in rows)
        {
            output.WriteLine(string.Join("  ", r.Select((cell, i) => i == 0 ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]))).TrimEnd());
        }
    }

    private static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.####", CultureInfo.InvariantCulture) : "-";

    private static string P(double v) => v < 1e-4 ? v.ToString("0.0E+0", CultureInfo.InvariantCulture) : v.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Pct(double v) => (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
