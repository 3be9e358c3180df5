using Monitoring.Stats.Classification;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Classification;

/// <summary>Multiclass accuracy and macro F1 against sklearn 1.2 (zero_division=0, labels = union seen).</summary>
public sealed class MulticlassFixtureTests
{
    public static TheoryData<string> Cases => SliceFixtures.Names("multiclass");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Metrics_MatchSklearn(string name)
    {
        var c = SliceFixtures.Case("multiclass", name);
        var r = MulticlassMetrics.Compute(c.Strings("actual"), c.Strings("predicted"), StringComparer.Ordinal);

        Close.Statistic(c.Double("accuracy"), r.Accuracy, "accuracy");
        Close.Statistic(c.Double("macro_f1"), r.MacroF1, "macro f1");
        var labels = c.Strings("labels");
        var f1 = c.Doubles("per_class_f1");
        Assert.Equal(labels.Order(StringComparer.Ordinal), r.Classes.Select(x => x.Label).Order(StringComparer.Ordinal));
        for (var i = 0; i < labels.Length; i++)
        {
            Close.Statistic(f1[i], r.Classes.Single(x => x.Label == labels[i]).F1, $"f1 of {labels[i]}");
        }
    }

    [Fact]
    public void Compute_WorksForAnyLabelType()
    {
        var r = MulticlassMetrics.Compute([1, 2, 3, 3], [1, 2, 2, 3]);

        Assert.Equal(0.75, r.Accuracy);
        Assert.Equal((1 + (2.0 / 3) + (2.0 / 3)) / 3, r.MacroF1, 15);
    }

    [Fact]
    public void Compute_RejectsEmptyOrUnpaired()
    {
        Assert.Throws<ArgumentException>(() => MulticlassMetrics.Compute(Array.Empty<string>(), Array.Empty<string>()));
        Assert.Throws<ArgumentException>(() => MulticlassMetrics.Compute(["a"], ["a", "b"]));
    }
}
