using Monitoring.Stats.Sketches;

namespace Monitoring.Aggregation.Windows;

/// <summary>
/// One numeric feature in one window: relative-error buckets (reference independent, mergeable), moments, and exact
/// counts over the reference's decile edges when a reference was in force while the window was open.
/// </summary>
[GenerateSerializer, Alias("monitoring.numeric-accumulator")]
public sealed class NumericAccumulator
{
    /// <summary>Mantissa bits of the window buckets: 32 per power of two (3.1% relative width), a few hundred buckets per feature, so 1,000 models x 20 features fit in memory.</summary>
    public const int MantissaBits = 5;

    // The occupied buckets as two sorted parallel arrays (keys fit in an int at 5 mantissa bits): about 12 bytes per
    // bucket against ~35 for a Dictionary<long, long>, which made the open windows of 1,000 models x 20 features the
    // largest part of the silo's heap. New buckets are rare once a window has seen a few hundred values.
    [NonSerialized] private int[] _keys = [];
    [NonSerialized] private long[] _counts = [];
    [NonSerialized] private int _occupied;

    /// <summary>
    /// The serialized form of the buckets: <c>[key0, count0, key1, count1, ...]</c> in ascending key order. The getter
    /// builds a new array and the setter replaces the whole store, so every serializer (Orleans binary, System.Text.Json,
    /// the Newtonsoft.Json of Orleans' default grain-storage serializer) must call the setter: an array cannot be filled
    /// in place. (The dictionary this replaced was a getter copy that Newtonsoft.Json filled in place, so checkpoints
    /// came back with counts and no buckets.)
    /// </summary>
    [Id(10)]
    public long[] BucketPairs
    {
        get
        {
            var pairs = new long[2 * _occupied];
            for (var i = 0; i < _occupied; i++)
            {
                pairs[2 * i] = _keys[i];
                pairs[(2 * i) + 1] = _counts[i];
            }

            return pairs;
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Length % 2 != 0)
            {
                throw new ArgumentException($"Bucket pairs must have an even length ({value.Length}).", nameof(value));
            }

            var keys = new int[value.Length / 2];
            var counts = new long[value.Length / 2];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = checked((int)value[2 * i]);
                counts[i] = value[(2 * i) + 1];
                if (i > 0 && keys[i] <= keys[i - 1])
                {
                    throw new ArgumentException("Bucket keys must be strictly ascending.", nameof(value));
                }
            }

            _keys = keys;
            _counts = counts;
            _occupied = keys.Length;
        }
    }

    /// <summary>
    /// Reads the dictionary form (bucket -> count) that checkpoints and stored sketches were written in before
    /// <see cref="BucketPairs"/>. Always null when read (System.Text.Json skips set-only properties), so nothing is written
    /// in that form again (Newtonsoft.Json writes a null, which reads back as nothing) and no serializer can fill a copy.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<long, long>? Buckets
    {
        get => null;
        set
        {
            if (value is not null)
            {
                BucketPairs = value.OrderBy(kv => kv.Key).SelectMany(kv => new[] { kv.Key, kv.Value }).ToArray();
            }
        }
    }

    /// <summary>Occupied bucket -> count (a copy).</summary>
    public Dictionary<long, long> CopyBuckets()
    {
        var d = new Dictionary<long, long>(_occupied);
        for (var i = 0; i < _occupied; i++)
        {
            d[_keys[i]] = _counts[i];
        }

        return d;
    }

    /// <summary>Occupied buckets.</summary>
    public int OccupiedBuckets => _occupied;
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

        AddToBucket((int)FloatBucketSketch.BucketOf(value, MantissaBits), 1);
        Count++;
        Sum += value;
        SumOfSquares += value * value;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
        if (ReferenceBinCounts is null)
        {
            return;
        }

        if (reference is { } r && r.Version == ReferenceVersion)
        {
            ReferenceBinCounts[r.Edges.BinOf(value)]++;
            if (value < r.Min || value > r.Max)
            {
                OutOfReferenceRange++;
            }
        }
        else
        {
            // A value not counted against the bound reference: the counts no longer cover every value, so they are
            // dropped for good (never used partially); the window falls back to the bucket estimate.
            UnbindReference();
        }
    }

    /// <summary>Stops exact counting and forgets the counts so far.</summary>
    private void UnbindReference()
    {
        ReferenceBinCounts = null;
        ReferenceVersion = 0;
        OutOfReferenceRange = 0;
    }

    /// <summary>
    /// Whether the exact bin counts cover every value of this accumulator under reference <paramref name="version"/>
    /// with <paramref name="bins"/> bins.
    /// </summary>
    public bool HasExactCounts(int version, int bins) =>
        version != 0 && ReferenceVersion == version && ReferenceBinCounts is { } counts && counts.Length == bins;

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
        for (var i = 0; i < other._occupied; i++)
        {
            AddToBucket(other._keys[i], other._counts[i]);
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
            // Counted against different references (or not at all): only the buckets stay comparable.
            UnbindReference();
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
        new(MantissaBits, Occupied(), MomentsSketch.FromParts(Count, Nulls, Sum, SumOfSquares, Min, Max));

    private IEnumerable<KeyValuePair<long, long>> Occupied()
    {
        for (var i = 0; i < _occupied; i++)
        {
            yield return new KeyValuePair<long, long>(_keys[i], _counts[i]);
        }
    }

    private void AddToBucket(int key, long count)
    {
        var i = Array.BinarySearch(_keys, 0, _occupied, key);
        if (i >= 0)
        {
            _counts[i] += count;
            return;
        }

        i = ~i;
        if (_occupied == _keys.Length)
        {
            var capacity = Math.Max(8, _occupied + (_occupied / 2));
            Array.Resize(ref _keys, capacity);
            Array.Resize(ref _counts, capacity);
        }

        Array.Copy(_keys, i, _keys, i + 1, _occupied - i);
        Array.Copy(_counts, i, _counts, i + 1, _occupied - i);
        _keys[i] = key;
        _counts[i] = count;
        _occupied++;
    }

    /// <summary>Kernel-side view of a numeric reference: version, decile edges, range.</summary>
    /// <param name="Version">Reference version.</param>
    /// <param name="Edges">Decile edges.</param>
    /// <param name="Min">Reference minimum.</param>
    /// <param name="Max">Reference maximum.</param>
    public sealed record Kernels(int Version, Stats.Kernels.BinEdges Edges, double Min, double Max);
}
