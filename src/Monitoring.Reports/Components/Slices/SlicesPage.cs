using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Components.Shared;

namespace Monitoring.Reports.Components.Slices;

/// <summary>One slice dimension with its comparison chart.</summary>
/// <param name="Dimension">The dimension and its values.</param>
/// <param name="Chart">Accuracy per value with intervals and the model's overall accuracy as a line.</param>
public sealed record SliceDimensionRow(SliceDimensionReport Dimension, ChartSvg? Chart);

/// <summary>A window offered by the window picker.</summary>
/// <param name="Start">Window start (ISO 8601).</param>
/// <param name="Predictions">Predictions in it.</param>
/// <param name="Labelled">Labelled predictions in it.</param>
/// <param name="Open">Whether the window is still open (no window report yet).</param>
public sealed record WindowChoice(string Start, long Predictions, long Labelled, bool Open);

/// <summary>The slice report of a model's window (<c>/models/{tenant}/{model}/slices?window=</c>).</summary>
public sealed record SlicesPage
{
    /// <summary>Tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Model id.</summary>
    public required string Model { get; init; }

    /// <summary>Windows to choose from, newest first.</summary>
    public IReadOnlyList<WindowChoice> Windows { get; init; } = [];

    /// <summary>The window shown (ISO 8601 start), null when the model has none.</summary>
    public string? Window { get; init; }

    /// <summary>Its performance report, with the slices.</summary>
    public PerformanceReport? Performance { get; init; }

    /// <summary>The worst slices compared (intervals, the overall accuracy line).</summary>
    public ChartSvg? WorstChart { get; init; }

    /// <summary>Dimensions, in the report's order, with their charts.</summary>
    public IReadOnlyList<SliceDimensionRow> Dimensions { get; init; } = [];
}
