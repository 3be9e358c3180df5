using Monitoring.Stats.Classification;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Classification;

/// <summary>Binary classification metrics against sklearn 1.2 (Fixtures/generate_fixtures.py).</summary>
public sealed class ClassificationFixtureTests
{
    public static TheoryData<string> Cases => Fixtures.Names("classification");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Metrics_MatchSklearn(string name)
    {
        var c = Fixtures.Case("classification", name);
        var m = BinaryClassificationMetrics.Compute(c.Doubles("scores"), c.Doubles("labels"), c.GetProperty("threshold").GetDouble());

        var auc = c.NullableDouble("auc");
        if (auc is null)
        {
            Assert.Null(m.Auc);
        }
        else
        {
            Assert.NotNull(m.Auc);
            Close.Statistic(auc.Value, m.Auc.Value, "auc");
        }

        Close.Statistic(c.GetProperty("brier").GetDouble(), m.Brier, "brier");
        Close.Statistic(c.GetProperty("log_loss").GetDouble(), m.LogLoss, "log_loss");
        Close.Statistic(c.GetProperty("accuracy").GetDouble(), m.Accuracy, "accuracy");
        Close.Statistic(c.GetProperty("precision").GetDouble(), m.Precision, "precision");
        Close.Statistic(c.GetProperty("recall").GetDouble(), m.Recall, "recall");
        Close.Statistic(c.GetProperty("f1").GetDouble(), m.F1, "f1");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Calibration_MatchesSklearnUniformBinning(string name)
    {
        var c = Fixtures.Case("classification", name);
        var cal = Calibration.Compute(c.Doubles("scores"), c.Doubles("labels"));

        Close.Statistic(c.GetProperty("ece").GetDouble(), cal.ExpectedCalibrationError, "ece");
        Close.Statistic(c.GetProperty("mce").GetDouble(), cal.MaximumCalibrationError, "mce");
        var bins = c.GetProperty("reliability").EnumerateArray().ToArray();
        Assert.Equal(bins.Length, cal.Bins.Count);
        for (var b = 0; b < bins.Length; b++)
        {
            Assert.Equal(bins[b].GetProperty("lower").GetDouble(), cal.Bins[b].Lower);
            Assert.Equal(bins[b].GetProperty("upper").GetDouble(), cal.Bins[b].Upper);
            Assert.Equal(bins[b].GetProperty("count").GetInt64(), cal.Bins[b].Count);
            AssertNullableClose(bins[b].NullableDouble("mean_predicted"), cal.Bins[b].MeanPredicted, $"bin {b} mean_predicted");
            AssertNullableClose(bins[b].NullableDouble("fraction_positive"), cal.Bins[b].FractionPositive, $"bin {b} fraction_positive");
        }
    }

    [Fact]
    public void Metrics_WithLabelTwo_ThrowsNamingLabels()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BinaryClassificationMetrics.Compute([0.5], [2.0]));
        Assert.Equal("labels", ex.ParamName);
    }

    [Fact]
    public void Metrics_WithScoreAboveOne_ThrowsNamingScores()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BinaryClassificationMetrics.Compute([1.5], [1.0]));
        Assert.Equal("scores", ex.ParamName);
    }

    private static void AssertNullableClose(double? expected, double? actual, string what)
    {
        Assert.Equal(expected is null, actual is null);
        if (expected is not null)
        {
            Close.Statistic(expected.Value, actual!.Value, what);
        }
    }
}
