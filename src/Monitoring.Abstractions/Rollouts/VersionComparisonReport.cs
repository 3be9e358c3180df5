using System.Text.Json.Serialization;

namespace Monitoring.Abstractions.Rollouts;

/// <summary>
/// A candidate model version against its baseline over the same windows: each version's summary, realized performance
/// differences with intervals and tests, the candidate's prediction distribution against the baseline's, latency,
/// feature population shift, the same performance difference per slice (Benjamini-Hochberg across slices), shadow pairs
/// when both versions scored the same requests, and the verdict. Every difference is candidate - baseline.
/// </summary>
[GenerateSerializer, Immutable, Alias("monitoring.version-comparison-report")]
public sealed record VersionComparisonReport
{
    /// <summary>"tenant/model" (or the input files' description offline).</summary>
    [Id(0)] public required string Model { get; init; }
    /// <summary>The baseline version.</summary>
    [Id(1)] public required string Baseline { get; init; }
    /// <summary>The candidate version.</summary>
    [Id(2)] public required string Candidate { get; init; }
    /// <summary>Start of the first window compared (ISO 8601 UTC); null offline.</summary>
    [Id(3)] public string? WindowStart { get; init; }
    /// <summary>End of the last window compared (ISO 8601 UTC); null offline.</summary>
    [Id(4)] public string? WindowEnd { get; init; }
    /// <summary>Windows merged into each version's sample (0 offline).</summary>
    [Id(5)] public int Windows { get; init; }
    /// <summary>Confidence level of every interval (1 - alpha).</summary>
    [Id(6)] public double Confidence { get; init; }
    /// <summary>"paired" when the labelled rows of both versions are the same requests (shadow), else "unpaired".</summary>
    [Id(7)] public required string Pairing { get; init; }
    /// <summary>The baseline's own figures.</summary>
    [Id(8)] public required VersionSummary BaselineSummary { get; init; }
    /// <summary>The candidate's own figures.</summary>
    [Id(9)] public required VersionSummary CandidateSummary { get; init; }
    /// <summary>Realized performance differences (auc, accuracy, f1, brier, ece) that are defined on both sides.</summary>
    [Id(10)] public IReadOnlyList<MetricDifference> Metrics { get; init; } = [];
    /// <summary>The candidate's score distribution against the baseline's; null without scores on both sides.</summary>
    [Id(11)] public PredictionShiftReport? PredictionShift { get; init; }
    /// <summary>Serving latency; null without latencies on both sides.</summary>
    [Id(12)] public LatencyDifference? Latency { get; init; }
    /// <summary>The candidate's feature distributions against the baseline's (is the canary fed a different population?).</summary>
    [Id(13)] public IReadOnlyList<FeatureShift> Features { get; init; } = [];
    /// <summary>Metric the slices are compared on (accuracy, error_rate, precision, recall, f1, brier).</summary>
    [Id(14)] public required string SliceMetric { get; init; }
    /// <summary>Per slice value present in both versions with enough labelled rows: the candidate's slice against the baseline's same slice.</summary>
    [Id(15)] public IReadOnlyList<SliceDifference> Slices { get; init; } = [];
    /// <summary>Shadow pairs (both versions scored the same requests); null when none.</summary>
    [Id(16)] public ShadowComparison? Shadow { get; init; }
    /// <summary>The verdict under <see cref="Guardrails"/>.</summary>
    [Id(17)] public required RolloutVerdict Verdict { get; init; }
    /// <summary>The guardrails the verdict was decided under.</summary>
    [Id(18)] public required RolloutGuardrails Guardrails { get; init; }
    /// <summary>Start of the first window (Unix ns); null offline.</summary>
    [Id(19)] public long? WindowStartUnixNano { get; init; }
    /// <summary>End of the last window (Unix ns, exclusive); null offline.</summary>
    [Id(20)] public long? WindowEndUnixNano { get; init; }
    /// <summary>
    /// The verdict published for this pair at window closes (hysteresis over consecutive closes; what
    /// <c>rollout_verdict</c> carries), as of the latest close; null online before the first close that compared the
    /// pair, and offline. <see cref="Verdict"/> is this comparison's own.
    /// </summary>
    [Id(21)] public PublishedVerdict? Published { get; init; }
}

/// <summary>One version's own figures over the compared windows.</summary>
/// <param name="Version">The version.</param>
/// <param name="Predictions">Predictions.</param>
/// <param name="Labeled">Predictions with a joined label.</param>
/// <param name="Positives">Labelled positives.</param>
/// <param name="Auc">AUC of the labelled pairs; null when one class is absent.</param>
/// <param name="Accuracy">Accuracy at the threshold; null without labels.</param>
/// <param name="F1">F1 at the threshold; null without labels.</param>
/// <param name="Brier">Brier score; null without labels.</param>
/// <param name="Ece">Expected calibration error (10 uniform bins); null without labels.</param>
/// <param name="MeanScore">Mean score of every prediction; null without scores.</param>
[GenerateSerializer, Immutable, Alias("monitoring.version-summary")]
public sealed record VersionSummary(
    [property: Id(0)] string Version,
    [property: Id(1)] long Predictions,
    [property: Id(2)] long Labeled,
    [property: Id(3)] long Positives,
    [property: Id(4), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Auc,
    [property: Id(5), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Accuracy,
    [property: Id(6), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? F1,
    [property: Id(7), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Brier,
    [property: Id(8), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Ece,
    [property: Id(9), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? MeanScore);

/// <summary>One metric of the candidate against the baseline.</summary>
/// <param name="Metric">auc, accuracy, f1, brier or ece.</param>
/// <param name="HigherIsBetter">Whether a larger value is better (false for brier and ece).</param>
/// <param name="Baseline">The baseline's value.</param>
/// <param name="Candidate">The candidate's value.</param>
/// <param name="Difference">Candidate - baseline.</param>
/// <param name="StandardError">Standard error of the difference used by the test; null without a test.</param>
/// <param name="Z">z of the test; null without a test.</param>
/// <param name="PValue">Two-sided p-value; null without a test.</param>
/// <param name="CiLower">Lower end of the interval of the difference; null when undefined.</param>
/// <param name="CiUpper">Upper end.</param>
/// <param name="Test">The test and interval (e.g. "delong_paired", "two_proportion_z + newcombe", "welch_z", "delta_method_z").</param>
/// <remarks>
/// <see cref="ExactBound"/>: for an AUC from score sketches, the guaranteed bound on |exact difference - binned
/// difference| (the sum of both versions' tie half-widths); null when computed from raw scores.
/// </remarks>
[GenerateSerializer, Immutable, Alias("monitoring.metric-difference")]
public sealed record MetricDifference(
    [property: Id(0)] string Metric,
    [property: Id(1)] bool HigherIsBetter,
    [property: Id(2)] double Baseline,
    [property: Id(3)] double Candidate,
    [property: Id(4)] double Difference,
    [property: Id(5), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? StandardError,
    [property: Id(6), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Z,
    [property: Id(7), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? PValue,
    [property: Id(8), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? CiLower,
    [property: Id(9), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? CiUpper,
    [property: Id(10)] string Test)
{
    /// <summary>For an AUC from score sketches: |exact difference - difference| is at most this; null otherwise.</summary>
    [Id(11)] public double? ExactBound { get; init; }
}

/// <summary>The candidate's score distribution against the baseline's (baseline as the reference).</summary>
/// <param name="Psi">PSI over the 10 uniform score bins.</param>
/// <param name="JensenShannon">Jensen-Shannon distance (base 2) over the same bins.</param>
/// <param name="Ks">KS statistic (estimate).</param>
/// <param name="KsLower">Guaranteed lower bound of the exact KS (equal to it from raw scores).</param>
/// <param name="KsUpper">Guaranteed upper bound.</param>
/// <param name="KsPValue">ks_2samp p-value (raw scores only); null from sketches.</param>
/// <param name="Binning">"exact" from raw scores, "sketch" from score histograms.</param>
/// <param name="BaselineCount">Baseline scores.</param>
/// <param name="CandidateCount">Candidate scores.</param>
[GenerateSerializer, Immutable, Alias("monitoring.prediction-shift")]
public sealed record PredictionShiftReport(
    [property: Id(0)] double Psi,
    [property: Id(1)] double JensenShannon,
    [property: Id(2)] double Ks,
    [property: Id(3)] double KsLower,
    [property: Id(4)] double KsUpper,
    [property: Id(5)] double? KsPValue,
    [property: Id(6)] string Binning,
    [property: Id(7)] long BaselineCount,
    [property: Id(8)] long CandidateCount);

/// <summary>Serving latency at p99 (and means) of the candidate against the baseline, from the latency bucket sketches.</summary>
/// <param name="Quantile">The quantile compared (0.99).</param>
/// <param name="BaselineCount">Baseline latencies.</param>
/// <param name="CandidateCount">Candidate latencies.</param>
/// <param name="BaselineMs">Baseline quantile (ms), the upper edge of its bucket.</param>
/// <param name="CandidateMs">Candidate quantile (ms).</param>
/// <param name="Ratio">Candidate / baseline.</param>
/// <param name="RatioLower">Guaranteed lower bound of the ratio of the exact quantiles.</param>
/// <param name="RatioUpper">Guaranteed upper bound.</param>
/// <param name="DeltaMs">Candidate - baseline (ms).</param>
/// <param name="BaselineMeanMs">Baseline mean (ms).</param>
/// <param name="CandidateMeanMs">Candidate mean (ms).</param>
[GenerateSerializer, Immutable, Alias("monitoring.latency-difference")]
public sealed record LatencyDifference(
    [property: Id(0)] double Quantile,
    [property: Id(1)] long BaselineCount,
    [property: Id(2)] long CandidateCount,
    [property: Id(3)] double BaselineMs,
    [property: Id(4)] double CandidateMs,
    [property: Id(5)] double Ratio,
    [property: Id(6)] double RatioLower,
    [property: Id(7)] double RatioUpper,
    [property: Id(8)] double DeltaMs,
    [property: Id(9)] double BaselineMeanMs,
    [property: Id(10)] double CandidateMeanMs);

/// <summary>One feature's candidate distribution against the baseline's.</summary>
/// <param name="Feature">Feature name.</param>
/// <param name="Kind">"numeric" or "categorical".</param>
/// <param name="Psi">PSI (numeric: over the baseline's deciles; categorical: over categories).</param>
/// <param name="JensenShannon">Jensen-Shannon distance (base 2) over the same bins.</param>
/// <param name="KsLower">Numeric: guaranteed lower bound of the KS statistic; null for categorical.</param>
/// <param name="KsUpper">Numeric: guaranteed upper bound; null for categorical.</param>
/// <param name="BaselineCount">Baseline non-null values.</param>
/// <param name="CandidateCount">Candidate non-null values.</param>
[GenerateSerializer, Immutable, Alias("monitoring.feature-shift")]
public sealed record FeatureShift(
    [property: Id(0)] string Feature,
    [property: Id(1)] string Kind,
    [property: Id(2)] double Psi,
    [property: Id(3)] double JensenShannon,
    [property: Id(4)] double? KsLower,
    [property: Id(5)] double? KsUpper,
    [property: Id(6)] long BaselineCount,
    [property: Id(7)] long CandidateCount);

/// <summary>One slice value: the candidate's rows of the slice against the baseline's rows of the same slice.</summary>
/// <param name="Dimension">Slice dimension.</param>
/// <param name="Value">Slice value.</param>
/// <param name="BaselineLabeled">Baseline labelled rows in the slice.</param>
/// <param name="CandidateLabeled">Candidate labelled rows in the slice.</param>
/// <param name="Baseline">The baseline's metric in the slice.</param>
/// <param name="Candidate">The candidate's metric in the slice.</param>
/// <param name="Degradation">How much worse the candidate is (positive = worse).</param>
/// <param name="DegradationLower">Lower end of the two-sided interval of the degradation.</param>
/// <param name="PValue">Two-sided p-value of the slice's test.</param>
/// <param name="AdjustedPValue">Benjamini-Hochberg adjusted p-value across the slices listed.</param>
/// <param name="Significant">Adjusted p-value below 1 - confidence.</param>
/// <param name="Test">The test (as for <see cref="MetricDifference.Test"/>).</param>
[GenerateSerializer, Immutable, Alias("monitoring.slice-difference")]
public sealed record SliceDifference(
    [property: Id(0)] string Dimension,
    [property: Id(1)] string Value,
    [property: Id(2)] long BaselineLabeled,
    [property: Id(3)] long CandidateLabeled,
    [property: Id(4)] double Baseline,
    [property: Id(5)] double Candidate,
    [property: Id(6)] double Degradation,
    [property: Id(7)] double DegradationLower,
    [property: Id(8)] double PValue,
    [property: Id(9)] double AdjustedPValue,
    [property: Id(10)] bool Significant,
    [property: Id(11)] string Test);

/// <summary>Shadow pairs: both versions scored the same requests (joined by request id), compared before labels.</summary>
/// <param name="Pairs">Pairs.</param>
/// <param name="Threshold">Decision threshold.</param>
/// <param name="Agreement">Share of pairs on the same side of the threshold.</param>
/// <param name="AgreementLower">Wilson interval lower end.</param>
/// <param name="AgreementUpper">Wilson interval upper end.</param>
/// <param name="BaselineOnlyPositive">Pairs only the baseline called positive.</param>
/// <param name="CandidateOnlyPositive">Pairs only the candidate called positive.</param>
/// <param name="MeanDifference">Mean candidate - baseline score.</param>
/// <param name="MeanAbsoluteDifference">Mean |candidate - baseline|.</param>
/// <param name="MaxAbsoluteDifference">Largest |candidate - baseline|.</param>
/// <param name="DifferenceQuantiles">Quantiles of candidate - baseline: level -> value (bin upper edge, width 0.01).</param>
/// <param name="Slices">Slice values by disagreement rate, highest first.</param>
[GenerateSerializer, Immutable, Alias("monitoring.shadow-comparison")]
public sealed record ShadowComparison(
    [property: Id(0)] long Pairs,
    [property: Id(1)] double Threshold,
    [property: Id(2)] double Agreement,
    [property: Id(3)] double AgreementLower,
    [property: Id(4)] double AgreementUpper,
    [property: Id(5)] long BaselineOnlyPositive,
    [property: Id(6)] long CandidateOnlyPositive,
    [property: Id(7)] double MeanDifference,
    [property: Id(8)] double MeanAbsoluteDifference,
    [property: Id(9)] double MaxAbsoluteDifference,
    [property: Id(10)] IReadOnlyDictionary<string, double> DifferenceQuantiles,
    [property: Id(11)] IReadOnlyList<ShadowSliceDisagreement> Slices);

/// <summary>Shadow disagreement in one slice value.</summary>
/// <param name="Dimension">Slice dimension.</param>
/// <param name="Value">Slice value.</param>
/// <param name="Pairs">Pairs.</param>
/// <param name="Disagreements">Pairs on different sides of the threshold.</param>
/// <param name="DisagreementRate">Disagreements / pairs.</param>
/// <param name="Lower">Wilson interval lower end.</param>
/// <param name="Upper">Wilson interval upper end.</param>
/// <param name="MeanAbsoluteDifference">Mean |candidate - baseline|.</param>
[GenerateSerializer, Immutable, Alias("monitoring.shadow-slice")]
public sealed record ShadowSliceDisagreement(
    [property: Id(0)] string Dimension,
    [property: Id(1)] string Value,
    [property: Id(2)] long Pairs,
    [property: Id(3)] long Disagreements,
    [property: Id(4)] double DisagreementRate,
    [property: Id(5)] double Lower,
    [property: Id(6)] double Upper,
    [property: Id(7)] double MeanAbsoluteDifference);
