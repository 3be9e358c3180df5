using Monitoring.Stats.Hypothesis;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Hypothesis;

/// <summary>The pooled two-proportion z-test against statsmodels 0.13 proportions_ztest.</summary>
public sealed class TwoProportionZTestFixtureTests
{
    public static TheoryData<string> Cases => SliceFixtures.Names("ztest");

    [Theory]
    [MemberData(nameof(Cases))]
    public void ZTest_MatchesStatsmodels(string name)
    {
        var c = SliceFixtures.Case("ztest", name);
        var r = TwoProportionZTest.Test(c.Long("count1"), c.Long("nobs1"), c.Long("count2"), c.Long("nobs2"));

        Close.Statistic(c.Double("z"), r.Z, "z");
        Close.PValue(c.Double("p_value"), r.PValue, "p");
    }

    [Theory]
    [InlineData(0, 10, 0, 20)]
    [InlineData(10, 10, 20, 20)]
    public void ZTest_PooledProportionZeroOrOne_IsNoEvidence(long x1, long n1, long x2, long n2)
    {
        var r = TwoProportionZTest.Test(x1, n1, x2, n2);

        Assert.Equal(0, r.Z);
        Assert.Equal(1, r.PValue);
    }

    [Fact]
    public void StandardNormal_CriticalValue_MatchesScipy()
    {
        Close.Statistic(1.9599639845400545, StandardNormal.TwoSidedCritical(0.05), "isf(0.025)");
        Close.Statistic(2.575829303548901, StandardNormal.TwoSidedCritical(0.01), "isf(0.005)");
        Close.PValue(2.866515718791933e-07, StandardNormal.Survival(5), "sf(5)");
    }
}
