using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monitoring.Stats.Kernels;

/// <summary>
/// Per-bin count, sum of values and sum of weights in one pass: the kernel under reliability diagrams (values = scores,
/// weights = 0/1 labels) and under per-class score histograms. Bins come from <see cref="BinEdges"/> (SIMD bin indices
/// for few edges); the scatter into bins runs four interleaved accumulator sets so neighbours in the same bin do not wait
/// on each other.
/// </summary>
public static class BinnedSums
{
    /// <summary>Adds to counts[b], valueSums[b] and weightSums[b] the count, sum of values and sum of weights in bin b.</summary>
    public static void Accumulate(
        ReadOnlySpan<double> values,
        ReadOnlySpan<double> weights,
        BinEdges edges,
        Span<long> counts,
        Span<double> valueSums,
        Span<double> weightSums)
    {
        ArgumentNullException.ThrowIfNull(edges);
        if (weights.Length != values.Length)
        {
            throw new ArgumentException($"weights has {weights.Length} elements; values has {values.Length}.", nameof(weights));
        }

        var bins = edges.BinCount;
        if (counts.Length != bins || valueSums.Length != bins || weightSums.Length != bins)
        {
            throw new ArgumentException($"counts, valueSums and weightSums must each have {bins} elements (edges + 1).", nameof(counts));
        }

        if (Vector256.IsHardwareAccelerated)
        {
            AccumulateRecords(values, weights, edges, counts, valueSums, weightSums);
            return;
        }

        Span<int> index = stackalloc int[BinEdges.BlockSize];
        // Four accumulator sets, laid out [set][bin].
        var partialCounts = bins <= 64 ? stackalloc long[4 * bins] : new long[4 * bins];
        var partialValues = bins <= 64 ? stackalloc double[4 * bins] : new double[4 * bins];
        var partialWeights = bins <= 64 ? stackalloc double[4 * bins] : new double[4 * bins];
        partialCounts.Clear();
        partialValues.Clear();
        partialWeights.Clear();
        for (var start = 0; start < values.Length; start += BinEdges.BlockSize)
        {
            var length = Math.Min(BinEdges.BlockSize, values.Length - start);
            var v = values.Slice(start, length);
            var w = weights.Slice(start, length);
            var idx = index[..length];
            edges.BinIndices(v, idx);
            var i = 0;
            for (; i + 4 <= length; i += 4)
            {
                int b0 = idx[i], b1 = bins + idx[i + 1], b2 = (2 * bins) + idx[i + 2], b3 = (3 * bins) + idx[i + 3];
                partialCounts[b0]++;
                partialCounts[b1]++;
                partialCounts[b2]++;
                partialCounts[b3]++;
                partialValues[b0] += v[i];
                partialValues[b1] += v[i + 1];
                partialValues[b2] += v[i + 2];
                partialValues[b3] += v[i + 3];
                partialWeights[b0] += w[i];
                partialWeights[b1] += w[i + 1];
                partialWeights[b2] += w[i + 2];
                partialWeights[b3] += w[i + 3];
            }

            for (; i < length; i++)
            {
                partialCounts[idx[i]]++;
                partialValues[idx[i]] += v[i];
                partialWeights[idx[i]] += w[i];
            }
        }

        for (var b = 0; b < bins; b++)
        {
            counts[b] += partialCounts[b] + partialCounts[bins + b] + partialCounts[(2 * bins) + b] + partialCounts[(3 * bins) + b];
            valueSums[b] += (partialValues[b] + partialValues[bins + b]) + (partialValues[(2 * bins) + b] + partialValues[(3 * bins) + b]);
            weightSums[b] += (partialWeights[b] + partialWeights[bins + b]) + (partialWeights[(2 * bins) + b] + partialWeights[(3 * bins) + b]);
        }
    }

    /// <summary>
    /// The same sums with one vector read-modify-write per value instead of three scalar ones: each (set, bin) holds a
    /// record (value sum, weight sum, count, unused) and value i adds (v_i, w_i, 1, 0) to record (i mod 4, bin_i). Every
    /// set sees the same values in the same order as the scalar-record loop, so the sums are bit-identical to it; counts
    /// are exact in doubles (below 2^53).
    /// </summary>
    private static void AccumulateRecords(
        ReadOnlySpan<double> values,
        ReadOnlySpan<double> weights,
        BinEdges edges,
        Span<long> counts,
        Span<double> valueSums,
        Span<double> weightSums)
    {
        const int RecordSize = 4;
        var bins = edges.BinCount;
        Span<int> index = stackalloc int[BinEdges.BlockSize];
        var records = bins <= 64 ? stackalloc double[4 * bins * RecordSize] : new double[4 * bins * RecordSize];
        records.Clear();
        ref var record0 = ref Unsafe.As<double, Vector256<double>>(ref MemoryMarshal.GetReference(records));
        ref var record1 = ref Unsafe.Add(ref record0, bins);
        ref var record2 = ref Unsafe.Add(ref record0, 2 * bins);
        ref var record3 = ref Unsafe.Add(ref record0, 3 * bins);
        var countOne = Vector128.Create(1.0, 0.0);
        ref var b = ref MemoryMarshal.GetReference(index);
        for (var start = 0; start < values.Length; start += BinEdges.BlockSize)
        {
            var length = Math.Min(BinEdges.BlockSize, values.Length - start);
            edges.BinIndices(values.Slice(start, length), index[..length]);
            ref var v = ref Unsafe.Add(ref MemoryMarshal.GetReference(values), start);
            ref var w = ref Unsafe.Add(ref MemoryMarshal.GetReference(weights), start);
            nuint i = 0;
            for (; i + 4 <= (nuint)length; i += 4)
            {
                Add(ref Unsafe.Add(ref record0, (nuint)Unsafe.Add(ref b, i)), Unsafe.Add(ref v, i), Unsafe.Add(ref w, i), countOne);
                Add(ref Unsafe.Add(ref record1, (nuint)Unsafe.Add(ref b, i + 1)), Unsafe.Add(ref v, i + 1), Unsafe.Add(ref w, i + 1), countOne);
                Add(ref Unsafe.Add(ref record2, (nuint)Unsafe.Add(ref b, i + 2)), Unsafe.Add(ref v, i + 2), Unsafe.Add(ref w, i + 2), countOne);
                Add(ref Unsafe.Add(ref record3, (nuint)Unsafe.Add(ref b, i + 3)), Unsafe.Add(ref v, i + 3), Unsafe.Add(ref w, i + 3), countOne);
            }

            for (; i < (nuint)length; i++)
            {
                Add(ref Unsafe.Add(ref record0, (nuint)Unsafe.Add(ref b, i)), Unsafe.Add(ref v, i), Unsafe.Add(ref w, i), countOne);
            }
        }

        for (var bin = 0; bin < bins; bin++)
        {
            var r0 = Unsafe.Add(ref record0, bin);
            var r1 = Unsafe.Add(ref record0, bins + bin);
            var r2 = Unsafe.Add(ref record0, (2 * bins) + bin);
            var r3 = Unsafe.Add(ref record0, (3 * bins) + bin);
            var total = (r0 + r1) + (r2 + r3);
            valueSums[bin] += total[0];
            weightSums[bin] += total[1];
            counts[bin] += (long)total[2];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(ref Vector256<double> record, double value, double weight, Vector128<double> countOne) =>
        record += Vector256.Create(Vector128.Create(value, weight), countOne);

    /// <summary>Scalar reference: one value at a time, binary-search bins.</summary>
    internal static void AccumulateScalar(
        ReadOnlySpan<double> values, ReadOnlySpan<double> weights, ReadOnlySpan<double> edges,
        Span<long> counts, Span<double> valueSums, Span<double> weightSums)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var b = BinEdges.SearchLeft(edges, values[i]);
            counts[b]++;
            valueSums[b] += values[i];
            weightSums[b] += weights[i];
        }
    }
}
