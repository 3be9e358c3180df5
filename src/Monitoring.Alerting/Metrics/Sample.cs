using Monitoring.Alerting.Labels;

namespace Monitoring.Alerting.Metrics;

/// <summary>One value of one series at one evaluation: a metric name, the series' labels (without the name) and the value.</summary>
/// <param name="Metric">Metric name.</param>
/// <param name="Labels">Series labels (<c>tenant</c>, <c>model</c>, and <c>feature</c> or the slice labels).</param>
/// <param name="Value">Value.</param>
public readonly record struct Sample(string Metric, LabelSet Labels, double Value);

/// <summary>
/// The samples of one model at one evaluation, from one report, with what they are about (which window) so alerts can
/// carry evidence and links.
/// </summary>
/// <param name="Tenant">Tenant.</param>
/// <param name="Model">Model id.</param>
/// <param name="Source">Which report kind the samples come from; rules over other sources are not evaluated.</param>
/// <param name="WindowStart">Start of the window (ISO 8601), for evidence and report links.</param>
/// <param name="WindowEnd">End of the window.</param>
/// <param name="WindowStartUnixNano">Window start (Unix ns), for the report link.</param>
/// <param name="Samples">The samples.</param>
/// <param name="WorstSlices">Formatted worst slices of the window, when the performance report has them.</param>
public sealed record SampleSet(
    string Tenant, string Model, MetricSource Source, string WindowStart, string WindowEnd, long WindowStartUnixNano,
    IReadOnlyList<Sample> Samples, IReadOnlyList<string> WorstSlices);
