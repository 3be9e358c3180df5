using Monitoring.Stats.Slices;
using Monitoring.Stats.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Slices;

/// <summary>
/// The worst-slice search on the planted dataset (8,000 rows; country=BR and device=ios &amp; plan=free degrade from
/// about 0.76 to 0.58 accuracy): both planted slices rank first and second on every metric, nothing else ranks above
/// them, no listed slice is below the minimum support, and every listed value matches the numpy/statsmodels reference
/// of the same procedure (Fixtures/generate_slice_fixtures.py).
/// </summary>
public sealed class WorstSlicesFixtureTests(ITestOutputHelper output)
{
    public static TheoryData<string> Metrics => new() { "accuracy", "error_rate", "precision", "recall", "f1", "brier", "auc" };

    [Theory]
    [MemberData(nameof(Metrics))]
    public void PlantedSlices_RankFirstAndSecond(string metricName)
    {
        Assert.True(SliceMetricExtensions.TryParse(metricName, out var metric));
        var result = WorstSlices.Find(PlantedSlices.Dataset, new SliceOptions { Metric = metric });
        foreach (var w in result.Slices)
        {
            output.WriteLine($"{w.Rank,2} {w.Key,-32} n={w.Metrics.Count,5} degradation={w.Comparison.Degradation:F4} lower={w.Comparison.LowerBound:F4} p_bh={w.Comparison.AdjustedPValue:E2}");
        }

        var planted = PlantedSlices.Section.Strings("planted").ToHashSet();
        Assert.Equal(planted, result.Slices.Take(2).Select(w => w.Key.ToString()).ToHashSet());
        Assert.All(result.Slices.Take(2), w => Assert.True(w.Comparison.Significant));
        Assert.All(result.Slices, w => Assert.True(w.Metrics.Count >= SliceOptions.DefaultMinimumSupport));
        Assert.All(result.Slices, w => Assert.True(w.Comparison.Degradation > 0));
    }

    [Theory]
    [MemberData(nameof(Metrics))]
    public void WorstList_MatchesReference(string metricName)
    {
        Assert.True(SliceMetricExtensions.TryParse(metricName, out var metric));
        var result = WorstSlices.Find(PlantedSlices.Dataset, new SliceOptions { Metric = metric });
        var expected = PlantedSlices.Section.GetProperty("worst").GetProperty(metricName);

        Assert.Equal(expected.GetProperty("evaluated").GetInt32(), result.Evaluated);
        var slices = expected.GetProperty("slices").EnumerateArray().ToArray();
        Assert.Equal(slices.Select(s => s.GetProperty("slice").GetString()), result.Slices.Select(w => w.Key.ToString()));
        for (var i = 0; i < slices.Length; i++)
        {
            var e = slices[i];
            var a = result.Slices[i];
            var what = $"{metricName} #{i + 1} {a.Key}";
            Assert.Equal(e.GetProperty("rank").GetInt32(), a.Rank);
            Assert.Equal(e.Long("count"), a.Metrics.Count);
            Close.Statistic(e.Double("slice_value"), a.Comparison.SliceValue, what + " slice value");
            Close.Statistic(e.Double("rest_value"), a.Comparison.RestValue, what + " rest value");
            Close.Statistic(e.Double("difference"), a.Comparison.Difference, what + " difference");
            Close.Statistic(e.Double("degradation"), a.Comparison.Degradation, what + " degradation");
            Close.Statistic(e.Double("standard_error"), a.Comparison.StandardError, what + " standard error");
            Close.Statistic(e.Double("lower_bound"), a.Comparison.LowerBound, what + " lower bound");
            e.StatisticOrNull("z", double.IsFinite(a.Comparison.Z) ? a.Comparison.Z : null, what + " z");
            Close.PValue(e.Double("p_value"), a.Comparison.PValue, what + " p");
            Close.PValue(e.Double("p_value_adjusted"), a.Comparison.AdjustedPValue!.Value, what + " p adjusted");
            Assert.Equal(e.GetProperty("significant").GetBoolean(), a.Comparison.Significant);
        }
    }

    [Fact]
    public void MinimumSupport_IsNeverUndercut()
    {
        var options = new SliceOptions { MinimumSupport = 400, MaxResults = 1000 };
        var result = WorstSlices.Find(PlantedSlices.Dataset, options);

        Assert.NotEmpty(result.Slices);
        Assert.All(result.Slices, w => Assert.True(w.Metrics.Count >= 400, $"{w.Key} has {w.Metrics.Count} rows"));
    }

    [Fact]
    public void PairDimensions_LimitWhichDimensionsPair()
    {
        // channel has the fewest non-null rows, so with the default of 3 it never pairs; with 0 nothing pairs.
        var all = WorstSlices.Find(PlantedSlices.Dataset, new SliceOptions { MaxResults = 1000, MinimumSupport = 1 });
        Assert.DoesNotContain(all.Slices, w => w.Key.IsPair && w.Key.Conditions.Any(c => c.Dimension == "channel"));
        var singles = WorstSlices.Find(PlantedSlices.Dataset, new SliceOptions { PairDimensions = 0, MaxResults = 1000 });
        Assert.DoesNotContain(singles.Slices, w => w.Key.IsPair);
        Assert.Equal("country=BR", singles.Slices[0].Key.ToString());
    }

    [Fact]
    public void ValuesPerDimension_MergesTheTailIntoOther()
    {
        var report = SliceReport.Build(PlantedSlices.Dataset, new SliceOptions { ValuesPerDimension = 5 });
        var country = report.Dimensions.Single(d => d.Name == "country");

        Assert.Equal(6, country.Slices.Count);
        Assert.Equal(SliceKey.OtherValue, country.Slices[^1].Key.First.Value);
        Assert.Equal(PlantedSlices.Dataset.Count, country.Slices.Sum(s => s.Metrics.Count));
        Assert.Equal(25, country.OtherValues);
    }
}
