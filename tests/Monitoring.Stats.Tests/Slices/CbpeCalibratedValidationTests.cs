using Monitoring.Stats.Classification;
using Monitoring.Stats.Intervals;
using Monitoring.Stats.Slices;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Slices;

/// <summary>
/// CBPE on calibrated synthetic data (labels ~ Bernoulli(score), seeded, n = 20000): the estimate from scores alone
/// lands inside the 95% interval of the value realised with the labels: Wilson for accuracy, DeLong for AUC and a
/// percentile bootstrap (1,000 seeded resamples) for F1.
/// </summary>
public sealed class CbpeCalibratedValidationTests(ITestOutputHelper output)
{
    private const int N = 20000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Estimate_OnCalibratedScores_IsInsideTheRealisedInterval(int seed)
    {
        var random = new Random(seed);
        var scores = new double[N];
        var labels = new double[N];
        for (var i = 0; i < N; i++)
        {
            // Logistic of a normal: a spread of calibrated probabilities, not symmetric around 0.5.
            var z = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            scores[i] = 1 / (1 + Math.Exp(-((1.6 * z) - 0.7)));
            labels[i] = random.NextDouble() < scores[i] ? 1 : 0;
        }

        var estimate = Cbpe.Estimate(scores);
        var realised = BinaryClassificationMetrics.Compute(scores, labels);
        var correct = (long)Math.Round(realised.Accuracy * N);
        var accuracyInterval = Wilson.Interval(correct, N);
        var auc = DeLong.Compute(scores, labels)!;
        var aucInterval = auc.Interval()!.Value;
        var f1Interval = BootstrapF1(scores, labels, seed);

        output.WriteLine($"accuracy {estimate.Accuracy:F4} in [{accuracyInterval.Lower:F4}, {accuracyInterval.Upper:F4}] (realised {realised.Accuracy:F4})");
        output.WriteLine($"F1 {estimate.F1:F4} in [{f1Interval.Lower:F4}, {f1Interval.Upper:F4}] (realised {realised.F1:F4})");
        output.WriteLine($"AUC {estimate.RocAuc!.Value.Estimate:F4} in [{aucInterval.Lower:F4}, {aucInterval.Upper:F4}] (realised {auc.Auc:F4})");
        Assert.True(accuracyInterval.Contains(estimate.Accuracy), "accuracy");
        Assert.True(f1Interval.Contains(estimate.F1), "F1");
        Assert.True(aucInterval.Contains(estimate.RocAuc!.Value.Estimate), "AUC");
    }

    private static ConfidenceInterval BootstrapF1(double[] scores, double[] labels, int seed)
    {
        const int Resamples = 1000;
        var random = new Random(1000 + seed);
        var f1 = new double[Resamples];
        for (var b = 0; b < Resamples; b++)
        {
            long tp = 0, fp = 0, fn = 0;
            for (var i = 0; i < scores.Length; i++)
            {
                var k = random.Next(scores.Length);
                var predicted = scores[k] >= 0.5;
                var positive = labels[k] == 1;
                tp += predicted && positive ? 1 : 0;
                fp += predicted && !positive ? 1 : 0;
                fn += !predicted && positive ? 1 : 0;
            }

            f1[b] = 2.0 * tp / ((2 * tp) + fp + fn);
        }

        Array.Sort(f1);
        return new ConfidenceInterval(f1[(int)(0.025 * Resamples)], f1[(int)(0.975 * Resamples) - 1]);
    }
}
