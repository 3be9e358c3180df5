using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monitoring.Stats.Kernels;

/// <summary>
/// Sorted inner bin edges e_1 &lt;= ... &lt;= e_k defining k + 1 bins (-inf, e_1], (e_1, e_2], ..., (e_k, +inf).
/// A value x goes to bin <c>numpy.searchsorted(edges, x, side='left')</c>, the number of edges strictly below x;
/// NaN goes to the last bin (numpy sorts NaN last). Immutable and thread-safe; build once per reference and reuse.
/// </summary>
/// <remarks>
/// Few edges (&lt;= <see cref="CompareCountMaxEdges"/>) are binned by SIMD comparisons against every edge.
/// More edges use a lookup table over [e_1, e_k] that narrows each value to a short range of candidate bins, then an
/// exact comparison against the edges themselves, so the result never depends on floating-point rounding of the table.
/// </remarks>
public sealed class BinEdges
{
    /// <summary>Up to this many edges, values are binned by comparing with every edge (pure SIMD, no table).</summary>
    public const int CompareCountMaxEdges = 16;

    /// <summary>Lookup cells per bin for the table path: enough that uniform-ish edges give 1-2 candidates per cell.</summary>
    private const int CellsPerBin = 4;

    /// <summary>Values binned per block by the SIMD paths (fits L1 with its index buffer).</summary>
    internal const int BlockSize = 1024;

    private readonly double[] _edges;
    // Table path: a value in table cell t is looked up at c = t + 1; _cellLow[c] = number of edges strictly below
    // origin + (c - 2) / scale is a lower bound on its bin and _cellLow[c + 3] an upper bound.
    private readonly int[] _cellLow = [];
    private readonly double _origin;
    private readonly double _scale;
    private readonly int _cells;
    private readonly int _maxCandidates;

    /// <summary>Creates bin edges. Edges must be finite and non-decreasing (duplicates allowed, giving empty bins).</summary>
    /// <exception cref="ArgumentException">An edge is NaN or infinite, or the edges are not sorted.</exception>
    public BinEdges(ReadOnlySpan<double> innerEdges)
    {
        for (var i = 0; i < innerEdges.Length; i++)
        {
            if (!double.IsFinite(innerEdges[i]))
            {
                throw new ArgumentException($"Bin edge {i} is {innerEdges[i]}; edges must be finite.", nameof(innerEdges));
            }

            if (i > 0 && innerEdges[i] < innerEdges[i - 1])
            {
                throw new ArgumentException($"Bin edges must be non-decreasing; edge {i} ({innerEdges[i]}) is below edge {i - 1} ({innerEdges[i - 1]}).", nameof(innerEdges));
            }
        }

        _edges = innerEdges.ToArray();
        if (_edges.Length > CompareCountMaxEdges)
        {
            var first = _edges[0];
            var last = _edges[^1];
            _cells = checked((_edges.Length + 1) * CellsPerBin);
            var scale = last > first ? _cells / (last - first) : 0;
            _cellLow = new int[_cells + 5];
            if (double.IsFinite(scale) && scale > 0)
            {
                _origin = first;
                _scale = scale;
                for (var c = 0; c < _cellLow.Length; c++)
                {
                    // A value in cell t (stored at t + 1) lies in [origin + t/scale, origin + (t+1)/scale) up to rounding
                    // far below a cell, so the bounds taken one whole cell further out on each side always hold.
                    _cellLow[c] = SearchLeft(_edges, first + ((c - 2) / _scale));
                }
            }
            else
            {
                // The range overflows (last - first = inf, scale 0) or is so narrow that cells / range overflows (edges a
                // few subnormal steps apart), or all edges are equal: no usable table. With origin 0 and scale 0 every
                // finite value maps to cell 1, whose candidates are all the edges: a plain binary search.
                _origin = 0;
                _scale = 0;
                _cellLow.AsSpan(2).Fill(_edges.Length);
            }

            for (var c = 1; c + 3 < _cellLow.Length; c++)
            {
                _maxCandidates = Math.Max(_maxCandidates, _cellLow[c + 3] - _cellLow[c]);
            }
        }
    }

    /// <summary>Widest candidate range the lookup table leaves for one value (table path only; diagnostics).</summary>
    internal int MaxLookupCandidates => _maxCandidates;

    /// <summary>The inner edges.</summary>
    public ReadOnlySpan<double> Edges => _edges;

    /// <summary>Number of bins: edges + 1.</summary>
    public int BinCount => _edges.Length + 1;

    /// <summary>The bin of one value (numpy searchsorted side='left'; NaN to the last bin).</summary>
    public int BinOf(double value) => SearchLeft(_edges, value);

    /// <summary>Adds to <paramref name="counts"/>[b] the number of values in bin b.</summary>
    /// <exception cref="ArgumentException"><paramref name="counts"/> does not have <see cref="BinCount"/> elements.</exception>
    public void Count(ReadOnlySpan<double> values, Span<long> counts)
    {
        if (counts.Length != BinCount)
        {
            throw new ArgumentException($"counts has {counts.Length} elements; expected {BinCount} (edges + 1).", nameof(counts));
        }

        if (_edges.Length == 0)
        {
            counts[0] += values.Length;
            return;
        }

        if (_edges.Length <= CompareCountMaxEdges)
        {
            CountByComparison(values, counts);
        }
        else
        {
            CountByLookup(values, counts);
        }
    }

    /// <summary>Writes the bin of each value into <paramref name="bins"/> (same length as <paramref name="values"/>).</summary>
    public void BinIndices(ReadOnlySpan<double> values, Span<int> bins)
    {
        if (bins.Length != values.Length)
        {
            throw new ArgumentException($"bins has {bins.Length} elements; expected {values.Length}.", nameof(bins));
        }

        if (_edges.Length == 0)
        {
            bins.Clear();
        }
        else if (_edges.Length <= CompareCountMaxEdges)
        {
            IndicesByComparison(values, bins);
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                bins[i] = LookupBin(values[i]);
            }
        }
    }

    /// <summary>Scalar reference: numpy.searchsorted(edges, value, side='left'), NaN last.</summary>
    internal static int SearchLeft(ReadOnlySpan<double> edges, double value)
    {
        if (double.IsNaN(value))
        {
            return edges.Length;
        }

        int lo = 0, hi = edges.Length;
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (edges[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Scalar reference for <see cref="Count"/>.</summary>
    internal static void CountScalar(ReadOnlySpan<double> values, ReadOnlySpan<double> edges, Span<long> counts)
    {
        foreach (var v in values)
        {
            counts[SearchLeft(edges, v)]++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int LookupBin(double value)
    {
        var edges = _edges;
        if (!(value > edges[0]))
        {
            return value <= edges[0] ? 0 : edges.Length; // NaN fails both comparisons: last bin
        }

        if (value > edges[^1])
        {
            return edges.Length;
        }

        var cell = (int)Math.Min((value - _origin) * _scale, _cells) + 1;
        var lo = _cellLow[cell];
        var hi = _cellLow[cell + 3];
        while (lo < hi)
        {
            var mid = (int)((uint)(lo + hi) >> 1);
            if (edges[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void CountByLookup(ReadOnlySpan<double> values, Span<long> counts)
    {
        // Four interleaved count arrays break the store-to-load dependency when neighbours share a bin.
        var bins = BinCount;
        var partial = new long[4 * bins];
        var i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            partial[LookupBin(values[i])]++;
            partial[bins + LookupBin(values[i + 1])]++;
            partial[(2 * bins) + LookupBin(values[i + 2])]++;
            partial[(3 * bins) + LookupBin(values[i + 3])]++;
        }

        for (; i < values.Length; i++)
        {
            partial[LookupBin(values[i])]++;
        }

        for (var b = 0; b < bins; b++)
        {
            counts[b] += partial[b] + partial[bins + b] + partial[(2 * bins) + b] + partial[(3 * bins) + b];
        }
    }

    /// <summary>
    /// Counts by comparison: L_j = #(x &lt;= e_j) per edge, then bin 0 = L_1, bin j = L_{j+1} - L_j, last = n - L_k.
    /// NaN is never &lt;= an edge, so it lands in the last bin as numpy places it. Edges are taken four at a time over
    /// L1-sized blocks so the accumulators stay in registers on every vector width.
    /// </summary>
    private void CountByComparison(ReadOnlySpan<double> values, Span<long> counts)
    {
        var k = _edges.Length;
        Span<long> lessOrEqual = stackalloc long[k];
        lessOrEqual.Clear();
        for (var start = 0; start < values.Length; start += BlockSize)
        {
            var block = values.Slice(start, Math.Min(BlockSize, values.Length - start));
            for (var e = 0; e < k; e += 4)
            {
                CountLessOrEqual4(block, _edges.AsSpan(e, Math.Min(4, k - e)), lessOrEqual.Slice(e));
            }
        }

        counts[0] += lessOrEqual[0];
        for (var j = 1; j < k; j++)
        {
            counts[j] += lessOrEqual[j] - lessOrEqual[j - 1];
        }

        counts[k] += values.Length - lessOrEqual[k - 1];
    }

    /// <summary>Adds #(x &lt;= edges[j]) to result[j] for up to four edges.</summary>
    private static void CountLessOrEqual4(ReadOnlySpan<double> x, ReadOnlySpan<double> edges, Span<long> result)
    {
        // Missing edges are padded with -inf: nothing is <= -inf except... nothing finite or NaN, and the result is unused.
        var e0 = edges[0];
        var e1 = edges.Length > 1 ? edges[1] : double.NegativeInfinity;
        var e2 = edges.Length > 2 ? edges[2] : double.NegativeInfinity;
        var e3 = edges.Length > 3 ? edges[3] : double.NegativeInfinity;
        long c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        ref var origin = ref MemoryMarshal.GetReference(x);
        var n = (nuint)x.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<double>.Count)
        {
            Vector512<double> v0 = Vector512.Create(e0), v1 = Vector512.Create(e1), v2 = Vector512.Create(e2), v3 = Vector512.Create(e3);
            Vector512<long> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + (nuint)Vector512<double>.Count <= n; i += (nuint)Vector512<double>.Count)
            {
                var v = Vector512.LoadUnsafe(ref origin, i);
                a0 -= Vector512.LessThanOrEqual(v, v0).AsInt64();
                a1 -= Vector512.LessThanOrEqual(v, v1).AsInt64();
                a2 -= Vector512.LessThanOrEqual(v, v2).AsInt64();
                a3 -= Vector512.LessThanOrEqual(v, v3).AsInt64();
            }

            c0 = Vector512.Sum(a0);
            c1 = Vector512.Sum(a1);
            c2 = Vector512.Sum(a2);
            c3 = Vector512.Sum(a3);
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<double>.Count)
        {
            Vector256<double> v0 = Vector256.Create(e0), v1 = Vector256.Create(e1), v2 = Vector256.Create(e2), v3 = Vector256.Create(e3);
            Vector256<long> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + (nuint)Vector256<double>.Count <= n; i += (nuint)Vector256<double>.Count)
            {
                var v = Vector256.LoadUnsafe(ref origin, i);
                a0 -= Vector256.LessThanOrEqual(v, v0).AsInt64();
                a1 -= Vector256.LessThanOrEqual(v, v1).AsInt64();
                a2 -= Vector256.LessThanOrEqual(v, v2).AsInt64();
                a3 -= Vector256.LessThanOrEqual(v, v3).AsInt64();
            }

            c0 = Vector256.Sum(a0);
            c1 = Vector256.Sum(a1);
            c2 = Vector256.Sum(a2);
            c3 = Vector256.Sum(a3);
        }
        else if (Vector128.IsHardwareAccelerated && n >= (nuint)Vector128<double>.Count)
        {
            Vector128<double> v0 = Vector128.Create(e0), v1 = Vector128.Create(e1), v2 = Vector128.Create(e2), v3 = Vector128.Create(e3);
            Vector128<long> a0 = default, a1 = default, a2 = default, a3 = default;
            for (; i + (nuint)Vector128<double>.Count <= n; i += (nuint)Vector128<double>.Count)
            {
                var v = Vector128.LoadUnsafe(ref origin, i);
                a0 -= Vector128.LessThanOrEqual(v, v0).AsInt64();
                a1 -= Vector128.LessThanOrEqual(v, v1).AsInt64();
                a2 -= Vector128.LessThanOrEqual(v, v2).AsInt64();
                a3 -= Vector128.LessThanOrEqual(v, v3).AsInt64();
            }

            c0 = Vector128.Sum(a0);
            c1 = Vector128.Sum(a1);
            c2 = Vector128.Sum(a2);
            c3 = Vector128.Sum(a3);
        }

        for (; i < n; i++)
        {
            var v = Unsafe.Add(ref origin, i);
            c0 += v <= e0 ? 1 : 0;
            c1 += v <= e1 ? 1 : 0;
            c2 += v <= e2 ? 1 : 0;
            c3 += v <= e3 ? 1 : 0;
        }

        result[0] += c0;
        if (edges.Length > 1)
        {
            result[1] += c1;
        }

        if (edges.Length > 2)
        {
            result[2] += c2;
        }

        if (edges.Length > 3)
        {
            result[3] += c3;
        }
    }

    /// <summary>Bin of each value = k - #(edges &gt;= x) computed by SIMD comparisons (few edges only).</summary>
    private void IndicesByComparison(ReadOnlySpan<double> values, Span<int> bins)
    {
        var edges = _edges;
        var k = edges.Length;
        ref var src = ref MemoryMarshal.GetReference(values);
        ref var dst = ref MemoryMarshal.GetReference(bins);
        var n = (nuint)values.Length;
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var top = Vector512.Create((long)k);
            for (; i + (nuint)Vector512<double>.Count <= n; i += (nuint)Vector512<double>.Count)
            {
                var v = Vector512.LoadUnsafe(ref src, i);
                var acc = top;
                for (var e = 0; e < k; e++)
                {
                    acc += Vector512.LessThanOrEqual(v, Vector512.Create(edges[e])).AsInt64();
                }

                Vector256.StoreUnsafe(Vector256.Narrow(acc.GetLower(), acc.GetUpper()), ref dst, i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var top = Vector256.Create((long)k);
            for (; i + (nuint)Vector256<double>.Count <= n; i += (nuint)Vector256<double>.Count)
            {
                var v = Vector256.LoadUnsafe(ref src, i);
                var acc = top;
                for (var e = 0; e < k; e++)
                {
                    acc += Vector256.LessThanOrEqual(v, Vector256.Create(edges[e])).AsInt64();
                }

                Vector128.StoreUnsafe(Vector128.Narrow(acc.GetLower(), acc.GetUpper()), ref dst, i);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var top = Vector128.Create((long)k);
            for (; i + (nuint)Vector128<double>.Count <= n; i += (nuint)Vector128<double>.Count)
            {
                var v = Vector128.LoadUnsafe(ref src, i);
                var acc = top;
                for (var e = 0; e < k; e++)
                {
                    acc += Vector128.LessThanOrEqual(v, Vector128.Create(edges[e])).AsInt64();
                }

                Unsafe.Add(ref dst, i) = (int)acc.GetElement(0);
                Unsafe.Add(ref dst, i + 1) = (int)acc.GetElement(1);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref dst, i) = SearchLeft(edges, Unsafe.Add(ref src, i));
        }
    }
}
