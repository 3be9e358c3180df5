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
