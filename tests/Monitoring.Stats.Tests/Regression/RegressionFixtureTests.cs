using Monitoring.Stats.Regression;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Regression;

/// <summary>Regression metrics against sklearn 1.2 (Fixtures/generate_fixtures.py).</summary>
public sealed class RegressionFixtureTests
{
    public static TheoryData<string> Cases => Fixtures.Names("regression");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Metrics_MatchSklearn(string name)
    {
        var c = Fixtures.Case("regression", name);
        var m = RegressionMetrics.Compute(c.Doubles("predicted"), c.Doubles("actual"));

        Close.Statistic(c.GetProperty("mae").GetDouble(), m.MeanAbsoluteError, "mae");
        Close.Statistic(c.GetProperty("rmse").GetDouble(), m.RootMeanSquaredError, "rmse");
        Close.Statistic(c.GetProperty("mean_error").GetDouble(), m.MeanError, "mean_error");
    }

    [Fact]
    public void Metrics_OfUnpairedSpans_Throw() =>
        Assert.Throws<ArgumentException>(() => RegressionMetrics.Compute([1.0, 2.0], [1.0]));
}
