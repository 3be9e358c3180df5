using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Components.Shared;

namespace Monitoring.Reports.Components.Model;

/// <summary>A feature of a window report with its reference-vs-window chart, inline or as an image URL.</summary>
/// <param name="Feature">The feature's report.</param>
/// <param name="Chart">Its distribution chart inline, when drawn with the page.</param>
/// <param name="ChartUrl">Else the URL of the chart as an SVG image (drawn by its own request, cached by the browser).</param>
public sealed record FeatureRow(FeatureReport Feature, ChartSvg? Chart, string? ChartUrl = null);
