using Monitoring.Stats.Descriptive;
using Monitoring.Stats.Kernels;

namespace Monitoring.Stats.Drift;

/// <summary>
/// The bins numeric PSI, Jensen-Shannon and Hellinger are computed over: inner edges are the reference deciles
/// <c>numpy.quantile(reference, [0.1, ..., 0.9])</c> with duplicates removed, and x goes to bin
/// <c>numpy.searchsorted(edges, x, side='left')</c>, i.e. (-inf, e1], (e1, e2], ..., (ek, +inf).
/// Discrete or constant references collapse to fewer edges (a constant reference gives two bins).
/// </summary>
public static class ReferenceBinning
{
    /// <summary>Deciles of an ascending-sorted, non-empty reference sample, duplicates removed.</summary>
    public static BinEdges DecileEdges(ReadOnlySpan<double> sortedReference)
    {
        Span<double> q = stackalloc double[Quantiles.Deciles.Length];
        Quantiles.OfSorted(sortedReference, Quantiles.Deciles, q);
        var unique = 0;
        for (var i = 0; i < q.Length; i++)
        {
            if (unique == 0 || q[i] != q[unique - 1])
            {
                q[unique++] = q[i];
            }
        }

        return new BinEdges(q[..unique]);
    }

    /// <summary>Proportions counts[i] / total (all zeros when total is 0).</summary>
    public static double[] Proportions(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        var p = new double[counts.Length];
        if (total > 0)
        {
            for (var i = 0; i < counts.Length; i++)
            {
                p[i] = (double)counts[i] / total;
            }
        }

        return p;
    }
}
