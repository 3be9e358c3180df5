using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Components.Shared;

namespace Monitoring.Reports.Components.Model;

/// <summary>A closed window in a model's list: drift and volume from its report, performance as of now.</summary>
/// <param name="Report">The window's drift and quality report.</param>
/// <param name="Performance">Its performance report, when the model has one for it.</param>
public sealed record WindowRow(WindowReport Report, PerformanceReport? Performance);

/// <summary>The page of one model (<c>/models/{tenant}/{model}</c>).</summary>
public sealed record ModelPage
{
    /// <summary>Closed windows a model page lists, newest first (and its charts span).</summary>
    public const int ListedWindows = 24;

    /// <summary>Tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Model id.</summary>
    public required string Model { get; init; }

    /// <summary>Settings, totals, label join, schema, reference, open windows.</summary>
    public required ModelDescription Description { get; init; }

    /// <summary>Closed windows, newest first.</summary>
    public IReadOnlyList<WindowRow> Windows { get; init; } = [];

    /// <summary>The newest closed window's features, sorted, with their charts.</summary>
    public IReadOnlyList<FeatureRow> Features { get; init; } = [];

    /// <summary>The drift table's order.</summary>
    public FeatureSort Sort { get; init; } = FeatureSort.Default;

    /// <summary>Open incidents of this model.</summary>
    public IReadOnlyList<IncidentView> Incidents { get; init; } = [];

    /// <summary>Drift over time of the features that drifted most (PSI per window, the threshold line, incidents marked).</summary>
    public IReadOnlyList<ChartSvg> DriftCharts { get; init; } = [];

    /// <summary>Realized and estimated performance with label coverage over time.</summary>
    public ChartSvg? PerformanceChart { get; init; }

    /// <summary>Volume and latency over time.</summary>
    public ChartSvg? VolumeChart { get; init; }

    /// <summary>The newest closed window, when there is one.</summary>
    public WindowReport? Latest => Windows.Count > 0 ? Windows[0].Report : null;
}
