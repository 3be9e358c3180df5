using Monitoring.Stats.Intervals;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Intervals;

/// <summary>Wilson and Newcombe intervals against statsmodels 0.13 (Fixtures/generate_slice_fixtures.py).</summary>
public sealed class WilsonFixtureTests
{
    public static TheoryData<string> WilsonCases => SliceFixtures.Names("wilson");

    public static TheoryData<string> NewcombeCases => SliceFixtures.Names("newcombe");

    [Theory]
    [MemberData(nameof(WilsonCases))]
    public void Wilson_MatchesStatsmodels(string name)
    {
        var c = SliceFixtures.Case("wilson", name);
        var ci = Wilson.Interval(c.Long("count"), c.Long("nobs"), c.Double("alpha"));

        Close.Statistic(c.Double("lower"), ci.Lower, "lower");
        Close.Statistic(c.Double("upper"), ci.Upper, "upper");
        Assert.InRange(ci.Lower, 0, 1);
        Assert.InRange(ci.Upper, ci.Lower, 1);
    }

    [Theory]
    [MemberData(nameof(NewcombeCases))]
    public void Newcombe_MatchesStatsmodels(string name)
    {
        var c = SliceFixtures.Case("newcombe", name);
        var ci = NewcombeDifference.Interval(c.Long("count1"), c.Long("nobs1"), c.Long("count2"), c.Long("nobs2"), c.Double("alpha"));

        Close.Statistic(c.Double("lower"), ci.Lower, "lower");
        Close.Statistic(c.Double("upper"), ci.Upper, "upper");
    }

    [Fact]
    public void Wilson_ZeroAndAllSuccesses_TouchTheBounds()
    {
        Assert.Equal(0, Wilson.Interval(0, 25).Lower);
        Assert.Equal(1, Wilson.Interval(25, 25).Upper);
    }

    [Fact]
    public void Wilson_NoTrials_IsNullOrThrows()
    {
        Assert.Null(Wilson.IntervalOrNull(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Wilson.Interval(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Wilson.Interval(3, 2));
    }
}
