using Monitoring.Stats.Hypothesis;
using Monitoring.Stats.Intervals;
using Monitoring.Stats.Kernels;
using Monitoring.Stats.Sketches;

namespace Monitoring.Stats.Classification;

/// <summary>ROC AUC with its DeLong variance.</summary>
/// <param name="Auc">The AUC (equal to <c>sklearn.metrics.roc_auc_score</c>).</param>
/// <param name="Variance">DeLong variance S10 / m + S01 / n; NaN (undefined) with fewer than two positives or two negatives.</param>
/// <param name="Positives">m, the positives.</param>
/// <param name="Negatives">n, the negatives.</param>
public sealed record DeLongResult(double Auc, double Variance, long Positives, long Negatives)
{
    /// <summary>sqrt(variance); NaN when the variance is undefined.</summary>
    public double StandardError => Math.Sqrt(Variance);

    /// <summary>Whether the variance is defined (at least two positives and two negatives).</summary>
    public bool HasVariance => !double.IsNaN(Variance);

    /// <summary>
    /// The plain (Wald) interval AUC -+ z SE, z = norm.isf(alpha / 2), clipped to [0, 1]; null when the variance is
    /// undefined. This is pROC's default DeLong interval.
    /// </summary>
    public ConfidenceInterval? Interval(double alpha = Wilson.DefaultAlpha)
    {
        if (!HasVariance)
        {
            return null;
        }

        var half = StandardNormal.TwoSidedCritical(alpha) * StandardError;
        return new ConfidenceInterval(Math.Max(0, Auc - half), Math.Min(1, Auc + half));
    }

    /// <summary>
    /// The logit interval expit(logit(AUC) -+ z SE / (AUC (1 - AUC))) (delta method on the logit scale, which keeps the
    /// bounds inside (0, 1) without clipping); the point itself when the variance is 0 or the AUC is 0 or 1; null when
    /// the variance is undefined.
    /// </summary>
    public ConfidenceInterval? LogitInterval(double alpha = Wilson.DefaultAlpha)
    {
        if (!HasVariance)
        {
            return null;
        }

        if (Variance == 0 || Auc == 0 || Auc == 1)
        {
            return new ConfidenceInterval(Auc, Auc);
        }

        var centre = Math.Log(Auc / (1 - Auc));
        var half = StandardNormal.TwoSidedCritical(alpha) * StandardError / (Auc * (1 - Auc));
        return new ConfidenceInterval(Expit(centre - half), Expit(centre + half));
    }

    private static double Expit(double x) => 1 / (1 + Math.Exp(-x));
}

/// <summary>The DeLong AUC interval of a <see cref="ScoreHistogramSketch"/>.</summary>
/// <param name="Binned">DeLong AUC and variance of the binned data (each fine bin one tied value).</param>
/// <param name="TieBound">The sketch's guaranteed bounds on the exact AUC of the raw scores.</param>
/// <param name="Interval">
/// The binned DeLong interval widened on each side by the tie bound's half-width and clipped to [0, 1]; null when the
/// variance is undefined.
/// </param>
public sealed record SketchAucInterval(DeLongResult Binned, BoundedEstimate TieBound, ConfidenceInterval? Interval);

/// <summary>
/// ROC AUC with the DeLong, DeLong and Clarke-Pearson (1988) variance, from placement values, in O(n log n): with m
/// positives x_i and n negatives y_j, V10_i = (#{y_j &lt; x_i} + 0.5 #{y_j = x_i}) / n and V01_j = (#{x_i &gt; y_j} + 0.5
/// #{x_i = y_j}) / m; AUC = mean V10 = mean V01 (the Mann-Whitney statistic, ties one half, equal to
/// <c>roc_auc_score</c>); S10 and S01 are the sample variances (denominator m - 1 and n - 1) of V10 and V01 and
/// var(AUC) = S10 / m + S01 / n. Both classes are sorted, and tied scores share one placement value, so each distinct
/// score is visited once. Matches a direct O(m n) numpy implementation of these definitions
/// (Fixtures/generate_slice_fixtures.py), itself checked against sklearn.
/// </summary>
public static class DeLong
{
    /// <summary>AUC and DeLong variance of scores against 0/1 labels; null when only one class is present.</summary>
    public static DeLongResult? Compute(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        return BinaryLabels.TrySplitSorted(scores, labels, out var pos, out var neg) ? FromSorted(pos, neg) : null;
    }

    /// <summary>From ascending-sorted positive and negative scores (both non-empty; no NaN).</summary>
    public static DeLongResult FromSorted(ReadOnlySpan<double> positives, ReadOnlySpan<double> negatives)
    {
        if (positives.IsEmpty || negatives.IsEmpty)
        {
            throw new ArgumentException("DeLong needs at least one positive and one negative score.", positives.IsEmpty ? nameof(positives) : nameof(negatives));
        }

        // Run-length encode the merged distinct values: per distinct score, how many positives and negatives hold it.
        var posCounts = new long[positives.Length + negatives.Length];
        var negCounts = new long[positives.Length + negatives.Length];
        int i = 0, j = 0, groups = 0;
        while (i < positives.Length || j < negatives.Length)
        {
            var value = j >= negatives.Length || (i < positives.Length && positives[i] <= negatives[j]) ? positives[i] : negatives[j];
            long p = 0, q = 0;
            while (i < positives.Length && positives[i] == value)
            {
                i++;
                p++;
            }

            while (j < negatives.Length && negatives[j] == value)
            {
                j++;
                q++;
            }

            if (p == 0 && q == 0)
            {
                throw new ArgumentException("Scores must be sorted ascending and free of NaN.", nameof(positives));
            }

            posCounts[groups] = p;
            negCounts[groups] = q;
            groups++;
        }

        return FromBins(posCounts.AsSpan(0, groups), negCounts.AsSpan(0, groups));
    }

    /// <summary>
    /// From per-bin counts of positives and negatives over ordered bins (ascending score), each bin one tied value:
    /// exact DeLong when the bins are the distinct scores; for histogram bins it is the DeLong AUC and variance of the
    /// binned data. Both classes must be non-empty.
    /// </summary>
    public static DeLongResult FromBins(ReadOnlySpan<long> positives, ReadOnlySpan<long> negatives)
    {
        if (positives.Length != negatives.Length)
        {
            throw new ArgumentException($"positives has {positives.Length} bins, negatives {negatives.Length}.", nameof(negatives));
        }

        long m = 0, n = 0;
        for (var b = 0; b < positives.Length; b++)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(positives[b], nameof(positives));
            ArgumentOutOfRangeException.ThrowIfNegative(negatives[b], nameof(negatives));
            m += positives[b];
            n += negatives[b];
        }

        if (m == 0 || n == 0)
        {
            throw new ArgumentException("DeLong needs at least one positive and one negative.", m == 0 ? nameof(positives) : nameof(negatives));
        }

        // U = sum over positives of (negatives below + 0.5 negatives tied): whole and half counts, exact in doubles.
        double u = 0, negativesBelow = 0;
        for (var b = 0; b < positives.Length; b++)
        {
            u += positives[b] * (negativesBelow + (0.5 * negatives[b]));
            negativesBelow += negatives[b];
        }

        var auc = u / ((double)m * n);
        if (m < 2 || n < 2)
        {
            return new DeLongResult(auc, double.NaN, m, n);
        }

        double s10 = 0, s01 = 0, below = 0, positivesBelow = 0;
        for (var b = 0; b < positives.Length; b++)
        {
            if (positives[b] > 0)
            {
                var v10 = (below + (0.5 * negatives[b])) / n;
                s10 += positives[b] * (v10 - auc) * (v10 - auc);
            }

            if (negatives[b] > 0)
            {
                var v01 = (m - positivesBelow - positives[b] + (0.5 * positives[b])) / m;
                s01 += negatives[b] * (v01 - auc) * (v01 - auc);
            }

            below += negatives[b];
            positivesBelow += positives[b];
        }

        var variance = (s10 / (m - 1) / m) + (s01 / (n - 1) / n);
        return new DeLongResult(auc, variance, m, n);
    }

    /// <summary>
    /// The DeLong interval of a score sketch: <see cref="FromBins"/> over its fine bins (the DeLong AUC and variance of
    /// the binned data, where scores sharing a bin count as tied), with the interval widened on each side by half the
    /// width of the sketch's tie bound (<see cref="ScoreHistogramSketch.Auc"/>), so that it also covers the AUC the raw
    /// scores would give up to the binning error; the variance itself is that of the binned data, not of the raw scores.
    /// Null when one class is absent.
    /// </summary>
    public static SketchAucInterval? FromSketch(ScoreHistogramSketch sketch, double alpha = Wilson.DefaultAlpha)
    {
        ArgumentNullException.ThrowIfNull(sketch);
        if (sketch.Auc() is not { } bound)
        {
            return null;
        }

        var binned = FromBins(sketch.PositiveBinCounts, sketch.NegativeBinCounts);
        var widen = 0.5 * (bound.Upper - bound.Lower);
        ConfidenceInterval? interval = binned.Interval(alpha) is { } plain
            ? new ConfidenceInterval(Math.Max(0, plain.Lower - widen), Math.Min(1, plain.Upper + widen))
            : null;
        return new SketchAucInterval(binned, bound, interval);
    }

    /// <summary>
    /// z-test of AUC1 - AUC2 for two independent samples (disjoint rows): SE = sqrt(var1 + var2), z = d / SE,
    /// two-sided p. Null when either variance is undefined.
    /// </summary>
    public static ZTestResult? CompareIndependent(DeLongResult first, DeLongResult second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (!first.HasVariance || !second.HasVariance)
        {
            return null;
        }

        return ZTestResult.FromDifference(first.Auc - second.Auc, Math.Sqrt(first.Variance + second.Variance));
    }
}
