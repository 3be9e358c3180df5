using System.Text.Json.Serialization;

namespace Monitoring.Abstractions.Reports;

/// <summary>
/// One window's performance: label coverage, realized metrics from joined labels, confidence-based estimates (CBPE),
/// regression and multiclass metrics, and the slice report. Sections that do not apply are left out of the JSON;
/// a metric that is undefined inside a section is written as null.
/// </summary>
[GenerateSerializer, Immutable, Alias("monitoring.performance-report")]
public sealed record PerformanceReport
{
    /// <summary>"tenant/model".</summary>
    [Id(0)] public required string Model { get; init; }
    /// <summary>Window start (ISO 8601 UTC).</summary>
    [Id(1)] public required string WindowStart { get; init; }
    /// <summary>Window end (ISO 8601 UTC).</summary>
    [Id(2)] public required string WindowEnd { get; init; }
    /// <summary>Window start (Unix ns).</summary>
    [Id(3)] public long WindowStartUnixNano { get; init; }
    /// <summary>Predictions in the window.</summary>
    [Id(4)] public long Predictions { get; init; }
    /// <summary>Predictions with a joined label.</summary>
    [Id(5)] public long Labeled { get; init; }
    /// <summary>Labeled / predictions, null without predictions.</summary>
    [Id(6), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Coverage { get; init; }
    /// <summary>Realized binary-classifier metrics, once labels have joined.</summary>
    [Id(7)] public BinaryPerformance? Binary { get; init; }
    /// <summary>Slices: volume, prediction drift and, once labels join, performance per slice; the worst slices.</summary>
    [Id(8)] public SliceReport? Slices { get; init; }
    /// <summary>Confidence-based estimates from every prediction's score.</summary>
    [Id(9)] public EstimatedPerformance? Estimated { get; init; }
    /// <summary>Regression metrics of joined pairs.</summary>
    [Id(10)] public RegressionPerformance? Regression { get; init; }
    /// <summary>Multiclass metrics of joined pairs.</summary>
    [Id(11)] public MulticlassPerformance? Multiclass { get; init; }
    /// <summary>
    /// The same per model version, by version (labels counted with the version of the prediction they label), once the
    /// model has seen a second version; null before (and in reports stored before it existed).
    /// </summary>
    [Id(12)] public Dictionary<string, PerformanceReport>? ByVersion { get; init; }
    /// <summary>Predictions of versions beyond the per-window cap of versions tracked separately.</summary>
    [Id(13), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] public long UntrackedVersionPredictions { get; init; }
}

/// <summary>A rate with its Wilson interval.</summary>
/// <param name="Value">The rate.</param>
/// <param name="Lower">Interval lower end.</param>
/// <param name="Upper">Interval upper end.</param>
/// <param name="Interval">"wilson".</param>
[GenerateSerializer, Immutable, Alias("monitoring.rate")]
public sealed record RateReport(
    [property: Id(0), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Value,
    [property: Id(1), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Lower,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Upper,
    [property: Id(3)] string Interval);

/// <summary>An AUC with guaranteed bounds on the exact value and a confidence interval.</summary>
/// <param name="Estimate">Estimate.</param>
/// <param name="LowerBound">Guaranteed lower bound (ties within a bin).</param>
/// <param name="UpperBound">Guaranteed upper bound.</param>
/// <param name="CiLower">Confidence interval lower end.</param>
/// <param name="CiUpper">Confidence interval upper end.</param>
/// <param name="Interval">How the interval was computed.</param>
[GenerateSerializer, Immutable, Alias("monitoring.auc-report")]
public sealed record AucReport(
    [property: Id(0), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Estimate,
    [property: Id(1), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? LowerBound,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? UpperBound,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? CiLower,
    [property: Id(4), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? CiUpper,
    [property: Id(5)] string Interval);

/// <summary>One reliability bin.</summary>
/// <param name="Bin">Bin index.</param>
/// <param name="Lower">Lower score edge.</param>
/// <param name="Upper">Upper score edge.</param>
/// <param name="Count">Pairs in the bin.</param>
/// <param name="MeanPredicted">Mean score, null when empty.</param>
/// <param name="FractionPositive">Share of positives, null when empty.</param>
[GenerateSerializer, Immutable, Alias("monitoring.reliability-bin")]
public sealed record ReliabilityBinReport(
    [property: Id(0)] int Bin,
    [property: Id(1)] double Lower,
    [property: Id(2)] double Upper,
    [property: Id(3)] long Count,
    [property: Id(4), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? MeanPredicted,
    [property: Id(5), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? FractionPositive);

/// <summary>Realized binary metrics of the joined pairs.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.binary-performance")]
public sealed record BinaryPerformance
{
    /// <summary>Joined pairs.</summary>
    [Id(0)] public long Count { get; init; }
    /// <summary>Positive labels.</summary>
    [Id(1)] public long Positives { get; init; }
    /// <summary>AUC (null with one class only).</summary>
    [Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public AucReport? Auc { get; init; }
    /// <summary>Brier score.</summary>
    [Id(3), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Brier { get; init; }
    /// <summary>Log loss.</summary>
    [Id(4), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? LogLoss { get; init; }
    /// <summary>Decision threshold of the threshold metrics.</summary>
    [Id(5)] public double Threshold { get; init; }
    /// <summary>Accuracy with its Wilson interval.</summary>
    [Id(6)] public required RateReport Accuracy { get; init; }
    /// <summary>Precision.</summary>
    [Id(7), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Precision { get; init; }
    /// <summary>Recall.</summary>
    [Id(8), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Recall { get; init; }
    /// <summary>F1.</summary>
    [Id(9), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? F1 { get; init; }
    /// <summary>Expected calibration error.</summary>
    [Id(10), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Ece { get; init; }
    /// <summary>Maximum calibration error.</summary>
    [Id(11), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Mce { get; init; }
    /// <summary>The 10 reliability bins.</summary>
    [Id(12)] public ReliabilityBinReport[] Reliability { get; init; } = [];
}

/// <summary>CBPE estimates (expected metrics from the scores alone).</summary>
[GenerateSerializer, Immutable, Alias("monitoring.estimated-performance")]
public sealed record EstimatedPerformance
{
    /// <summary>"cbpe".</summary>
    [Id(0)] public string Method { get; init; } = "cbpe";
    /// <summary>Scored predictions.</summary>
    [Id(1)] public long Count { get; init; }
    /// <summary>Expected accuracy.</summary>
    [Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Accuracy { get; init; }
    /// <summary>Expected precision.</summary>
    [Id(3), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Precision { get; init; }
    /// <summary>Expected recall.</summary>
    [Id(4), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Recall { get; init; }
    /// <summary>Expected F1.</summary>
    [Id(5), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? F1 { get; init; }
    /// <summary>Expected AUC.</summary>
    [Id(6), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Auc { get; init; }
}

/// <summary>Regression metrics.</summary>
/// <param name="Count">Joined pairs.</param>
/// <param name="Mae">Mean absolute error.</param>
/// <param name="Rmse">Root mean squared error.</param>
/// <param name="MeanError">Mean of predicted - actual.</param>
[GenerateSerializer, Immutable, Alias("monitoring.regression-performance")]
public sealed record RegressionPerformance([property: Id(0)] long Count, [property: Id(1)] double Mae, [property: Id(2)] double Rmse, [property: Id(3)] double MeanError);

/// <summary>Multiclass metrics.</summary>
/// <param name="Count">Joined pairs.</param>
/// <param name="Classes">Classes seen.</param>
/// <param name="Accuracy">Accuracy with its Wilson interval.</param>
/// <param name="MacroF1">Macro F1 over every class seen.</param>
[GenerateSerializer, Immutable, Alias("monitoring.multiclass-performance")]
public sealed record MulticlassPerformance([property: Id(0)] long Count, [property: Id(1)] int Classes, [property: Id(2)] RateReport Accuracy, [property: Id(3)] double MacroF1);

/// <summary>The slice part of a performance report.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.slice-report")]
public sealed record SliceReport
{
    /// <summary>The metric slices are compared on ("accuracy").</summary>
    [Id(0)] public string Metric { get; init; } = "accuracy";
    /// <summary>"benjamini_hochberg".</summary>
    [Id(1)] public string PValueAdjustment { get; init; } = "benjamini_hochberg";
    /// <summary>The one family the accuracy p-values are adjusted over.</summary>
    [Id(2)] public string PValueFamily { get; init; } = string.Empty;
    /// <summary>Summary of the per-slice prediction drift.</summary>
    [Id(3)] public required SlicePredictionDriftSummary PredictionDrift { get; init; }
    /// <summary>Per dimension, its top values.</summary>
    [Id(4)] public SliceDimensionReport[] Dimensions { get; init; } = [];
    /// <summary>The worst slices (singles and pairs), worst first.</summary>
    [Id(5)] public SliceEntry[] WorstSlices { get; init; } = [];
}

/// <summary>What the slices' prediction drift compares with, and which slices drifted.</summary>
/// <param name="Reference">The reference's source, null without one.</param>
/// <param name="Bins">The score bins.</param>
/// <param name="Method">The drift rule.</param>
/// <param name="DriftedSlices">"dimension=value" of each drifted slice.</param>
[GenerateSerializer, Immutable, Alias("monitoring.slice-drift-summary")]
public sealed record SlicePredictionDriftSummary(
    [property: Id(0), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Reference,
    [property: Id(1)] string Bins,
    [property: Id(2)] string Method,
    [property: Id(3)] string[] DriftedSlices);

/// <summary>One slice dimension and its values.</summary>
/// <param name="Name">Dimension (segment name, or feature.NAME).</param>
/// <param name="Slices">Its values, by volume, "(other)" last.</param>
[GenerateSerializer, Immutable, Alias("monitoring.slice-dimension")]
public sealed record SliceDimensionReport([property: Id(0)] string Name, [property: Id(1)] SliceEntry[] Slices);

/// <summary>One slice: its volume, performance with intervals, comparison with the rest, and prediction drift.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.slice-entry")]
public sealed record SliceEntry
{
    /// <summary>The value ("BR"), or "dimension=value" in the worst-slice list.</summary>
    [Id(0)] public required string Value { get; init; }
    /// <summary>Scored predictions, labelled or not.</summary>
    [Id(1)] public long Predictions { get; init; }
    /// <summary>Labelled predictions.</summary>
    [Id(2)] public long Count { get; init; }
    /// <summary>Positive labels.</summary>
    [Id(3)] public long Positives { get; init; }
    /// <summary>Accuracy with its Wilson interval.</summary>
    [Id(4), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public RateReport? Accuracy { get; init; }
    /// <summary>Precision.</summary>
    [Id(5), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Precision { get; init; }
    /// <summary>Recall.</summary>
    [Id(6), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Recall { get; init; }
    /// <summary>F1.</summary>
    [Id(7), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? F1 { get; init; }
    /// <summary>Brier score.</summary>
    [Id(8), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Brier { get; init; }
    /// <summary>Expected calibration error.</summary>
    [Id(9), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Ece { get; init; }
    /// <summary>Maximum calibration error.</summary>
    [Id(10), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? Mce { get; init; }
    /// <summary>The 10 reliability bins.</summary>
    [Id(11), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public ReliabilityBinReport[]? Reliability { get; init; }
    /// <summary>AUC from the slice's reliability bins, widened by the tie bound.</summary>
    [Id(12), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public AucReport? Auc { get; init; }
    /// <summary>Accuracy against the rest of the model.</summary>
    [Id(13), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public SliceVersusRest? VsRest { get; init; }
    /// <summary>Drift of the slice's predictions against the same slice in the reference.</summary>
    [Id(14), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public SliceDrift? PredictionDrift { get; init; }
}

/// <summary>A slice's accuracy against the rest of the model (two-proportion z-test).</summary>
/// <param name="RestAccuracy">Accuracy of the other rows.</param>
/// <param name="Difference">Slice minus rest.</param>
/// <param name="DegradationLowerBound">Lower confidence bound of rest minus slice.</param>
/// <param name="PValue">Two-sided p-value.</param>
/// <param name="PValueAdjusted">Benjamini-Hochberg adjusted over the window's slice family.</param>
/// <param name="Significant">Adjusted p below 0.05.</param>
[GenerateSerializer, Immutable, Alias("monitoring.slice-vs-rest")]
public sealed record SliceVersusRest(
    [property: Id(0), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? RestAccuracy,
    [property: Id(1), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Difference,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? DegradationLowerBound,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? PValue,
    [property: Id(4), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? PValueAdjusted,
    [property: Id(5)] bool Significant);

/// <summary>A slice's prediction drift.</summary>
/// <param name="Count">Scored predictions in the slice.</param>
/// <param name="ReferenceCount">The same slice in the reference.</param>
/// <param name="Psi">PSI over the score bins.</param>
/// <param name="JensenShannon">Jensen-Shannon distance.</param>
/// <param name="ChiSquare">Chi-square test of homogeneity.</param>
/// <param name="Drifted">The drift call.</param>
/// <param name="Reasons">Which parts fired, or why no call was made.</param>
[GenerateSerializer, Immutable, Alias("monitoring.slice-drift")]
public sealed record SliceDrift(
    [property: Id(0)] long Count,
    [property: Id(1)] long ReferenceCount,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Psi,
    [property: Id(3), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? JensenShannon,
    [property: Id(4), JsonIgnore(Condition = JsonIgnoreCondition.Never)] SliceChiSquare? ChiSquare,
    [property: Id(5)] bool Drifted,
    [property: Id(6)] string[] Reasons);

/// <summary>Chi-square test of a slice's score bins against the reference's.</summary>
/// <param name="Statistic">Statistic.</param>
/// <param name="PValue">p-value.</param>
/// <param name="PValueAdjusted">Benjamini-Hochberg adjusted across the window's slices.</param>
/// <param name="Dof">Degrees of freedom.</param>
[GenerateSerializer, Immutable, Alias("monitoring.slice-chi-square")]
public sealed record SliceChiSquare(
    [property: Id(0), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Statistic,
    [property: Id(1), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? PValue,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? PValueAdjusted,
    [property: Id(3)] int Dof);
