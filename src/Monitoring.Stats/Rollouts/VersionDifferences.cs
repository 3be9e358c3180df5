using Monitoring.Stats.Classification;
using Monitoring.Stats.Hypothesis;
using Monitoring.Stats.Intervals;

namespace Monitoring.Stats.Rollouts;

/// <summary>
/// The difference tests of a candidate model version against its baseline, every one candidate - baseline, two-sided,
/// at level alpha:
/// <list type="bullet">
/// <item>AUC, unpaired (disjoint rows, e.g. a canary): DeLong variances of each version added,
/// z = d / sqrt(var_b + var_c) (<see cref="DeLong.CompareIndependent"/>); Wald interval d -+ z SE.</item>
/// <item>AUC, paired (the same rows scored by both, shadow mode): <see cref="PairedDeLong"/>; Wald interval.</item>
/// <item>Accuracy: pooled two-proportion z-test, statsmodels <c>proportions_ztest([x_c, x_b], [n_c, n_b])</c>, with
/// Newcombe's hybrid score interval, <c>confint_proportions_2indep(x_c, n_c, x_b, n_b, method='newcomb')</c>.</item>
/// <item>F1: F1 = 2 TP / (2 TP + FP + FN) is not itself a binomial proportion (its "trials" 2 TP + FP + FN count a true
/// positive twice), so the test runs on J = TP / (TP + FP + FN), the share of true positives among the rows that are
/// predicted or actually positive: each such row is one Bernoulli trial, J is a plain binomial proportion, and
/// F1 = 2 J / (1 + J) is strictly increasing in J, so "equal F1" and "equal J" are the same hypothesis. The test is the
/// pooled two-proportion z-test of TP_c / U_c against TP_b / U_b (U = TP + FP + FN). The interval of the F1 difference
/// is the MOVER (Newcombe-style square-and-add, Zou and Donner 2008) interval built from each version's Wilson
/// interval of J mapped to the F1 scale by 2 J / (1 + J): for accuracy this construction is exactly Newcombe's.</item>
/// <item>Brier, unpaired: Welch z-test of two means of the squared error e = (score - label)^2, var = s^2 / n per side
/// (sample variance, n - 1), statsmodels <c>CompareMeans(DescrStatsW(e_c), DescrStatsW(e_b)).ztest_ind(usevar='unequal')</c>
/// and <c>zconfint_diff(usevar='unequal')</c>.</item>
/// <item>Brier, paired: z-test of the mean of per-row differences e_c - e_b, statsmodels
/// <c>DescrStatsW(e_c - e_b).ztest_mean()</c> and <c>zconfint_mean()</c>.</item>
/// <item>Calibration: the ECE difference (sklearn's uniform 10-bin reliability curve, count-weighted |mean score -
/// fraction positive|) with a delta-method interval: within each bin the labels are Bernoulli and the bin counts and
/// mean scores are held fixed, so var(ECE) = sum over bins with a non-zero gap of (n_b / N)^2 fp_b (1 - fp_b) / n_b;
/// versions independent, z = d / sqrt(var_b + var_c), Wald interval. It matches a numpy implementation of the same
/// formula, checked there against a row bootstrap (within 25% where every gap is far from zero). Caveats: ECE is biased
/// upwards (noise alone makes gaps) and |.| bends at a zero gap, where the interval is too narrow; paired (shadow) rows
/// are treated as independent.</item>
/// </list>
/// A zero standard error gives z = 0, p = 1 for a zero difference and z = +-inf, p = 0 otherwise.
/// </summary>
public static class VersionDifferences
{
    /// <summary>Unpaired DeLong AUC difference; null when either variance is undefined.</summary>
    public static DifferenceTest? Auc(DeLongResult baseline, DeLongResult candidate, double alpha = Wilson.DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        return DeLong.CompareIndependent(candidate, baseline) is { } test
            ? Wald("auc", baseline.Auc, candidate.Auc, test, alpha, "delong_unpaired")
            : null;
    }

    /// <summary>Paired DeLong AUC difference; null when the variance is undefined.</summary>
    public static DifferenceTest? Auc(PairedDeLongResult paired, double alpha = Wilson.DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(paired);
        return double.IsNaN(paired.Test.StandardError)
            ? null
            : Wald("auc", paired.Baseline.Auc, paired.Candidate.Auc, paired.Test, alpha, "delong_paired");
    }

    /// <summary>Accuracy difference: correct / n per version (both n &gt; 0).</summary>
    public static DifferenceTest Accuracy(long baselineCorrect, long baselineCount, long candidateCorrect, long candidateCount, double alpha = Wilson.DefaultAlpha)
    {
        var test = TwoProportionZTest.Test(candidateCorrect, candidateCount, baselineCorrect, baselineCount);
        var interval = NewcombeDifference.Interval(candidateCorrect, candidateCount, baselineCorrect, baselineCount, alpha);
        return new DifferenceTest(
            "accuracy", baselineCorrect / (double)baselineCount, candidateCorrect / (double)candidateCount,
            test.Difference, test.StandardError, test.Z, test.PValue, interval, "two_proportion_z + newcombe");
    }

    /// <summary>
    /// F1 difference from each version's confusion counts (see the class remarks: the test is on TP / (TP + FP + FN),
    /// the interval is MOVER on the F1 scale); null when either version has no TP, FP or FN (F1 is 0 / 0).
    /// </summary>
    public static DifferenceTest? F1(
        long baselineTruePositives, long baselineFalsePositives, long baselineFalseNegatives,
        long candidateTruePositives, long candidateFalsePositives, long candidateFalseNegatives,
        double alpha = Wilson.DefaultAlpha)
    {
        var ub = baselineTruePositives + baselineFalsePositives + baselineFalseNegatives;
        var uc = candidateTruePositives + candidateFalsePositives + candidateFalseNegatives;
        if (ub == 0 || uc == 0)
        {
            return null;
        }

        var test = TwoProportionZTest.Test(candidateTruePositives, uc, baselineTruePositives, ub);
        var f1b = FromJaccard(baselineTruePositives / (double)ub);
        var f1c = FromJaccard(candidateTruePositives / (double)uc);
        var wb = Wilson.Interval(baselineTruePositives, ub, alpha);
        var wc = Wilson.Interval(candidateTruePositives, uc, alpha);
        var (lb, hb) = (FromJaccard(wb.Lower), FromJaccard(wb.Upper));
        var (lc, hc) = (FromJaccard(wc.Lower), FromJaccard(wc.Upper));
        var d = f1c - f1b;
        var lower = d - Math.Sqrt(Square(f1c - lc) + Square(hb - f1b));
        var upper = d + Math.Sqrt(Square(hc - f1c) + Square(f1b - lb));
        return new DifferenceTest("f1", f1b, f1c, d, test.StandardError, test.Z, test.PValue, new ConfidenceInterval(lower, upper), "two_proportion_z on tp/(tp+fp+fn) + mover");
    }

    /// <summary>
    /// Unpaired Brier difference (Welch z-test) from each version's count, sum of squared errors e and sum of e^2;
    /// null with fewer than two rows on a side.
    /// </summary>
    public static DifferenceTest? Brier(MeanSums baseline, MeanSums candidate, double alpha = Wilson.DefaultAlpha)
    {
        if (baseline.Count < 2 || candidate.Count < 2)
        {
            return null;
        }

        var se = Math.Sqrt(baseline.VarianceOfMean + candidate.VarianceOfMean);
        var test = ZTestResult.FromDifference(candidate.Mean - baseline.Mean, se);
        return Wald("brier", baseline.Mean, candidate.Mean, test, alpha, "welch_z");
    }

    /// <summary>Unpaired Brier difference from raw scores and labels of each version.</summary>
    public static DifferenceTest? Brier(ReadOnlySpan<double> baselineScores, ReadOnlySpan<double> baselineLabels, ReadOnlySpan<double> candidateScores, ReadOnlySpan<double> candidateLabels, double alpha = Wilson.DefaultAlpha) =>
        Brier(MeanSums.OfSquaredErrors(baselineScores, baselineLabels), MeanSums.OfSquaredErrors(candidateScores, candidateLabels), alpha);

    /// <summary>Paired Brier difference: the same rows and labels scored by both; null with fewer than two rows.</summary>
    public static DifferenceTest? BrierPaired(ReadOnlySpan<double> baselineScores, ReadOnlySpan<double> candidateScores, ReadOnlySpan<double> labels, double alpha = Wilson.DefaultAlpha)
    {
        if (baselineScores.Length != candidateScores.Length)
        {
            throw new ArgumentException($"baselineScores has {baselineScores.Length} values, candidateScores {candidateScores.Length}.", nameof(candidateScores));
        }

        BinaryLabels.Validate(baselineScores, labels);
        BinaryLabels.Validate(candidateScores, labels);
        if (labels.Length < 2)
        {
            return null;
        }

        var differences = new MeanSums();
        var b = new MeanSums();
        var c = new MeanSums();
        for (var i = 0; i < labels.Length; i++)
        {
            var eb = Square(baselineScores[i] - labels[i]);
            var ec = Square(candidateScores[i] - labels[i]);
            b = b.Add(eb);
            c = c.Add(ec);
            differences = differences.Add(ec - eb);
        }

        var test = ZTestResult.FromDifference(c.Mean - b.Mean, Math.Sqrt(differences.VarianceOfMean));
        return Wald("brier", b.Mean, c.Mean, test, alpha, "paired_z");
    }

    /// <summary>
    /// ECE difference with its delta-method z-test and Wald interval (see the class remarks); both versions need a
    /// labelled row. Computed from the reliability bins alone, so it works from sketches.
    /// </summary>
    public static DifferenceTest Ece(CalibrationResult baseline, CalibrationResult candidate, double alpha = Wilson.DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        var b = baseline.ExpectedCalibrationError;
        var c = candidate.ExpectedCalibrationError;
        var test = ZTestResult.FromDifference(c - b, Math.Sqrt(EceVariance(baseline) + EceVariance(candidate)));
        return Wald("ece", b, c, test, alpha, "delta_method_z");
    }

    /// <summary>
    /// Delta-method variance of an ECE from its reliability bins: labels Bernoulli within each bin, bin counts and mean
    /// scores fixed, so with N rows, var = sum over bins whose gap is non-zero of (n_b / N)^2 fp_b (1 - fp_b) / n_b
    /// (the derivative of |mp_b - fp_b| by fp_b is -+1; a zero gap contributes 0).
    /// </summary>
    public static double EceVariance(CalibrationResult calibration)
    {
        ArgumentNullException.ThrowIfNull(calibration);
        double total = 0;
        foreach (var bin in calibration.Bins)
        {
            total += bin.Count;
        }

        double variance = 0;
        foreach (var bin in calibration.Bins)
        {
            if (bin.Count > 0 && bin.FractionPositive is { } fp && bin.MeanPredicted is { } mp && mp != fp)
            {
                var w = bin.Count / total;
                variance += w * w * fp * (1 - fp) / bin.Count;
            }
        }

        return variance;
    }

    /// <summary>F1 = 2 J / (1 + J) of J = TP / (TP + FP + FN).</summary>
    public static double FromJaccard(double jaccard) => 2 * jaccard / (1 + jaccard);

    private static DifferenceTest Wald(string metric, double baseline, double candidate, ZTestResult test, double alpha, string name)
    {
        var half = StandardNormal.TwoSidedCritical(alpha) * test.StandardError;
        return new DifferenceTest(metric, baseline, candidate, test.Difference, test.StandardError, test.Z, test.PValue,
            new ConfidenceInterval(test.Difference - half, test.Difference + half), name);
    }

    private static double Square(double x) => x * x;
}

/// <summary>Count, sum and sum of squares of a sample: its mean and the variance of the mean, s^2 / n (s^2 with n - 1).</summary>
/// <param name="Count">Values.</param>
/// <param name="Sum">Sum of the values.</param>
/// <param name="SumOfSquares">Sum of their squares.</param>
public readonly record struct MeanSums(long Count, double Sum, double SumOfSquares)
{
    /// <summary>The mean (NaN when empty).</summary>
    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    /// <summary>Sample variance s^2 (denominator n - 1, never negative); NaN below two values.</summary>
    public double SampleVariance => Count < 2 ? double.NaN : Math.Max(0, (SumOfSquares - (Sum * Sum / Count)) / (Count - 1));

    /// <summary>s^2 / n.</summary>
    public double VarianceOfMean => SampleVariance / Count;

    /// <summary>With one more value.</summary>
    public MeanSums Add(double value) => new(Count + 1, Sum + value, SumOfSquares + (value * value));

    /// <summary>The sums of the squared errors (score - label)^2 of scored, labelled rows.</summary>
    public static MeanSums OfSquaredErrors(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        BinaryLabels.Validate(scores, labels);
        var sums = new MeanSums();
        for (var i = 0; i < scores.Length; i++)
        {
            var e = (scores[i] - labels[i]) * (scores[i] - labels[i]);
            sums = sums.Add(e);
        }

        return sums;
    }
}
