using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitoring.Stats.Drift;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Drift;

public sealed class KolmogorovSmirnovDistributionTests
{
    private const double StatisticRelativeTolerance = 1e-9;
    private const double PValueRelativeTolerance = 1e-6;
    private const double PValueAbsoluteTolerance = 1e-9;

    private static readonly Lazy<JsonDocument> Fixture = new(LoadFixture);

    private readonly ITestOutputHelper _output;

    public KolmogorovSmirnovDistributionTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public void TwoSided_MatchesScipy_OnFixtureGrid()
    {
        var failures = new List<string>();
        var worst = new Dictionary<string, (double Relative, double Absolute)>();
        int count = 0;
        foreach (JsonElement c in Cases("two_sample"))
        {
            int n1 = c.GetProperty("n1").GetInt32();
            int n2 = c.GetProperty("n2").GetInt32();
            double d = c.GetProperty("d").GetDouble();
            double statistic = c.GetProperty("statistic").GetDouble();
            double pvalue = c.GetProperty("pvalue").GetDouble();
            KsPValueMethod method = c.GetProperty("method").GetString() == "exact" ? KsPValueMethod.Exact : KsPValueMethod.Asymptotic;
            bool fellBack = c.GetProperty("fell_back").GetBoolean();

            KsPValue actual = KolmogorovSmirnovDistribution.TwoSided(n1, n2, d);
            count++;
            string label = string.Create(CultureInfo.InvariantCulture, $"n1={n1} n2={n2} d={d:R}");
            if (!WithinRelative(actual.Statistic, statistic, StatisticRelativeTolerance))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{label}: statistic {actual.Statistic:R} != {statistic:R}"));
            }

            if (!PValueClose(actual.PValue, pvalue))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{label}: pvalue {actual.PValue:R} != {pvalue:R}"));
            }

            if (actual.Method != method)
            {
                failures.Add($"{label}: method {actual.Method} != {method}");
            }

            string branch = method == KsPValueMethod.Exact
                ? (n1 == n2 ? "exact square" : "exact inside")
                : (fellBack ? "asymptotic fallback" : "asymptotic");
            Track(worst, branch, actual.PValue, pvalue);
        }

        Report("two_sample", count, worst);
        Assert.True(count > 0, "fixture has no two_sample cases");
        Assert.True(failures.Count == 0, Describe(failures));
    }

    [Fact]
    public void KolmogorovSurvival_MatchesScipyKstwoSf_OnFixtureGrid()
    {
        AssertOneSampleCases("kstwo_sf", KolmogorovSmirnovDistribution.KolmogorovSurvival);
    }

    [Fact]
    public void SmirnovSurvival_MatchesScipySmirnov_OnFixtureGrid()
    {
        AssertOneSampleCases("smirnov", KolmogorovSmirnovDistribution.SmirnovSurvival);
    }

    [Fact]
    public void Fixture_CoversExactAsymptoticAndFallbackCases()
    {
        var methods = Cases("two_sample")
            .Select(c => (Method: c.GetProperty("method").GetString(), FellBack: c.GetProperty("fell_back").GetBoolean()))
            .ToHashSet();
        Assert.Contains(("exact", false), methods);
        Assert.Contains(("asymp", false), methods);
        Assert.Contains(("asymp", true), methods);
    }

    [Fact]
    public void TwoSided_SwitchesToAsymptotic_AboveMaxExactSampleSize()
    {
        Assert.Equal(10000, KolmogorovSmirnovDistribution.MaxExactSampleSize);
        Assert.Equal(KsPValueMethod.Exact, KolmogorovSmirnovDistribution.TwoSided(10000, 10000, 0.02).Method);
        Assert.Equal(KsPValueMethod.Exact, KolmogorovSmirnovDistribution.TwoSided(10000, 9999, 0.02).Method);
        Assert.Equal(KsPValueMethod.Asymptotic, KolmogorovSmirnovDistribution.TwoSided(10001, 10000, 0.02).Method);
        Assert.Equal(KsPValueMethod.Asymptotic, KolmogorovSmirnovDistribution.TwoSided(1, 10001, 0.02).Method);
    }

    [Fact]
    public void TwoSided_ZeroStatistic_IsExactWithPValueOne()
    {
        KsPValue result = KolmogorovSmirnovDistribution.TwoSided(7, 3, 0.0);
        Assert.Equal(new KsPValue(0.0, 1.0, KsPValueMethod.Exact), result);
    }

    [Fact]
    public void TwoSided_RoundsStatisticToLattice_OnExactPath()
    {
        // lcm(2, 3) = 6: 0.3333 rounds to h = 2, i.e. d = 1/3.
        KsPValue result = KolmogorovSmirnovDistribution.TwoSided(2, 3, 0.3333);
        Assert.Equal(2 * 1.0 / 6, result.Statistic);
        Assert.Equal(KsPValueMethod.Exact, result.Method);
    }

    [Theory]
    [InlineData(0, 5, "n1")]
    [InlineData(-1, 5, "n1")]
    [InlineData(5, 0, "n2")]
    [InlineData(5, int.MinValue, "n2")]
    public void TwoSided_RejectsSampleSizesBelowOne(int n1, int n2, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => KolmogorovSmirnovDistribution.TwoSided(n1, n2, 0.5));
        Assert.Equal(parameter, ex.ParamName);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0000001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void TwoSided_RejectsStatisticOutsideUnitInterval(double d)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => KolmogorovSmirnovDistribution.TwoSided(5, 6, d));
        Assert.Equal("d", ex.ParamName);
    }

    [Theory]
    [InlineData(0, 0.5, "n")]
    [InlineData(-3, 0.5, "n")]
    [InlineData(5, -0.5, "d")]
    [InlineData(5, 1.5, "d")]
    [InlineData(5, double.NaN, "d")]
    public void KolmogorovSurvival_RejectsInvalidArguments(int n, double d, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => KolmogorovSmirnovDistribution.KolmogorovSurvival(n, d));
        Assert.Equal(parameter, ex.ParamName);
    }

    [Theory]
    [InlineData(0, 0.5, "n")]
    [InlineData(-3, 0.5, "n")]
    [InlineData(5, -0.5, "d")]
    [InlineData(5, 1.5, "d")]
    [InlineData(5, double.NaN, "d")]
    public void SmirnovSurvival_RejectsInvalidArguments(int n, double d, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => KolmogorovSmirnovDistribution.SmirnovSurvival(n, d));
        Assert.Equal(parameter, ex.ParamName);
    }

    private void AssertOneSampleCases(string section, Func<int, double, double> function)
    {
        var failures = new List<string>();
        var worst = new Dictionary<string, (double Relative, double Absolute)>();
        int count = 0;
        foreach (JsonElement c in Cases(section))
        {
            int n = c.GetProperty("n").GetInt32();
            double d = c.GetProperty("d").GetDouble();
            double expected = c.GetProperty("sf").GetDouble();
            string branch = c.GetProperty("branch").GetString() ?? "?";
            double actual = function(n, d);
            count++;
            if (!PValueClose(actual, expected))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"n={n} d={d:R} [{branch}]: {actual:R} != {expected:R}"));
            }

            Track(worst, branch, actual, expected);
        }

        Report(section, count, worst);
        Assert.True(count > 0, $"fixture has no {section} cases");
        Assert.True(failures.Count == 0, Describe(failures));
    }

    private static bool PValueClose(double actual, double expected)
    {
        double diff = Math.Abs(actual - expected);
        return diff <= PValueAbsoluteTolerance || diff <= PValueRelativeTolerance * Math.Abs(expected);
    }

    private static bool WithinRelative(double actual, double expected, double tolerance)
    {
        return Math.Abs(actual - expected) <= tolerance * Math.Abs(expected);
    }

    private static void Track(Dictionary<string, (double Relative, double Absolute)> worst, string branch, double actual, double expected)
    {
        double absolute = Math.Abs(actual - expected);
        double relative = expected == 0.0 ? (absolute == 0.0 ? 0.0 : double.PositiveInfinity) : absolute / Math.Abs(expected);
        worst.TryGetValue(branch, out (double Relative, double Absolute) current);
        worst[branch] = (Math.Max(current.Relative, relative), Math.Max(current.Absolute, absolute));
    }

    private void Report(string section, int count, Dictionary<string, (double Relative, double Absolute)> worst)
    {
        _output.WriteLine($"{section}: {count} cases");
        foreach ((string branch, (double relative, double absolute)) in worst.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {branch}: worst relative {relative:E2}, worst absolute {absolute:E2}"));
        }
    }

    private static string Describe(List<string> failures)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{failures.Count} mismatches");
        foreach (string failure in failures.Take(25))
        {
            sb.AppendLine().Append(failure);
        }

        return sb.ToString();
    }

    private static IEnumerable<JsonElement> Cases(string section)
    {
        return Fixture.Value.RootElement.GetProperty(section).EnumerateArray();
    }

    private static JsonDocument LoadFixture()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "ks_distribution.json");
        return JsonDocument.Parse(File.ReadAllText(path));
    }
}
