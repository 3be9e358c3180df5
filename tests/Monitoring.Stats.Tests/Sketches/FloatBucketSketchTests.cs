using Monitoring.Stats.Kernels;
using Monitoring.Stats.Sketches;
using Xunit;

namespace Monitoring.Stats.Tests.Sketches;

public sealed class FloatBucketSketchTests
{
    private static long[] Exact(double[] values, double[] edges)
    {
        var counts = new long[edges.Length + 1];
        var bins = new BinEdges(edges);
        foreach (var v in values)
        {
            counts[bins.BinOf(v)]++;
        }
        return counts;
    }

    private static (double[] Edges, FloatBucketSketch Sketch) Deciles(double[] values)
    {
        var sketch = new FloatBucketSketch();
        foreach (var v in values)
        {
            sketch.Add(v);
        }
        var edges = Enumerable.Range(1, 9).Select(i => sketch.Quantile(i / 10.0)).Distinct().Order().ToArray();
        return (edges, sketch);
    }

    [Fact]
    public void ConstantSample_CountsOverItsOwnDeciles_AsExactCountingDoes()
    {
        // A constant feature (an hour of day within one hour): every decile is the value itself, clamped to [min, max].
        // The bucket holding it reaches past the value, so assigning it by the bucket's upper edge put every reference
        // value above the edge while exact counting puts every window value at it: PSI 18 between identical samples.
        var values = Enumerable.Repeat(17.0, 1000).ToArray();
        var (edges, sketch) = Deciles(values);
        Assert.Equal([17.0], edges);
        Assert.Equal(Exact(values, edges), sketch.CountsOver(edges, out var straddling));
        Assert.Equal(0, straddling);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CountsOverDeciles_DifferFromExactCounting_ByAtMostTheStraddlingValues(int seed)
    {
        var rng = new Random(seed);
        var values = Enumerable.Range(0, 5000).Select(_ => Math.Round(40 + 10 * (rng.NextDouble() + rng.NextDouble() - 1), seed)).ToArray();
        var (edges, sketch) = Deciles(values);
        var approx = sketch.CountsOver(edges, out var straddling);
        var exact = Exact(values, edges);
        Assert.Equal(values.Length, approx.Sum());
        Assert.True(approx.Zip(exact, (a, e) => Math.Abs(a - e)).Sum() <= 2 * straddling,
            $"moved {approx.Zip(exact, (a, e) => Math.Abs(a - e)).Sum()} > 2 x straddling {straddling}");
    }
}
