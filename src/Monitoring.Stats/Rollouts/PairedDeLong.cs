using Monitoring.Stats.Classification;
using Monitoring.Stats.Hypothesis;
using Monitoring.Stats.Intervals;

namespace Monitoring.Stats.Rollouts;

/// <summary>Two correlated AUCs (the same rows scored by two models) and the DeLong test of their difference.</summary>
/// <param name="Baseline">The baseline's AUC and DeLong variance.</param>
/// <param name="Candidate">The candidate's AUC and DeLong variance.</param>
/// <param name="Covariance">cov(AUC_baseline, AUC_candidate) = S10[b, c] / m + S01[b, c] / n.</param>
/// <param name="Test">z-test of candidate - baseline with var = var_b + var_c - 2 cov, two-sided.</param>
public sealed record PairedDeLongResult(DeLongResult Baseline, DeLongResult Candidate, double Covariance, ZTestResult Test)
{
    /// <summary>The Wald interval of candidate - baseline, difference -+ z SE, z = norm.isf(alpha / 2) (not clipped).</summary>
    public ConfidenceInterval Interval(double alpha = Wilson.DefaultAlpha)
    {
        var half = StandardNormal.TwoSidedCritical(alpha) * Test.StandardError;
        return new ConfidenceInterval(Test.Difference - half, Test.Difference + half);
    }
}

/// <summary>
/// Paired DeLong test (DeLong, DeLong and Clarke-Pearson 1988): two models score the same rows with the same 0/1
/// labels. With m positives and n negatives, each model r has placement values V10_r,i over positives and V01_r,j over
/// negatives (as in <see cref="DeLong"/>, ties one half); S10 and S01 are the 2 x 2 sample covariance matrices
/// (denominator m - 1 and n - 1) of (V10_b, V10_c) and (V01_b, V01_c); S = S10 / m + S01 / n;
/// var(AUC_c - AUC_b) = S_bb + S_cc - 2 S_bc, z = (AUC_c - AUC_b) / sqrt(var), p = 2 sf(|z|). Placements come from
/// midranks (Sun and Xu 2014), O(N log N). Matches a direct O(m n) numpy implementation of the 1988 formula
/// (Fixtures/generate_rollout_fixtures.py), cross-checked there against a paired bootstrap; the same statistic as R
/// pROC's <c>roc.test(method = "delong", paired = TRUE)</c>.
/// </summary>
public static class PairedDeLong
{
    /// <summary>
    /// The paired test; null when one class is absent. The variance (and the test) is undefined (NaN) with fewer than
    /// two positives or two negatives; a zero variance (identical rankings) gives z = 0, p = 1 for equal AUCs.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, a score is outside [0, 1] or a label is not 0 or 1.</exception>
    public static PairedDeLongResult? Compare(ReadOnlySpan<double> baselineScores, ReadOnlySpan<double> candidateScores, ReadOnlySpan<double> labels)
    {
        if (baselineScores.Length != candidateScores.Length)
        {
            throw new ArgumentException($"baselineScores has {baselineScores.Length} values, candidateScores {candidateScores.Length}.", nameof(candidateScores));
        }

        BinaryLabels.Validate(baselineScores, labels);
        BinaryLabels.Validate(candidateScores, labels);
        var m = 0;
        foreach (var y in labels)
        {
            m += y == 1 ? 1 : 0;
        }

        var n = labels.Length - m;
        if (m == 0 || n == 0)
        {
            return null;
        }

        var (v10b, v01b) = Placements(baselineScores, labels, m, n);
        var (v10c, v01c) = Placements(candidateScores, labels, m, n);
        var aucB = Mean(v10b);
        var aucC = Mean(v10c);
        if (m < 2 || n < 2)
        {
            return new PairedDeLongResult(
                new DeLongResult(aucB, double.NaN, m, n), new DeLongResult(aucC, double.NaN, m, n), double.NaN,
                new ZTestResult(aucC - aucB, double.NaN, double.NaN, double.NaN));
        }

        var varB = (Covariance(v10b, v10b) / m) + (Covariance(v01b, v01b) / n);
        var varC = (Covariance(v10c, v10c) / m) + (Covariance(v01c, v01c) / n);
        var cov = (Covariance(v10b, v10c) / m) + (Covariance(v01b, v01c) / n);
        var variance = Math.Max(0, varB + varC - (2 * cov));
        return new PairedDeLongResult(
            new DeLongResult(aucB, varB, m, n), new DeLongResult(aucC, varC, m, n), cov,
            ZTestResult.FromDifference(aucC - aucB, Math.Sqrt(variance)));
    }

    /// <summary>V10 over positives and V01 over negatives from midranks: V10_i = (R_i - Rpos_i) / n, V01_j = 1 - (R_j - Rneg_j) / m.</summary>
    private static (double[] V10, double[] V01) Placements(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels, int m, int n)
    {
        var pos = new double[m];
        var neg = new double[n];
        int p = 0, q = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (labels[i] == 1)
            {
                pos[p++] = scores[i];
            }
            else
            {
                neg[q++] = scores[i];
            }
        }

        var all = new double[m + n];
        pos.CopyTo(all, 0);
        neg.CopyTo(all, m);
        var rankAll = MidRanks(all);
        var rankPos = MidRanks(pos);
        var rankNeg = MidRanks(neg);
        var v10 = new double[m];
        var v01 = new double[n];
        for (var i = 0; i < m; i++)
        {
            v10[i] = (rankAll[i] - rankPos[i]) / n;
        }

        for (var j = 0; j < n; j++)
        {
            v01[j] = 1 - ((rankAll[m + j] - rankNeg[j]) / m);
        }

        return (v10, v01);
    }

    /// <summary>1-based midranks (ties share the mean of their ranks), in the input order.</summary>
    private static double[] MidRanks(double[] values)
    {
        var order = new int[values.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var keys = (double[])values.Clone();
        Array.Sort(keys, order);
        var ranks = new double[values.Length];
        var start = 0;
        while (start < keys.Length)
        {
            var end = start;
            while (end + 1 < keys.Length && keys[end + 1] == keys[start])
            {
                end++;
            }

            var rank = 0.5 * (start + end) + 1;
            for (var k = start; k <= end; k++)
            {
                ranks[order[k]] = rank;
            }

            start = end + 1;
        }

        return ranks;
    }

    private static double Mean(double[] values)
    {
        double sum = 0;
        foreach (var v in values)
        {
            sum += v;
        }

        return sum / values.Length;
    }

    private static double Covariance(double[] a, double[] b)
    {
        var ma = Mean(a);
        var mb = Mean(b);
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (a[i] - ma) * (b[i] - mb);
        }

        return sum / (a.Length - 1);
    }
}
