using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Components.Shared;

namespace Monitoring.Reports.Rendering;

/// <summary>
/// The charts the pages show, made from the same typed reports the pages format. CHARTS: each method returns null
/// until the chart code (Monitoring.Reports.Charts, branch charts) is merged; the pages then show "no chart" boxes.
/// </summary>
public sealed class PageCharts
{
    /// <summary>Reference vs window distribution of one feature.</summary>
    public ChartSvg? FeatureDistribution(WindowReport report, FeatureReport feature) => null;

    /// <summary>Drift over time: PSI per feature per window with the threshold line.</summary>
    public ChartSvg? DriftOverTime(IReadOnlyList<WindowReport> windows) => null;

    /// <summary>Realized and estimated performance with label coverage over time.</summary>
    public ChartSvg? PerformanceOverTime(IReadOnlyList<PerformanceReport> reports) => null;

    /// <summary>Volume and latency over time.</summary>
    public ChartSvg? VolumeOverTime(IReadOnlyList<WindowReport> windows) => null;

    /// <summary>Reliability diagram of a window.</summary>
    public ChartSvg? Reliability(PerformanceReport report) => null;

    /// <summary>Accuracy per slice value with intervals and the overall accuracy line.</summary>
    public ChartSvg? SliceComparison(PerformanceReport report, SliceDimensionReport dimension) => null;

    /// <summary>An incident's metric over windows with the threshold and the incident's window marked.</summary>
    public ChartSvg? IncidentMetric(IncidentView incident, IReadOnlyList<WindowReport> windows, IReadOnlyList<PerformanceReport> performance) => null;
}
