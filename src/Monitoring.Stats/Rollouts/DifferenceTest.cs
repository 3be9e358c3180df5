using Monitoring.Stats.Intervals;

namespace Monitoring.Stats.Rollouts;

/// <summary>
/// One metric of a candidate against its baseline: both values, the difference candidate - baseline, the test of
/// no difference and the interval of the difference. Higher or lower being better is the caller's reading.
/// </summary>
/// <param name="Metric">snake_case metric name (auc, accuracy, f1, brier, ece).</param>
/// <param name="Baseline">The baseline's value.</param>
/// <param name="Candidate">The candidate's value.</param>
/// <param name="Difference">Candidate - baseline.</param>
/// <param name="StandardError">Standard error the test used (NaN when there is no test).</param>
/// <param name="Z">The test's z (NaN when there is no test).</param>
/// <param name="PValue">Two-sided p-value (NaN when there is no test).</param>
/// <param name="Interval">Two-sided (1 - alpha) interval of the difference; null when undefined.</param>
/// <param name="Test">The test and interval, named as in the report (e.g. "delong_paired", "two_proportion_z + newcombe").</param>
public sealed record DifferenceTest(
    string Metric,
    double Baseline,
    double Candidate,
    double Difference,
    double StandardError,
    double Z,
    double PValue,
    ConfidenceInterval? Interval,
    string Test);
