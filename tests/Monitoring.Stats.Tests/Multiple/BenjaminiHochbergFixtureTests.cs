using Monitoring.Stats.Multiple;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Multiple;

/// <summary>Benjamini-Hochberg adjustment against the numpy step-up reference (Fixtures/generate_fixtures.py).</summary>
public sealed class BenjaminiHochbergFixtureTests
{
    public static TheoryData<string> Cases => Fixtures.Names("benjamini_hochberg");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Adjust_MatchesReference(string name)
    {
        var c = Fixtures.Case("benjamini_hochberg", name);
        var adjusted = BenjaminiHochberg.Adjust(c.Doubles("pvalues"));
        var expected = c.Doubles("adjusted");

        Assert.Equal(expected.Length, adjusted.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Close.PValue(expected[i], adjusted[i], $"adjusted[{i}]");
        }
    }

    [Fact]
    public void Adjust_LeavesNaNAndExcludesItFromTheCount()
    {
        var adjusted = BenjaminiHochberg.Adjust([0.01, double.NaN, 0.04]);
        Assert.True(double.IsNaN(adjusted[1]));
        Assert.Equal(0.02, adjusted[0], 15);
        Assert.Equal(0.04, adjusted[2], 15);
    }
}
