using Monitoring.Stats.Sketches;
using Monitoring.Stats.Slices;
using Xunit;

namespace Monitoring.Stats.Tests.Sketches;

/// <summary>Persistence round trips and exact removal for the sketches the grains store.</summary>
public sealed class SketchPartsTests
{
    [Fact]
    public void ScoreHistogram_RoundTripsThroughParts()
    {
        var (scores, labels) = Data(500, 3);
        var sketch = new ScoreHistogramSketch();
        sketch.Add(scores, labels);

        var copy = ScoreHistogramSketch.FromParts(sketch.ToParts());

        Assert.Equal(sketch.ToParts().PositiveCounts, copy.ToParts().PositiveCounts);
        Assert.Equal(sketch.Brier, copy.Brier);
        Assert.Equal(sketch.LogLoss, copy.LogLoss);
        Assert.Equal(sketch.F1, copy.F1);
        Assert.Equal(sketch.Auc(), copy.Auc());
    }

    [Fact]
    public void ScoreHistogram_SubtractUndoesAdd()
    {
        var (scores, labels) = Data(400, 5);
        var whole = new ScoreHistogramSketch();
        whole.Add(scores, labels);
        var part = new ScoreHistogramSketch();
        part.Add(scores.AsSpan(0, 150), labels.AsSpan(0, 150));
        var rest = new ScoreHistogramSketch();
        rest.Add(scores.AsSpan(150), labels.AsSpan(150));

        whole.Subtract(part);

        Assert.Equal(rest.ToParts().PositiveCounts, whole.ToParts().PositiveCounts);
        Assert.Equal(rest.ToParts().NegativeCounts, whole.ToParts().NegativeCounts);
        Assert.Equal(rest.Accuracy, whole.Accuracy, 12);
        Assert.Equal(rest.Brier, whole.Brier, 12);
        Assert.Equal(rest.LogLoss, whole.LogLoss, 9);
    }

    [Fact]
    public void ScoreHistogram_SingleValueAdd_EqualsSpanAdd()
    {
        var (scores, labels) = Data(300, 9);
        var bySpan = new ScoreHistogramSketch();
        bySpan.Add(scores, labels);
        var byValue = new ScoreHistogramSketch();
        for (var i = 0; i < scores.Length; i++)
        {
            byValue.Add(scores[i], labels[i]);
        }

        Assert.Equal(bySpan.ToParts().PositiveCounts, byValue.ToParts().PositiveCounts);
        Assert.Equal(bySpan.ToParts().NegativeScoreSums, byValue.ToParts().NegativeScoreSums);
        Assert.Equal(bySpan.LogLoss, byValue.LogLoss);
        Assert.Throws<ArgumentOutOfRangeException>(() => byValue.Add(1.5, 0));
    }

    [Fact]
    public void ScoreHistogram_SubtractingMoreThanItHolds_Throws()
    {
        var small = new ScoreHistogramSketch();
        small.Add([0.2], [1.0]);
        var big = new ScoreHistogramSketch();
        big.Add([0.2, 0.3], [1.0, 1.0]);

        Assert.Throws<ArgumentException>(() => small.Subtract(big));
    }

    [Fact]
    public void SliceCounts_RoundTripThroughParts()
    {
        var (scores, labels) = Data(300, 7);
        var counts = new SliceCounts();
        for (var i = 0; i < scores.Length; i++)
        {
            counts.Add(scores[i], labels[i], 0.5);
        }

        var copy = SliceCounts.FromParts(counts.ToParts());

        Assert.Equal(counts.ToParts().BinCounts, copy.ToParts().BinCounts);
        Assert.Equal(counts.Correct, copy.Correct);
        Assert.Equal(counts.Reliability().ExpectedCalibrationError, copy.Reliability().ExpectedCalibrationError);
    }

    private static (double[] Scores, double[] Labels) Data(int n, int seed)
    {
        var rng = new Random(seed);
        var scores = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var labels = scores.Select(s => rng.NextDouble() < s ? 1.0 : 0.0).ToArray();
        return (scores, labels);
    }
}
