namespace Monitoring.Reports.Components.Shared;

/// <summary>
/// One drawn chart, as inline SVG markup (the pages) or as a PNG data URI with alt text (the static report). Only this
/// assembly's chart code can make one (the constructors are internal), so the one piece of raw markup a page writes can
/// never be text from a request or a report.
/// </summary>
public sealed class ChartSvg
{
    internal ChartSvg(string markup) => Markup = markup;

    internal ChartSvg(byte[] png, string title, int width, int height)
    {
        Markup = null;
        PngDataUri = "data:image/png;base64," + Convert.ToBase64String(png);
        Title = title;
        Width = width;
        Height = height;
    }

    /// <summary>The SVG element, or null for a PNG chart.</summary>
    public string? Markup { get; }

    /// <summary><c>data:image/png;base64,...</c> of a PNG chart, or null for an SVG one.</summary>
    public string? PngDataUri { get; }

    /// <summary>The chart's title (PNG charts: written as the image's alt text, HTML-encoded by Razor).</summary>
    public string? Title { get; }

    /// <summary>Width in pixels of a PNG chart.</summary>
    public int Width { get; }

    /// <summary>Height in pixels of a PNG chart.</summary>
    public int Height { get; }
}
