using Monitoring.Stats.Drift;
using Monitoring.Stats.Kernels;

namespace Monitoring.Stats.Sketches;

/// <summary>Bounds on a statistic estimated from a sketch: the exact value lies in [Lower, Upper].</summary>
/// <param name="Estimate">The point estimate reported.</param>
/// <param name="Lower">Guaranteed lower bound of the exact statistic.</param>
/// <param name="Upper">Guaranteed upper bound of the exact statistic.</param>
public readonly record struct BoundedEstimate(double Estimate, double Lower, double Upper)
{
    /// <summary>Largest possible distance between the estimate and the exact value.</summary>
    public double MaxError => Math.Max(Estimate - Lower, Upper - Estimate);
}

/// <summary>
/// Counts over fixed bin edges (the bins of <see cref="BinEdges"/>), plus the moments of what was added so the outer
/// bins have finite extents. Merges by adding counts, so windows roll up and shards combine exactly: a histogram of the
/// union equals the merge of the histograms. Binned statistics (PSI, JS, Hellinger over these bins) are exact; statistics
/// of the raw values are estimated with guaranteed bounds (see <see cref="KolmogorovSmirnovBounds"/>, <see cref="WassersteinBounds"/>).
/// </summary>
public sealed class HistogramSketch
{
    private readonly long[] _counts;

    /// <summary>An empty sketch over <paramref name="edges"/>.</summary>
    public HistogramSketch(BinEdges edges)
    {
        Edges = edges ?? throw new ArgumentNullException(nameof(edges));
        _counts = new long[edges.BinCount];
    }

    /// <summary>The bin edges (shared, immutable).</summary>
    public BinEdges Edges { get; }

    /// <summary>Count per bin.</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Count, sum, min and max of the values added (nulls excluded from the histogram, counted here).</summary>
    public MomentsSketch Moments { get; } = new();

    /// <summary>Adds non-null values (NaN is a null: counted in <see cref="MomentsSketch.Nulls"/>, not binned).</summary>
    public void Add(ReadOnlySpan<double> values)
    {
        var nulls = 0;
        foreach (var v in values)
        {
            nulls += double.IsNaN(v) ? 1 : 0;
        }

        if (nulls == 0)
        {
            Edges.Count(values, _counts);
            Moments.Add(values);
            return;
        }

        var clean = new double[values.Length - nulls];
        var j = 0;
        foreach (var v in values)
        {
            if (!double.IsNaN(v))
            {
                clean[j++] = v;
            }
        }

        Edges.Count(clean, _counts);
        Moments.Add(clean);
        Moments.AddNulls(nulls);
    }

    /// <summary>Adds another sketch over the same edges into this one.</summary>
    /// <exception cref="ArgumentException">The edges differ.</exception>
    public void Merge(HistogramSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!ReferenceEquals(other.Edges, Edges) && !other.Edges.Edges.SequenceEqual(Edges.Edges))
        {
            throw new ArgumentException("Cannot merge histograms over different bin edges.", nameof(other));
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Moments.Merge(other.Moments);
    }

    /// <summary>Proportion per bin.</summary>
    public double[] Proportions() => ReferenceBinning.Proportions(_counts);

    /// <summary>
    /// Two-sample KS statistic from two histograms over the same edges. The ECDFs are known exactly at every edge, so
    /// the largest gap there is a lower bound; inside bin (e_{i-1}, e_i] each ECDF moves monotonically between its edge
    /// values, so the gap cannot exceed max(F_a(e_i) - F_b(e_{i-1}), F_b(e_i) - F_a(e_{i-1})): the upper bound. The
    /// estimate is the lower bound (the exact D when no bin holds values of both samples between distinct points).
    /// Finer bins tighten the bound: it is at most the largest bin mass of either sample plus the lower bound.
    /// </summary>
    public static BoundedEstimate KolmogorovSmirnovBounds(HistogramSketch a, HistogramSketch b)
    {
        RequireComparable(a, b);
        double na = a.Moments.Count, nb = b.Moments.Count;
        double fa = 0, fb = 0, lower = 0, upper = 0;
        long ca = 0, cb = 0;
        for (var i = 0; i < a._counts.Length; i++)
        {
            // ECDFs as cumulative count / n, rounded once: exactly the values EmpiricalCdf computes at the edges, so the
            // bounds hold in floating point too (a running sum of proportions drifts by a few ulps either way).
            ca += a._counts[i];
            cb += b._counts[i];
            var fa1 = ca / na;
            var fb1 = cb / nb;
            if (i == a._counts.Length - 1)
            {
                fa1 = 1;
                fb1 = 1;
            }

            lower = Math.Max(lower, Math.Abs(fa1 - fb1));
            upper = Math.Max(upper, Math.Max(fa1 - fb, fb1 - fa));
            fa = fa1;
            fb = fb1;
        }

        return new BoundedEstimate(lower, lower, Math.Min(1, Math.Max(upper, lower)));
    }

    /// <summary>
    /// Wasserstein-1 from two histograms over the same edges, the outer bins closed by the observed min and max. On each
    /// bin of width w the integrand |F_a - F_b| lies between max(0, F_a(lo) - F_b(hi), F_b(lo) - F_a(hi)) and
    /// max(|F_a(hi) - F_b(lo)|, |F_b(hi) - F_a(lo)|): summing w times each gives the bounds; the estimate assumes values
    /// spread uniformly within each bin (linear ECDFs), integrated exactly.
    /// </summary>
    public static BoundedEstimate WassersteinBounds(HistogramSketch a, HistogramSketch b)
    {
        RequireComparable(a, b);
        var min = Math.Min(a.Moments.Min, b.Moments.Min);
        var max = Math.Max(a.Moments.Max, b.Moments.Max);
        var edges = a.Edges.Edges;
        double na = a.Moments.Count, nb = b.Moments.Count;
        double fa = 0, fb = 0, lower = 0, upper = 0, estimate = 0;
        long ca = 0, cb = 0;
        for (var i = 0; i < a._counts.Length; i++)
        {
            var lo = i == 0 ? min : Math.Max(min, edges[i - 1]);
            var hi = i == edges.Length ? max : Math.Min(max, edges[i]);
            ca += a._counts[i];
            cb += b._counts[i];
            var fa1 = i == a._counts.Length - 1 ? 1 : ca / na;
            var fb1 = i == a._counts.Length - 1 ? 1 : cb / nb;
            var width = Math.Max(0, hi - lo);
            lower += width * Math.Max(0, Math.Max(fa - fb1, fb - fa1));
            upper += width * Math.Max(Math.Abs(fa1 - fb), Math.Abs(fb1 - fa));
            estimate += width * IntegralOfAbsLinear(fa - fb, fa1 - fb1);
            fa = fa1;
            fb = fb1;
        }

        return new BoundedEstimate(Math.Clamp(estimate, lower, upper), lower, upper);
    }

    /// <summary>Mean over [0, 1] of |g0 + (g1 - g0) t|.</summary>
    private static double IntegralOfAbsLinear(double g0, double g1)
    {
        if ((g0 >= 0 && g1 >= 0) || (g0 <= 0 && g1 <= 0))
        {
            return Math.Abs(g0 + g1) / 2;
        }

        // Sign change at t* = g0 / (g0 - g1): two triangles.
        var t = g0 / (g0 - g1);
        return ((Math.Abs(g0) * t) + (Math.Abs(g1) * (1 - t))) / 2;
    }

    private static void RequireComparable(HistogramSketch a, HistogramSketch b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.Edges.Edges.SequenceEqual(b.Edges.Edges))
        {
            throw new ArgumentException("Histograms have different bin edges.", nameof(b));
        }

        if (a.Moments.Count == 0 || b.Moments.Count == 0)
        {
            throw new ArgumentException("Both histograms must hold at least one value.", a.Moments.Count == 0 ? nameof(a) : nameof(b));
        }
    }
}
