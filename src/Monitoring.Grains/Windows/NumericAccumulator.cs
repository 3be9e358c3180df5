using Monitoring.Stats.Sketches;

namespace Monitoring.Grains.Windows;

/// <summary>
/// One numeric feature in one window: relative-error buckets (reference independent, mergeable), moments, and exact
/// counts over the reference's decile edges when a reference was in force while the window was open.
/// </summary>
[GenerateSerializer, Alias("monitoring.numeric-accumulator")]
public sealed class NumericAccumulator
{
    /// <summary>Mantissa bits of the window buckets: 32 per power of two (3.1% relative width), a few hundred buckets per feature, so 1,000 models x 20 features fit in memory.</summary>
    public const int MantissaBits = 5;

    /// <summary>Occupied bucket -> count.</summary>
    [Id(0)] public Dictionary<long, long> Buckets { get; set; } = [];
    /// <summary>Non-null values.</summary>
    [Id(1)] public long Count { get; set; }
    /// <summary>Nulls.</summary>
    [Id(2)] public long Nulls { get; set; }
    /// <summary>Sum of values.</summary>
    [Id(3)] public double Sum { get; set; }
    /// <summary>Sum of squares.</summary>
    [Id(4)] public double SumOfSquares { get; set; }
    /// <summary>Minimum.</summary>
    [Id(5)] public double Min { get; set; } = double.PositiveInfinity;
    /// <summary>Maximum.</summary>
    [Id(6)] public double Max { get; set; } = double.NegativeInfinity;
    /// <summary>Counts over the reference edges of <see cref="ReferenceVersion"/>, or null.</summary>
    [Id(7)] public long[]? ReferenceBinCounts { get; set; }
    /// <summary>Reference version the bin counts belong to (0 = none).</summary>
    [Id(8)] public int ReferenceVersion { get; set; }
    /// <summary>Values below the reference minimum or above its maximum.</summary>
    [Id(9)] public long OutOfReferenceRange { get; set; }

    /// <summary>Adds a value, binned against the reference edges when given.</summary>
    public void Add(double value, Kernels? reference)
    {
        if (double.IsNaN(value))
        {
            Nulls++;
            return;
        }

        var key = FloatBucketSketch.BucketOf(value, MantissaBits);
        Buckets[key] = Buckets.GetValueOrDefault(key) + 1;
        Count++;
        Sum += value;
        SumOfSquares += value * value;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
        if (reference is { } r && r.Version == ReferenceVersion && ReferenceBinCounts is not null)
        {
            ReferenceBinCounts[r.Edges.BinOf(value)]++;
            if (value < r.Min || value > r.Max)
            {
                OutOfReferenceRange++;
            }
        }
    }

    /// <summary>Starts exact counting against a reference (only while the accumulator is still empty).</summary>
    public void BindReference(Kernels reference)
    {
        if (Count == 0 && Nulls == 0)
        {
            ReferenceVersion = reference.Version;
            ReferenceBinCounts = new long[reference.Edges.BinCount];
        }
    }

    /// <summary>Adds another accumulator (roll-ups, rolling references); reference counts survive only if both agree.</summary>
    public void Merge(NumericAccumulator other)
    {
        foreach (var (k, v) in other.Buckets)
        {
            Buckets[k] = Buckets.GetValueOrDefault(k) + v;
        }

        var thisEmpty = Count + Nulls == 0;
        var otherEmpty = other.Count + other.Nulls == 0;
        if (ReferenceBinCounts is not null && other.ReferenceBinCounts is not null && ReferenceVersion == other.ReferenceVersion)
        {
            for (var i = 0; i < ReferenceBinCounts.Length; i++)
            {
                ReferenceBinCounts[i] += other.ReferenceBinCounts[i];
            }

            OutOfReferenceRange += other.OutOfReferenceRange;
        }
        else if (thisEmpty)
        {
            ReferenceBinCounts = other.ReferenceBinCounts?.ToArray();
            ReferenceVersion = other.ReferenceVersion;
            OutOfReferenceRange = other.OutOfReferenceRange;
        }
        else if (!otherEmpty)
        {
            // Counted against different references: only the buckets stay comparable.
            ReferenceBinCounts = null;
            ReferenceVersion = 0;
            OutOfReferenceRange = 0;
        }

        Count += other.Count;
        Nulls += other.Nulls;
        Sum += other.Sum;
        SumOfSquares += other.SumOfSquares;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The buckets as a statistics sketch.</summary>
    public FloatBucketSketch ToSketch() =>
        new(MantissaBits, Buckets, MomentsSketch.FromParts(Count, Nulls, Sum, SumOfSquares, Min, Max));

    /// <summary>Kernel-side view of a numeric reference: version, decile edges, range.</summary>
    /// <param name="Version">Reference version.</param>
    /// <param name="Edges">Decile edges.</param>
    /// <param name="Min">Reference minimum.</param>
    /// <param name="Max">Reference maximum.</param>
    public sealed record Kernels(int Version, Stats.Kernels.BinEdges Edges, double Min, double Max);
}
