using Monitoring.Stats.Drift;

namespace Monitoring.Stats.Sketches;

/// <summary>
/// A reference-independent histogram of doubles with relative-error buckets: a value's bucket is the top
/// 12 + <see cref="MantissaBits"/> bits of its order-preserving 64-bit key (sign, exponent and the leading mantissa bits),
/// so each bucket spans a relative width of at most 2^-MantissaBits (0.78% at the default 7 bits) and bucket boundaries
/// are exact doubles. Sparse (only occupied buckets are stored), mergeable by addition, exact under merge; windows of any
/// reference (uploaded, pinned, rolling) compare on the same grid.
/// Error bounds: binned statistics over bucket boundaries are exact; quantiles are within one bucket (relative error
/// 2^-MantissaBits); KS and Wasserstein against another sketch come with guaranteed bounds (<see cref="EcdfBounds"/>).
/// </summary>
public sealed class FloatBucketSketch
{
    /// <summary>Default mantissa bits kept: 128 buckets per power of two.</summary>
    public const int DefaultMantissaBits = 7;

    private const ulong SignBit = 1UL << 63;
    private readonly Dictionary<long, long> _buckets;

    /// <summary>An empty sketch.</summary>
    public FloatBucketSketch(int mantissaBits = DefaultMantissaBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(mantissaBits, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mantissaBits, 52);
        MantissaBits = mantissaBits;
        _buckets = [];
    }

    /// <summary>Rebuilds a sketch from its parts (see <see cref="Buckets"/>).</summary>
    public FloatBucketSketch(int mantissaBits, IEnumerable<KeyValuePair<long, long>> buckets, MomentsSketch moments)
        : this(mantissaBits)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(moments);
        foreach (var (k, v) in buckets)
        {
            _buckets[k] = v;
        }

        Moments.Merge(moments);
    }

    /// <summary>Mantissa bits kept in the bucket key.</summary>
    public int MantissaBits { get; }

    /// <summary>Count, nulls, sum, sum of squares, min, max of the values.</summary>
    public MomentsSketch Moments { get; } = new();

    /// <summary>Occupied buckets: key and count.</summary>
    public IReadOnlyDictionary<long, long> Buckets => _buckets;

    /// <summary>Non-null values added.</summary>
    public long Count => Moments.Count;

    /// <summary>Adds one value; NaN counts as a null.</summary>
    public void Add(double value)
    {
        if (double.IsNaN(value))
        {
            Moments.AddNulls(1);
            return;
        }

        var key = BucketOf(value);
        _buckets[key] = _buckets.GetValueOrDefault(key) + 1;
        Moments.Add(value);
    }

    /// <summary>Counts a null.</summary>
    public void AddNull() => Moments.AddNulls(1);

    /// <summary>Adds another sketch with the same resolution.</summary>
    public void Merge(FloatBucketSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.MantissaBits != MantissaBits)
        {
            throw new ArgumentException($"Cannot merge sketches of {other.MantissaBits} and {MantissaBits} mantissa bits.", nameof(other));
        }

        foreach (var (k, v) in other._buckets)
        {
            _buckets[k] = _buckets.GetValueOrDefault(k) + v;
        }

        Moments.Merge(other.Moments);
    }

    /// <summary>The bucket key of a value at this sketch's resolution.</summary>
    public long BucketOf(double value) => BucketOf(value, MantissaBits);

    /// <summary>The bucket key of a value (monotone non-decreasing in the value; -0.0 is taken as +0.0).</summary>
    public static long BucketOf(double value, int mantissaBits)
    {
        var bits = (ulong)BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value);
        var key = (bits & SignBit) != 0 ? ~bits : bits | SignBit;
        return (long)(key >> (52 - mantissaBits)) - (long)(SignBit >> (52 - mantissaBits));
    }

    /// <summary>Largest double in a bucket (the bucket's inclusive upper edge).</summary>
    public double UpperEdge(long bucket)
    {
        var shift = 52 - MantissaBits;
        var key = (((ulong)(bucket + (long)(SignBit >> shift)) + 1) << shift) - 1;
        var bits = (key & SignBit) != 0 ? key ^ SignBit : ~key;
        var v = BitConverter.Int64BitsToDouble((long)bits);
        return double.IsNaN(v) ? double.PositiveInfinity : v;
    }

    /// <summary>Estimated quantile (the upper edge of the bucket holding it, clamped to [min, max]).</summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var target = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        foreach (var k in _buckets.Keys.Order())
        {
            seen += _buckets[k];
            if (seen >= target)
            {
                return Math.Clamp(UpperEdge(k), Moments.Min, Moments.Max);
            }
        }

        return Moments.Max;
    }

    /// <summary>Counts of both sketches over their common grid: the union of occupied buckets, with the inner edges between them.</summary>
    public static (double[] InnerEdges, long[] CountsA, long[] CountsB) Align(FloatBucketSketch a, FloatBucketSketch b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.MantissaBits != b.MantissaBits)
        {
            throw new ArgumentException("Sketches have different resolutions.", nameof(b));
        }

        var keys = a._buckets.Keys.Union(b._buckets.Keys).Order().ToArray();
        var edges = new double[Math.Max(0, keys.Length - 1)];
        var ca = new long[keys.Length];
        var cb = new long[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            ca[i] = a._buckets.GetValueOrDefault(keys[i]);
            cb[i] = b._buckets.GetValueOrDefault(keys[i]);
            if (i < edges.Length)
            {
                edges[i] = a.UpperEdge(keys[i]);
            }
        }

        return (edges, ca, cb);
    }

    /// <summary>KS statistic between two sketches with guaranteed bounds.</summary>
    public static BoundedEstimate KolmogorovSmirnov(FloatBucketSketch a, FloatBucketSketch b)
    {
        var (_, ca, cb) = Align(a, b);
        return EcdfBounds.KolmogorovSmirnov(ca, cb);
    }

    /// <summary>Wasserstein-1 between two sketches with guaranteed bounds.</summary>
    public static BoundedEstimate Wasserstein(FloatBucketSketch a, FloatBucketSketch b)
    {
        var (edges, ca, cb) = Align(a, b);
        return EcdfBounds.Wasserstein(edges, ca, cb, Math.Min(a.Moments.Min, b.Moments.Min), Math.Max(a.Moments.Max, b.Moments.Max));
    }

    /// <summary>
    /// Counts over arbitrary inner edges, bounded: buckets wholly inside a bin count exactly; a bucket that straddles an
    /// edge is assigned by its upper edge, and <paramref name="straddling"/> reports how many values that moved at most.
    /// A bucket's range is first narrowed to the sketch's [min, max], which its values cannot leave: so a bucket that
    /// holds the maximum (a constant feature's only bucket) is assigned as exact counting assigns the maximum
    /// (numpy searchsorted side='left': a value equal to an edge falls left of it), and is not counted as straddling.
    /// </summary>
    public long[] CountsOver(ReadOnlySpan<double> innerEdges, out long straddling)
    {
        var counts = new long[innerEdges.Length + 1];
        straddling = 0;
        foreach (var (k, n) in _buckets)
        {
            var upper = Count > 0 ? Math.Min(UpperEdge(k), Moments.Max) : UpperEdge(k);
            var lower = Count > 0 ? Math.Max(LowerBound(k), Moments.Min) : LowerBound(k);
            var bin = Kernels.BinEdges.SearchLeft(innerEdges, upper);
            counts[bin] += n;
            if (bin > 0 && innerEdges[bin - 1] >= lower)
            {
                straddling += n;
            }
        }

        return counts;
    }

    private double LowerBound(long bucket) => bucket == long.MinValue ? double.NegativeInfinity : UpperEdge(bucket - 1);

    /// <summary>Proportions over <paramref name="innerEdges"/> (see <see cref="CountsOver"/>).</summary>
    public double[] ProportionsOver(ReadOnlySpan<double> innerEdges, out long straddling) =>
        ReferenceBinning.Proportions(CountsOver(innerEdges, out straddling));
}
