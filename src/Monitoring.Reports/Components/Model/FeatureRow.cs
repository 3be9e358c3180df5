using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Components.Shared;

namespace Monitoring.Reports.Components.Model;

/// <summary>A feature of a window report with its reference-vs-window chart.</summary>
/// <param name="Feature">The feature's report.</param>
/// <param name="Chart">Its distribution chart, when one could be drawn.</param>
public sealed record FeatureRow(FeatureReport Feature, ChartSvg? Chart);
