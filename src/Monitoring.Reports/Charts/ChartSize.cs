namespace Monitoring.Reports.Charts;

/// <summary>A chart's size in pixels (SVG user units), between <see cref="Min"/> and <see cref="Max"/> on each side.</summary>
public readonly record struct ChartSize
{
    /// <summary>Smallest side accepted.</summary>
    public const int Min = 160;

    /// <summary>Largest side accepted.</summary>
    public const int Max = 4096;

    /// <summary>Default for one feature's distribution and the reliability diagram.</summary>
    public static readonly ChartSize Standard = new(640, 360);

    /// <summary>Default for charts over time (files and notification images, shown at their own size).</summary>
    public static readonly ChartSize Wide = new(880, 340);

    /// <summary>
    /// Charts over time inlined in a page's two-column chart grid (<c>.charts.trends</c>, columns of at least 38rem):
    /// drawn near the size they are shown at, so their 11-13 px text stays 10 px or more on screen (at 880 px they were
    /// scaled to half in the three-column grid and the axis labels became unreadable).
    /// </summary>
    public static readonly ChartSize Inline = new(640, 300);

    /// <summary>Creates a size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A side is outside [<see cref="Min"/>, <see cref="Max"/>].</exception>
    public ChartSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, Min);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, Max);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, Min);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, Max);
        Width = width;
        Height = height;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }
}
