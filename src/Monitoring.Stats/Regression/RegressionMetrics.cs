using Monitoring.Stats.Kernels;

namespace Monitoring.Stats.Regression;

/// <summary>Regression error metrics.</summary>
/// <param name="Count">Number of pairs.</param>
/// <param name="MeanAbsoluteError">mean |predicted - actual| (sklearn mean_absolute_error).</param>
/// <param name="RootMeanSquaredError">sqrt(mean (predicted - actual)^2) (sqrt of sklearn mean_squared_error).</param>
/// <param name="MeanError">mean (predicted - actual): positive means over-prediction (bias).</param>
public sealed record RegressionMetrics(int Count, double MeanAbsoluteError, double RootMeanSquaredError, double MeanError)
{
    /// <summary>Computes the metrics over paired, NaN-free, non-empty spans.</summary>
    public static RegressionMetrics Compute(ReadOnlySpan<double> predicted, ReadOnlySpan<double> actual)
    {
        if (predicted.Length != actual.Length)
        {
            throw new ArgumentException($"predicted has {predicted.Length} values, actual {actual.Length}.", nameof(actual));
        }

        if (predicted.IsEmpty)
        {
            throw new ArgumentException("No pairs to evaluate.", nameof(predicted));
        }

        double n = predicted.Length;
        double sumAbs = 0, sumDiff = 0;
        for (var i = 0; i < predicted.Length; i++)
        {
            var d = predicted[i] - actual[i];
            sumAbs += Math.Abs(d);
            sumDiff += d;
        }

        var sse = SquaredDifference.Sum(predicted, actual);
        return new RegressionMetrics(predicted.Length, sumAbs / n, Math.Sqrt(sse / n), sumDiff / n);
    }
}
