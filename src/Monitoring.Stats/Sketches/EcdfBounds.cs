namespace Monitoring.Stats.Sketches;

/// <summary>
/// Guaranteed bounds on two-sample ECDF statistics when both samples are known only as counts over the same bins
/// (-inf, e_1], (e_1, e_2], ..., (e_k, +inf): the ECDFs are exact at every edge and monotone in between.
/// </summary>
public static class EcdfBounds
{
    /// <summary>
    /// KS statistic: the largest gap at an edge is a lower bound (and the estimate); inside bin (e_{i-1}, e_i] neither
    /// ECDF leaves its edge values, so the gap is at most max(F_a(e_i) - F_b(e_{i-1}), F_b(e_i) - F_a(e_{i-1})).
    /// </summary>
    public static BoundedEstimate KolmogorovSmirnov(ReadOnlySpan<long> countsA, ReadOnlySpan<long> countsB)
    {
        Require(countsA, countsB, out var na, out var nb);
        double fa = 0, fb = 0, lower = 0, upper = 0;
        long ca = 0, cb = 0;
        for (var i = 0; i < countsA.Length; i++)
        {
            ca += countsA[i];
            cb += countsB[i];
            var fa1 = ca / na;
            var fb1 = cb / nb;
            lower = Math.Max(lower, Math.Abs(fa1 - fb1));
            upper = Math.Max(upper, Math.Max(fa1 - fb, fb1 - fa));
            fa = fa1;
            fb = fb1;
        }

        return new BoundedEstimate(lower, lower, Math.Min(1, Math.Max(upper, lower)));
    }

    /// <summary>
    /// Wasserstein-1 with the outer bins closed by the pooled min and max. On a bin of width w the integrand
    /// |F_a - F_b| lies between max(0, F_a(lo) - F_b(hi), F_b(lo) - F_a(hi)) and max(|F_a(hi) - F_b(lo)|, |F_b(hi) - F_a(lo)|);
    /// the estimate integrates linear ECDFs within each bin (values spread uniformly), clamped to the bounds.
    /// </summary>
    /// <param name="innerEdges">The k inner edges.</param>
    /// <param name="countsA">k + 1 counts of sample a.</param>
    /// <param name="countsB">k + 1 counts of sample b.</param>
    /// <param name="min">Smallest value of either sample.</param>
    /// <param name="max">Largest value of either sample.</param>
    public static BoundedEstimate Wasserstein(ReadOnlySpan<double> innerEdges, ReadOnlySpan<long> countsA, ReadOnlySpan<long> countsB, double min, double max)
    {
        Require(countsA, countsB, out var na, out var nb);
        if (innerEdges.Length != countsA.Length - 1)
        {
            throw new ArgumentException($"{innerEdges.Length} edges need {innerEdges.Length + 1} counts, not {countsA.Length}.", nameof(innerEdges));
        }

        double fa = 0, fb = 0, lower = 0, upper = 0, estimate = 0;
        long ca = 0, cb = 0;
        for (var i = 0; i < countsA.Length; i++)
        {
            var lo = i == 0 ? min : Math.Max(min, innerEdges[i - 1]);
            var hi = i == innerEdges.Length ? max : Math.Min(max, innerEdges[i]);
            ca += countsA[i];
            cb += countsB[i];
            var fa1 = ca / na;
            var fb1 = cb / nb;
            var width = Math.Max(0, hi - lo);
            lower += width * Math.Max(0, Math.Max(fa - fb1, fb - fa1));
            upper += width * Math.Max(Math.Abs(fa1 - fb), Math.Abs(fb1 - fa));
            estimate += width * MeanAbsLinear(fa - fb, fa1 - fb1);
            fa = fa1;
            fb = fb1;
        }

        return new BoundedEstimate(Math.Clamp(estimate, lower, upper), lower, upper);
    }

    /// <summary>Mean over [0, 1] of |g0 + (g1 - g0) t|.</summary>
    private static double MeanAbsLinear(double g0, double g1)
    {
        if ((g0 >= 0 && g1 >= 0) || (g0 <= 0 && g1 <= 0))
        {
            return Math.Abs(g0 + g1) / 2;
        }

        var t = g0 / (g0 - g1);
        return ((Math.Abs(g0) * t) + (Math.Abs(g1) * (1 - t))) / 2;
    }

    private static void Require(ReadOnlySpan<long> a, ReadOnlySpan<long> b, out double na, out double nb)
    {
        if (a.Length != b.Length || a.IsEmpty)
        {
            throw new ArgumentException($"Count vectors must be non-empty and equally long ({a.Length} vs {b.Length}).", nameof(b));
        }

        long sa = 0, sb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sa += a[i];
            sb += b[i];
        }

        if (sa == 0 || sb == 0)
        {
            throw new ArgumentException("Both samples must hold at least one value.", sa == 0 ? "countsA" : "countsB");
        }

        na = sa;
        nb = sb;
    }
}
