using Monitoring.Stats.Rollouts;
using Monitoring.Stats.Sketches;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Rollouts;

/// <summary>Prediction shift (scipy PSI / JS / ks_2samp), shadow pairs (statsmodels Wilson, numpy) and latency quantile bounds.</summary>
public sealed class PredictionShiftAndShadowFixtureTests
{
    public static TheoryData<string> ShiftCases => RolloutFixtures.Names("shift");

    public static TheoryData<string> ShadowCases => RolloutFixtures.Names("shadow");

    [Theory]
    [MemberData(nameof(ShiftCases))]
    public void FromScores_MatchesScipy(string name)
    {
        var c = RolloutFixtures.Case("shift", name);
        var r = PredictionShift.FromScores(c.Doubles("baseline"), c.Doubles("candidate"))!;

        Close.Statistic(c.Double("psi"), r.Psi, "psi");
        Close.Statistic(c.Double("jensen_shannon"), r.JensenShannon, "js");
        Close.Statistic(c.Double("ks"), r.Ks.Estimate, "ks");
        Close.PValue(c.Double("ks_p_value"), r.KsPValue!.Value, "ks p");
        Assert.True(r.Exact);
    }

    [Theory]
    [MemberData(nameof(ShiftCases))]
    public void FromSketches_SameBinnedStatistics_AndKsBoundsHoldTheExactValue(string name)
    {
        var c = RolloutFixtures.Case("shift", name);
        var b = new ScoreHistogramSketch();
        var k = new ScoreHistogramSketch();
        foreach (var s in c.Doubles("baseline"))
        {
            b.Add(s, 0);
        }

        foreach (var s in c.Doubles("candidate"))
        {
            k.Add(s, 0);
        }

        var r = PredictionShift.FromSketches(b, k)!;

        Close.Statistic(c.Double("psi"), r.Psi, "psi");
        Close.Statistic(c.Double("jensen_shannon"), r.JensenShannon, "js");
        Assert.InRange(c.Double("ks"), r.Ks.Lower, r.Ks.Upper);
        Assert.Null(r.KsPValue);
        Assert.False(r.Exact);
    }

    [Theory]
    [MemberData(nameof(ShadowCases))]
    public void ShadowPairs_MatchStatsmodelsWilsonAndNumpy_AlsoWhenMergedFromParts(string name)
    {
        var c = RolloutFixtures.Case("shadow", name);
        var b = c.Doubles("baseline");
        var k = c.Doubles("candidate");
        var country = c.Strings("country");
        var threshold = c.Double("threshold");
        // Two shards, both restored from their parts (one through JSON, as stored): merging must give what one accumulator gives.
        var first = new ShadowPairAccumulator(threshold);
        var second = new ShadowPairAccumulator(threshold);
        for (var i = 0; i < b.Length; i++)
        {
            (i % 3 == 0 ? first : second).Add(b[i], k[i], [("country", country[i])]);
        }

        var merged = ShadowPairAccumulator.FromParts(first.ToParts());
        var stored = System.Text.Json.JsonSerializer.Serialize(second.ToParts());
        merged.Merge(ShadowPairAccumulator.FromParts(System.Text.Json.JsonSerializer.Deserialize<ShadowPairParts>(stored)!));
        var s = merged.Summarize()!;

        Assert.Equal(b.Length, s.Pairs);
        Close.Statistic(c.Double("agreement"), s.Agreement, "agreement");
        Close.Statistic(c.Double("lower"), s.AgreementInterval.Lower, "lower");
        Close.Statistic(c.Double("upper"), s.AgreementInterval.Upper, "upper");
        Assert.Equal(c.Long("both_positive"), s.BothPositive);
        Assert.Equal(c.Long("baseline_only_positive"), s.BaselineOnlyPositive);
        Assert.Equal(c.Long("candidate_only_positive"), s.CandidateOnlyPositive);
        Close.Within(c.Double("mean_difference"), s.MeanDifference, 1e-9, 1e-12, "mean difference");
        Close.Within(c.Double("difference_sd"), s.DifferenceStandardDeviation, 1e-9, 1e-12, "sd");
        Close.Within(c.Double("mean_absolute_difference"), s.MeanAbsoluteDifference, 1e-9, 1e-12, "mean |d|");
        Assert.Equal(c.Double("max_absolute_difference"), s.MaxAbsoluteDifference);
        foreach (var q in s.Quantiles)
        {
            Close.Statistic(c.GetProperty("quantiles").GetProperty(q.Level.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).GetDouble(), q.Value, $"q{q.Level}");
        }

        foreach (var expected in c.GetProperty("slices").EnumerateArray())
        {
            var slice = Assert.Single(s.Slices, x => x.Value == expected.GetProperty("value").GetString());
            Assert.Equal(expected.Long("pairs"), slice.Pairs);
            Assert.Equal(expected.Long("disagreements"), slice.Disagreements);
            Close.Statistic(expected.Double("lower"), slice.Interval.Lower, "slice lower");
            Close.Statistic(expected.Double("upper"), slice.Interval.Upper, "slice upper");
            Close.Within(expected.Double("mean_absolute_difference"), slice.MeanAbsoluteDifference, 1e-9, 1e-12, "slice mean |d|");
        }

        // The planted noisier segment disagrees most.
        Assert.Equal("BR", s.Slices[0].Value);
    }

    [Fact]
    public void ShadowPairs_RejectScoresOutsideUnitIntervalNamingTheSide()
    {
        var a = new ShadowPairAccumulator();
        Assert.Equal("candidateScore", Assert.Throws<ArgumentOutOfRangeException>(() => a.Add(0.5, 1.5)).ParamName);
        Assert.Equal("baselineScore", Assert.Throws<ArgumentOutOfRangeException>(() => a.Add(double.NaN, 0.5)).ParamName);
        Assert.Null(a.Summarize());
    }

    [Fact]
    public void Latency_P99BoundsHoldTheExactInvertedCdfQuantile()
    {
        var random = new Random(5);
        var b = new FloatBucketSketch(5);
        var k = new FloatBucketSketch(5);
        var rawB = new double[5000];
        var rawK = new double[4000];
        for (var i = 0; i < rawB.Length; i++)
        {
            rawB[i] = 10 * Math.Exp(0.5 * random.NextDouble() * 3);
            b.Add(rawB[i]);
        }

        for (var i = 0; i < rawK.Length; i++)
        {
            rawK[i] = 13 * Math.Exp(0.5 * random.NextDouble() * 3);
            k.Add(rawK[i]);
        }

        var r = LatencyComparison.Compare(b, k)!;
        var exactB = InvertedCdf(rawB, 0.99);
        var exactK = InvertedCdf(rawK, 0.99);

        Assert.InRange(exactB, r.Baseline.Lower, r.Baseline.Upper);
        Assert.InRange(exactK, r.Candidate.Lower, r.Candidate.Upper);
        Assert.InRange(exactK / exactB, r.Ratio.Lower, r.Ratio.Upper);
        Assert.InRange(exactK - exactB, r.Delta.Lower, r.Delta.Upper);
        Assert.True(r.Baseline.Upper / r.Baseline.Lower <= 1 + (1.0 / 32) + 1e-12);
    }

    private static double InvertedCdf(double[] values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Ceiling(q * sorted.Length) - 1];
    }
}
