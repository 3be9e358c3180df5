using Monitoring.Stats.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Kernels;

/// <summary>
/// <see cref="BinEdges.Count"/> and <see cref="BinEdges.BinIndices"/> against the scalar reference
/// (<see cref="BinEdges.CountScalar"/>, <see cref="BinEdges.SearchLeft"/>) on both the comparison path (&lt;= 16 edges)
/// and the lookup-table path, over every short length, misaligned spans, special values and seeded random data.
/// </summary>
public sealed class BinEdgesTests
{
    private static readonly int[] EdgeCounts = [0, 1, 3, 4, 5, 9, 16, 17, 100, 255];

    private static readonly int[] LargeLengths = [1023, 1024, 1025, 4099, 10_000];

    private readonly ITestOutputHelper _output;

    public BinEdgesTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine(SimdInfo.Describe());
    }

    public static TheoryData<int, EdgeShape> EdgeSets()
    {
        var data = new TheoryData<int, EdgeShape>();
        foreach (var k in EdgeCounts)
        {
            foreach (var shape in Enum.GetValues<EdgeShape>())
            {
                data.Add(k, shape);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EdgeSets))]
    public void Count_MatchesScalarReference_ForEveryLength(int edgeCount, EdgeShape shape)
    {
        var edges = TestEdges.Create(edgeCount, shape);
        var binEdges = new BinEdges(edges);
        LogPath(binEdges);
        for (var n = 0; n <= 256; n++)
        {
            AssertCountMatches(binEdges, TestEdges.Values(edges, n, seed: (edgeCount * 1000) + n), offset: n % 8);
        }
    }

    [Theory]
    [MemberData(nameof(EdgeSets))]
    public void Count_MatchesScalarReference_ForLargeLengths(int edgeCount, EdgeShape shape)
    {
        var edges = TestEdges.Create(edgeCount, shape);
        var binEdges = new BinEdges(edges);
        foreach (var n in LargeLengths)
        {
            AssertCountMatches(binEdges, TestEdges.Values(edges, n, seed: n + edgeCount), offset: n % 5);
        }
    }

    [Theory]
    [MemberData(nameof(EdgeSets))]
    public void BinIndices_MatchSearchLeft_ForEveryLength(int edgeCount, EdgeShape shape)
    {
        var edges = TestEdges.Create(edgeCount, shape);
        var binEdges = new BinEdges(edges);
        for (var n = 0; n <= 256; n++)
        {
            AssertIndicesMatch(binEdges, TestEdges.Values(edges, n, seed: 77 + (edgeCount * 1000) + n), offset: (n * 3) % 8);
        }

        foreach (var n in LargeLengths)
        {
            AssertIndicesMatch(binEdges, TestEdges.Values(edges, n, seed: 5 * n), offset: 1);
        }
    }

    [Theory]
    [MemberData(nameof(EdgeSets))]
    public void SpecialValues_AreBinnedLikeTheScalarReference_OnEveryLane(int edgeCount, EdgeShape shape)
    {
        var edges = TestEdges.Create(edgeCount, shape);
        var binEdges = new BinEdges(edges);
        var specials = TestEdges.SpecialValues(edges);

        // Each special value alone, then surrounded by filler so that it lands on every lane of every vector width.
        foreach (var v in specials)
        {
            Assert.Equal(BinEdges.SearchLeft(edges, v), binEdges.BinOf(v));
            for (var lane = 0; lane < 9; lane++)
            {
                var values = new double[17];
                Array.Fill(values, 0.5);
                values[lane] = v;
                values[lane + 8] = v;
                AssertCountMatches(binEdges, values, offset: 0);
                AssertIndicesMatch(binEdges, values, offset: 0);
            }
        }

        AssertCountMatches(binEdges, specials, offset: 0);
        AssertIndicesMatch(binEdges, specials, offset: 3);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(255)]
    public void NaN_GoesToTheLastBin_AndSignedZerosToTheBinOfEdgeZero(int edgeCount)
    {
        // Edges -1 .. +1 with 0.0 among them (odd counts) or forced in.
        var edges = TestEdges.Create(edgeCount, EdgeShape.Uniform);
        edges[edgeCount / 2] = 0.0;
        Array.Sort(edges);
        var zeroIndex = Array.IndexOf(edges, 0.0);
        var binEdges = new BinEdges(edges);

        double[] values = [double.NaN, -0.0, 0.0, double.Epsilon, -double.Epsilon, double.PositiveInfinity, double.NegativeInfinity];
        var bins = new int[values.Length];
        binEdges.BinIndices(values, bins);
        Assert.Equal(edgeCount, bins[0]);
        Assert.Equal(zeroIndex, bins[1]);
        Assert.Equal(zeroIndex, bins[2]);
        Assert.Equal(zeroIndex + 1, bins[3]);
        Assert.Equal(zeroIndex, bins[4]);
        Assert.Equal(edgeCount, bins[5]);
        Assert.Equal(0, bins[6]);

        var counts = new long[binEdges.BinCount];
        binEdges.Count(Enumerable.Repeat(double.NaN, 40).ToArray(), counts);
        Assert.Equal(40, counts[edgeCount]);
        Assert.Equal(40, counts.Sum());
    }

    [Theory]
    [InlineData(3)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(100)]
    public void ValuesOnAnEdge_BelongToTheBinBelow_AndDuplicatedEdgesLeaveEmptyBins(int edgeCount)
    {
        // All edges equal 1: every value <= 1 goes to bin 0, everything above to the last bin.
        var edges = Enumerable.Repeat(1.0, edgeCount).ToArray();
        var binEdges = new BinEdges(edges);
        double[] values = [1.0, Math.BitDecrement(1.0), Math.BitIncrement(1.0), -5, 5, double.NaN];
        var bins = new int[values.Length];
        binEdges.BinIndices(values, bins);
        Assert.Equal([0, 0, edgeCount, 0, edgeCount, edgeCount], bins);

        var counts = new long[binEdges.BinCount];
        binEdges.Count(values, counts);
        Assert.Equal(3, counts[0]);
        Assert.Equal(3, counts[edgeCount]);
        Assert.Equal(6, counts.Sum());
    }

    [Fact]
    public void Count_AddsToTheExistingCounts()
    {
        foreach (var k in new[] { 0, 5, 100 })
        {
            var edges = TestEdges.Create(k, EdgeShape.Uniform);
            var binEdges = new BinEdges(edges);
            var values = TestEdges.Values(edges, 300, seed: 3);
            var counts = Enumerable.Range(0, k + 1).Select(i => (long)(i * 7)).ToArray();
            var expected = (long[])counts.Clone();
            binEdges.Count(values, counts);
            BinEdges.CountScalar(values, edges, expected);
            Assert.Equal(expected, counts);
        }
    }

    [Fact]
    public void LookupTable_LeavesFewCandidates_ForUniformEdges()
    {
        foreach (var k in new[] { 17, 100, 255 })
        {
            var binEdges = new BinEdges(TestEdges.Create(k, EdgeShape.Uniform));
            _output.WriteLine($"{k} uniform edges: at most {binEdges.MaxLookupCandidates} candidates per value");
            Assert.InRange(binEdges.MaxLookupCandidates, 1, 2);
        }
    }

    [Fact]
    public void Constructor_RejectsUnsortedEdges()
    {
        Assert.Throws<ArgumentException>(() => new BinEdges([1.0, 0.5]));
        Assert.Throws<ArgumentException>(() => new BinEdges([0.0, 1.0, 2.0, Math.BitDecrement(2.0)]));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Constructor_RejectsNonFiniteEdges(double bad)
    {
        Assert.Throws<ArgumentException>(() => new BinEdges([bad]));
        Assert.Throws<ArgumentException>(() => new BinEdges([0.0, bad, 2.0]));
        Assert.Throws<ArgumentException>(() => new BinEdges([.. Enumerable.Range(0, 20).Select(i => (double)i), bad]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(20)]
    public void Count_RejectsCountsOfTheWrongLength(int edgeCount)
    {
        var binEdges = new BinEdges(TestEdges.Create(edgeCount, EdgeShape.Uniform));
        Assert.Throws<ArgumentException>(() => binEdges.Count(new double[3], new long[edgeCount]));
        Assert.Throws<ArgumentException>(() => binEdges.Count(new double[3], new long[edgeCount + 2]));
        Assert.Throws<ArgumentException>(() => binEdges.Count([], new long[edgeCount + 2]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(20)]
    public void BinIndices_RejectsDestinationOfTheWrongLength(int edgeCount)
    {
        var binEdges = new BinEdges(TestEdges.Create(edgeCount, EdgeShape.Uniform));
        Assert.Throws<ArgumentException>(() => binEdges.BinIndices(new double[9], new int[8]));
        Assert.Throws<ArgumentException>(() => binEdges.BinIndices(new double[9], new int[10]));
    }

    private static void AssertCountMatches(BinEdges binEdges, double[] values, int offset)
    {
        // Copy into a larger buffer at an offset so the kernels also see misaligned spans.
        var buffer = new double[values.Length + offset];
        values.CopyTo(buffer, offset);
        var span = buffer.AsSpan(offset);
        var actual = new long[binEdges.BinCount];
        var expected = new long[binEdges.BinCount];
        binEdges.Count(span, actual);
        BinEdges.CountScalar(span, binEdges.Edges, expected);
        if (!actual.AsSpan().SequenceEqual(expected))
        {
            Assert.Fail($"Count differs from the scalar reference for {values.Length} values over {binEdges.Edges.Length} edges " +
                $"[{Describe(binEdges.Edges)}]: expected [{string.Join(", ", expected)}], got [{string.Join(", ", actual)}].");
        }
    }

    private static void AssertIndicesMatch(BinEdges binEdges, double[] values, int offset)
    {
        var buffer = new double[values.Length + offset];
        values.CopyTo(buffer, offset);
        var span = buffer.AsSpan(offset);
        var bins = new int[values.Length + offset + 1];
        Array.Fill(bins, -1);
        binEdges.BinIndices(span, bins.AsSpan(offset, values.Length));
        for (var i = 0; i < values.Length; i++)
        {
            var expected = BinEdges.SearchLeft(binEdges.Edges, values[i]);
            if (bins[offset + i] != expected)
            {
                Assert.Fail($"Value {values[i]:R} (index {i} of {values.Length}) went to bin {bins[offset + i]}; " +
                    $"SearchLeft gives {expected} over {binEdges.Edges.Length} edges [{Describe(binEdges.Edges)}].");
            }
        }

        Assert.Equal(-1, bins[^1]);
        for (var i = 0; i < offset; i++)
        {
            Assert.Equal(-1, bins[i]);
        }
    }

    private static string Describe(ReadOnlySpan<double> edges) =>
        edges.Length <= 6 ? string.Join(", ", edges.ToArray().Select(e => e.ToString("R"))) : $"{edges[0]:R} .. {edges[^1]:R}";

    private void LogPath(BinEdges binEdges)
    {
        var path = binEdges.Edges.Length == 0 ? "no edges"
            : binEdges.Edges.Length <= BinEdges.CompareCountMaxEdges ? "comparison path"
            : $"lookup path, at most {binEdges.MaxLookupCandidates} candidates";
        _output.WriteLine($"{binEdges.Edges.Length} edges: {path}");
    }
}

/// <summary>How test bin edges are laid out.</summary>
public enum EdgeShape
{
    /// <summary>Evenly spaced over [-3, 3].</summary>
    Uniform,

    /// <summary>A few tight clusters with exact duplicates and one-ulp neighbours; 0.0 always among them.</summary>
    Clustered,

    /// <summary>Quantiles of a heavy-tailed (Pareto-like, two-sided) distribution: dense in the middle, sparse tails.</summary>
    HeavyTailedQuantiles,

    /// <summary>Edges a few subnormal steps apart around zero (the lookup-table scale overflows a naive 1 / width).</summary>
    Subnormal,

    /// <summary>Edges spanning -double.MaxValue .. double.MaxValue (the edge range overflows).</summary>
    FullRange,
}

/// <summary>Edge sets and value generators shared by the kernel tests.</summary>
internal static class TestEdges
{
    public static double[] Create(int count, EdgeShape shape)
    {
        var edges = new double[count];
        var rng = new Random(9000 + (count * 10) + (int)shape);
        for (var i = 0; i < count; i++)
        {
            var t = count == 1 ? 0.5 : i / (double)(count - 1);
            edges[i] = shape switch
            {
                EdgeShape.Uniform => count == 1 ? 0.0 : -3 + (6 * t),
                EdgeShape.Clustered => Clustered(rng),
                EdgeShape.HeavyTailedQuantiles => HeavyTailQuantile((i + 1) / (double)(count + 1)),
                EdgeShape.Subnormal => (i - (count / 2)) * (1 + (i % 3)) * double.Epsilon,
                EdgeShape.FullRange => count == 1 ? 0.0 : (-1 + (2 * t)) * double.MaxValue,
                _ => throw new ArgumentOutOfRangeException(nameof(shape)),
            };
        }

        if (shape == EdgeShape.Clustered && count > 0)
        {
            edges[0] = 0.0;
        }

        Array.Sort(edges);
        return edges;
    }

    /// <summary>Edges, their one-ulp neighbours, and the values every binning must get right.</summary>
    public static double[] SpecialValues(double[] edges)
    {
        var values = new List<double>
        {
            double.NaN, -double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue,
            0.0, -0.0, double.Epsilon, -double.Epsilon, 2 * double.Epsilon, 2.2250738585072009e-308, -2.2250738585072009e-308,
            BitConverter.Int64BitsToDouble(0x000F_FFFF_FFFF_FFFF), 1e-300, -1e-300, 1.0, -1.0, 0.5, 1e300, -1e300,
        };
        foreach (var e in edges)
        {
            values.Add(e);
            values.Add(Math.BitIncrement(e));
            values.Add(Math.BitDecrement(e));
            values.Add(-e);
        }

        return [.. values];
    }

    /// <summary>Seeded mix of special values, edges, their neighbours, values between and around the edges.</summary>
    public static double[] Values(double[] edges, int n, int seed)
    {
        var rng = new Random(seed);
        var specials = SpecialValues(edges);
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            var kind = rng.Next(12);
            values[i] = kind switch
            {
                0 => specials[rng.Next(specials.Length)],
                1 when edges.Length > 0 => edges[rng.Next(edges.Length)],
                2 when edges.Length > 0 => Math.BitIncrement(edges[rng.Next(edges.Length)]),
                3 when edges.Length > 0 => Math.BitDecrement(edges[rng.Next(edges.Length)]),
                4 or 5 or 6 when edges.Length > 1 => Between(edges, rng),
                7 => Normal(rng) * 2,
                8 when edges.Length > 0 => edges[0] - (Math.Abs(Normal(rng)) * Spread(edges)),
                9 when edges.Length > 0 => edges[^1] + (Math.Abs(Normal(rng)) * Spread(edges)),
                10 => rng.Next(3) switch { 0 => -0.0, 1 => 0.0, _ => (rng.Next(2) == 0 ? -1 : 1) * rng.Next(1, 1000) * double.Epsilon },
                _ => (rng.NextDouble() * 8) - 4,
            };
        }

        return values;
    }

    public static double Normal(Random rng)
    {
        // Box-Muller; 1 - NextDouble() is in (0, 1].
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double Between(double[] edges, Random rng)
    {
        var j = rng.Next(edges.Length - 1);
        var u = rng.NextDouble();
        return (edges[j] * (1 - u)) + (edges[j + 1] * u);
    }

    private static double Spread(double[] edges)
    {
        var spread = (edges[^1] / 4) - (edges[0] / 4);
        return spread > 0 ? spread : 1;
    }

    private static double Clustered(Random rng)
    {
        double[] centers = [-1.0, 0.0, 0.5, 3.0];
        var c = centers[rng.Next(centers.Length)];
        return rng.Next(4) switch
        {
            0 => c,
            1 => Math.BitIncrement(c),
            2 => Math.BitDecrement(c),
            _ => c + (rng.Next(-3, 4) * 1e-9),
        };
    }

    private static double HeavyTailQuantile(double q)
    {
        // Two-sided Pareto with tail index 0.5: x = sign * ((1 / (2 min(q, 1 - q)))^2 - 1).
        var tail = Math.Min(q, 1 - q);
        var magnitude = Math.Pow(0.5 / tail, 2) - 1;
        return q < 0.5 ? -magnitude : magnitude;
    }
}
