using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Charts;
using Monitoring.Reports.Components.Shared;

namespace Monitoring.Reports.Rendering;

/// <summary>
/// The charts the pages show, drawn by <see cref="ReportCharts"/> from the same typed reports the pages format, as SVG
/// (which the chart code escapes) for the pages, or as PNG for the static report (<see cref="ChartFormat.Png"/>).
/// <see cref="ReportCharts"/> caches each drawing by its inputs, so a closed window's charts, whose reports never change,
/// are drawn once and then served from the cache.
/// </summary>
/// <param name="format">How the charts are embedded: inline SVG (pages) or PNG data URIs (the static report).</param>
public sealed class PageCharts(ChartFormat format = ChartFormat.Svg)
{
    /// <summary>How the charts are embedded.</summary>
    public ChartFormat Format => format;

    // Charts over time as the pages and the report show them: in the two-column .charts.trends grid.
    private static readonly ChartSize TrendSize = ChartSize.Inline;

    /// <summary>Features whose drift trend the model page draws: the largest PSI of the latest window first.</summary>
    public const int TrendFeatures = 3;

    /// <summary>A chart drawn elsewhere (e.g. <see cref="IncidentChart"/>), embedded in this instance's format.</summary>
    public ChartSvg Chart(ChartImage chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return Svg(chart);
    }

    /// <summary>Reference vs window distribution of one feature.</summary>
    public ChartSvg? FeatureDistribution(FeatureReport feature) =>
        feature.Distribution is null ? null : Svg(ReportCharts.FeatureDistribution(feature, new ChartSize(480, 240)));

    /// <summary>Drift over time of the features that drifted most in the newest window, PSI with the threshold line and incidents marked.</summary>
    public IReadOnlyList<ChartSvg> DriftOverTime(IReadOnlyList<WindowReport> windows, IReadOnlyList<IncidentView> incidents)
    {
        if (windows.Count == 0)
        {
            return [];
        }

        var latest = windows.MaxBy(w => w.WindowStartUnixNano)!;
        return [.. latest.Features
            .Where(f => f.Psi is { } p && double.IsFinite(p))
            .OrderByDescending(f => f.Drifted).ThenByDescending(f => f.Psi).ThenBy(f => f.Name, StringComparer.Ordinal)
            .Take(TrendFeatures)
            .Select(f => Svg(ReportCharts.DriftOverTime(f.Name, windows, DriftMetric.Psi, incidents: incidents.Where(i => i.Labels.GetValueOrDefault("feature") == f.Name), size: TrendSize)))];
    }

    /// <summary>Realized and estimated accuracy with label coverage over time.</summary>
    public ChartSvg? PerformanceOverTime(IReadOnlyList<PerformanceReport> reports, IReadOnlyList<IncidentView> incidents) =>
        reports.Count == 0 ? null : Svg(ReportCharts.PerformanceOverTime(reports, PerformanceMetric.Accuracy, incidents, TrendSize));

    /// <summary>Volume and latency over time.</summary>
    public ChartSvg? VolumeOverTime(IReadOnlyList<WindowReport> windows, IReadOnlyList<IncidentView> incidents) =>
        windows.Count == 0 ? null : Svg(ReportCharts.VolumeAndLatency(windows, incidents, TrendSize));

    /// <summary>Reliability diagram of a window.</summary>
    public ChartSvg? Reliability(PerformanceReport report) =>
        report.Binary is null ? null : Svg(ReportCharts.Reliability(report));

    /// <summary>Accuracy per slice value with intervals and the overall accuracy line (null dimension: the worst slices).</summary>
    public ChartSvg? SliceComparison(PerformanceReport report, string? dimension) =>
        report.Labeled == 0 ? null : Svg(ReportCharts.SliceComparison(report, dimension));

    /// <summary>
    /// An incident's metric over the windows around it, with its threshold and the incident marked: a feature's or the
    /// prediction's drift, realized or estimated performance, a slice comparison, or volume and latency.
    /// </summary>
    public ChartSvg? IncidentMetric(IncidentView incident, IReadOnlyList<WindowReport> windows, IReadOnlyList<PerformanceReport> performance) =>
        IncidentChart(incident, windows, performance, TrendSize) is { } chart ? Svg(chart) : null;

    /// <summary>
    /// The chart of <see cref="IncidentMetric"/> itself (the incident page inlines it as SVG; notifications link its PNG
    /// at <c>/incidents/{id}/chart.png</c>), or null when the incident's evidence has nothing to draw.
    /// </summary>
    /// <param name="incident">The incident.</param>
    /// <param name="windows">Window reports around it.</param>
    /// <param name="performance">Performance reports around it.</param>
    /// <param name="size">Size of a chart over time; default <see cref="ChartSize.Wide"/> (a notification image).</param>
    public static ChartImage? IncidentChart(IncidentView incident, IReadOnlyList<WindowReport> windows, IReadOnlyList<PerformanceReport> performance, ChartSize? size = null)
    {
        ArgumentNullException.ThrowIfNull(incident);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(performance);
        if (incident.Evidence is not { } e)
        {
            return null;
        }

        IncidentView[] marks = [incident];
        DriftMetric? drift = e.Metric switch
        {
            "feature_psi" or "prediction_psi" => DriftMetric.Psi,
            "feature_jensen_shannon" => DriftMetric.JensenShannon,
            "feature_hellinger" => DriftMetric.Hellinger,
            "feature_ks" => DriftMetric.Ks,
            _ => null,
        };
        if (drift is { } metric && windows.Count > 0)
        {
            var feature = e.Metric.StartsWith("prediction_", StringComparison.Ordinal)
                ? windows[^1].Features.FirstOrDefault(f => f.Name.StartsWith("ml.prediction.", StringComparison.Ordinal))?.Name
                : incident.Labels.GetValueOrDefault("feature");
            return feature is null ? null : ReportCharts.DriftOverTime(feature, windows, metric, e.Threshold, marks, size);
        }

        PerformanceMetric? perf = e.Metric switch
        {
            "performance_accuracy" or "estimated_accuracy" => PerformanceMetric.Accuracy,
            "performance_auc" or "estimated_auc" => PerformanceMetric.Auc,
            "performance_f1" => PerformanceMetric.F1,
            _ => null,
        };
        if (perf is { } p && performance.Count > 0)
        {
            return ReportCharts.PerformanceOverTime(performance, p, marks, size);
        }

        if (e.Metric.StartsWith("slice_", StringComparison.Ordinal) && e.WindowStart is { } ws && performance.FirstOrDefault(r => r.WindowStart == ws) is { } report)
        {
            return ReportCharts.SliceComparison(report, incident.Labels.GetValueOrDefault("slice_dimension"));
        }

        return e.Metric is "window_volume" or "latency_p99_ms" or "window_late_records" && windows.Count > 0 ? ReportCharts.VolumeAndLatency(windows, marks, size) : null;
    }

    private ChartSvg Svg(ChartImage image) => format == ChartFormat.Png
        ? new ChartSvg(image.Png(), image.Title + (image.NoDataReason is { } reason ? " (no data: " + reason + ")" : string.Empty), image.Width, image.Height)
        : new ChartSvg(image.Svg);
}

/// <summary>How a page or report embeds its charts.</summary>
public enum ChartFormat
{
    /// <summary>Inline <c>&lt;svg&gt;</c> elements (the silo's pages: text stays text, scales with the page).</summary>
    Svg,

    /// <summary><c>&lt;img src="data:image/png;base64,..."&gt;</c> with the chart's title as alt text (the static report: one file, opened anywhere, pasted into documents and mail).</summary>
    Png,
}
