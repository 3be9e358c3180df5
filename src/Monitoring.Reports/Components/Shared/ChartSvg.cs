namespace Monitoring.Reports.Components.Shared;

/// <summary>
/// SVG markup of one chart. Only this assembly's chart code can make one (the constructor is internal), so the one
/// piece of raw markup a page writes can never be text from a request or a report.
/// </summary>
public sealed class ChartSvg
{
    internal ChartSvg(string markup) => Markup = markup;

    /// <summary>The SVG element.</summary>
    public string Markup { get; }
}
