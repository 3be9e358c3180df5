using Monitoring.Stats.Kernels;

namespace Monitoring.Stats.Drift;

/// <summary>Every numeric drift statistic for one feature, computed exactly from the raw (non-null) values.</summary>
/// <param name="ReferenceCount">Non-null reference values.</param>
/// <param name="CurrentCount">Non-null current values.</param>
/// <param name="Edges">Inner bin edges (reference deciles, duplicates removed).</param>
/// <param name="ReferenceCounts">Reference values per bin.</param>
/// <param name="CurrentCounts">Current values per bin.</param>
/// <param name="Psi">Population Stability Index over the bins.</param>
/// <param name="JensenShannon">Jensen-Shannon distance (base 2) over the bins.</param>
/// <param name="Hellinger">Hellinger distance over the bins.</param>
/// <param name="Ks">Two-sample KS test on the raw values.</param>
/// <param name="Wasserstein">Wasserstein-1 distance on the raw values.</param>
/// <param name="ReferenceStandardDeviation">Population standard deviation of the reference (ddof 0).</param>
public sealed record NumericDriftResult(
    int ReferenceCount,
    int CurrentCount,
    double[] Edges,
    long[] ReferenceCounts,
    long[] CurrentCounts,
    double Psi,
    double JensenShannon,
    double Hellinger,
    KsTestResult Ks,
    double Wasserstein,
    double ReferenceStandardDeviation)
{
    /// <summary>W1 / std(reference): 0 when both are 0, +inf when only the std is 0.</summary>
    public double WassersteinNormalized =>
        ReferenceStandardDeviation > 0 ? Wasserstein / ReferenceStandardDeviation
        : Wasserstein == 0 ? 0 : double.PositiveInfinity;
}

/// <summary>Computes <see cref="NumericDriftResult"/> for a reference and a current sample.</summary>
public static class NumericDrift
{
    /// <summary>Copies and sorts both samples, then computes every statistic. Samples must be NaN-free and non-empty.</summary>
    public static NumericDriftResult Compute(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        KolmogorovSmirnov.RequireNonEmpty(reference, current);
        var r = RadixSort.SortedCopy(reference);
        var c = RadixSort.SortedCopy(current);
        return ComputeSorted(r, c);
    }

    /// <summary>All statistics from two ascending-sorted, NaN-free, non-empty samples.</summary>
    public static NumericDriftResult ComputeSorted(ReadOnlySpan<double> sortedReference, ReadOnlySpan<double> sortedCurrent)
    {
        KolmogorovSmirnov.RequireNonEmpty(sortedReference, sortedCurrent);
        var edges = ReferenceBinning.DecileEdges(sortedReference);
        var refCounts = new long[edges.BinCount];
        var curCounts = new long[edges.BinCount];
        edges.Count(sortedReference, refCounts);
        edges.Count(sortedCurrent, curCounts);
        var r = ReferenceBinning.Proportions(refCounts);
        var c = ReferenceBinning.Proportions(curCounts);
        var (d, w) = EmpiricalCdf.Compare(sortedReference, sortedCurrent);
        var ks = KolmogorovSmirnov.FromStatistic(sortedReference.Length, sortedCurrent.Length, d);
        return new NumericDriftResult(
            sortedReference.Length,
            sortedCurrent.Length,
            edges.Edges.ToArray(),
            refCounts,
            curCounts,
            Psi.Compute(r, c),
            JensenShannon.Distance(r, c),
            Hellinger.Distance(r, c),
            ks,
            w,
            PopulationStandardDeviation(sortedReference));
    }

    private static double PopulationStandardDeviation(ReadOnlySpan<double> x)
    {
        var mean = System.Numerics.Tensors.TensorPrimitives.Sum(x) / x.Length;
        var sum = 0.0;
        foreach (var v in x)
        {
            sum += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sum / x.Length);
    }
}
