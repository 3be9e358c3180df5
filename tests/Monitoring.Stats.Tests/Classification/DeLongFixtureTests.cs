using Monitoring.Stats.Classification;
using Monitoring.Stats.Sketches;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Classification;

/// <summary>
/// DeLong AUC, variance and intervals against a direct O(m n) numpy implementation checked against sklearn
/// (Fixtures/generate_slice_fixtures.py).
/// </summary>
public sealed class DeLongFixtureTests
{
    public static TheoryData<string> Cases => SliceFixtures.Names("delong");

    public static TheoryData<string> BinCases => SliceFixtures.Names("delong_bins");

    public static TheoryData<string> CompareCases => SliceFixtures.Names("delong_compare");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Compute_MatchesNumpyReference(string name)
    {
        var c = SliceFixtures.Case("delong", name);
        var r = DeLong.Compute(c.Doubles("scores"), c.Doubles("labels"));

        Assert.NotNull(r);
        AssertResult(c, r, c.Double("alpha"));
        Assert.Equal(RocAuc.Compute(c.Doubles("scores"), c.Doubles("labels")), r.Auc);
    }

    [Theory]
    [MemberData(nameof(BinCases))]
    public void FromBins_MatchesNumpyReferenceOfTheExpandedData(string name)
    {
        var c = SliceFixtures.Case("delong_bins", name);
        var r = DeLong.FromBins(c.Longs("positives"), c.Longs("negatives"));

        AssertResult(c, r, 0.05);
    }

    [Theory]
    [MemberData(nameof(CompareCases))]
    public void CompareIndependent_MatchesNumpyReference(string name)
    {
        var c = SliceFixtures.Case("delong_compare", name);
        var first = DeLong.Compute(c.Doubles("scores1"), c.Doubles("labels1"))!;
        var second = DeLong.Compute(c.Doubles("scores2"), c.Doubles("labels2"))!;
        var test = DeLong.CompareIndependent(first, second);

        Assert.NotNull(test);
        Close.Statistic(c.Double("difference"), test.Value.Difference, "difference");
        Close.Statistic(c.Double("standard_error"), test.Value.StandardError, "standard error");
        Close.Statistic(c.Double("z"), test.Value.Z, "z");
        Close.PValue(c.Double("p_value"), test.Value.PValue, "p");
    }

    [Fact]
    public void Compute_OneClass_IsNull()
    {
        Assert.Null(DeLong.Compute([0.1, 0.2], [1.0, 1.0]));
        Assert.Null(DeLong.CompareIndependent(DeLong.FromBins([1], [1]), DeLong.FromBins([2, 0], [1, 1])));
    }

    [Fact]
    public void FromSketch_IsFromBinsOfTheFineBins_WidenedByTheTieBound()
    {
        var random = new Random(7);
        var scores = Enumerable.Range(0, 3000).Select(_ => random.NextDouble()).ToArray();
        var labels = scores.Select(s => random.NextDouble() < s ? 1.0 : 0.0).ToArray();
        var sketch = new ScoreHistogramSketch();
        sketch.Add(scores, labels);

        var r = DeLong.FromSketch(sketch)!;
        var binned = DeLong.FromBins(sketch.PositiveBinCounts, sketch.NegativeBinCounts);
        var exact = DeLong.Compute(scores, labels)!;

        Assert.Equal(binned, r.Binned);
        Assert.Equal(sketch.Auc()!.Value, r.TieBound);
        Assert.Equal(r.TieBound.Estimate, r.Binned.Auc, 12);
        Assert.InRange(exact.Auc, r.TieBound.Lower, r.TieBound.Upper);
        var half = 0.5 * (r.TieBound.Upper - r.TieBound.Lower);
        Assert.Equal(Math.Max(0, binned.Interval()!.Value.Lower - half), r.Interval!.Value.Lower, 15);
        Assert.Equal(Math.Min(1, binned.Interval()!.Value.Upper + half), r.Interval!.Value.Upper, 15);
        Assert.True(r.Interval.Value.Contains(exact.Auc));
    }

    [Fact]
    public void FromSketch_DistinctScoresOnePerBin_IsExactDeLong()
    {
        // One score in the middle of each of the 100 fine bins: binning loses nothing.
        var scores = Enumerable.Range(0, 100).Select(i => (i + 0.5) / 100).ToArray();
        var labels = scores.Select((s, i) => (i * 7919 % 100) < s * 100 ? 1.0 : 0.0).ToArray();
        var sketch = new ScoreHistogramSketch();
        sketch.Add(scores, labels);

        var r = DeLong.FromSketch(sketch)!;
        var exact = DeLong.Compute(scores, labels)!;

        Close.Statistic(exact.Auc, r.Binned.Auc, "auc");
        Close.Statistic(exact.Variance, r.Binned.Variance, "variance");
        Assert.Equal(r.TieBound.Lower, r.TieBound.Upper);
    }

    private static void AssertResult(System.Text.Json.JsonElement c, DeLongResult r, double alpha)
    {
        Close.Statistic(c.Double("auc"), r.Auc, "auc");
        c.StatisticOrNull("variance", r.HasVariance ? r.Variance : null, "variance");
        var plain = r.Interval(alpha);
        var logit = r.LogitInterval(alpha);
        c.StatisticOrNull("lower", plain?.Lower, "lower");
        c.StatisticOrNull("upper", plain?.Upper, "upper");
        c.StatisticOrNull("logit_lower", logit?.Lower, "logit lower");
        c.StatisticOrNull("logit_upper", logit?.Upper, "logit upper");
    }
}
