using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;

namespace Monitoring.Reports.Charts;

/// <summary>
/// The charts of the pages, the static report and image notifications, built from the typed reports. Every method
/// returns at once (drawing happens when <see cref="ChartImage.Svg"/> or <see cref="ChartImage.Png"/> is read, and is
/// cached by content) and never throws on data: empty or degenerate input gives a chart with a "no data" message. Names
/// from the reports (features, models, slices) are drawn as text and XML-escaped in the SVG.
/// </summary>
public static class ReportCharts
{
    /// <summary>
    /// Reference against window for one feature of a window report: share of values per reference decile bin
    /// (numeric) or per category, the 20 largest plus "(other)" (categorical), with PSI in the title. The bins are the
    /// very ones the drift statistics were computed over (<see cref="FeatureReport.Distribution"/>).
    /// </summary>
    public static ChartImage FeatureDistribution(FeatureReport feature, ChartSize? size = null)
    {
        ArgumentNullException.ThrowIfNull(feature);
        return new ChartImage(DistributionChart.From(feature, Pick(size, ChartSize.Standard)));
    }

    /// <summary>
    /// One drift metric of one feature over windows, with the threshold line, drifted windows marked, and vertical lines
    /// where incidents triggered and resolved (pass the incidents of this model and feature; those outside the windows'
    /// span are left out).
    /// </summary>
    /// <param name="feature">Feature name (or ml.prediction.score for prediction drift).</param>
    /// <param name="windows">Window reports, any order.</param>
    /// <param name="metric">The metric to draw.</param>
    /// <param name="threshold">The threshold line; default the drift policy's (PSI 0.2, Jensen-Shannon 0.1, KS D 0.1, none for Hellinger).</param>
    /// <param name="incidents">Incidents to mark.</param>
    /// <param name="size">Size; default <see cref="ChartSize.Wide"/>.</param>
    public static ChartImage DriftOverTime(string feature, IEnumerable<WindowReport> windows, DriftMetric metric = DriftMetric.Psi,
        double? threshold = null, IEnumerable<IncidentView>? incidents = null, ChartSize? size = null)
    {
        ArgumentNullException.ThrowIfNull(feature);
        ArgumentNullException.ThrowIfNull(windows);
        return new ChartImage(DriftTrendChart.From(feature, windows, metric, threshold, incidents, Pick(size, ChartSize.Wide)));
    }

    /// <summary>
    /// Reliability diagram of a window's joined pairs: observed fraction of positives against mean predicted probability
    /// per score bin, the diagonal of perfect calibration, and the pairs per bin on the right axis. ECE in the title.
    /// </summary>
    public static ChartImage Reliability(PerformanceReport report, ChartSize? size = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new ChartImage(ReliabilityChart.From(
            ChartText.Label(report.Model) + ": reliability", report.Binary?.Reliability ?? [], report.Binary?.Ece, Pick(size, ChartSize.Standard)));
    }

    /// <summary>The reliability diagram of one slice (see <see cref="Reliability(PerformanceReport, ChartSize?)"/>).</summary>
    public static ChartImage Reliability(SliceEntry slice, ChartSize? size = null)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return new ChartImage(ReliabilityChart.From(
            ChartText.Label(slice.Value) + ": reliability", slice.Reliability ?? [], slice.Ece, Pick(size, ChartSize.Standard)));
    }

    /// <summary>
    /// A performance metric over windows: realized (from joined labels, accuracy with its Wilson interval) and the
    /// CBPE estimate on one axis, label coverage in percent on the right axis, and incident markers.
    /// </summary>
    public static ChartImage PerformanceOverTime(IEnumerable<PerformanceReport> windows, PerformanceMetric metric = PerformanceMetric.Accuracy,
        IEnumerable<IncidentView>? incidents = null, ChartSize? size = null)
    {
        ArgumentNullException.ThrowIfNull(windows);
        return new ChartImage(PerformanceTrendChart.From(windows, metric, incidents, Pick(size, ChartSize.Wide)));
    }

    /// <summary>
    /// Slices compared on accuracy: one row per slice, worst first, with its Wilson interval and labelled count, and the
    /// model's overall accuracy as a reference line. <paramref name="dimension"/> null draws the report's worst slices
    /// (singles and pairs); a dimension name draws that dimension's values. At most <paramref name="maxSlices"/> rows; the
    /// title says how many were left out.
    /// </summary>
    public static ChartImage SliceComparison(PerformanceReport report, string? dimension = null, int maxSlices = 15, ChartSize? size = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSlices, 1);
        return new ChartImage(SliceChart.From(report, dimension, maxSlices, size is { Width: >= ChartSize.Min } ? size : null));
    }

    /// <summary>
    /// Draws each chart's SVG into the cache, one at a time on a thread-pool thread, so the page that shows them later
    /// finds them drawn (drawing costs milliseconds per chart, a cache hit microseconds; see docs/bench/charts.md). Call
    /// it when a window closes with the charts its pages will show, e.g. every feature's distribution and drift trend.
    /// </summary>
    public static Task WarmAsync(IEnumerable<ChartImage> charts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(charts);
        return Task.Run(
            () =>
            {
                foreach (var chart in charts)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    _ = chart.Svg;
                }
            },
            cancellationToken);
    }

    /// <summary>Predictions per window (bars, left axis) and serving latency p50 and p99 in milliseconds (lines, right axis), with incident markers.</summary>
    public static ChartImage VolumeAndLatency(IEnumerable<WindowReport> windows, IEnumerable<IncidentView>? incidents = null, ChartSize? size = null)
    {
        ArgumentNullException.ThrowIfNull(windows);
        return new ChartImage(VolumeLatencyChart.From(windows, incidents, Pick(size, ChartSize.Wide)));
    }

    // default(ChartSize) is 0 x 0: take the kind's default size instead.
    private static ChartSize Pick(ChartSize? size, ChartSize fallback) => size is { Width: >= ChartSize.Min } s ? s : fallback;
}

/// <summary>Drift metrics a feature's trend can show.</summary>
public enum DriftMetric
{
    /// <summary>Population stability index over the reference bins.</summary>
    Psi,

    /// <summary>Jensen-Shannon distance (base 2) over the reference bins.</summary>
    JensenShannon,

    /// <summary>Hellinger distance over the reference bins.</summary>
    Hellinger,

    /// <summary>Kolmogorov-Smirnov D (numeric features only).</summary>
    Ks,
}

/// <summary>Binary-classifier metrics whose realized and estimated values can be drawn over time.</summary>
public enum PerformanceMetric
{
    /// <summary>Accuracy at the report's decision threshold.</summary>
    Accuracy,

    /// <summary>Area under the ROC curve.</summary>
    Auc,

    /// <summary>Precision.</summary>
    Precision,

    /// <summary>Recall.</summary>
    Recall,

    /// <summary>F1.</summary>
    F1,
}
