using Monitoring.Stats.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Kernels;

/// <summary>
/// <see cref="BinnedSums.Accumulate"/> against <see cref="BinnedSums.AccumulateScalar"/>: counts exactly equal; value and
/// weight sums equal within 1e-12 relative or 1e-12 absolute, or within the a-priori bound of any summation order,
/// 2 (n - 1) eps sum|x| (both orders are within (n - 1) eps sum|x| of the exact sum), which only matters when values of
/// both signs cancel in a bin. A NaN term, or both infinities, must give NaN in both; one infinity gives that infinity.
/// Where the finite terms' magnitudes sum beyond double range, whether the sum overflows depends on the order, so that
/// bin's sum is not compared (its count still is).
/// </summary>
public sealed class BinnedSumsTests
{
    private const double RelativeTolerance = 1e-12;
    private const double AbsoluteTolerance = 1e-12;
    private const double UnitRoundoff = 1.1102230246251565e-16; // 2^-53

    private static readonly int[] EdgeCounts = [0, 1, 3, 4, 5, 9, 16, 17, 100, 255];

    private readonly ITestOutputHelper _output;

    // How each compared sum was judged, logged per test so a vacuous comparison would show.
    private int _exactOrClose;
    private int _withinOrderBound;
    private int _nonFinite;
    private int _notCompared;

    public BinnedSumsTests(ITestOutputHelper output)
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
    public void Accumulate_MatchesScalarReference_ForEveryLength(int edgeCount, EdgeShape shape)
    {
        var edges = TestEdges.Create(edgeCount, shape);
        var binEdges = new BinEdges(edges);
        for (var n = 0; n <= 256; n++)
        {
            var values = TestEdges.Values(edges, n, seed: (edgeCount * 7919) + n);
            AssertMatches(binEdges, values, Labels(n, seed: n), offset: n % 8);
            AssertMatches(binEdges, values, Weights(n, seed: n + 1), offset: (n + 3) % 8);
        }

        LogJudgements();
    }

    [Theory]
    [MemberData(nameof(EdgeSets))]
    public void Accumulate_MatchesScalarReference_ForLargeLengths(int edgeCount, EdgeShape shape)
    {
        var edges = TestEdges.Create(edgeCount, shape);
        var binEdges = new BinEdges(edges);
        foreach (var n in new[] { 1023, 1024, 1025, 3000, 10_000 })
        {
            var values = TestEdges.Values(edges, n, seed: n * 31);
            AssertMatches(binEdges, values, Labels(n, seed: n), offset: 1);
            AssertMatches(binEdges, values, Weights(n, seed: n), offset: 0);
        }

        LogJudgements();
    }

    [Theory]
    [MemberData(nameof(EdgeSets))]
    public void Accumulate_OfFiniteValues_ComparesEverySum(int edgeCount, EdgeShape shape)
    {
        var edges = TestEdges.Create(edgeCount, shape);
        var binEdges = new BinEdges(edges);
        foreach (var n in Enumerable.Range(0, 257).Concat([1025, 10_000]))
        {
            // The same mix without NaN, infinities or magnitudes that could overflow a sum.
            var values = TestEdges.Values(edges, n, seed: (edgeCount * 131) + n)
                .Select(v => double.IsFinite(v) && Math.Abs(v) < 1e250 ? v : -0.25)
                .ToArray();
            AssertMatches(binEdges, values, Weights(n, seed: n + 2), offset: n % 8);
        }

        LogJudgements();
        Assert.Equal(0, _nonFinite);
        Assert.Equal(0, _notCompared);
    }

    [Fact]
    public void Accumulate_OfScoresAndLabels_MatchesScalarReference_OnReliabilityEdges()
    {
        // The calibration use: scores in [0, 1] (many exactly on the edges i * 0.1), 0/1 labels, 9 inner edges.
        var edges = Enumerable.Range(1, 9).Select(i => i * 0.1).ToArray();
        var binEdges = new BinEdges(edges);
        var rng = new Random(42);
        double[] onEdges = [0.0, 0.1, 0.2, 0.3, 0.30000000000000004, 0.4, 0.5, 0.6, 0.6000000000000001, 0.7, 0.7000000000000001, 0.8, 0.9, 1.0];
        foreach (var n in new[] { 0, 1, 7, 8, 9, 63, 64, 65, 1000, 5000 })
        {
            var scores = new double[n];
            for (var i = 0; i < n; i++)
            {
                scores[i] = rng.Next(3) == 0 ? onEdges[rng.Next(onEdges.Length)] : rng.NextDouble();
            }

            AssertMatches(binEdges, scores, Labels(n, seed: n + 100), offset: n % 4);
        }
    }

    [Fact]
    public void Accumulate_AddsToTheExistingSums()
    {
        var edges = TestEdges.Create(5, EdgeShape.Uniform);
        var binEdges = new BinEdges(edges);
        var values = Enumerable.Range(0, 100).Select(i => (i - 50) / 10.0).ToArray();
        var weights = Enumerable.Range(0, 100).Select(i => (double)(i % 2)).ToArray();
        long[] counts = [1, 2, 3, 4, 5, 6];
        double[] sums = [10, 20, 30, 40, 50, 60];
        double[] weightSums = [0.5, 1.5, 2.5, 3.5, 4.5, 5.5];
        long[] expectedCounts = [.. counts];
        double[] expectedSums = [.. sums];
        double[] expectedWeights = [.. weightSums];

        BinnedSums.Accumulate(values, weights, binEdges, counts, sums, weightSums);
        BinnedSums.AccumulateScalar(values, weights, edges, expectedCounts, expectedSums, expectedWeights);

        Assert.Equal(expectedCounts, counts);
        for (var b = 0; b < counts.Length; b++)
        {
            Assert.Equal(expectedSums[b], sums[b], 1e-12);
            Assert.Equal(expectedWeights[b], weightSums[b], 1e-12);
        }
    }

    [Fact]
    public void Accumulate_RejectsMismatchedLengths()
    {
        var binEdges = new BinEdges([0.0, 1.0]);
        Assert.Throws<ArgumentException>(() => BinnedSums.Accumulate(new double[4], new double[3], binEdges, new long[3], new double[3], new double[3]));
        Assert.Throws<ArgumentException>(() => BinnedSums.Accumulate(new double[4], new double[4], binEdges, new long[2], new double[3], new double[3]));
        Assert.Throws<ArgumentException>(() => BinnedSums.Accumulate(new double[4], new double[4], binEdges, new long[3], new double[4], new double[3]));
        Assert.Throws<ArgumentException>(() => BinnedSums.Accumulate(new double[4], new double[4], binEdges, new long[3], new double[3], new double[2]));
        Assert.Throws<ArgumentNullException>(() => BinnedSums.Accumulate(new double[4], new double[4], null!, new long[3], new double[3], new double[3]));
    }

    private void AssertMatches(BinEdges binEdges, double[] values, double[] weights, int offset)
    {
        var bins = binEdges.BinCount;
        var valueBuffer = new double[values.Length + offset];
        var weightBuffer = new double[values.Length + offset];
        values.CopyTo(valueBuffer, offset);
        weights.CopyTo(weightBuffer, offset);
        var v = valueBuffer.AsSpan(offset);
        var w = weightBuffer.AsSpan(offset);

        var counts = new long[bins];
        var sums = new double[bins];
        var weightSums = new double[bins];
        BinnedSums.Accumulate(v, w, binEdges, counts, sums, weightSums);

        var expectedCounts = new long[bins];
        var expectedSums = new double[bins];
        var expectedWeights = new double[bins];
        BinnedSums.AccumulateScalar(v, w, binEdges.Edges, expectedCounts, expectedSums, expectedWeights);

        var valueScan = Scan(binEdges.Edges, values, values);
        var weightScan = Scan(binEdges.Edges, values, weights);
        Assert.Equal(expectedCounts, counts);
        for (var b = 0; b < bins; b++)
        {
            AssertSumClose(expectedSums[b], sums[b], valueScan[b], expectedCounts[b], $"value sum of bin {b} ({values.Length} values, {binEdges.Edges.Length} edges)");
            AssertSumClose(expectedWeights[b], weightSums[b], weightScan[b], expectedCounts[b], $"weight sum of bin {b} ({values.Length} values, {binEdges.Edges.Length} edges)");
        }
    }

    private void AssertSumClose(double expected, double actual, BinScan scan, long terms, string what)
    {
        if (scan.HasNaN || (scan.HasPositiveInfinity && scan.HasNegativeInfinity))
        {
            Assert.True(double.IsNaN(expected) && double.IsNaN(actual), $"{what}: expected NaN from both, got {expected:R} and {actual:R}.");
            _nonFinite++;
            return;
        }

        if (!double.IsFinite(scan.FiniteMagnitude))
        {
            _notCompared++;
            return; // finite terms overflow: whether and where the sum overflows depends on the order
        }

        if (scan.HasPositiveInfinity || scan.HasNegativeInfinity)
        {
            Assert.Equal(scan.HasPositiveInfinity ? double.PositiveInfinity : double.NegativeInfinity, expected);
            Assert.Equal(expected, actual);
            _nonFinite++;
            return;
        }

        var difference = Math.Abs(expected - actual);
        var orderBound = 2 * Math.Max(0, terms - 1) * UnitRoundoff * scan.FiniteMagnitude;
        var close = difference <= AbsoluteTolerance || difference <= RelativeTolerance * Math.Abs(expected);
        _exactOrClose += close ? 1 : 0;
        _withinOrderBound += close ? 0 : 1;
        Assert.True(close || difference <= orderBound, $"{what}: expected {expected:R}, got {actual:R} (difference {difference:R}, sum of magnitudes {scan.FiniteMagnitude:R}).");
    }

    /// <summary>Per bin of <paramref name="values"/>: NaN and infinities among <paramref name="terms"/>, and the sum of the finite |terms|.</summary>
    private void LogJudgements() =>
        _output.WriteLine($"sums within 1e-12: {_exactOrClose}, within the summation-order bound only: {_withinOrderBound}, " +
            $"NaN/infinite as required: {_nonFinite}, not compared (magnitudes overflow): {_notCompared}");

    private static BinScan[] Scan(ReadOnlySpan<double> edges, double[] values, double[] terms)
    {
        var scan = new BinScan[edges.Length + 1];
        for (var i = 0; i < values.Length; i++)
        {
            var b = BinEdges.SearchLeft(edges, values[i]);
            var t = terms[i];
            scan[b] = new BinScan(
                scan[b].HasNaN || double.IsNaN(t),
                scan[b].HasPositiveInfinity || double.IsPositiveInfinity(t),
                scan[b].HasNegativeInfinity || double.IsNegativeInfinity(t),
                scan[b].FiniteMagnitude + (double.IsFinite(t) ? Math.Abs(t) : 0));
        }

        return scan;
    }

    private static double[] Labels(int n, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (double)rng.Next(2))];
    }

    private static double[] Weights(int n, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 10) - 3)];
    }

    private readonly record struct BinScan(bool HasNaN, bool HasPositiveInfinity, bool HasNegativeInfinity, double FiniteMagnitude);
}
