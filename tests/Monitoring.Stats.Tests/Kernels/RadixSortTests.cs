using Monitoring.Stats.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Kernels;

/// <summary>
/// <see cref="RadixSort.Sort"/> against <see cref="Array.Sort(Array)"/>: the result is non-decreasing, equals the
/// Array.Sort result element-wise under <c>==</c> (so -0.0 and 0.0 are interchangeable), and is a permutation of the
/// input bit for bit (no zero changes its sign, no value is altered). Lengths below
/// <see cref="RadixSort.ComparisonSortThreshold"/> take the comparison sort, the rest the radix passes.
/// </summary>
public sealed class RadixSortTests
{
    private static readonly int[] LargeLengths = [RadixSort.ComparisonSortThreshold - 1, RadixSort.ComparisonSortThreshold, RadixSort.ComparisonSortThreshold + 1, 1000, 4096, 100_000];

    private readonly ITestOutputHelper _output;

    public RadixSortTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine(SimdInfo.Describe());
    }

    public static TheoryData<SortData> Kinds() => [.. Enum.GetValues<SortData>()];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Sort_MatchesArraySort_ForEveryLength(SortData kind)
    {
        for (var n = 0; n <= 256; n++)
        {
            AssertSortsLikeArraySort(Generate(kind, n, seed: n));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Sort_MatchesArraySort_ForLargeLengths(SortData kind)
    {
        foreach (var n in LargeLengths)
        {
            AssertSortsLikeArraySort(Generate(kind, n, seed: n));
        }
    }

    [Fact]
    public void Sort_OnTheRadixPath_PutsNegativeZeroBeforePositiveZero()
    {
        var n = 4 * RadixSort.ComparisonSortThreshold;
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = i % 3 == 0 ? 0.0 : i % 3 == 1 ? -0.0 : (i % 7) - 3;
        }

        RadixSort.Sort(values);
        var zeros = values.Where(v => v == 0).Select(double.IsNegative).ToArray();
        var firstPositiveZero = Array.IndexOf(zeros, false);
        Assert.True(firstPositiveZero > 0);
        Assert.All(zeros[..firstPositiveZero], Assert.True);
        Assert.All(zeros[firstPositiveZero..], Assert.False);
    }

    [Fact]
    public void SortedCopy_LeavesTheInputUnchanged()
    {
        foreach (var n in new[] { 0, 10, RadixSort.ComparisonSortThreshold + 5 })
        {
            var values = Generate(SortData.Mixed, n, seed: 1);
            var original = (double[])values.Clone();
            var sorted = RadixSort.SortedCopy(values);
            Assert.Equal(original, values);
            var expected = (double[])original.Clone();
            Array.Sort(expected);
            AssertEqualNumerically(expected, sorted);
        }
    }

    private static void AssertSortsLikeArraySort(double[] values)
    {
        var expected = (double[])values.Clone();
        Array.Sort(expected);
        var actual = (double[])values.Clone();
        RadixSort.Sort(actual);

        for (var i = 1; i < actual.Length; i++)
        {
            if (!(actual[i - 1] <= actual[i]))
            {
                Assert.Fail($"Not sorted at {i} of {actual.Length}: {actual[i - 1]:R} then {actual[i]:R}.");
            }
        }

        AssertEqualNumerically(expected, actual);

        // Permutation bit for bit: the multisets of bit patterns agree.
        var expectedBits = values.Select(BitConverter.DoubleToInt64Bits).Order().ToArray();
        var actualBits = actual.Select(BitConverter.DoubleToInt64Bits).Order().ToArray();
        Assert.Equal(expectedBits, actualBits);
    }

    private static void AssertEqualNumerically(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            if (!(expected[i] == actual[i]))
            {
                Assert.Fail($"Element {i} of {expected.Length}: Array.Sort gives {expected[i]:R}, RadixSort {actual[i]:R}.");
            }
        }
    }

    private static double[] Generate(SortData kind, int n, int seed)
    {
        var rng = new Random(seed);
        var values = new double[n];
        double[] specials =
        [
            double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.Epsilon, -double.Epsilon,
            double.MaxValue, double.MinValue, 2.2250738585072014e-308, -2.2250738585072014e-308, 1.0, -1.0,
        ];
        for (var i = 0; i < n; i++)
        {
            values[i] = kind switch
            {
                SortData.Mixed => rng.Next(6) switch
                {
                    0 => specials[rng.Next(specials.Length)],
                    1 => rng.Next(-1000, 1000) * double.Epsilon,
                    2 => rng.Next(-5, 5),
                    _ => TestEdges.Normal(rng) * Math.Pow(10, rng.Next(-30, 30)),
                },
                SortData.Normal => TestEdges.Normal(rng),
                SortData.AllEqual => 3.25,
                SortData.AllEqualNegative => -7.5,
                SortData.SignedZeros => rng.Next(2) == 0 ? 0.0 : -0.0,
                SortData.FewDuplicates => rng.Next(4) - 1.5,
                SortData.SmallIntegers => rng.Next(-128, 128),
                SortData.PositiveNarrowRange => 1 + rng.NextDouble(),
                SortData.Subnormals => (rng.Next(2) == 0 ? -1 : 1) * rng.NextInt64(0, 1L << 52) * double.Epsilon,
                SortData.Descending => n - i - (n / 2.0),
                SortData.Ascending => i - (n / 2.0),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
        }

        return values;
    }
}

/// <summary>Input shapes for the sort tests.</summary>
public enum SortData
{
    /// <summary>Infinities, signed zeros, subnormals, extremes, duplicates and normals over 60 decades.</summary>
    Mixed,

    /// <summary>Standard normal.</summary>
    Normal,

    /// <summary>One positive value repeated (every radix pass skipped).</summary>
    AllEqual,

    /// <summary>One negative value repeated.</summary>
    AllEqualNegative,

    /// <summary>Only 0.0 and -0.0.</summary>
    SignedZeros,

    /// <summary>Four distinct values of both signs.</summary>
    FewDuplicates,

    /// <summary>Integers -128..127 (low mantissa bytes all zero: low passes skipped).</summary>
    SmallIntegers,

    /// <summary>Values in [1, 2) (top bytes shared: high passes skipped).</summary>
    PositiveNarrowRange,

    /// <summary>Subnormals of both signs and zeros.</summary>
    Subnormals,

    /// <summary>Strictly descending.</summary>
    Descending,

    /// <summary>Strictly ascending.</summary>
    Ascending,
}
