using Monitoring.Stats.Classification;
using Monitoring.Stats.Kernels;
using Monitoring.Stats.Sketches;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Sketches;

/// <summary>
/// <see cref="ScoreHistogramSketch"/> against the exact metrics of the raw data (<see cref="BinaryClassificationMetrics.Compute"/>,
/// <see cref="Calibration.Compute"/>, <see cref="RocAuc.Compute"/>): calibration, Brier, log loss and the threshold metrics
/// equal within 1e-12 relative (only the summation order differs), counts exactly; the AUC bounds contain the exact AUC.
/// </summary>
public sealed class ScoreHistogramSketchTests
{
    private const double RelativeTolerance = 1e-12;

    /// <summary>Scores exactly on the reliability edges: i * 0.1 as computed (0.30000000000000004 ...) and as literals.</summary>
    private static readonly double[] EdgeScores =
        [.. Enumerable.Range(0, 11).Select(i => i * 0.1), 0.3, 0.6, 0.7, 0.1, 0.2, 0.4, 0.5, 0.8, 0.9, 1.0];

    private readonly ITestOutputHelper _output;

    public ScoreHistogramSketchTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine(SimdInfo.Describe());
    }

    public static TheoryData<int, ScoreData> Cases()
    {
        var data = new TheoryData<int, ScoreData>();
        foreach (var n in new[] { 1, 2, 3, 10, 100, 1023, 1024, 1025, 5000 })
        {
            foreach (var kind in Enum.GetValues<ScoreData>())
            {
                data.Add(n, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Metrics_EqualBinaryClassificationMetrics(int n, ScoreData kind)
    {
        var (scores, labels) = Generate(kind, n, seed: n);
        var sketch = new ScoreHistogramSketch();
        sketch.Add(scores, labels);
        var exact = BinaryClassificationMetrics.Compute(scores, labels);

        Assert.Equal(exact.Count, sketch.Count);
        Assert.Equal(exact.Positives, sketch.Positives);
        Assert.Equal(exact.Count - exact.Positives, sketch.Negatives);
        AssertClose(exact.Brier, sketch.Brier, "Brier");
        AssertClose(exact.LogLoss, sketch.LogLoss, "log loss");
        AssertClose(exact.Accuracy, sketch.Accuracy, "accuracy");
        AssertClose(exact.Precision, sketch.Precision, "precision");
        AssertClose(exact.Recall, sketch.Recall, "recall");
        AssertClose(exact.F1, sketch.F1, "F1");
        AssertCalibrationEqual(exact.Calibration, sketch.Reliability());
        AssertAucContained(exact.Auc, sketch.Auc());
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.3)]
    [InlineData(0.30000000000000004)]
    [InlineData(0.7)]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void ThresholdMetrics_EqualBinaryClassificationMetrics_WithScoresOnTheThreshold(double threshold)
    {
        var (scores, labels) = Generate(ScoreData.OnEdges, 2000, seed: 4);
        var sketch = new ScoreHistogramSketch(threshold: threshold);
        sketch.Add(scores, labels);
        var exact = BinaryClassificationMetrics.Compute(scores, labels, threshold);

        Assert.Equal(threshold, sketch.Threshold);
        AssertClose(exact.Accuracy, sketch.Accuracy, "accuracy");
        AssertClose(exact.Precision, sketch.Precision, "precision");
        AssertClose(exact.Recall, sketch.Recall, "recall");
        AssertClose(exact.F1, sketch.F1, "F1");
    }

    [Theory]
    [InlineData(10, 10)]
    [InlineData(10, 1)]
    [InlineData(5, 4)]
    [InlineData(20, 3)]
    [InlineData(3, 7)]
    [InlineData(7, 2)]
    [InlineData(1, 1)]
    [InlineData(1, 5)]
    public void Reliability_EqualsCalibrationCompute_ForOtherBinnings(int bins, int subdivisions)
    {
        var sketch = new ScoreHistogramSketch(bins, subdivisions);
        Assert.Equal(Calibration.UniformEdges(bins), sketch.ReliabilityEdges);
        Assert.Equal((bins * subdivisions) - 1, sketch.FineEdges.Edges.Length);
        foreach (var inner in sketch.ReliabilityEdges[1..^1])
        {
            Assert.Contains(inner, sketch.FineEdges.Edges.ToArray());
        }

        // Scores on this binning's own edges too (k / bins as computed, e.g. 1/3 and 2/3).
        var (scores, labels) = Generate(ScoreData.Mixed, 3000, seed: bins + subdivisions);
        var rng = new Random(bins);
        for (var i = 0; i < scores.Length; i += 5)
        {
            scores[i] = sketch.ReliabilityEdges[rng.Next(sketch.ReliabilityEdges.Length)];
        }

        sketch.Add(scores, labels);
        AssertCalibrationEqual(Calibration.Compute(scores, labels, bins), sketch.Reliability());
    }

    [Theory]
    [InlineData(ScoreData.Uniform)]
    [InlineData(ScoreData.OnEdges)]
    [InlineData(ScoreData.Mixed)]
    public void Merge_EqualsOneSketchOfAllTheData(ScoreData kind)
    {
        var (scores, labels) = Generate(kind, 4000, seed: 99);
        var whole = new ScoreHistogramSketch();
        whole.Add(scores, labels);

        var merged = new ScoreHistogramSketch();
        foreach (var (start, length) in new[] { (0, 0), (0, 1), (1, 1500), (1501, 2499) })
        {
            var part = new ScoreHistogramSketch();
            part.Add(scores.AsSpan(start, length), labels.AsSpan(start, length));
            merged.Merge(part);
        }

        Assert.Equal(whole.Count, merged.Count);
        Assert.Equal(whole.Positives, merged.Positives);
        Assert.Equal(whole.Negatives, merged.Negatives);
        Assert.Equal(whole.Accuracy, merged.Accuracy);
        Assert.Equal(whole.Precision, merged.Precision);
        Assert.Equal(whole.Recall, merged.Recall);
        Assert.Equal(whole.F1, merged.F1);
        Assert.Equal(whole.Auc(), merged.Auc());
        AssertClose(whole.Brier, merged.Brier, "Brier");
        AssertClose(whole.LogLoss, merged.LogLoss, "log loss");
        AssertCalibrationEqual(whole.Reliability(), merged.Reliability());
    }

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 32)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void AucBounds_ContainTheExactAuc_WhenItAttainsThem(int seed)
    {
        // Fine bins holding both classes, each ordered one way: with a bin's negatives all above its positives the exact
        // AUC is the lower bound, the other way round the upper bound. Random counts per bin vary the rounding.
        var fine = new ScoreHistogramSketch().FineEdges.Edges.ToArray();
        double[] bounds = [0.0, .. fine, 1.0];
        var rng = new Random(seed);
        foreach (var negativesAbove in new[] { true, false })
        {
            var scores = new List<double>();
            var labels = new List<double>();
            for (var b = 0; b + 1 < bounds.Length; b++)
            {
                var low = Math.BitIncrement(bounds[b]);
                var high = bounds[b + 1];
                for (int i = 0, n = rng.Next(0, 6); i < n; i++)
                {
                    scores.Add(low);
                    labels.Add(negativesAbove ? 1 : 0);
                }

                for (int i = 0, n = rng.Next(0, 6); i < n; i++)
                {
                    scores.Add(high);
                    labels.Add(negativesAbove ? 0 : 1);
                }
            }

            var sketch = new ScoreHistogramSketch();
            sketch.Add(scores.ToArray(), labels.ToArray());
            var exact = RocAuc.Compute(scores.ToArray(), labels.ToArray());
            var auc = sketch.Auc();
            Assert.NotNull(exact);
            Assert.NotNull(auc);
            _output.WriteLine($"negatives above: {negativesAbove}: exact {exact:R}, bounds [{auc.Value.Lower:R}, {auc.Value.Upper:R}]");
            Assert.InRange(exact.Value, auc.Value.Lower, auc.Value.Upper);
            Assert.Equal(exact.Value, negativesAbove ? auc.Value.Lower : auc.Value.Upper);
        }
    }

    [Fact]
    public void Auc_IsNull_WhenOneClassIsMissing()
    {
        var sketch = new ScoreHistogramSketch();
        sketch.Add([0.1, 0.9, 0.5], [1.0, 1.0, 1.0]);
        Assert.Null(sketch.Auc());
        Assert.Null(BinaryClassificationMetrics.Compute([0.1, 0.9, 0.5], [1.0, 1.0, 1.0]).Auc);
    }

    [Fact]
    public void EmptySketch_ReportsNaNOrZero_LikeTheDocumentedConventions()
    {
        var sketch = new ScoreHistogramSketch();
        Assert.Equal(0, sketch.Count);
        Assert.True(double.IsNaN(sketch.Brier));
        Assert.True(double.IsNaN(sketch.LogLoss));
        Assert.True(double.IsNaN(sketch.Accuracy));
        Assert.Equal(0, sketch.Precision);
        Assert.Equal(0, sketch.Recall);
        Assert.Equal(0, sketch.F1);
        Assert.Null(sketch.Auc());
        var reliability = sketch.Reliability();
        Assert.Equal(0, reliability.ExpectedCalibrationError);
        Assert.All(reliability.Bins, b => Assert.Equal(0, b.Count));
    }

    [Fact]
    public void Add_RejectsInvalidScoresAndLabels_AndMergeRejectsDifferentSketches()
    {
        var sketch = new ScoreHistogramSketch();
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add([1.5], [1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add([-0.1], [1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add([double.NaN], [1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add([0.5], [2.0]));
        Assert.Throws<ArgumentException>(() => sketch.Add([0.5, 0.2], [1.0]));
        Assert.Throws<ArgumentException>(() => sketch.Merge(new ScoreHistogramSketch(threshold: 0.4)));
        Assert.Throws<ArgumentException>(() => sketch.Merge(new ScoreHistogramSketch(subdivisions: 5)));
        Assert.Throws<ArgumentException>(() => sketch.Merge(new ScoreHistogramSketch(reliabilityBins: 5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScoreHistogramSketch(reliabilityBins: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScoreHistogramSketch(subdivisions: 0));
        Assert.Equal(0, sketch.Count);
    }

    private static void AssertCalibrationEqual(CalibrationResult expected, CalibrationResult actual)
    {
        Assert.Equal(expected.Bins.Count, actual.Bins.Count);
        for (var b = 0; b < expected.Bins.Count; b++)
        {
            var e = expected.Bins[b];
            var a = actual.Bins[b];
            Assert.Equal(e.Bin, a.Bin);
            Assert.Equal(e.Lower, a.Lower);
            Assert.Equal(e.Upper, a.Upper);
            Assert.True(e.Count == a.Count, $"bin {b}: count {a.Count}, expected {e.Count}");
            Assert.Equal(e.MeanPredicted.HasValue, a.MeanPredicted.HasValue);
            Assert.Equal(e.FractionPositive, a.FractionPositive);
            if (e.MeanPredicted is { } mean)
            {
                AssertClose(mean, a.MeanPredicted!.Value, $"mean predicted in bin {b}");
            }
        }

        AssertClose(expected.ExpectedCalibrationError, actual.ExpectedCalibrationError, "ECE");
        AssertClose(expected.MaximumCalibrationError, actual.MaximumCalibrationError, "MCE");
    }

    private static void AssertAucContained(double? exact, BoundedEstimate? bounds)
    {
        Assert.Equal(exact.HasValue, bounds.HasValue);
        if (exact is { } auc && bounds is { } b)
        {
            Assert.InRange(auc, b.Lower, b.Upper);
            Assert.InRange(b.Estimate, b.Lower, b.Upper);
            Assert.InRange(b.Upper - b.Lower, 0, 1);
        }
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        // Relative, with an absolute floor for values that are 0 up to the rounding of their own terms (a zero ECE gap).
        var difference = Math.Abs(expected - actual);
        Assert.True(
            difference <= RelativeTolerance * Math.Abs(expected) || difference <= 1e-15,
            $"{what}: expected {expected:R}, got {actual:R} (difference {difference:R}).");
    }

    private static (double[] Scores, double[] Labels) Generate(ScoreData kind, int n, int seed)
    {
        var rng = new Random(seed + (1000 * (int)kind));
        var scores = new double[n];
        var labels = new double[n];
        for (var i = 0; i < n; i++)
        {
            scores[i] = kind switch
            {
                ScoreData.Uniform => rng.NextDouble(),
                ScoreData.OnEdges => EdgeScores[rng.Next(EdgeScores.Length)],
                ScoreData.Mixed => rng.Next(4) switch
                {
                    0 => EdgeScores[rng.Next(EdgeScores.Length)],
                    1 => OneUlpAway(EdgeScores[rng.Next(EdgeScores.Length)], rng),
                    2 => Math.Pow(rng.NextDouble(), 3),
                    _ => rng.Next(2) == 0 ? 1e-17 : 1 - 1e-16,
                },
                ScoreData.Confident => rng.Next(2) == 0 ? Math.Pow(rng.NextDouble(), 8) : 1 - Math.Pow(rng.NextDouble(), 8),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };

            // Labels drawn with probability = score (roughly calibrated), so ECE is small but not zero.
            labels[i] = rng.NextDouble() < scores[i] ? 1 : 0;
        }

        return (scores, labels);
    }

    private static double OneUlpAway(double edge, Random rng) =>
        edge == 0 ? Math.BitIncrement(edge) : edge == 1 || rng.Next(2) == 0 ? Math.BitDecrement(edge) : Math.BitIncrement(edge);
}

/// <summary>Score distributions for the score-sketch tests.</summary>
public enum ScoreData
{
    /// <summary>Uniform on [0, 1).</summary>
    Uniform,

    /// <summary>Only values exactly on reliability edges (i * 0.1 computed and the literals 0.3, 0.6, 0.7, ...).</summary>
    OnEdges,

    /// <summary>Edge values, one ulp either side of them, skewed scores and scores clipped by the log-loss epsilon.</summary>
    Mixed,

    /// <summary>Scores piled near 0 and 1.</summary>
    Confident,
}
