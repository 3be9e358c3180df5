using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Components.Model;
using Monitoring.Reports.Components.Shared;

namespace Monitoring.Reports.Components.Window;

/// <summary>The page of one closed window (<c>/models/{tenant}/{model}/windows/{start}</c>).</summary>
public sealed record WindowPage
{
    /// <summary>Tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Model id.</summary>
    public required string Model { get; init; }

    /// <summary>The window's drift and quality report.</summary>
    public required WindowReport Report { get; init; }

    /// <summary>Its performance report as of now, when the model has one.</summary>
    public PerformanceReport? Performance { get; init; }

    /// <summary>Features, sorted, with their charts.</summary>
    public IReadOnlyList<FeatureRow> Features { get; init; } = [];

    /// <summary>The drift table's order.</summary>
    public FeatureSort Sort { get; init; } = FeatureSort.Default;

    /// <summary>The closed window before this one (ISO 8601 start), if any.</summary>
    public string? Previous { get; init; }

    /// <summary>The closed window after this one, if any.</summary>
    public string? Next { get; init; }

    /// <summary>Reliability diagram of the joined labels.</summary>
    public ChartSvg? ReliabilityChart { get; init; }
}
