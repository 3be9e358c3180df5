using Monitoring.Stats.Sketches;
using Monitoring.Stats.Slices;
using Xunit;

namespace Monitoring.Stats.Tests.Slices;

/// <summary>
/// CBPE from a <see cref="ScoreHistogramSketch"/> against CBPE of the raw scores: exact at the sketch's threshold, exact
/// at a bin edge for the rule p &gt; t, and expected AUC within the documented bounds.
/// </summary>
public sealed class CbpeSketchTests
{
    private const double Relative = 1e-11;

    public static TheoryData<int, double> Cases()
    {
        var data = new TheoryData<int, double>();
        foreach (var n in new[] { 1, 7, 100, 5000 })
        {
            foreach (var threshold in new[] { 0.5, 0.37, 0.9 })
            {
                data.Add(n, threshold);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FromSketch_AtItsThreshold_EqualsRawEstimate(int n, double threshold)
    {
        var (scores, labels) = Data(n, seed: n, onEdges: true);
        var sketch = new ScoreHistogramSketch(threshold: threshold);
        sketch.Add(scores, labels);

        var raw = Cbpe.Estimate(scores, threshold);
        var fromSketch = Cbpe.FromSketch(sketch);

        AssertSameConfusion(raw, fromSketch);
        var rawAuc = raw.RocAuc;
        var sketchAuc = fromSketch.RocAuc;
        Assert.Equal(rawAuc is null, sketchAuc is null);
        if (rawAuc is { } r && sketchAuc is { } s)
        {
            Assert.InRange(r.Estimate, s.Lower - 1e-12, s.Upper + 1e-12);
            Assert.Equal(s.Lower, s.Estimate);
        }
    }

    [Fact]
    public void FromSketch_AtAnotherEdge_IsExactForStrictlyAbove()
    {
        var (scores, labels) = Data(4000, seed: 3, onEdges: true);
        var sketch = new ScoreHistogramSketch();
        sketch.Add(scores, labels);

        foreach (var edge in new[] { 0.0, 0.3, 0.42, 0.7, 1.0 })
        {
            var inner = sketch.FineEdges.Edges.ToArray();
            var t = edge is 0 or 1 ? edge : inner.First(e => Math.Abs(e - edge) < 1e-12);
            var strictlyAbove = t == 0 ? scores : scores.Where(p => p > t).ToArray();
            var below = t == 0 ? [] : scores.Where(p => p <= t).ToArray();
            var fromSketch = Cbpe.FromSketch(sketch, t);

            Close(strictlyAbove.Sum(), fromSketch.ExpectedTruePositives, $"E[TP] at {t}");
            Close(strictlyAbove.Sum(p => 1 - p), fromSketch.ExpectedFalsePositives, $"E[FP] at {t}");
            Close(below.Sum(), fromSketch.ExpectedFalseNegatives, $"E[FN] at {t}");
            Close(below.Sum(p => 1 - p), fromSketch.ExpectedTrueNegatives, $"E[TN] at {t}");
        }

        Assert.Throws<ArgumentException>(() => Cbpe.FromSketch(sketch, 0.123));
    }

    [Fact]
    public void FromSketch_MergedSketches_EqualOneSketch()
    {
        var (scores, labels) = Data(3000, seed: 11, onEdges: false);
        var whole = new ScoreHistogramSketch();
        whole.Add(scores, labels);
        var first = new ScoreHistogramSketch();
        first.Add(scores.AsSpan(0, 1000), labels.AsSpan(0, 1000));
        var second = new ScoreHistogramSketch();
        second.Add(scores.AsSpan(1000), labels.AsSpan(1000));
        first.Merge(second);

        AssertSameConfusion(Cbpe.FromSketch(whole), Cbpe.FromSketch(first));
    }

    [Fact]
    public void FromSketch_Empty_Throws()
    {
        Assert.Throws<ArgumentException>(() => Cbpe.FromSketch(new ScoreHistogramSketch()));
        Assert.Null(Cbpe.ExpectedRocAuc(new ScoreHistogramSketch()));
    }

    private static void AssertSameConfusion(CbpeEstimate expected, CbpeEstimate actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Close(expected.ExpectedTruePositives, actual.ExpectedTruePositives, "E[TP]");
        Close(expected.ExpectedFalsePositives, actual.ExpectedFalsePositives, "E[FP]");
        Close(expected.ExpectedFalseNegatives, actual.ExpectedFalseNegatives, "E[FN]");
        Close(expected.ExpectedTrueNegatives, actual.ExpectedTrueNegatives, "E[TN]");
        Close(expected.Accuracy, actual.Accuracy, "accuracy");
        Close(expected.Precision, actual.Precision, "precision");
        Close(expected.Recall, actual.Recall, "recall");
        Close(expected.F1, actual.F1, "F1");
    }

    private static void Close(double expected, double actual, string what) =>
        Support.Close.Within(expected, actual, Relative, 1e-9, what);

    private static (double[] Scores, double[] Labels) Data(int n, int seed, bool onEdges)
    {
        var random = new Random(seed);
        var scores = new double[n];
        var labels = new double[n];
        for (var i = 0; i < n; i++)
        {
            // A share of scores sits exactly on bin edges (including the thresholds) to exercise the boundary.
            scores[i] = onEdges && i % 5 == 0 ? Math.Round(random.NextDouble(), 2) : random.NextDouble();
            labels[i] = random.NextDouble() < scores[i] ? 1 : 0;
        }

        return (scores, labels);
    }
}
