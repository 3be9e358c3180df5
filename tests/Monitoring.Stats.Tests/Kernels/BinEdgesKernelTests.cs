using Monitoring.Stats.Kernels;
using Xunit;

namespace Monitoring.Stats.Tests.Kernels;

/// <summary>
/// <see cref="BinEdges"/> against the binary-search reference: the comparison and permute-search paths (up to 16 edges)
/// and the lookup-table path (more).
/// </summary>
public class BinEdgesKernelTests
{
    public static TheoryData<string> EdgeSets => new()
    {
        "uniform255", "normalQuantiles255", "clustered", "duplicates", "allEqual", "hugeMagnitudeFewUlps", "tinyRange",
        "skewed", "seventeen", "manyEdges", "normalQuantiles999", "single", "deciles9", "fifteenWithDuplicates", "sixteen",
    };

    [Theory]
    [MemberData(nameof(EdgeSets))]
    public void Count_and_BinIndices_match_searchsorted_left(string name)
    {
        var edges = Edges(name);
        var binEdges = new BinEdges(edges);
        var values = Values(edges, 20_011, seed: name.Length);

        var expected = new long[binEdges.BinCount];
        BinEdges.CountScalar(values, edges, expected);
        var counts = new long[binEdges.BinCount];
        binEdges.Count(values, counts);
        Assert.Equal(expected, counts);

        var bins = new int[values.Length];
        binEdges.BinIndices(values, bins);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.True(BinEdges.SearchLeft(edges, values[i]) == bins[i], $"{name}: value {values[i]:R} got bin {bins[i]}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(1023)]
    [InlineData(1025)]
    public void Lengths_around_vector_and_block_sizes_are_exact(int length)
    {
        var edges = Edges("normalQuantiles255");
        var binEdges = new BinEdges(edges);
        var values = Values(edges, length, seed: length);
        var expected = new long[binEdges.BinCount];
        BinEdges.CountScalar(values, edges, expected);
        var counts = new long[binEdges.BinCount];
        binEdges.Count(values, counts);
        Assert.Equal(expected, counts);
    }

    [Fact]
    public void Tables_are_refined_until_one_candidate_for_smooth_edges()
    {
        Assert.Equal(1, new BinEdges(Edges("uniform255")).MaxLookupCandidates);
        Assert.Equal(1, new BinEdges(Edges("normalQuantiles255")).MaxLookupCandidates);
    }

    [Fact]
    public void Every_lookup_mode_is_exercised()
    {
        Assert.True(new BinEdges(Edges("clustered")).MaxLookupCandidates > 4); // binary search in the table range
        Assert.Equal(0, new BinEdges(Edges("tinyRange")).LookupCells); // no table: binary search over all edges
        Assert.Equal(0, new BinEdges(Edges("allEqual")).LookupCells);
        Assert.InRange(new BinEdges(Edges("normalQuantiles999")).MaxLookupCandidates, 2, 4); // scan of several edges
    }

    private static double[] Edges(string name)
    {
        var random = new Random(7);
        switch (name)
        {
            case "uniform255":
                return Enumerable.Range(1, 255).Select(i => -4 + (i * (8.0 / 256))).ToArray();
            case "normalQuantiles255":
            {
                var sample = Enumerable.Range(0, 100_000).Select(_ => Normal(random)).Order().ToArray();
                return Enumerable.Range(1, 255).Select(i => sample[i * sample.Length / 256]).ToArray();
            }

            case "normalQuantiles999":
            {
                // Too many edges to refine the table: several candidates per cell in the dense middle.
                var sample = Enumerable.Range(0, 100_000).Select(_ => Normal(random)).Order().ToArray();
                return Enumerable.Range(1, 999).Select(i => sample[i * sample.Length / 1000]).ToArray();
            }

            case "single":
                return [0.5];
            case "deciles9":
                return Enumerable.Range(1, 9).Select(i => i * 0.1).ToArray();
            case "fifteenWithDuplicates":
                return [-3, -3, -1, -0.0, 0, 0, 0.25, 0.5, 0.5, 0.5, 1, 2, 2, 7, 1e300];
            case "sixteen":
                return Enumerable.Range(0, 16).Select(i => Math.Pow(1.5, i) - 3).ToArray();
            case "clustered":
                // Dense clusters far apart: most table windows hold many edges (binary-search fallback in places).
                return Enumerable.Range(0, 40).Select(i => (i / 10 * 1000.0) + (i % 10 * 1e-6)).ToArray();
            case "duplicates":
                return Enumerable.Range(0, 60).Select(i => Math.Floor(i / 4.0)).ToArray();
            case "allEqual":
                return Enumerable.Repeat(2.5, 20).ToArray();
            case "hugeMagnitudeFewUlps":
                // 1e16 has an ulp of 2: the table cells are far below one ulp.
                return Enumerable.Range(0, 30).Select(i => 1e16 + (2 * (i / 10))).ToArray();
            case "tinyRange":
                return Enumerable.Range(0, 20).Select(i => i * double.Epsilon).ToArray();
            case "skewed":
                return Enumerable.Range(1, 100).Select(i => Math.Exp(i / 5.0)).ToArray();
            case "seventeen":
                return Enumerable.Range(0, 17).Select(i => i * 0.1).ToArray();
            case "manyEdges":
                return Enumerable.Range(0, 5000).Select(i => (i * 0.37) + (random.NextDouble() * 0.1)).ToArray();
            default:
                throw new ArgumentOutOfRangeException(nameof(name));
        }
    }

    /// <summary>Values around and on the edges, outside the range, infinities, NaN and signed zeros.</summary>
    private static double[] Values(double[] edges, int n, int seed)
    {
        var random = new Random(seed);
        var lo = edges[0];
        var hi = edges[^1];
        var width = Math.Max(hi - lo, 1e-300);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = (i % 11) switch
            {
                0 => edges[random.Next(edges.Length)],
                1 => Math.BitIncrement(edges[random.Next(edges.Length)]),
                2 => Math.BitDecrement(edges[random.Next(edges.Length)]),
                3 => lo - (random.NextDouble() * width),
                4 => hi + (random.NextDouble() * width),
                5 => (i % 5) switch { 0 => double.NaN, 1 => double.PositiveInfinity, 2 => double.NegativeInfinity, 3 => -0.0, _ => 0.0 },
                6 => (i % 3) switch { 0 => double.MaxValue, 1 => -double.MaxValue, _ => double.Epsilon },
                _ => lo + (random.NextDouble() * width),
            };
        }

        return values;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
