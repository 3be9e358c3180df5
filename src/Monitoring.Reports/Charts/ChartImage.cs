namespace Monitoring.Reports.Charts;

/// <summary>
/// One chart, rendered on demand: <see cref="Svg"/> for inline use in a page, <see cref="Png"/> for files and
/// notifications. Both come from the same drawing and are cached by content (see <see cref="ReportCharts"/>), so asking twice,
/// or building the same chart from the same report twice, draws once.
/// </summary>
public sealed class ChartImage
{
    private readonly ChartSpec _spec;

    internal ChartImage(ChartSpec spec) => _spec = spec;

    /// <summary>What is drawn (tests and benchmarks reach the uncached renderer with it).</summary>
    internal ChartSpec Spec => _spec;

    /// <summary>Which chart this is: <c>feature-distribution</c>, <c>drift-over-time</c>, <c>reliability</c>, <c>performance-over-time</c>, <c>slice-comparison</c> or <c>volume-latency</c>.</summary>
    public string Kind => _spec.Kind;

    /// <summary>The chart's title as drawn (user-controlled parts included, not escaped): use it as alt text through an encoding writer.</summary>
    public string Title => _spec.Title;

    /// <summary>Width in pixels.</summary>
    public int Width => _spec.Width;

    /// <summary>Height in pixels.</summary>
    public int Height => _spec.Height;

    /// <summary>False when the chart shows a "no data" message instead of data (see <see cref="NoDataReason"/>).</summary>
    public bool HasData => _spec.NoData is null;

    /// <summary>Why there is nothing to draw, or null when there is.</summary>
    public string? NoDataReason => _spec.NoData;

    /// <summary>
    /// An <c>&lt;svg&gt;</c> element, safe to write into HTML as it is: no XML declaration, no script, every piece of
    /// text XML-escaped, element ids unique to this chart's content (so many charts can share one page), a
    /// <c>viewBox</c> so CSS can scale it, and <c>role="img"</c> with a <c>&lt;title&gt;</c>. Text stays as
    /// <c>&lt;text&gt;</c> elements in DejaVu Sans.
    /// </summary>
    public string Svg => ChartRenderer.Svg(_spec);

    /// <summary>A PNG image of <see cref="Width"/> x <see cref="Height"/> pixels (a new array on every call).</summary>
    public byte[] Png() => ChartRenderer.Png(_spec);
}
