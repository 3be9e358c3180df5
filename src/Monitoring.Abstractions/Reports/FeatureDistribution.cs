namespace Monitoring.Abstractions.Reports;

/// <summary>
/// The counts one feature's drift statistics were computed from, for drawing reference against current. Numeric: the
/// reference's bins, <c>(-inf, Edges[0]], (Edges[0], Edges[1]], ..., (Edges[^1], +inf)</c>, with the reference and
/// window counts over them (the very counts PSI, Jensen-Shannon and Hellinger used: exact or bucket-estimated as
/// <see cref="FeatureReport.Binning"/> says). Categorical: the <see cref="MaxCategories"/> categories with the largest
/// share in either sample (ties by name), and the rest summed into the <see cref="OtherBucket"/> bucket.
/// </summary>
[GenerateSerializer, Immutable, Alias("monitoring.feature-distribution")]
public sealed record FeatureDistribution
{
    /// <summary>Categories kept by name; the rest are summed into <see cref="OtherBucket"/>.</summary>
    public const int MaxCategories = 20;

    /// <summary>Name of the bucket holding every category past <see cref="MaxCategories"/> (and values beyond the window's category capacity).</summary>
    public const string OtherBucket = "(other)";

    /// <summary>Numeric: inner bin edges (reference deciles, ascending); empty for categorical.</summary>
    [Id(0)] public double[] Edges { get; init; } = [];
    /// <summary>Numeric: the smallest value of the reference and of the window, bounding the first bin for display.</summary>
    [Id(1)] public double? Min { get; init; }
    /// <summary>Numeric: the largest value of the reference and of the window, bounding the last bin for display.</summary>
    [Id(2)] public double? Max { get; init; }
    /// <summary>Categorical: the bins' categories, largest share first, <see cref="OtherBucket"/> last when used; empty for numeric.</summary>
    [Id(3)] public string[] Categories { get; init; } = [];
    /// <summary>Reference count per bin.</summary>
    [Id(4)] public long[] ReferenceCounts { get; init; } = [];
    /// <summary>Window count per bin.</summary>
    [Id(5)] public long[] CurrentCounts { get; init; } = [];
    /// <summary>Categorical: how many named categories <see cref="OtherBucket"/> holds (0 when it is absent; values past the window's category capacity count in it without a name).</summary>
    [Id(6)] public int OtherCategories { get; init; }

    /// <summary>Reference share per bin (all zero when the reference is empty).</summary>
    public double[] ReferenceProportions() => Proportions(ReferenceCounts);

    /// <summary>Window share per bin (all zero when the window is empty).</summary>
    public double[] CurrentProportions() => Proportions(CurrentCounts);

    private static double[] Proportions(long[] counts)
    {
        var total = 0L;
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
