using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Components.Model;
using Monitoring.Reports.Components.Shared;
using Monitoring.Reports.Components.Slices;

namespace Monitoring.Reports.Components.Report;

/// <summary>
/// What the static report (<c>monitoring report</c>) shows: one window in detail, with every chart embedded as a PNG, and the
/// drift over the windows around it. Build it with <see cref="Rendering.ReportDocumentBuilder"/>.
/// </summary>
public sealed record ReportDocumentModel
{
    /// <summary>Tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Model id.</summary>
    public required string Model { get; init; }

    /// <summary>Where the data came from, as text (the silo's URL, or the files read).</summary>
    public required string Source { get; init; }

    /// <summary>The silo's base URL when the report came from one (links point there); null for an offline report (no links).</summary>
    public Uri? Silo { get; init; }

    /// <summary>When the report was written.</summary>
    public required DateTimeOffset GeneratedAt { get; init; }

    /// <summary>The window shown in detail.</summary>
    public required WindowReport Window { get; init; }

    /// <summary>How many windows the requested range held (the trend charts cover them).</summary>
    public int WindowsInRange { get; init; } = 1;

    /// <summary>Its performance report, when there is one.</summary>
    public PerformanceReport? Performance { get; init; }

    /// <summary>Features, drifted first, each with its distribution chart embedded.</summary>
    public IReadOnlyList<FeatureRow> Features { get; init; } = [];

    /// <summary>Reliability diagram of the window's labels.</summary>
    public ChartSvg? ReliabilityChart { get; init; }

    /// <summary>Drift over time of the most drifted features across the range.</summary>
    public IReadOnlyList<ChartSvg> DriftTrends { get; init; } = [];

    /// <summary>Volume and latency over the range.</summary>
    public ChartSvg? VolumeChart { get; init; }

    /// <summary>The worst slices compared, when the performance report has slices.</summary>
    public ChartSvg? SliceWorstChart { get; init; }

    /// <summary>The slice dimensions with their comparison charts (empty without slices).</summary>
    public IReadOnlyList<SliceDimensionRow> SliceDimensions { get; init; } = [];

    /// <summary>An absolute link to a path on the silo, or null for an offline report.</summary>
    public string? SiloLink(string path) => Silo is null ? null : new Uri(Silo, path).AbsoluteUri;
}
