using Monitoring.Stats.Kernels;
using Monitoring.Stats.Sketches;
using Monitoring.Stats.Tests.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Sketches;

/// <summary>
/// <see cref="MomentsSketch"/>: count, nulls, min and max exact; mean and variance against a direct two-pass computation
/// (sums carry about n eps relative rounding; the variance from sums loses a further factor (mean^2 + var) / var, about
/// 10 for the data here); merging parts equals sketching the whole.
/// </summary>
public sealed class MomentsSketchTests
{
    private readonly ITestOutputHelper _output;

    public MomentsSketchTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine(SimdInfo.Describe());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void MeanAndVariance_MatchADirectTwoPassComputation(int n)
    {
        var rng = new Random(n);
        var values = Enumerable.Range(0, n).Select(_ => 3 + (TestEdges.Normal(rng) * 2)).ToArray();
        var sketch = new MomentsSketch();
        sketch.Add(values);

        var mean = values.Sum() / n;
        var variance = values.Sum(v => (v - mean) * (v - mean)) / n;
        Assert.Equal(n, sketch.Count);
        Assert.Equal(values.Min(), sketch.Min);
        Assert.Equal(values.Max(), sketch.Max);
        AssertRelative(mean, sketch.Mean, 1e-12);
        Assert.Equal(variance, sketch.Variance, 1e-11 * Math.Max(variance, mean * mean));
        Assert.Equal(0, sketch.Nulls);
        Assert.Equal(0, sketch.NullFraction);
    }

    [Fact]
    public void Merge_EqualsTheSketchOfTheConcatenation()
    {
        var rng = new Random(17);
        var parts = new[] { 0, 1, 3, 8, 1000, 4097 }
            .Select(n => Enumerable.Range(0, n).Select(_ => (TestEdges.Normal(rng) * 5) - 1).ToArray())
            .ToArray();
        var nulls = new long[] { 0, 2, 0, 1, 10, 0 };
        var merged = new MomentsSketch();
        var all = new MomentsSketch();
        for (var i = 0; i < parts.Length; i++)
        {
            var part = new MomentsSketch();
            part.Add(parts[i]);
            part.AddNulls(nulls[i]);
            merged.Merge(part);
        }

        all.Add(parts.SelectMany(p => p).ToArray());
        all.AddNulls(nulls.Sum());

        Assert.Equal(all.Count, merged.Count);
        Assert.Equal(all.Nulls, merged.Nulls);
        Assert.Equal(all.Min, merged.Min);
        Assert.Equal(all.Max, merged.Max);
        Assert.Equal(all.NullFraction, merged.NullFraction);
        AssertRelative(all.Sum, merged.Sum, 1e-11);
        AssertRelative(all.SumOfSquares, merged.SumOfSquares, 1e-12);
        AssertRelative(all.Mean, merged.Mean, 1e-11);
        AssertRelative(all.Variance, merged.Variance, 1e-11);
    }

    [Fact]
    public void Merge_OfIntegers_IsExact()
    {
        var rng = new Random(3);
        var a = Enumerable.Range(0, 3000).Select(_ => (double)rng.Next(-1000, 1000)).ToArray();
        var b = Enumerable.Range(0, 17).Select(_ => (double)rng.Next(0, 10)).ToArray();
        var sa = new MomentsSketch();
        var sb = new MomentsSketch();
        sa.Add(a);
        sb.Add(b);
        sa.Merge(sb);
        var all = new MomentsSketch();
        all.Add([.. a, .. b]);
        Assert.Equal(a.Sum() + b.Sum(), sa.Sum);
        Assert.Equal(all.Sum, sa.Sum);
        Assert.Equal(all.SumOfSquares, sa.SumOfSquares);
        Assert.Equal(all.Variance, sa.Variance);
    }

    [Fact]
    public void EmptySketch_HasNaNMomentsAndInfiniteExtremes_AndMergingItChangesNothing()
    {
        var empty = new MomentsSketch();
        Assert.Equal(0, empty.Count);
        Assert.True(double.IsNaN(empty.Mean));
        Assert.True(double.IsNaN(empty.Variance));
        Assert.Equal(double.PositiveInfinity, empty.Min);
        Assert.Equal(double.NegativeInfinity, empty.Max);
        Assert.Equal(0, empty.NullFraction);

        var sketch = new MomentsSketch();
        sketch.Add([2.0, -1.0, 5.0]);
        sketch.Add([]);
        sketch.Merge(new MomentsSketch());
        Assert.Equal(3, sketch.Count);
        Assert.Equal(-1.0, sketch.Min);
        Assert.Equal(5.0, sketch.Max);
        Assert.Equal(2.0, sketch.Mean);
        Assert.Equal(6.0, sketch.Variance);

        var into = new MomentsSketch();
        into.Merge(sketch);
        Assert.Equal(-1.0, into.Min);
        Assert.Equal(5.0, into.Max);
        Assert.Equal(2.0, into.Mean);
    }

    [Fact]
    public void Nulls_AreCountedApart_AndNegativeNullsAreRejected()
    {
        var sketch = new MomentsSketch();
        sketch.AddNulls(3);
        Assert.Equal(1.0, sketch.NullFraction);
        sketch.Add([1.0]);
        Assert.Equal(0.75, sketch.NullFraction);
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.AddNulls(-1));
        Assert.Throws<ArgumentNullException>(() => sketch.Merge(null!));
    }

    [Fact]
    public void Variance_OfAConstant_IsZeroNotNegative()
    {
        var sketch = new MomentsSketch();
        sketch.Add(Enumerable.Repeat(0.1, 1001).ToArray());
        Assert.Equal(0.0, sketch.Variance, 1e-15);
        Assert.True(sketch.Variance >= 0);
    }

    private static void AssertRelative(double expected, double actual, double relative) =>
        Assert.True(
            Math.Abs(expected - actual) <= relative * Math.Abs(expected),
            $"expected {expected:R}, got {actual:R} (relative difference {Math.Abs(expected - actual) / Math.Abs(expected):E3}).");
}
