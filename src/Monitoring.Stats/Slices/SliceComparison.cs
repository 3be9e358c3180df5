using Monitoring.Stats.Classification;
using Monitoring.Stats.Hypothesis;
using Monitoring.Stats.Intervals;
using Monitoring.Stats.Multiple;

namespace Monitoring.Stats.Slices;

/// <summary>
/// A slice against the disjoint rest of the rows (usually its complement) on one metric: the difference, a two-sided
/// z-test, the lower confidence bound of the degradation and, after <see cref="Adjust"/>, the Benjamini-Hochberg
/// adjusted p-value and significance.
/// <list type="bullet">
/// <item>Rates (accuracy, error rate, precision, recall): the pooled two-proportion z-test, matching statsmodels
/// <c>proportions_ztest([x_slice, x_rest], [n_slice, n_rest])</c> (<see cref="TwoProportionZTest"/>); the standard
/// error is the pooled one; the lower bound is Newcombe's hybrid score interval of the degradation
/// (<see cref="NewcombeDifference"/>, statsmodels <c>confint_proportions_2indep(method='newcomb')</c>).</item>
/// <item>F1: Wald z-test with the delta-method variance of F1 = 2a / (2a + b + c) under a multinomial model of the
/// confusion matrix, var = 4 a (b + c)(a + b + c) / (2a + b + c)^4 with a = TP, b = FP, c = FN; one half is added to
/// each of a, b and c in the variance only, so it stays positive when TP or FP + FN is 0. Undefined when either side's
/// F1 is 0 / 0.</item>
/// <item>Brier: Welch z-test of two means of the squared error, var = s^2 / n per side (sample variance, n - 1);
/// undefined with fewer than two rows on a side.</item>
/// <item>AUC: DeLong z-test for independent samples, var = var_DeLong(slice) + var_DeLong(rest)
/// (<see cref="DeLong.CompareIndependent"/>); undefined without two positives and two negatives on each side.</item>
/// </list>
/// For the Wald tests the lower bound is degradation - z SE with z = norm.isf(alpha / 2). With a zero standard error a
/// zero difference has z = 0, p = 1 and any other z = +-inf, p = 0.
/// </summary>
/// <param name="Metric">The metric compared.</param>
/// <param name="SliceValue">The slice's value.</param>
/// <param name="RestValue">The rest's value.</param>
/// <param name="Difference">Slice minus rest.</param>
/// <param name="Degradation">How much worse the slice is: rest - slice when higher is better, slice - rest otherwise.</param>
/// <param name="StandardError">Standard error of the difference used by the test.</param>
/// <param name="Z">Difference / standard error.</param>
/// <param name="PValue">Two-sided p-value.</param>
/// <param name="LowerBound">Lower bound of the two-sided (1 - alpha) interval of the degradation.</param>
public sealed record SliceComparison(
    SliceMetric Metric,
    double SliceValue,
    double RestValue,
    double Difference,
    double Degradation,
    double StandardError,
    double Z,
    double PValue,
    double LowerBound)
{
    /// <summary>Benjamini-Hochberg adjusted p-value across the family passed to <see cref="Adjust"/>; null before.</summary>
    public double? AdjustedPValue { get; init; }

    /// <summary>Adjusted p-value below the family's alpha.</summary>
    public bool Significant { get; init; }

    /// <summary>
    /// Compares <paramref name="slice"/> with <paramref name="rest"/> (disjoint rows) on <paramref name="metric"/>; the
    /// AUC results are needed only for <see cref="SliceMetric.Auc"/>. Null when the metric or its test is undefined on
    /// either side (no rows in a rate's denominator, F1 0 / 0, one row for Brier, no DeLong variance for AUC).
    /// </summary>
    public static SliceComparison? Compare(SliceCounts slice, SliceCounts rest, SliceMetric metric, DeLongResult? sliceAuc = null, DeLongResult? restAuc = null, double alpha = Wilson.DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(slice);
        ArgumentNullException.ThrowIfNull(rest);
        var higherIsBetter = metric.HigherIsBetter();
        if (metric.IsRate())
        {
            var (x1, n1) = RateCounts(slice, metric);
            var (x2, n2) = RateCounts(rest, metric);
            if (n1 == 0 || n2 == 0)
            {
                return null;
            }

            var test = TwoProportionZTest.Test(x1, n1, x2, n2);
            var lower = higherIsBetter
                ? NewcombeDifference.Interval(x2, n2, x1, n1, alpha).Lower
                : NewcombeDifference.Interval(x1, n1, x2, n2, alpha).Lower;
            return Build(metric, x1 / (double)n1, x2 / (double)n2, test, lower);
        }

        double v1, v2, variance;
        switch (metric)
        {
            case SliceMetric.F1:
                if (!HasF1(slice) || !HasF1(rest))
                {
                    return null;
                }

                (v1, v2, variance) = (F1(slice), F1(rest), F1Variance(slice) + F1Variance(rest));
                break;
            case SliceMetric.Brier:
                if (slice.Count < 2 || rest.Count < 2)
                {
                    return null;
                }

                (v1, v2, variance) = (slice.SquaredErrorSum / slice.Count, rest.SquaredErrorSum / rest.Count, MeanVariance(slice) + MeanVariance(rest));
                break;
            case SliceMetric.Auc:
                if (sliceAuc is null || restAuc is null || !sliceAuc.HasVariance || !restAuc.HasVariance)
                {
                    return null;
                }

                (v1, v2, variance) = (sliceAuc.Auc, restAuc.Auc, sliceAuc.Variance + restAuc.Variance);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(metric), metric, null);
        }

        var wald = ZTestResult.FromDifference(v1 - v2, Math.Sqrt(variance));
        var degradation = higherIsBetter ? v2 - v1 : v1 - v2;
        return Build(metric, v1, v2, wald, degradation - (StandardNormal.TwoSidedCritical(alpha) * wald.StandardError));
    }

    /// <summary>
    /// Benjamini-Hochberg across one family of comparisons (<see cref="BenjaminiHochberg"/>): copies with
    /// <see cref="AdjustedPValue"/> set and <see cref="Significant"/> = adjusted p &lt; <paramref name="alpha"/>, in the
    /// input order.
    /// </summary>
    public static IReadOnlyList<SliceComparison> Adjust(IReadOnlyList<SliceComparison> family, double alpha = Wilson.DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(family);
        var adjusted = BenjaminiHochberg.Adjust(family.Select(c => c.PValue).ToArray());
        return family.Select((c, i) => c with { AdjustedPValue = adjusted[i], Significant = adjusted[i] < alpha }).ToArray();
    }

    /// <summary>The delta-method variance of F1 with one half added to TP, FP and FN (see the class remarks).</summary>
    public static double F1Variance(SliceCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var a = counts.TruePositives + 0.5;
        var b = counts.FalsePositives + 0.5;
        var c = counts.FalseNegatives + 0.5;
        var d = (2 * a) + b + c;
        return 4 * a * (b + c) * (a + b + c) / (d * d * d * d);
    }

    private static bool HasF1(SliceCounts c) => (2 * c.TruePositives) + c.FalsePositives + c.FalseNegatives > 0;

    private static double F1(SliceCounts c) => 2.0 * c.TruePositives / ((2 * c.TruePositives) + c.FalsePositives + c.FalseNegatives);

    private static double MeanVariance(SliceCounts c)
    {
        double n = c.Count;
        var sampleVariance = Math.Max(0, (c.SquaredErrorSquareSum - (c.SquaredErrorSum * c.SquaredErrorSum / n)) / (n - 1));
        return sampleVariance / n;
    }

    private static (long Successes, long Trials) RateCounts(SliceCounts c, SliceMetric metric) => metric switch
    {
        SliceMetric.Accuracy => (c.Correct, c.Count),
        SliceMetric.ErrorRate => (c.Count - c.Correct, c.Count),
        SliceMetric.Precision => (c.TruePositives, c.PredictedPositives),
        SliceMetric.Recall => (c.TruePositives, c.Positives),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    private static SliceComparison Build(SliceMetric metric, double sliceValue, double restValue, ZTestResult test, double lowerBound)
    {
        var difference = sliceValue - restValue;
        var degradation = metric.HigherIsBetter() ? -difference : difference;
        return new SliceComparison(metric, sliceValue, restValue, difference, degradation, test.StandardError, test.Z, test.PValue, lowerBound);
    }
}
