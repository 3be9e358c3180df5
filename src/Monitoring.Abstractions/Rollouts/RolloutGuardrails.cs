using System.Globalization;

namespace Monitoring.Abstractions.Rollouts;

/// <summary>
/// The guardrails a candidate is judged by (all differences candidate - baseline, intervals two-sided at
/// <see cref="Confidence"/>):
/// <list type="bullet">
/// <item>AUC: promoted only when the interval's lower end is &gt;= -<see cref="MaxAucDrop"/> (non-inferiority); rolled
/// back when its upper end is &lt; -<see cref="MaxAucDrop"/> (a larger drop is established). Likewise accuracy with
/// <see cref="MaxAccuracyDrop"/>.</item>
/// <item>Slices: rolled back when a slice (with at least <see cref="MinSliceLabeled"/> labelled rows per version) is
/// worse on <see cref="SliceMetric"/> by more than <see cref="MaxSliceDrop"/> and its Benjamini-Hochberg adjusted
/// p-value across slices is below 1 - <see cref="Confidence"/>.</item>
/// <item>Latency: rolled back when the candidate's p99 exceeds the baseline's by more than
/// <see cref="MaxP99LatencyIncrease"/> (a fraction: 0.2 = 20%) beyond the sketches' bucket error (the ratio's lower
/// bound), with at least <see cref="MinLatencySamples"/> latencies per version.</item>
/// <item>Prediction shift: held (for review) while the candidate's score PSI against the baseline's exceeds
/// <see cref="MaxPredictionPsi"/>.</item>
/// <item>Shadow: rolled back when the Wilson upper end of the shadow agreement is below
/// <see cref="MinShadowAgreement"/> (off when null).</item>
/// <item>Sample: held while either version has fewer than <see cref="MinLabeledPerVersion"/> labelled predictions,
/// unless a guardrail is already broken.</item>
/// </list>
/// </summary>
[GenerateSerializer, Immutable, Alias("monitoring.rollout-guardrails")]
public sealed record RolloutGuardrails
{
    /// <summary>Default confidence: 95%.</summary>
    public const double DefaultConfidence = 0.95;

    /// <summary>Default largest tolerated AUC drop: 0.01.</summary>
    public const double DefaultMaxAucDrop = 0.01;

    /// <summary>Default largest tolerated accuracy drop: 0.02.</summary>
    public const double DefaultMaxAccuracyDrop = 0.02;

    /// <summary>Default largest tolerated drop of any slice: 0.05.</summary>
    public const double DefaultMaxSliceDrop = 0.05;

    /// <summary>Default slice metric: accuracy.</summary>
    public const string DefaultSliceMetric = "accuracy";

    /// <summary>Default labelled rows a slice needs in each version to be judged: 30.</summary>
    public const long DefaultMinSliceLabeled = 30;

    /// <summary>Default largest tolerated p99 latency increase: 20%.</summary>
    public const double DefaultMaxP99LatencyIncrease = 0.2;

    /// <summary>Default latencies per version before latency is judged: 100.</summary>
    public const long DefaultMinLatencySamples = 100;

    /// <summary>Default labelled predictions per version before promotion: 500.</summary>
    public const long DefaultMinLabeledPerVersion = 500;

    /// <summary>Default largest score PSI between the versions: 0.2 (the drift report's major-shift threshold).</summary>
    public const double DefaultMaxPredictionPsi = 0.2;

    /// <summary>The slice metrics a guardrail may use.</summary>
    public static IReadOnlyList<string> SliceMetrics { get; } = ["accuracy", "error_rate", "precision", "recall", "f1", "brier"];

    /// <summary>The defaults.</summary>
    public static RolloutGuardrails Default { get; } = new();

    /// <summary>Confidence level of every interval and test, in (0.5, 1).</summary>
    [Id(0)] public double Confidence { get; init; } = DefaultConfidence;
    /// <summary>Largest tolerated AUC drop, in [0, 1).</summary>
    [Id(1)] public double MaxAucDrop { get; init; } = DefaultMaxAucDrop;
    /// <summary>Largest tolerated accuracy drop, in [0, 1).</summary>
    [Id(2)] public double MaxAccuracyDrop { get; init; } = DefaultMaxAccuracyDrop;
    /// <summary>Largest tolerated degradation of any slice on <see cref="SliceMetric"/>, in [0, 1).</summary>
    [Id(3)] public double MaxSliceDrop { get; init; } = DefaultMaxSliceDrop;
    /// <summary>Metric slices are compared on (one of <see cref="SliceMetrics"/>).</summary>
    [Id(4)] public string SliceMetric { get; init; } = DefaultSliceMetric;
    /// <summary>Labelled rows per version a slice needs to be judged, &gt;= 2.</summary>
    [Id(5)] public long MinSliceLabeled { get; init; } = DefaultMinSliceLabeled;
    /// <summary>Largest tolerated p99 latency increase as a fraction (0.2 = 20%), &gt;= 0.</summary>
    [Id(6)] public double MaxP99LatencyIncrease { get; init; } = DefaultMaxP99LatencyIncrease;
    /// <summary>Latencies per version before latency is judged, &gt;= 1.</summary>
    [Id(7)] public long MinLatencySamples { get; init; } = DefaultMinLatencySamples;
    /// <summary>Labelled predictions per version before a promotion, &gt;= 1.</summary>
    [Id(8)] public long MinLabeledPerVersion { get; init; } = DefaultMinLabeledPerVersion;
    /// <summary>Largest score PSI between the versions before a hold for review, &gt; 0.</summary>
    [Id(9)] public double MaxPredictionPsi { get; init; } = DefaultMaxPredictionPsi;
    /// <summary>Least shadow agreement at the threshold, in [0, 1]; null = not checked.</summary>
    [Id(10)] public double? MinShadowAgreement { get; init; }

    /// <summary>1 - <see cref="Confidence"/>.</summary>
    public double Alpha => 1 - Confidence;

    /// <summary>Every problem, each naming the field (snake_case) and the reason; empty when valid.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        void Check(bool ok, string field, string rule, object? value)
        {
            if (!ok)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{field} must be {rule} (got {value ?? "null"})."));
            }
        }

        Check(Confidence > 0.5 && Confidence < 1, "confidence", "in (0.5, 1)", Confidence);
        Check(MaxAucDrop >= 0 && MaxAucDrop < 1, "max_auc_drop", "in [0, 1)", MaxAucDrop);
        Check(MaxAccuracyDrop >= 0 && MaxAccuracyDrop < 1, "max_accuracy_drop", "in [0, 1)", MaxAccuracyDrop);
        Check(MaxSliceDrop >= 0 && MaxSliceDrop < 1, "max_slice_drop", "in [0, 1)", MaxSliceDrop);
        Check(SliceMetric is not null && SliceMetrics.Contains(SliceMetric), "slice_metric", "one of " + string.Join(", ", SliceMetrics), SliceMetric);
        Check(MinSliceLabeled >= 2, "min_slice_labeled", ">= 2", MinSliceLabeled);
        Check(MaxP99LatencyIncrease >= 0 && double.IsFinite(MaxP99LatencyIncrease), "max_p99_latency_increase", "a finite fraction >= 0", MaxP99LatencyIncrease);
        Check(MinLatencySamples >= 1, "min_latency_samples", ">= 1", MinLatencySamples);
        Check(MinLabeledPerVersion >= 1, "min_labeled_per_version", ">= 1", MinLabeledPerVersion);
        Check(MaxPredictionPsi > 0 && double.IsFinite(MaxPredictionPsi), "max_prediction_psi", "a finite number > 0", MaxPredictionPsi);
        Check(MinShadowAgreement is null || (MinShadowAgreement >= 0 && MinShadowAgreement <= 1), "min_shadow_agreement", "in [0, 1] or absent", MinShadowAgreement);
        return errors;
    }

    /// <summary>Throws when invalid.</summary>
    /// <exception cref="ArgumentException">The first problem, naming the field (also as the parameter name).</exception>
    public RolloutGuardrails Validate()
    {
        var errors = Errors();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), errors[0][..errors[0].IndexOf(' ', StringComparison.Ordinal)]);
        }

        return this;
    }
}
