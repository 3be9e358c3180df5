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
        return EcdfBounds.KolmogorovSmirnov(a._counts, b._counts);
    }

    /// <summary>
    /// Wasserstein-1 from two histograms over the same edges, the outer bins closed by the observed min and max
    /// (see <see cref="EcdfBounds.Wasserstein"/> for the bounds and the estimate).
    /// </summary>
    public static BoundedEstimate WassersteinBounds(HistogramSketch a, HistogramSketch b)
    {
        RequireComparable(a, b);
        return EcdfBounds.Wasserstein(a.Edges.Edges, a._counts, b._counts, Math.Min(a.Moments.Min, b.Moments.Min), Math.Max(a.Moments.Max, b.Moments.Max));
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
