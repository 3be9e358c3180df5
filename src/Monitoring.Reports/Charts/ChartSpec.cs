using ScottPlot;

namespace Monitoring.Reports.Charts;

/// <summary>
/// Everything one chart draws, taken out of the reports (compact: only the numbers and names it shows). Its JSON is the
/// chart's cache key, so a spec holds every input of <see cref="Draw"/> as a public property and nothing else.
/// </summary>
internal abstract record ChartSpec
{
    /// <summary>Chart kind (see <see cref="ChartImage.Kind"/>).</summary>
    public abstract string Kind { get; }

    /// <summary>Title as drawn.</summary>
    public required string Title { get; init; }

    /// <summary>Width in pixels.</summary>
    public required int Width { get; init; }

    /// <summary>Height in pixels.</summary>
    public required int Height { get; init; }

    /// <summary>Why there is nothing to draw, or null.</summary>
    public string? NoData { get; init; }

    /// <summary>Draws the data (only called when <see cref="NoData"/> is null); the title, fonts and no-data message are drawn around it.</summary>
    public abstract void Draw(Plot plot);

    /// <summary>Axis labels for the no-data frame, so an empty chart still says what it would show.</summary>
    public abstract (string X, string Y) AxisLabels { get; }
}
