using Monitoring.Stats.Drift;
using Monitoring.Stats.Kernels;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Drift;

/// <summary>Numeric drift against scipy 1.10 / numpy 1.24 (Fixtures/generate_fixtures.py).</summary>
public sealed class NumericDriftFixtureTests
{
    public static TheoryData<string> Cases => Fixtures.Names("numeric");

    [Theory]
    [MemberData(nameof(Cases))]
    public void BinsAndBinnedDistances_MatchNumpyAndScipy(string name)
    {
        var c = Fixtures.Case("numeric", name);
        var result = NumericDrift.Compute(c.Doubles("reference"), c.Doubles("current"));

        Assert.Equal(c.Doubles("edges"), result.Edges);
        Assert.Equal(c.Longs("reference_counts"), result.ReferenceCounts);
        Assert.Equal(c.Longs("current_counts"), result.CurrentCounts);
        Close.Statistic(c.GetProperty("psi").GetDouble(), result.Psi, "psi");
        Close.Statistic(c.GetProperty("jensen_shannon").GetDouble(), result.JensenShannon, "jensen_shannon");
        Close.Statistic(c.GetProperty("hellinger").GetDouble(), result.Hellinger, "hellinger");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KolmogorovSmirnov_MatchesScipyKs2sampAuto(string name)
    {
        var c = Fixtures.Case("numeric", name);
        var result = NumericDrift.Compute(c.Doubles("reference"), c.Doubles("current"));

        Close.Statistic(c.GetProperty("ks_statistic").GetDouble(), result.Ks.Statistic, "ks statistic");
        Close.PValue(c.GetProperty("ks_pvalue").GetDouble(), result.Ks.PValue, "ks p-value");
        var method = c.GetProperty("ks_method").GetString() == "exact" ? KsPValueMethod.Exact : KsPValueMethod.Asymptotic;
        Assert.Equal(method, result.Ks.Method);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Wasserstein_MatchesScipyWassersteinDistance(string name)
    {
        var c = Fixtures.Case("numeric", name);
        var reference = RadixSort.SortedCopy(c.Doubles("reference"));
        var current = RadixSort.SortedCopy(c.Doubles("current"));

        Close.Statistic(c.GetProperty("wasserstein").GetDouble(), Wasserstein.DistanceSorted(reference, current), "wasserstein");
    }

    [Fact]
    public void Psi_OfIdenticalSamples_IsZero()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        var result = NumericDrift.Compute(x, x);
        Assert.Equal(0.0, result.Psi);
        Assert.Equal(0.0, result.Ks.Statistic);
        Assert.Equal(1.0, result.Ks.PValue);
        Assert.Equal(0.0, result.Wasserstein);
    }

    [Fact]
    public void Compute_WithEmptySample_NamesTheSample()
    {
        var ex = Assert.Throws<ArgumentException>(() => NumericDrift.Compute([1.0], []));
        Assert.Equal("current", ex.ParamName);
    }
}
