using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Components.Model;
using Monitoring.Reports.Components.Report;
using Monitoring.Reports.Components.Slices;

namespace Monitoring.Reports.Rendering;

/// <summary>
/// Builds and renders the static report (<c>monitoring report</c>): the window page's sections and charts, with every
/// chart embedded as a PNG data URI (a standalone file cannot fetch the per-feature chart URLs the silo's pages use, and
/// a PNG shows the same in any viewer, mail client or document it is pasted into).
/// </summary>
public static class ReportDocumentBuilder
{
    /// <summary>The report's data: <paramref name="windows"/> (closed windows in the range, any order, at least one) with the newest shown in detail.</summary>
    /// <param name="tenant">Tenant.</param>
    /// <param name="model">Model id.</param>
    /// <param name="source">Where the data came from, as text.</param>
    /// <param name="silo">The silo's base URL when read from one; null offline.</param>
    /// <param name="windows">The windows in the range.</param>
    /// <param name="performance">The detailed window's performance report, if any.</param>
    /// <param name="generatedAt">When the report is written.</param>
    public static ReportDocumentModel Build(
        string tenant, string model, string source, Uri? silo, IReadOnlyList<WindowReport> windows, PerformanceReport? performance, DateTimeOffset generatedAt)
    {
        ArgumentNullException.ThrowIfNull(windows);
        if (windows.Count == 0)
        {
            throw new ArgumentException("at least one window is needed", nameof(windows));
        }

        var charts = new PageCharts(ChartFormat.Png);
        var ordered = windows.OrderBy(w => w.WindowStartUnixNano).ToList();
        var window = ordered[^1];
        var rows = FeatureSort.Default.Apply(window.Features.Select(f => new FeatureRow(f, charts.FeatureDistribution(f))), r => r.Feature);
        return new ReportDocumentModel
        {
            Tenant = tenant,
            Model = model,
            Source = source,
            Silo = silo,
            GeneratedAt = generatedAt,
            Window = window,
            WindowsInRange = ordered.Count,
            Performance = performance,
            Features = [.. rows.Where(r => r.Feature.Drifted).Concat(rows.Where(r => !r.Feature.Drifted))],
            ReliabilityChart = performance is null ? null : charts.Reliability(performance),
            DriftTrends = ordered.Count > 1 ? charts.DriftOverTime(ordered, []) : [],
            VolumeChart = ordered.Count > 1 ? charts.VolumeOverTime(ordered, []) : null,
            SliceWorstChart = performance?.Slices is { WorstSlices.Length: > 0 } ? charts.SliceComparison(performance, null) : null,
            SliceDimensions = performance?.Slices is { } slices ? [.. slices.Dimensions.Select(d => new SliceDimensionRow(d, charts.SliceComparison(performance, d.Name)))] : [],
        };
    }

    /// <summary>Renders the report to one HTML document.</summary>
    public static async Task<string> RenderAsync(ReportDocumentModel report)
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        var renderer = new PageRenderer(services, NullLoggerFactory.Instance);
        return await renderer.RenderAsync<ReportDocument, ReportDocumentModel>(report);
    }
}
