using System.Text.Json;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Slices;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Slices;

/// <summary>
/// The per-dimension slice report of the planted dataset against the reference: metrics with Wilson and DeLong
/// intervals (statsmodels, numpy), ECE (sklearn binning), comparisons with the complement with BH across all slices.
/// </summary>
public sealed class SliceReportFixtureTests
{
    private static readonly Lazy<SliceReport> Report = new(() => SliceReport.Build(PlantedSlices.Dataset));

    [Fact]
    public void Overall_MatchesReference()
    {
        AssertMetrics(PlantedSlices.Section.GetProperty("overall"), Report.Value.Overall, "overall");
    }

    [Fact]
    public void Dimensions_MatchReference()
    {
        var expected = PlantedSlices.Section.GetProperty("dimensions_report").EnumerateArray().ToArray();
        var actual = Report.Value.Dimensions;
        Assert.Equal(expected.Select(d => d.GetProperty("name").GetString()), actual.Select(d => d.Name));
        for (var i = 0; i < expected.Length; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.Equal(e.Long("volume"), a.Volume);
            Assert.Equal(e.GetProperty("other_values").GetInt32(), a.OtherValues);
            var slices = e.GetProperty("slices").EnumerateArray().ToArray();
            Assert.Equal(slices.Select(s => s.GetProperty("value").GetString()), a.Slices.Select(s => s.Key.First.Value));
            for (var k = 0; k < slices.Length; k++)
            {
                var what = a.Slices[k].Key.ToString();
                AssertMetrics(slices[k].GetProperty("metrics"), a.Slices[k].Metrics, what);
                AssertComparison(slices[k].GetProperty("comparison"), a.Slices[k].Comparison, what + " comparison");
                AssertComparison(slices[k].GetProperty("auc_comparison"), a.Slices[k].AucComparison, what + " AUC comparison");
            }
        }
    }

    internal static void AssertMetrics(JsonElement e, SliceMetrics a, string what)
    {
        Assert.Equal(e.Long("count"), a.Count);
        Assert.Equal(e.Long("positives"), a.Positives);
        Assert.Equal(e.Long("true_positives"), a.TruePositives);
        Assert.Equal(e.Long("false_positives"), a.FalsePositives);
        Assert.Equal(e.Long("false_negatives"), a.FalseNegatives);
        AssertRate(e.GetProperty("accuracy"), a.Accuracy, what + " accuracy");
        AssertRate(e.GetProperty("error_rate"), a.ErrorRate, what + " error rate");
        AssertRate(e.GetProperty("precision"), a.Precision, what + " precision");
        AssertRate(e.GetProperty("recall"), a.Recall, what + " recall");
        AssertRate(e.GetProperty("positive_rate"), a.PositiveRate, what + " positive rate");
        AssertRate(e.GetProperty("predicted_positive_rate"), a.PredictedPositiveRate, what + " predicted positive rate");
        Close.Statistic(e.Double("f1"), a.F1, what + " f1");
        Close.Statistic(e.Double("brier"), a.Brier, what + " brier");
        Close.Statistic(e.Double("ece"), a.ExpectedCalibrationError, what + " ece");
        var auc = e.GetProperty("auc");
        Assert.Equal(auc.ValueKind == JsonValueKind.Null, a.Auc is null);
        if (a.Auc is { } r)
        {
            AssertDeLong(auc, r, what + " auc");
        }
    }

    internal static void AssertDeLong(JsonElement e, DeLongResult r, string what)
    {
        Close.Statistic(e.Double("auc"), r.Auc, what);
        e.StatisticOrNull("variance", r.HasVariance ? r.Variance : null, what + " variance");
        e.StatisticOrNull("lower", r.Interval()?.Lower, what + " lower");
        e.StatisticOrNull("upper", r.Interval()?.Upper, what + " upper");
    }

    private static void AssertRate(JsonElement e, RateEstimate a, string what)
    {
        Close.Statistic(e.Double("value"), a.Value, what);
        e.StatisticOrNull("lower", a.Interval?.Lower, what + " lower");
        e.StatisticOrNull("upper", a.Interval?.Upper, what + " upper");
    }

    private static void AssertComparison(JsonElement e, SliceComparison? a, string what)
    {
        Assert.Equal(e.ValueKind == JsonValueKind.Null, a is null);
        if (a is null)
        {
            return;
        }

        Close.Statistic(e.Double("slice_value"), a.SliceValue, what + " slice value");
        Close.Statistic(e.Double("rest_value"), a.RestValue, what + " rest value");
        Close.Statistic(e.Double("difference"), a.Difference, what + " difference");
        Close.Statistic(e.Double("lower_bound"), a.LowerBound, what + " lower bound");
        e.StatisticOrNull("z", double.IsFinite(a.Z) ? a.Z : null, what + " z");
        Close.PValue(e.Double("p_value"), a.PValue, what + " p");
        Close.PValue(e.Double("p_value_adjusted"), a.AdjustedPValue!.Value, what + " p adjusted");
        Assert.Equal(e.GetProperty("significant").GetBoolean(), a.Significant);
    }
}
