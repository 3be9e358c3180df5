using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Charts;
using Monitoring.Reports.Components.Shared;

namespace Monitoring.Reports.Rendering;

/// <summary>
/// The charts the pages show, drawn by <see cref="ReportCharts"/> from the same typed reports the pages format, as SVG
/// (which the chart code escapes). <see cref="ReportCharts"/> caches each drawing by its inputs, so a closed window's
/// charts, whose reports never change, are drawn once and then served from the cache.
/// </summary>
public sealed class PageCharts
{
    /// <summary>Features whose drift trend the model page draws: the largest PSI of the latest window first.</summary>
    public const int TrendFeatures = 3;

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
            .Select(f => Svg(ReportCharts.DriftOverTime(f.Name, windows, DriftMetric.Psi, incidents: incidents.Where(i => i.Labels.GetValueOrDefault("feature") == f.Name))))];
    }

    /// <summary>Realized and estimated accuracy with label coverage over time.</summary>
    public ChartSvg? PerformanceOverTime(IReadOnlyList<PerformanceReport> reports, IReadOnlyList<IncidentView> incidents) =>
        reports.Count == 0 ? null : Svg(ReportCharts.PerformanceOverTime(reports, PerformanceMetric.Accuracy, incidents));

    /// <summary>Volume and latency over time.</summary>
    public ChartSvg? VolumeOverTime(IReadOnlyList<WindowReport> windows, IReadOnlyList<IncidentView> incidents) =>
        windows.Count == 0 ? null : Svg(ReportCharts.VolumeAndLatency(windows, incidents));

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
    public ChartSvg? IncidentMetric(IncidentView incident, IReadOnlyList<WindowReport> windows, IReadOnlyList<PerformanceReport> performance)
    {
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
            return feature is null ? null : Svg(ReportCharts.DriftOverTime(feature, windows, metric, e.Threshold, marks));
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
            return Svg(ReportCharts.PerformanceOverTime(performance, p, marks));
        }

        if (e.Metric.StartsWith("slice_", StringComparison.Ordinal) && e.WindowStart is { } ws && performance.FirstOrDefault(r => r.WindowStart == ws) is { } report)
        {
            return Svg(ReportCharts.SliceComparison(report, incident.Labels.GetValueOrDefault("slice_dimension")));
        }

        return e.Metric is "window_volume" or "latency_p99_ms" or "window_late_records" && windows.Count > 0 ? Svg(ReportCharts.VolumeAndLatency(windows, marks)) : null;
    }

    private static ChartSvg Svg(ChartImage image) => new(image.Svg);
}
