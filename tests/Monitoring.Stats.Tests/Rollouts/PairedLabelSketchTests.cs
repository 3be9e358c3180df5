using System.Text.Json;
using Monitoring.Stats.Rollouts;
using Monitoring.Stats.Sketches;
using Xunit;

namespace Monitoring.Stats.Tests.Rollouts;

/// <summary>
/// The bounded paired sketch of labelled shadow pairs against the raw-row tests it stands for: <see cref="PairedDeLong"/>
/// of the binned scores (the same statistic), of the raw scores (within the stated bound), and
/// <see cref="VersionDifferences.BrierPaired"/> (exact).
/// </summary>
public sealed class PairedLabelSketchTests
{
    private static (double[] B, double[] C, double[] Y) Pairs(int seed, int n, double candidateShift = 0)
    {
        var random = new Random(seed);
        var b = new double[n];
        var c = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            y[i] = random.NextDouble() < 0.35 ? 1 : 0;
            var common = (y[i] == 1 ? 0.65 : 0.35) + (0.18 * Normal(random));
            b[i] = Math.Clamp(common + (0.05 * Normal(random)), 0, 1);
            c[i] = Math.Clamp(common + (0.05 * Normal(random)) + (candidateShift * (y[i] == 1 ? 1 : -1)), 0, 1);
        }

        return (b, c, y);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static PairedLabelSketch Sketch(double[] b, double[] c, double[] y, int from = 0, int? to = null)
    {
        var sketch = new PairedLabelSketch();
        for (var i = from; i < (to ?? y.Length); i++)
        {
            sketch.Add(b[i], c[i], y[i]);
        }

        return sketch;
    }

    private static double[] Binned(double[] scores)
    {
        var edges = new ScoreHistogramSketch().FineEdges;
        return scores.Select(s => edges.BinOf(s) / (double)(PairedLabelSketch.Bins - 1)).ToArray();
    }

    private static void Near(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 + (1e-9 * Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");

    [Fact]
    public void Bins_AreTheScoreSketchFineBins() =>
        Assert.Equal(PairedLabelSketch.Bins, new ScoreHistogramSketch().FineEdges.BinCount);

    [Theory]
    [InlineData(1, 2_000, 0.0)]
    [InlineData(2, 5_000, 0.03)]
    [InlineData(3, 40, -0.05)]
    public void DeLong_IsPairedDeLongOfTheBinnedScores(int seed, int n, double shift)
    {
        var (b, c, y) = Pairs(seed, n, shift);

        var sketch = Sketch(b, c, y).DeLong()!;
        var direct = PairedDeLong.Compare(Binned(b), Binned(c), y)!;

        Near(direct.Baseline.Auc, sketch.Baseline.Auc, "baseline auc");
        Near(direct.Candidate.Auc, sketch.Candidate.Auc, "candidate auc");
        Near(direct.Baseline.Variance, sketch.Baseline.Variance, "baseline variance");
        Near(direct.Candidate.Variance, sketch.Candidate.Variance, "candidate variance");
        Near(direct.Covariance, sketch.Covariance, "covariance");
        Near(direct.Test.StandardError, sketch.Test.StandardError, "standard error");
        Near(direct.Test.PValue, sketch.Test.PValue, "p-value");
    }

    [Theory]
    [InlineData(4, 3_000, 0.0)]
    [InlineData(5, 3_000, 0.04)]
    public void DeLong_DifferenceIsWithinTheExactBoundOfTheRawScoresDifference(int seed, int n, double shift)
    {
        var (b, c, y) = Pairs(seed, n, shift);
        var sketch = Sketch(b, c, y);

        var binned = sketch.DeLong()!.Test.Difference;
        var exact = PairedDeLong.Compare(b, c, y)!.Test.Difference;

        Assert.True(sketch.ExactBound() > 0);
        Assert.True(Math.Abs(binned - exact) <= sketch.ExactBound(), $"binned {binned}, exact {exact}, bound {sketch.ExactBound()}");
    }

    [Fact]
    public void Brier_IsThePairedBrierTestOfTheRawPairs()
    {
        var (b, c, y) = Pairs(6, 1_500, 0.02);

        var sketch = Sketch(b, c, y).Brier()!;
        var direct = VersionDifferences.BrierPaired(b, c, y)!;

        Near(direct.Baseline, sketch.Baseline, "baseline brier");
        Near(direct.Candidate, sketch.Candidate, "candidate brier");
        Near(direct.StandardError, sketch.StandardError, "standard error");
        Near(direct.PValue, sketch.PValue, "p-value");
        Near(direct.Interval!.Value.Lower, sketch.Interval!.Value.Lower, "lower");
        Assert.Equal("paired_z", sketch.Test);
    }

    [Fact]
    public void Merge_OfThreeParts_EqualsTheWhole_AndSurvivesJson()
    {
        var (b, c, y) = Pairs(7, 3_000, 0.02);
        var whole = Sketch(b, c, y);
        var merged = Sketch(b, c, y, 0, 1_000);
        merged.Merge(Sketch(b, c, y, 1_000, 2_200));
        merged.Merge(JsonSerializer.Deserialize<PairedLabelSketch>(JsonSerializer.Serialize(Sketch(b, c, y, 2_200)))!);

        Assert.Equal(whole.Count, merged.Count);
        Assert.Equal(whole.Positives.OrderBy(kv => kv.Key), merged.Positives.OrderBy(kv => kv.Key));
        Near(whole.DeLong()!.Test.Z, merged.DeLong()!.Test.Z, "z");
        Near(whole.Brier()!.Z, merged.Brier()!.Z, "brier z");
    }

    [Fact]
    public void Transposed_SwapsTheRoles()
    {
        var (b, c, y) = Pairs(8, 2_000, 0.05);
        var sketch = Sketch(b, c, y);

        var swapped = sketch.Transposed();

        Near(-sketch.DeLong()!.Test.Difference, swapped.DeLong()!.Test.Difference, "auc difference");
        Near(sketch.DeLong()!.Test.StandardError, swapped.DeLong()!.Test.StandardError, "standard error");
        Near(-sketch.Brier()!.Difference, swapped.Brier()!.Difference, "brier difference");
        Near(Sketch(c, b, y).DeLong()!.Covariance, swapped.DeLong()!.Covariance, "covariance");
    }

    [Fact]
    public void DeLong_OneClassOnly_IsNull_AndBadInputNamesTheArgument()
    {
        var sketch = new PairedLabelSketch();
        sketch.Add(0.2, 0.3, 0);
        sketch.Add(0.4, 0.1, 0);

        Assert.Null(sketch.DeLong());
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(0.2, 0.3, 0.5)).ParamName);
        Assert.Equal("candidateScore", Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add(0.2, 1.3, 1)).ParamName);
    }
}
