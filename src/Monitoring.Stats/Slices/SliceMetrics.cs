using Monitoring.Stats.Classification;
using Monitoring.Stats.Intervals;

namespace Monitoring.Stats.Slices;

/// <summary>A proportion with its Wilson interval.</summary>
/// <param name="Successes">Numerator.</param>
/// <param name="Trials">Denominator.</param>
/// <param name="Value">Successes / trials; 0 when there are no trials (sklearn's zero_division=0).</param>
/// <param name="Interval">The Wilson score interval; null when there are no trials.</param>
public sealed record RateEstimate(long Successes, long Trials, double Value, ConfidenceInterval? Interval)
{
    /// <summary>The proportion successes / trials with its Wilson interval at <paramref name="alpha"/>.</summary>
    public static RateEstimate Of(long successes, long trials, double alpha = Wilson.DefaultAlpha) =>
        new(successes, trials, trials == 0 ? 0 : successes / (double)trials, Wilson.IntervalOrNull(successes, trials, alpha));
}

/// <summary>
/// Performance of a classifier on one slice (or on all rows), from <see cref="SliceCounts"/> at a decision threshold
/// (predicted positive when score &gt;= threshold). The rates carry Wilson score intervals
/// (<see cref="Wilson"/>, statsmodels' <c>proportion_confint(method='wilson')</c>); AUC carries the DeLong variance and
/// interval (<see cref="DeLong"/>); definitions of F1, Brier and ECE as sklearn's (<c>f1_score(zero_division=0)</c>,
/// <c>brier_score_loss</c>, uniform 10-bin calibration curve).
/// </summary>
/// <param name="Count">Rows.</param>
/// <param name="Positives">Rows labelled 1.</param>
/// <param name="TruePositives">TP.</param>
/// <param name="FalsePositives">FP.</param>
/// <param name="FalseNegatives">FN.</param>
/// <param name="Accuracy">(TP + TN) / n.</param>
/// <param name="ErrorRate">(FP + FN) / n.</param>
/// <param name="Precision">TP / (TP + FP).</param>
/// <param name="Recall">TP / (TP + FN).</param>
/// <param name="PositiveRate">Label prevalence: positives / n.</param>
/// <param name="PredictedPositiveRate">(TP + FP) / n.</param>
/// <param name="F1">2 TP / (2 TP + FP + FN), 0 when that is 0 / 0.</param>
/// <param name="Brier">Mean (score - label)^2.</param>
/// <param name="ExpectedCalibrationError">ECE over 10 uniform bins.</param>
/// <param name="Auc">AUC with DeLong variance; null when not computed or when one class is absent.</param>
public sealed record SliceMetrics(
    long Count,
    long Positives,
    long TruePositives,
    long FalsePositives,
    long FalseNegatives,
    RateEstimate Accuracy,
    RateEstimate ErrorRate,
    RateEstimate Precision,
    RateEstimate Recall,
    RateEstimate PositiveRate,
    RateEstimate PredictedPositiveRate,
    double F1,
    double Brier,
    double ExpectedCalibrationError,
    DeLongResult? Auc)
{
    /// <summary>The metrics of <paramref name="counts"/> (at least one row), with the AUC if given.</summary>
    public static SliceMetrics From(SliceCounts counts, DeLongResult? auc = null, double alpha = Wilson.DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Count == 0)
        {
            throw new ArgumentException("A slice needs at least one row.", nameof(counts));
        }

        var n = counts.Count;
        var f1Denominator = (2 * counts.TruePositives) + counts.FalsePositives + counts.FalseNegatives;
        return new SliceMetrics(
            n,
            counts.Positives,
            counts.TruePositives,
            counts.FalsePositives,
            counts.FalseNegatives,
            RateEstimate.Of(counts.Correct, n, alpha),
            RateEstimate.Of(n - counts.Correct, n, alpha),
            RateEstimate.Of(counts.TruePositives, counts.PredictedPositives, alpha),
            RateEstimate.Of(counts.TruePositives, counts.Positives, alpha),
            RateEstimate.Of(counts.Positives, n, alpha),
            RateEstimate.Of(counts.PredictedPositives, n, alpha),
            f1Denominator == 0 ? 0 : 2.0 * counts.TruePositives / f1Denominator,
            counts.SquaredErrorSum / n,
            counts.Reliability().ExpectedCalibrationError,
            auc);
    }
}
