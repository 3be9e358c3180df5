using Monitoring.Stats.Slices;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Slices;

/// <summary>CBPE from raw scores against numpy of the same definitions (Fixtures/generate_slice_fixtures.py).</summary>
public sealed class CbpeFixtureTests
{
    public static TheoryData<string> Cases => SliceFixtures.Names("cbpe");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Estimate_MatchesNumpy(string name)
    {
        var c = SliceFixtures.Case("cbpe", name);
        var e = Cbpe.Estimate(c.Doubles("scores"), c.Double("threshold"));

        Close.Statistic(c.Double("expected_tp"), e.ExpectedTruePositives, "E[TP]");
        Close.Statistic(c.Double("expected_fp"), e.ExpectedFalsePositives, "E[FP]");
        Close.Statistic(c.Double("expected_fn"), e.ExpectedFalseNegatives, "E[FN]");
        Close.Statistic(c.Double("expected_tn"), e.ExpectedTrueNegatives, "E[TN]");
        Close.Statistic(c.Double("accuracy"), e.Accuracy, "accuracy");
        Close.Statistic(c.Double("precision"), e.Precision, "precision");
        Close.Statistic(c.Double("recall"), e.Recall, "recall");
        Close.Statistic(c.Double("f1"), e.F1, "f1");
        c.StatisticOrNull("auc", e.RocAuc?.Estimate, "auc");
        if (e.RocAuc is { } auc)
        {
            Assert.Equal(auc.Estimate, auc.Lower);
            Assert.Equal(auc.Estimate, auc.Upper);
        }
    }

    [Fact]
    public void Estimate_RejectsEmptyAndOutOfRange()
    {
        Assert.Throws<ArgumentException>(() => Cbpe.Estimate([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cbpe.Estimate([0.5, 1.5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Cbpe.Estimate([double.NaN]));
    }
}
