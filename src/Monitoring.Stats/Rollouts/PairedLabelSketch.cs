using Monitoring.Stats.Classification;
using Monitoring.Stats.Hypothesis;
using Monitoring.Stats.Intervals;
using Monitoring.Stats.Kernels;
using Monitoring.Stats.Sketches;

namespace Monitoring.Stats.Rollouts;

/// <summary>
/// Labelled shadow pairs (the same request scored by the baseline and the candidate, then labelled) kept in bounded,
/// mergeable form for the paired tests online:
/// <list type="bullet">
/// <item>Brier, paired: the count and the sums of e_b, e_c, d = e_c - e_b and d^2 (e = (score - label)^2), exactly the
/// sums <see cref="VersionDifferences.BrierPaired"/> reads from raw rows: the paired z-test is exact.</item>
/// <item>AUC, paired DeLong: the joint counts of (baseline fine bin, candidate fine bin) per label class over the
/// <see cref="Bins"/> fine bins of <see cref="ScoreHistogramSketch"/> (bin of x: number of inner edges k / 100 strictly
/// below x), so at most 2 x 100 x 100 cells whatever the number of pairs (sparse: correlated versions fill a band
/// around the diagonal). <see cref="DeLong"/> gives the paired DeLong test of the binned scores (scores sharing a bin
/// tie), identical to <see cref="PairedDeLong.Compare"/> of the scores replaced by their bins; the exact AUCs'
/// difference lies within <see cref="ExactBound"/> (the sum of both versions' tie half-widths,
/// 0.5 sum_k pos_k neg_k / (m n) each) of the binned one.</item>
/// </list>
/// Merging adds counts and sums, so windows roll up exactly. Not thread-safe. Serializable as is (System.Text.Json).
/// </summary>
public sealed class PairedLabelSketch
{
    /// <summary>Fine bins per score (the default <see cref="ScoreHistogramSketch"/> layout: 10 x 10 over [0, 1]).</summary>
    public const int Bins = Calibration.DefaultBinCount * ScoreHistogramSketch.DefaultSubdivisions;

    private static readonly BinEdges Edges = new ScoreHistogramSketch().FineEdges;

    /// <summary>Labelled pairs folded.</summary>
    public long Count { get; set; }

    /// <summary>Sum of the baseline's squared errors.</summary>
    public double BaselineErrorSum { get; set; }

    /// <summary>Sum of the candidate's squared errors.</summary>
    public double CandidateErrorSum { get; set; }

    /// <summary>Sum of the squares of d = e_c - e_b.</summary>
    public double DifferenceSquareSum { get; set; }

    /// <summary>Positive pairs by baseline bin * <see cref="Bins"/> + candidate bin.</summary>
    public Dictionary<int, long> Positives { get; set; } = [];

    /// <summary>Negative pairs by baseline bin * <see cref="Bins"/> + candidate bin.</summary>
    public Dictionary<int, long> Negatives { get; set; } = [];

    /// <summary>Folds one labelled pair: both scores in [0, 1], the label 0 or 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A score is not a probability, or the label is not 0 or 1.</exception>
    public void Add(double baselineScore, double candidateScore, double label)
    {
        if (!(baselineScore >= 0 && baselineScore <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(baselineScore), baselineScore, "The baseline score is not a probability in [0, 1].");
        }

        if (!(candidateScore >= 0 && candidateScore <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(candidateScore), candidateScore, "The candidate score is not a probability in [0, 1].");
        }

        if (label is not (0 or 1))
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, "The label is not 0 or 1.");
        }

        var eb = (baselineScore - label) * (baselineScore - label);
        var ec = (candidateScore - label) * (candidateScore - label);
        Count++;
        BaselineErrorSum += eb;
        CandidateErrorSum += ec;
        DifferenceSquareSum += (ec - eb) * (ec - eb);
        var cell = (Edges.BinOf(baselineScore) * Bins) + Edges.BinOf(candidateScore);
        var cells = label == 1 ? Positives : Negatives;
        cells[cell] = cells.GetValueOrDefault(cell) + 1;
    }

    /// <summary>Adds every pair of <paramref name="other"/>.</summary>
    public void Merge(PairedLabelSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Count += other.Count;
        BaselineErrorSum += other.BaselineErrorSum;
        CandidateErrorSum += other.CandidateErrorSum;
        DifferenceSquareSum += other.DifferenceSquareSum;
        foreach (var (cell, n) in other.Positives)
        {
            Positives[cell] = Positives.GetValueOrDefault(cell) + n;
        }

        foreach (var (cell, n) in other.Negatives)
        {
            Negatives[cell] = Negatives.GetValueOrDefault(cell) + n;
        }
    }

    /// <summary>The same pairs with the roles swapped (the candidate as the baseline).</summary>
    public PairedLabelSketch Transposed() => new()
    {
        Count = Count,
        BaselineErrorSum = CandidateErrorSum,
        CandidateErrorSum = BaselineErrorSum,
        DifferenceSquareSum = DifferenceSquareSum,
        Positives = Positives.ToDictionary(kv => Swap(kv.Key), kv => kv.Value),
        Negatives = Negatives.ToDictionary(kv => Swap(kv.Key), kv => kv.Value),
    };

    /// <summary>
    /// The paired Brier test (<see cref="VersionDifferences.BrierPaired"/> on the raw pairs, from the sums); null below
    /// two pairs.
    /// </summary>
    public DifferenceTest? Brier(double alpha = Wilson.DefaultAlpha)
    {
        if (Count < 2)
        {
            return null;
        }

        var d = new MeanSums(Count, CandidateErrorSum - BaselineErrorSum, DifferenceSquareSum);
        var b = BaselineErrorSum / Count;
        var c = CandidateErrorSum / Count;
        var test = ZTestResult.FromDifference(c - b, Math.Sqrt(d.VarianceOfMean));
        var half = StandardNormal.TwoSidedCritical(alpha) * test.StandardError;
        return new DifferenceTest("brier", b, c, test.Difference, test.StandardError, test.Z, test.PValue,
            new ConfidenceInterval(test.Difference - half, test.Difference + half), "paired_z");
    }

    /// <summary>
    /// The paired DeLong test of the binned scores (see the class remarks); null when one class is absent. As in
    /// <see cref="PairedDeLong"/>, the variance is NaN below two positives or two negatives.
    /// </summary>
    public PairedDeLongResult? DeLong()
    {
        var (posB, posC) = Marginals(Positives);
        var (negB, negC) = Marginals(Negatives);

        var m = posB.Sum();
        var n0 = negB.Sum();
        if (m == 0 || n0 == 0)
        {
            return null;
        }

        // Placements of a bin: V10(k) = (negatives below k + half those in k) / n, V01(k) = (positives above k + half those in k) / m.
        var (v10b, v01b) = Placements(posB, negB, m, n0);
        var (v10c, v01c) = Placements(posC, negC, m, n0);
        var aucB = Dot(posB, v10b) / m;
        var aucC = Dot(posC, v10c) / m;
        if (m < 2 || n0 < 2)
        {
            return new PairedDeLongResult(
                new DeLongResult(aucB, double.NaN, m, n0), new DeLongResult(aucC, double.NaN, m, n0), double.NaN,
                new ZTestResult(aucC - aucB, double.NaN, double.NaN, double.NaN));
        }

        // The mean of V01 over the negatives is the AUC too.
        var (s10bb, s10cc, s10bc) = DeviationSums(Positives, v10b, v10c, aucB, aucC);
        var (s01bb, s01cc, s01bc) = DeviationSums(Negatives, v01b, v01c, aucB, aucC);

        double fm = m, fn = n0;
        var varB = (s10bb / (fm - 1) / fm) + (s01bb / (fn - 1) / fn);
        var varC = (s10cc / (fm - 1) / fm) + (s01cc / (fn - 1) / fn);
        var cov = (s10bc / (fm - 1) / fm) + (s01bc / (fn - 1) / fn);
        var variance = Math.Max(0, varB + varC - (2 * cov));
        return new PairedDeLongResult(
            new DeLongResult(aucB, varB, m, n0), new DeLongResult(aucC, varC, m, n0), cov,
            ZTestResult.FromDifference(aucC - aucB, Math.Sqrt(variance)));
    }

    /// <summary>
    /// The most the exact AUCs' difference can be from the binned one: the sum over both versions of
    /// 0.5 sum_k pos_k neg_k / (m n). 0 without both classes.
    /// </summary>
    public double ExactBound()
    {
        var (posB, posC) = Marginals(Positives);
        var (negB, negC) = Marginals(Negatives);

        double m = posB.Sum(), n0 = negB.Sum();
        if (m == 0 || n0 == 0)
        {
            return 0;
        }

        double tiedB = 0, tiedC = 0;
        for (var k = 0; k < Bins; k++)
        {
            tiedB += (double)posB[k] * negB[k];
            tiedC += (double)posC[k] * negC[k];
        }

        return 0.5 * (tiedB + tiedC) / (m * n0);
    }

    /// <summary>The joint counts of one label class summed to each version's bins (baseline: cell / Bins, candidate: cell % Bins).</summary>
    private static (long[] Baseline, long[] Candidate) Marginals(Dictionary<int, long> cells)
    {
        var baseline = new long[Bins];
        var candidate = new long[Bins];
        foreach (var (cell, n) in cells)
        {
            baseline[cell / Bins] += n;
            candidate[cell % Bins] += n;
        }

        return (baseline, candidate);
    }

    /// <summary>
    /// Over one label class's pairs, the count-weighted sums of db^2, dc^2 and db dc, where d is a pair's placement in
    /// its version's bin minus that version's AUC.
    /// </summary>
    private static (double Bb, double Cc, double Bc) DeviationSums(
        Dictionary<int, long> cells, double[] baselinePlacements, double[] candidatePlacements, double aucB, double aucC)
    {
        double bb = 0, cc = 0, bc = 0;
        foreach (var (cell, count) in cells)
        {
            var db = baselinePlacements[cell / Bins] - aucB;
            var dc = candidatePlacements[cell % Bins] - aucC;
            bb += count * db * db;
            cc += count * dc * dc;
            bc += count * db * dc;
        }

        return (bb, cc, bc);
    }

    private static (double[] V10, double[] V01) Placements(long[] positives, long[] negatives, long m, long n)
    {
        var v10 = new double[Bins];
        var v01 = new double[Bins];
        double below = 0;
        for (var k = 0; k < Bins; k++)
        {
            v10[k] = (below + (0.5 * negatives[k])) / n;
            below += negatives[k];
        }

        double above = 0;
        for (var k = Bins - 1; k >= 0; k--)
        {
            v01[k] = (above + (0.5 * positives[k])) / m;
            above += positives[k];
        }

        return (v10, v01);
    }

    private static double Dot(long[] counts, double[] values)
    {
        double sum = 0;
        for (var k = 0; k < counts.Length; k++)
        {
            sum += counts[k] * values[k];
        }

        return sum;
    }

    private static int Swap(int cell) => ((cell % Bins) * Bins) + (cell / Bins);
}
