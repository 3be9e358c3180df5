using Monitoring.Stats.Descriptive;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Descriptive;

/// <summary>Quantiles against numpy.quantile(method='linear') (Fixtures/generate_fixtures.py).</summary>
public sealed class QuantilesFixtureTests
{
    public static TheoryData<string> Cases => Fixtures.Names("quantiles");

    [Theory]
    [MemberData(nameof(Cases))]
    public void OfSorted_MatchesNumpyBitForBit(string name)
    {
        var c = Fixtures.Case("quantiles", name);
        var sorted = c.Doubles("values");
        Array.Sort(sorted);
        var levels = c.Doubles("q");
        var result = new double[levels.Length];
        Quantiles.OfSorted(sorted, levels, result);

        Assert.Equal(c.Doubles("result"), result);
    }

    [Fact]
    public void OfSorted_OfEmptySample_Throws() =>
        Assert.Throws<ArgumentException>(() => Quantiles.OfSorted([], 0.5));
}
