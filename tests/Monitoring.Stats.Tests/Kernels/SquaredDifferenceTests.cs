using Monitoring.Stats.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Kernels;

/// <summary>
/// <see cref="SquaredDifference.Sum"/> against <see cref="SquaredDifference.SumScalar"/>. Every term is non-negative, so
/// any summation order (and fused or unfused multiply-add) is within a relative (n - 1) eps of the exact sum: 1e-12
/// relative covers every length up to 256 and beyond; the large lengths are held to 2 n eps relative.
/// </summary>
public sealed class SquaredDifferenceTests
{
    private const double RelativeTolerance = 1e-12;
    private const double UnitRoundoff = 1.1102230246251565e-16; // 2^-53

    private readonly ITestOutputHelper _output;

    public SquaredDifferenceTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine(SimdInfo.Describe());
    }

    [Fact]
    public void Sum_MatchesScalarReference_ForEveryLength()
    {
        for (var n = 0; n <= 256; n++)
        {
            var (x, y) = RandomPair(n, seed: n);
            AssertClose(x, y, RelativeTolerance, offset: n % 8);
        }
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(10_000)]
    [InlineData(100_003)]
    public void Sum_MatchesScalarReference_ForLargeLengths(int n)
    {
        var (x, y) = RandomPair(n, seed: n);
        AssertClose(x, y, Math.Max(RelativeTolerance, 2 * n * UnitRoundoff), offset: 3);
    }

    [Fact]
    public void Sum_OfSmallIntegers_IsExact_ForEveryLength()
    {
        // Squares of integer differences sum exactly in doubles, whatever the order.
        for (var n = 0; n <= 256; n++)
        {
            var rng = new Random(1000 + n);
            var x = Enumerable.Range(0, n).Select(_ => (double)rng.Next(-100, 101)).ToArray();
            var y = Enumerable.Range(0, n).Select(_ => (double)rng.Next(-100, 101)).ToArray();
            Assert.Equal(SquaredDifference.SumScalar(x, y), SquaredDifference.Sum(x, y));
        }
    }

    [Fact]
    public void Sum_OfScoresAgainstLabels_MatchesScalarReference()
    {
        // The Brier use: scores in [0, 1] against 0/1 labels.
        for (var n = 0; n <= 256; n++)
        {
            var rng = new Random(n + 7);
            var scores = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            var labels = Enumerable.Range(0, n).Select(_ => (double)rng.Next(2)).ToArray();
            AssertClose(scores, labels, RelativeTolerance, offset: 0);
        }
    }

    [Fact]
    public void NaN_Propagates_FromEveryPosition()
    {
        foreach (var n in new[] { 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100 })
        {
            for (var position = 0; position < n; position++)
            {
                var (x, y) = RandomPair(n, seed: n);
                if (position % 2 == 0)
                {
                    x[position] = double.NaN;
                }
                else
                {
                    y[position] = double.NaN;
                }

                Assert.True(double.IsNaN(SquaredDifference.Sum(x, y)), $"NaN at {position} of {n} was lost.");
                Assert.True(double.IsNaN(SquaredDifference.SumScalar(x, y)));
            }
        }
    }

    [Fact]
    public void Infinity_GivesInfinity_AndInfinityMinusInfinity_GivesNaN_FromEveryPosition()
    {
        foreach (var n in new[] { 1, 5, 8, 16, 17, 32, 33, 64, 65, 129 })
        {
            for (var position = 0; position < n; position++)
            {
                var (x, y) = RandomPair(n, seed: n + 1);
                x[position] = position % 3 == 0 ? double.NegativeInfinity : double.PositiveInfinity;
                Assert.Equal(double.PositiveInfinity, SquaredDifference.Sum(x, y));
                Assert.Equal(double.PositiveInfinity, SquaredDifference.SumScalar(x, y));

                y[position] = x[position];
                Assert.True(double.IsNaN(SquaredDifference.Sum(x, y)), $"inf - inf at {position} of {n} did not give NaN.");
                Assert.True(double.IsNaN(SquaredDifference.SumScalar(x, y)));
            }
        }
    }

    [Fact]
    public void Overflow_GivesInfinity_AndSubnormalDifferences_AreNotLost()
    {
        foreach (var n in new[] { 1, 8, 16, 33, 64, 257 })
        {
            var big = Enumerable.Repeat(1e200, n).ToArray();
            var minusBig = Enumerable.Repeat(-1e200, n).ToArray();
            Assert.Equal(double.PositiveInfinity, SquaredDifference.Sum(big, minusBig));

            // Differences of 2^-520 square to 2^-1040 (subnormal): the sum is n * 2^-1040 exactly in both.
            var tiny = Enumerable.Repeat(Math.Pow(2, -520), n).ToArray();
            var zeros = new double[n];
            Assert.Equal(SquaredDifference.SumScalar(tiny, zeros), SquaredDifference.Sum(tiny, zeros));
            Assert.Equal(n * Math.Pow(2, -1040), SquaredDifference.Sum(tiny, zeros));
        }
    }

    [Fact]
    public void Sum_OfEmptySpans_IsZero()
    {
        Assert.Equal(0.0, SquaredDifference.Sum([], []));
    }

    [Fact]
    public void Sum_RejectsSpansOfDifferentLengths()
    {
        Assert.Throws<ArgumentException>(() => SquaredDifference.Sum(new double[3], new double[4]));
        Assert.Throws<ArgumentException>(() => SquaredDifference.Sum(new double[64], new double[63]));
    }

    private static void AssertClose(double[] x, double[] y, double relativeTolerance, int offset)
    {
        // Copy into buffers at different offsets so the two spans are misaligned differently.
        var yOffset = (offset + 5) % 8;
        var xb = new double[x.Length + offset];
        var yb = new double[y.Length + yOffset];
        x.CopyTo(xb, offset);
        y.CopyTo(yb, yOffset);
        var expected = SquaredDifference.SumScalar(xb.AsSpan(offset), yb.AsSpan(yOffset));
        var actual = SquaredDifference.Sum(xb.AsSpan(offset), yb.AsSpan(yOffset));
        var difference = Math.Abs(expected - actual);
        Assert.True(
            difference <= relativeTolerance * expected,
            $"n = {x.Length}: expected {expected:R}, got {actual:R} (relative difference {difference / expected:E3}).");
    }

    private static (double[] X, double[] Y) RandomPair(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            // Mixed scales so the terms span many magnitudes.
            var scale = Math.Pow(10, rng.Next(-3, 4));
            x[i] = TestEdges.Normal(rng) * scale;
            y[i] = (x[i] * 0.9) + (TestEdges.Normal(rng) * scale);
        }

        return (x, y);
    }
}
