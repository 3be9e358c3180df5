using Monitoring.Stats.Drift;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Drift;

/// <summary>Categorical drift against scipy 1.10 chi2_contingency / jensenshannon (Fixtures/generate_fixtures.py).</summary>
public sealed class CategoricalDriftFixtureTests
{
    public static TheoryData<string> Cases => Fixtures.Names("categorical");

    [Theory]
    [MemberData(nameof(Cases))]
    public void CategoricalDrift_MatchesScipy(string name)
    {
        var c = Fixtures.Case("categorical", name);
        var result = CategoricalDrift.Compute(CountOf(c.Strings("reference")), CountOf(c.Strings("current")));

        Assert.Equal(c.Strings("categories"), result.Categories);
        Assert.Equal(c.Longs("reference_counts"), result.ReferenceCounts);
        Assert.Equal(c.Longs("current_counts"), result.CurrentCounts);
        Assert.Equal(c.Strings("new_categories"), result.NewCategories);
        Assert.Equal(c.Strings("missing_categories"), result.MissingCategories);
        Close.Statistic(c.GetProperty("psi").GetDouble(), result.Psi, "psi");
        Close.Statistic(c.GetProperty("jensen_shannon").GetDouble(), result.JensenShannon, "jensen_shannon");
        Close.Statistic(c.GetProperty("hellinger").GetDouble(), result.Hellinger, "hellinger");
        Assert.NotNull(result.ChiSquare);
        Close.Statistic(c.GetProperty("chi2_statistic").GetDouble(), result.ChiSquare.Value.Statistic, "chi2 statistic");
        Close.PValue(c.GetProperty("chi2_pvalue").GetDouble(), result.ChiSquare.Value.PValue, "chi2 p-value");
        Assert.Equal(c.GetProperty("chi2_dof").GetInt32(), result.ChiSquare.Value.DegreesOfFreedom);
    }

    [Fact]
    public void ChiSquare_WithEmptyCurrent_ThrowsNamingTheSample()
    {
        var ex = Assert.Throws<ArgumentException>(() => ChiSquare.Homogeneity([3, 4], [0, 0]));
        Assert.Contains("no observations", ex.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, long> CountOf(string[] values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
}
