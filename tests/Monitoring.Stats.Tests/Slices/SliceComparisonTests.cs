using Monitoring.Stats.Classification;
using Monitoring.Stats.Slices;
using Xunit;

namespace Monitoring.Stats.Tests.Slices;

/// <summary>Edge cases of <see cref="SliceCounts"/> and <see cref="SliceComparison"/> not covered by the fixtures.</summary>
public sealed class SliceComparisonTests
{
    [Fact]
    public void Counts_MinusAndMerge_AreInverse()
    {
        var random = new Random(5);
        var whole = new SliceCounts();
        var part = new SliceCounts();
        var rest = new SliceCounts();
        for (var i = 0; i < 500; i++)
        {
            var score = random.NextDouble();
            var label = random.Next(2);
            whole.Add(score, label, 0.5);
            (i % 3 == 0 ? part : rest).Add(score, label, 0.5);
        }

        var difference = whole.Minus(part);
        Assert.Equal(rest.Count, difference.Count);
        Assert.Equal(rest.Correct, difference.Correct);
        Assert.Equal(rest.TruePositives, difference.TruePositives);
        Assert.Equal(rest.SquaredErrorSum, difference.SquaredErrorSum, 10);
        Assert.Equal(rest.Reliability().ExpectedCalibrationError, difference.Reliability().ExpectedCalibrationError, 10);
        part.Merge(rest);
        Assert.Equal(whole.Count, part.Count);
        Assert.Throws<ArgumentException>(() => part.Minus(new SliceCounts().Also(c => { for (var i = 0; i < 501; i++) { c.Add(0.5, 1, 0.5); } })));
    }

    [Fact]
    public void Counts_RejectBadRows()
    {
        var c = new SliceCounts();
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Add(1.2, 1, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => c.Add(0.2, 2, 0.5));
    }

    [Fact]
    public void Compare_UndefinedMetrics_AreNull()
    {
        var onlyNegativesPredictedNegative = Counts((0.1, 0), (0.2, 0));
        var mixed = Counts((0.9, 1), (0.1, 0), (0.8, 0), (0.3, 1));

        // Precision with nothing predicted positive, recall and F1 without positives, Brier with one row, AUC without variance.
        Assert.Null(SliceComparison.Compare(onlyNegativesPredictedNegative, mixed, SliceMetric.Precision));
        Assert.Null(SliceComparison.Compare(onlyNegativesPredictedNegative, mixed, SliceMetric.Recall));
        Assert.Null(SliceComparison.Compare(onlyNegativesPredictedNegative, mixed, SliceMetric.F1));
        Assert.Null(SliceComparison.Compare(Counts((0.5, 1)), mixed, SliceMetric.Brier));
        Assert.Null(SliceComparison.Compare(mixed, mixed, SliceMetric.Auc, DeLong.FromBins([1, 0], [0, 1]), DeLong.FromBins([2, 0], [0, 2])));
    }

    [Fact]
    public void Compare_ZeroStandardError_IsCertainOrNoEvidence()
    {
        var perfect = Counts((0.9, 1), (0.1, 0), (0.8, 1));
        var alsoPerfect = Counts((0.7, 1), (0.2, 0));
        var same = SliceComparison.Compare(perfect, alsoPerfect, SliceMetric.Accuracy)!;

        Assert.Equal(0, same.Z);
        Assert.Equal(1, same.PValue);

        var f1 = SliceComparison.Compare(perfect, alsoPerfect, SliceMetric.F1)!;
        Assert.True(f1.StandardError > 0); // the half-count correction keeps the delta-method variance positive
    }

    [Fact]
    public void Adjust_SetsBenjaminiHochbergAndSignificance()
    {
        var a = new SliceComparison(SliceMetric.Accuracy, 0.5, 0.8, -0.3, 0.3, 0.01, -30, 0.01, 0.2);
        var b = a with { PValue = 0.04 };
        var c = a with { PValue = 0.5 };
        var adjusted = SliceComparison.Adjust([a, b, c]);

        Assert.Equal([0.03, 0.06, 0.5], adjusted.Select(x => x.AdjustedPValue!.Value).ToArray(), (x, y) => Math.Abs(x - y) < 1e-15);
        Assert.Equal([true, false, false], adjusted.Select(x => x.Significant).ToArray());
    }

    [Fact]
    public void Dataset_RejectsMismatchedDimensions()
    {
        Assert.Throws<ArgumentException>(() => new SliceDataset([0.5, 0.6], [0.0, 1.0], [new SliceDimension("a", ["x"])]));
        Assert.Throws<ArgumentException>(() => new SliceDataset([0.5], [0.0], [new SliceDimension("a", ["x"]), new SliceDimension("a", ["y"])]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SliceDataset([0.5], [3.0], []));
    }

    [Fact]
    public void Auc_OfRowsAndComplement_EqualsDirectDeLong()
    {
        var random = new Random(9);
        var scores = Enumerable.Range(0, 600).Select(_ => Math.Round(random.NextDouble(), 2)).ToArray();
        var labels = scores.Select(s => random.NextDouble() < s ? 1.0 : 0.0).ToArray();
        var data = new SliceDataset(scores, labels, []);
        var rows = Enumerable.Range(0, 600).Where(i => i % 4 == 1).ToArray();
        var others = Enumerable.Range(0, 600).Where(i => i % 4 != 1).ToArray();

        var (own, rest) = data.Auc(rows, withComplement: true);

        Assert.Equal(DeLong.Compute(rows.Select(i => scores[i]).ToArray(), rows.Select(i => labels[i]).ToArray()), own);
        Assert.Equal(DeLong.Compute(others.Select(i => scores[i]).ToArray(), others.Select(i => labels[i]).ToArray()), rest);
    }

    private static SliceCounts Counts(params (double Score, int Label)[] rows)
    {
        var c = new SliceCounts();
        foreach (var (score, label) in rows)
        {
            c.Add(score, label, 0.5);
        }

        return c;
    }
}

internal static class TestExtensions
{
    public static T Also<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
