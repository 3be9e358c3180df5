using Monitoring.Aggregation.Reports;
using Monitoring.Abstractions.Reports;
using Monitoring.Cli.Slices;
using Monitoring.Stats.Slices;
using SliceReport = Monitoring.Abstractions.Reports.SliceReport;

namespace Monitoring.Cli.Report;

/// <summary>
/// The report of <c>monitoring slices</c> (computed by <see cref="SlicesAnalyzer"/>, exact) in the shape the silo's
/// pages format (<see cref="SliceReport"/> of a <see cref="PerformanceReport"/>), so the offline report shows the same
/// slice sections as a report read from a silo. Per-slice reliability bins are not part of the exact report (its ECE is).
/// </summary>
internal static class OfflineSlices
{
    /// <summary>The slice part of a performance report.</summary>
    public static SliceReport From(SlicesReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var r = report.Report;
        var drift = report.PredictionDrift;
        var dimensions = r.Dimensions
            .Select(d => new SliceDimensionReport(d.Name, [.. d.Slices.Select(s => Entry(s.Key.First.Value, s.Metrics, s.Comparison, drift?.Slices.GetValueOrDefault(s.Key.ToString())))]))
            .ToArray();
        var worst = r.Worst.Slices
            .Select(w => Entry(w.Key.ToString(), w.Metrics, w.Comparison, null))
            .ToArray();
        return new SliceReport
        {
            Metric = r.Options.Metric.Name(),
            PValueFamily = "every single slice of the file (dimensions); the worst-slice candidates (singles and pairs with enough rows) for the worst list",
            PredictionDrift = new SlicePredictionDriftSummary(
                drift is null ? null : Path.GetFileName(drift.Path),
                "10 uniform score bins over [0, 1]",
                "categorical rule on the score bins (PSI, or chi-square BH-adjusted with Jensen-Shannon)",
                drift is null ? [] : [.. drift.Slices.Where(s => s.Value.Decision.Drifted).Select(s => s.Key)]),
            Dimensions = dimensions,
            WorstSlices = worst,
        };
    }

    private static SliceEntry Entry(string value, SliceMetrics m, SliceComparison? comparison, SliceDriftResult? drift) => new()
    {
        Value = value,
        Predictions = m.Count,
        Count = m.Count,
        Positives = m.Positives,
        Accuracy = new RateReport(Finite(m.Accuracy.Value), m.Accuracy.Interval?.Lower, m.Accuracy.Interval?.Upper, "wilson"),
        Precision = Finite(m.Precision.Value),
        Recall = Finite(m.Recall.Value),
        F1 = Finite(m.F1),
        Brier = Finite(m.Brier),
        Ece = Finite(m.ExpectedCalibrationError),
        Auc = m.Auc is { } auc && auc.Interval() is var ci ? new AucReport(Finite(auc.Auc), null, null, ci?.Lower, ci?.Upper, "delong") : null,
        VsRest = PerformanceReportBuilder.VersusRest(comparison),
        PredictionDrift = PerformanceReportBuilder.Drift(drift),
    };

    private static double? Finite(double v) => ReportJson.Finite(v);
}
