using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Monitoring.Stats.Kernels;

/// <summary>
/// Sorted inner bin edges e_1 &lt;= ... &lt;= e_k defining k + 1 bins (-inf, e_1], (e_1, e_2], ..., (e_k, +inf).
/// A value x goes to bin <c>numpy.searchsorted(edges, x, side='left')</c>, the number of edges strictly below x;
/// NaN goes to the last bin (numpy sorts NaN last). Immutable and thread-safe; build once per reference and reuse.
/// </summary>
/// <remarks>
/// Few edges (&lt;= <see cref="CompareCountMaxEdges"/>) are counted by SIMD comparisons against every edge; their bin
/// indices come from the same comparisons, or with AVX-512 and fewer than 16 edges from a per-lane binary search over
/// the edges held in two registers. More edges use a lookup table over [e_1, e_k] that narrows each value to a short
/// range of candidate bins (refined until that is one edge for smooth edge sets), then an exact comparison against the
/// edges themselves, so the result never depends on floating-point rounding of the table. Up to four candidates are
/// compared without branches (cell numbers computed by SIMD); wider ranges fall back to a binary search.
/// </remarks>
public sealed class BinEdges
{
    /// <summary>Up to this many edges, values are binned by comparing with every edge (pure SIMD, no table).</summary>
    public const int CompareCountMaxEdges = 16;

    /// <summary>Values binned per block by the SIMD paths (fits L1 with its index buffer).</summary>
    internal const int BlockSize = 1024;

    /// <summary>Below this many edges, AVX-512 bin indices come from a permute-based binary search.</summary>
    private const int PermuteSearchEdges = 16;

    /// <summary>Lookup cells per bin of the coarsest table: uniform-ish edges give 1-2 candidates per cell.</summary>
    private const int MinCellsPerBin = 4;

    /// <summary>Finest table tried (cells per bin) when the coarse one leaves more than one candidate edge.</summary>
    private const int MaxCellsPerBin = 16;

    /// <summary>Tables are refined only while they have at most this many cells (16 KiB of ints: L1-resident).</summary>
    private const int MaxRefinedCells = 4096;

    /// <summary>Up to this many candidate edges the table path scans them all without branches; more use a binary search.</summary>
    private const int MaxScanCandidates = 4;

    private readonly double[] _edges;
    // Table path: a value in table cell t is looked up at c = t + 1; _cellLow[c] = number of edges strictly below
    // origin + (c - 2) / scale is a lower bound on its bin and _cellLow[c + 3] an upper bound. Values below e_1 are
    // clamped into cell 0 (lower bound 0) and values above e_k into the last cell; _cellLow[NaN cell] = k.
    private readonly int[] _cellLow = [];
    // The edges followed by +inf padding, so that a scan of _scanSteps edges from any lower bound stays in the array.
    private readonly double[] _scanEdges = [];
    private readonly double _origin;
    private readonly double _scale;
    private readonly int _cells;
    private readonly int _maxCandidates;
    // > 0: branch-free scan of this many candidates; 0: binary search in the table's range; -1: binary search over all edges.
    private readonly int _scanSteps = -1;

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
        if (_edges.Length <= CompareCountMaxEdges)
        {
            return;
        }

        var k = _edges.Length;
        var first = _edges[0];
        var last = _edges[^1];
        _origin = first;
        var scale = (k + 1) * MinCellsPerBin / (last - first);
        if (!(last > first) || !double.IsFinite(scale))
        {
            return; // all edges equal, or a range too narrow to divide into cells: plain binary search
        }

        // Refine the table until no cell leaves more than one candidate edge, within an L1-sized table.
        for (var cellsPerBin = MinCellsPerBin; ; cellsPerBin *= 2)
        {
            var cells = checked((k + 1) * cellsPerBin);
            scale = cells / (last - first);
            var cellLow = new int[cells + 6];
            for (var c = 0; c < cells + 5; c++)
            {
                // A value in cell t (stored at t + 1) lies in [origin + t/scale, origin + (t+1)/scale) up to rounding far
                // below a cell, so the bounds taken one whole cell further out on each side always hold.
                cellLow[c] = SearchLeft(_edges, first + ((c - 2) / scale));
            }

            cellLow[cells + 5] = k; // NaN cell: NaN goes to the last bin

            // Values above e_k are clamped into the last cell (t = cells) and belong to bin k.
            var candidates = k - cellLow[cells + 1];
            for (var c = 1; c + 3 < cells + 5; c++)
            {
                candidates = Math.Max(candidates, cellLow[c + 3] - cellLow[c]);
            }

            if (cellsPerBin == MinCellsPerBin || candidates < _maxCandidates)
            {
                _cells = cells;
                _scale = scale;
                _cellLow = cellLow;
                _maxCandidates = candidates;
            }

            if (_maxCandidates <= 1 || cellsPerBin >= MaxCellsPerBin || 2 * cells > MaxRefinedCells)
            {
                break;
            }
        }

        _scanSteps = _maxCandidates <= MaxScanCandidates ? Math.Max(_maxCandidates, 1) : 0;
        _scanEdges = new double[k + Math.Max(_scanSteps, 1)];
        _edges.CopyTo(_scanEdges, 0);
        _scanEdges.AsSpan(k).Fill(double.PositiveInfinity);
    }

    /// <summary>Widest candidate range the lookup table leaves for one value (table path only; diagnostics).</summary>
    internal int MaxLookupCandidates => _maxCandidates;

    /// <summary>Cells of the lookup table (0 when there is none; diagnostics).</summary>
    internal int LookupCells => _cells;

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
            LookupBins(values, bins);
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

    /// <summary>Bins of many values through the lookup table (more than <see cref="CompareCountMaxEdges"/> edges).</summary>
    private void LookupBins(ReadOnlySpan<double> values, Span<int> bins)
    {
        if (_scanSteps > 0)
        {
            for (var start = 0; start < values.Length; start += BlockSize)
            {
                var length = Math.Min(BlockSize, values.Length - start);
                ScanBlock(values.Slice(start, length), bins.Slice(start, length));
            }
        }
        else if (_scanSteps == 0)
        {
            for (var i = 0; i < values.Length; i++)
            {
                bins[i] = SearchTable(values[i]);
            }
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                bins[i] = SearchLeft(_edges, values[i]);
            }
        }
    }

    /// <summary>
    /// Table path for at most <see cref="MaxScanCandidates"/> candidates: SIMD cell numbers first, then per value
    /// bin = lower bound + #(candidate edges &lt; x) over a fixed number of (padded) edges, with no data-dependent branch.
    /// Exact: the bin lies in [lower bound, lower bound + _scanSteps] and the edges are sorted.
    /// </summary>
    private void ScanBlock(ReadOnlySpan<double> values, Span<int> bins)
    {
        CellNumbers(values, bins);
        ref var low = ref MemoryMarshal.GetArrayDataReference(_cellLow);
        ref var edges = ref MemoryMarshal.GetArrayDataReference(_scanEdges);
        ref var x = ref MemoryMarshal.GetReference(values);
        ref var b = ref MemoryMarshal.GetReference(bins);
        var n = values.Length;
        if (_scanSteps == 1)
        {
            for (var i = 0; i < n; i++)
            {
                var lo = Unsafe.Add(ref low, Unsafe.Add(ref b, i));
                Unsafe.Add(ref b, i) = lo + (Unsafe.Add(ref edges, lo) < Unsafe.Add(ref x, i) ? 1 : 0);
            }
        }
        else if (_scanSteps == 2)
        {
            for (var i = 0; i < n; i++)
            {
                var lo = Unsafe.Add(ref low, Unsafe.Add(ref b, i));
                var v = Unsafe.Add(ref x, i);
                Unsafe.Add(ref b, i) = lo + (Unsafe.Add(ref edges, lo) < v ? 1 : 0) + (Unsafe.Add(ref edges, lo + 1) < v ? 1 : 0);
            }
        }
        else
        {
            var steps = _scanSteps;
            for (var i = 0; i < n; i++)
            {
                var lo = Unsafe.Add(ref low, Unsafe.Add(ref b, i));
                var v = Unsafe.Add(ref x, i);
                var bin = lo;
                for (var s = 0; s < steps; s++)
                {
                    bin += Unsafe.Add(ref edges, lo + s) < v ? 1 : 0;
                }

                Unsafe.Add(ref b, i) = bin;
            }
        }
    }

    /// <summary>
    /// Table index of each value: t = floor((x - e_1) * scale) clamped to [0, cells], stored at t + 1; NaN gets the NaN
    /// cell. Every result indexes <see cref="_cellLow"/>.
    /// </summary>
    private void CellNumbers(ReadOnlySpan<double> values, Span<int> cells)
    {
        ref var src = ref MemoryMarshal.GetReference(values);
        ref var dst = ref MemoryMarshal.GetReference(cells);
        var n = (nuint)values.Length;
        nuint i = 0;
        var nanCell = _cells + 5;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<double> origin = Vector512.Create(_origin), scale = Vector512.Create(_scale), top = Vector512.Create((double)_cells);
            var nan = Vector512.Create((long)nanCell);
            for (; i + (nuint)Vector512<double>.Count <= n; i += (nuint)Vector512<double>.Count)
            {
                var v = Vector512.LoadUnsafe(ref src, i);
                // The clamp leaves t in [0, cells] for every non-NaN x (infinities included); NaN lanes are replaced.
                var t = Vector512.MinNative(Vector512.MaxNative((v - origin) * scale, Vector512<double>.Zero), top);
                var c = Vector512.ConditionalSelect(Vector512.Equals(v, v).AsInt64(), Vector512.ConvertToInt64Native(t) + Vector512<long>.One, nan);
                Vector256.StoreUnsafe(Vector256.Narrow(c.GetLower(), c.GetUpper()), ref dst, i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> origin = Vector256.Create(_origin), scale = Vector256.Create(_scale), top = Vector256.Create((double)_cells);
            var nan = Vector256.Create((long)nanCell);
            for (; i + (nuint)Vector256<double>.Count <= n; i += (nuint)Vector256<double>.Count)
            {
                var v = Vector256.LoadUnsafe(ref src, i);
                var t = Vector256.MinNative(Vector256.MaxNative((v - origin) * scale, Vector256<double>.Zero), top);
                var c = Vector256.ConditionalSelect(Vector256.Equals(v, v).AsInt64(), SmallFloorToInt64(t) + Vector256<long>.One, nan);
                Vector128.StoreUnsafe(Vector128.Narrow(c.GetLower(), c.GetUpper()), ref dst, i);
            }
        }

        for (; i < n; i++)
        {
            var v = Unsafe.Add(ref src, i);
            Unsafe.Add(ref dst, i) = double.IsNaN(v) ? nanCell : (int)Math.Min(Math.Max((v - _origin) * _scale, 0), _cells) + 1;
        }
    }

    /// <summary>floor(t) as integers for 0 &lt;= t &lt; 2^31: adding 2^52 puts floor(t) in the low mantissa bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<long> SmallFloorToInt64(Vector256<double> t)
    {
        const double TwoPow52 = 4503599627370496.0;
        var shifted = Vector256.Floor(t) + Vector256.Create(TwoPow52);
        return shifted.AsInt64() - Vector256.Create(TwoPow52).AsInt64();
    }

    /// <summary>Binary search in the table's candidate range (table path with more than <see cref="MaxScanCandidates"/> candidates).</summary>
    private int SearchTable(double value)
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
        // Bins per L1-sized block, then four interleaved count arrays so neighbours sharing a bin do not wait on each other.
        var bins = BinCount;
        var partial = bins <= 256 ? stackalloc long[4 * bins] : new long[4 * bins];
        partial.Clear();
        Span<int> index = stackalloc int[BlockSize];
        ref var p = ref MemoryMarshal.GetReference(partial);
        for (var start = 0; start < values.Length; start += BlockSize)
        {
            var length = Math.Min(BlockSize, values.Length - start);
            var idx = index[..length];
            LookupBins(values.Slice(start, length), idx);
            var i = 0;
            for (; i + 4 <= length; i += 4)
            {
                Unsafe.Add(ref p, idx[i])++;
                Unsafe.Add(ref p, bins + idx[i + 1])++;
                Unsafe.Add(ref p, (2 * bins) + idx[i + 2])++;
                Unsafe.Add(ref p, (3 * bins) + idx[i + 3])++;
            }

            for (; i < length; i++)
            {
                Unsafe.Add(ref p, idx[i])++;
            }
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
            var one = Vector512<long>.One;
            for (; i + (nuint)Vector512<double>.Count <= n; i += (nuint)Vector512<double>.Count)
            {
                // Written as a select so the JIT emits compare-into-mask plus a masked add (two instructions per edge)
                // rather than compare, mask-to-vector and subtract.
                var v = Vector512.LoadUnsafe(ref origin, i);
                a0 = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, v0).AsInt64(), a0 + one, a0);
                a1 = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, v1).AsInt64(), a1 + one, a1);
                a2 = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, v2).AsInt64(), a2 + one, a2);
                a3 = Vector512.ConditionalSelect(Vector512.LessThanOrEqual(v, v3).AsInt64(), a3 + one, a3);
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

    /// <summary>
    /// AVX-512 bins for fewer than 16 edges: a branch-free binary search (steps 8, 4, 2, 1) per lane over the edges padded
    /// to 16 with +inf, held in two registers and read with a two-table permute, so each 8 values cost four compares
    /// instead of one per edge. Four vectors per iteration keep four independent search chains in flight (one chain is
    /// latency-bound). Returns how many values were done (a multiple of 8); NaN goes to bin k.
    /// </summary>
    private nuint IndicesByPermuteSearch(ReadOnlySpan<double> values, Span<int> bins)
    {
        Span<double> padded = stackalloc double[PermuteSearchEdges];
        padded.Fill(double.PositiveInfinity);
        _edges.CopyTo(padded);
        var table = new PermuteTable(
            Vector512.Create((ReadOnlySpan<double>)padded[..8]),
            Vector512.Create((ReadOnlySpan<double>)padded[8..]),
            Vector512.Create(padded[7]),
            Vector512.Create((long)_edges.Length));
        ref var src = ref MemoryMarshal.GetReference(values);
        ref var dst = ref MemoryMarshal.GetReference(bins);
        var n = (nuint)values.Length;
        var width = (nuint)Vector512<double>.Count;
        nuint i = 0;
        for (; i + (4 * width) <= n; i += 4 * width)
        {
            var b0 = table.Search(Vector512.LoadUnsafe(ref src, i));
            var b1 = table.Search(Vector512.LoadUnsafe(ref src, i + width));
            var b2 = table.Search(Vector512.LoadUnsafe(ref src, i + (2 * width)));
            var b3 = table.Search(Vector512.LoadUnsafe(ref src, i + (3 * width)));
            Vector256.StoreUnsafe(Avx512F.ConvertToVector256Int32(b0), ref dst, i);
            Vector256.StoreUnsafe(Avx512F.ConvertToVector256Int32(b1), ref dst, i + width);
            Vector256.StoreUnsafe(Avx512F.ConvertToVector256Int32(b2), ref dst, i + (2 * width));
            Vector256.StoreUnsafe(Avx512F.ConvertToVector256Int32(b3), ref dst, i + (3 * width));
        }

        for (; i + width <= n; i += width)
        {
            Vector256.StoreUnsafe(Avx512F.ConvertToVector256Int32(table.Search(Vector512.LoadUnsafe(ref src, i))), ref dst, i);
        }

        return i;
    }

    /// <summary>Edges padded to 16 with +inf in two registers, for <see cref="IndicesByPermuteSearch"/>.</summary>
    private readonly struct PermuteTable(Vector512<double> lower, Vector512<double> upper, Vector512<double> middle, Vector512<long> nanBin)
    {
        /// <summary>#(table entries &lt; v) per lane (at most 15: entry 15 is +inf), one bit at a time; NaN lanes get the NaN bin.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<long> Search(Vector512<double> v)
        {
            var idx = Vector512.LessThan(middle, v).AsInt64() & Vector512.Create(8L);
            idx = Vector512.ConditionalSelect(Vector512.LessThan(Avx512F.PermuteVar8x64x2(lower, idx + Vector512.Create(3L), upper), v).AsInt64(), idx + Vector512.Create(4L), idx);
            idx = Vector512.ConditionalSelect(Vector512.LessThan(Avx512F.PermuteVar8x64x2(lower, idx + Vector512<long>.One, upper), v).AsInt64(), idx + Vector512.Create(2L), idx);
            idx = Vector512.ConditionalSelect(Vector512.LessThan(Avx512F.PermuteVar8x64x2(lower, idx, upper), v).AsInt64(), idx + Vector512<long>.One, idx);
            return Vector512.ConditionalSelect(Vector512.Equals(v, v).AsInt64(), idx, nanBin);
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
        if (Avx512F.IsSupported && Vector512.IsHardwareAccelerated && k < PermuteSearchEdges)
        {
            i = IndicesByPermuteSearch(values, bins);
        }
        else if (Vector512.IsHardwareAccelerated)
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
