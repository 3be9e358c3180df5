using Monitoring.Stats.Kernels;
using Xunit;

namespace Monitoring.Stats.Tests.Kernels;

/// <summary><see cref="BinnedSums.Accumulate"/> (vector-record path where 256-bit vectors are accelerated).</summary>
public class BinnedSumsRecordTests
{
    [Theory]
    [InlineData(9, 0)]
    [InlineData(9, 3)]
    [InlineData(9, 1024)]
    [InlineData(9, 100_003)]
    [InlineData(1, 5000)]
    [InlineData(100, 5000)] // more than 64 bins: heap accumulators, lookup-table bins
    [InlineData(255, 20_001)]
    public void Matches_the_four_set_reference_bit_for_bit(int edgeCount, int n)
    {
        var random = new Random((edgeCount * 31) + n);
        var edges = Enumerable.Range(1, edgeCount).Select(i => (double)i / (edgeCount + 1)).ToArray();
        var values = new double[n];
        var weights = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = (i % 13) switch
            {
                0 => edges[random.Next(edges.Length)],
                1 => double.NaN,
                2 => -0.0,
                _ => (random.NextDouble() * 1.2) - 0.1,
            };
            weights[i] = i % 7 == 0 ? random.NextDouble() * 1e6 : random.Next(2);
        }

        var binEdges = new BinEdges(edges);
        var bins = binEdges.BinCount;
        var counts = Enumerable.Repeat(5L, bins).ToArray(); // Accumulate adds to what is there
        var valueSums = Enumerable.Repeat(0.25, bins).ToArray();
        var weightSums = Enumerable.Repeat(-1.0, bins).ToArray();
        BinnedSums.Accumulate(values, weights, binEdges, counts, valueSums, weightSums);

        var (expectedCounts, expectedValues, expectedWeights) = FourSetReference(values, weights, edges);
        for (var b = 0; b < bins; b++)
        {
            Assert.Equal(5 + expectedCounts[b], counts[b]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(0.25 + expectedValues[b]), BitConverter.DoubleToInt64Bits(valueSums[b]));
            Assert.Equal(BitConverter.DoubleToInt64Bits(-1.0 + expectedWeights[b]), BitConverter.DoubleToInt64Bits(weightSums[b]));
        }

        // And within rounding of the plain left-to-right reference.
        var scalarCounts = new long[bins];
        var scalarValues = new double[bins];
        var scalarWeights = new double[bins];
        BinnedSums.AccumulateScalar(values, weights, edges, scalarCounts, scalarValues, scalarWeights);
        Assert.Equal(scalarCounts, expectedCounts);
        for (var b = 0; b < bins; b++)
        {
            if (double.IsNaN(scalarValues[b]))
            {
                Assert.True(double.IsNaN(expectedValues[b])); // the NaN values' bin
                continue;
            }

            Assert.Equal(scalarValues[b], expectedValues[b], 1e-12 * Math.Max(1, Math.Abs(scalarValues[b])));
            Assert.Equal(scalarWeights[b], expectedWeights[b], 1e-12 * Math.Max(1, Math.Abs(scalarWeights[b])));
        }
    }

    /// <summary>Value i accumulates into set i mod 4 (the tail of each 1024-block into set 0); sets summed (0 + 1) + (2 + 3).</summary>
    private static (long[] Counts, double[] Values, double[] Weights) FourSetReference(double[] values, double[] weights, double[] edges)
    {
        var bins = edges.Length + 1;
        var c = new long[4, bins];
        var v = new double[4, bins];
        var w = new double[4, bins];
        for (var start = 0; start < values.Length; start += BinEdges.BlockSize)
        {
            var length = Math.Min(BinEdges.BlockSize, values.Length - start);
            var fullGroups = length / 4 * 4;
            for (var j = 0; j < length; j++)
            {
                var set = j < fullGroups ? j % 4 : 0;
                var bin = BinEdges.SearchLeft(edges, values[start + j]);
                c[set, bin]++;
                v[set, bin] += values[start + j];
                w[set, bin] += weights[start + j];
            }
        }

        var counts = new long[bins];
        var sums = new double[bins];
        var weightSums = new double[bins];
        for (var b = 0; b < bins; b++)
        {
            counts[b] = c[0, b] + c[1, b] + c[2, b] + c[3, b];
            sums[b] = (v[0, b] + v[1, b]) + (v[2, b] + v[3, b]);
            weightSums[b] = (w[0, b] + w[1, b]) + (w[2, b] + w[3, b]);
        }

        return (counts, sums, weightSums);
    }
}
