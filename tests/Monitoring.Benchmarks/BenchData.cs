namespace Monitoring.Benchmarks;

/// <summary>Seeded inputs shared by the benchmarks (the Python comparison draws from the same distributions).</summary>
public static class BenchData
{
    /// <summary>Values per sample: one million doubles.</summary>
    public const int N = 1_000_000;

    /// <summary>Seed of every generator.</summary>
    public const int Seed = 20240601;

    /// <summary>n draws from Normal(mean, sd) by Box-Muller on a seeded <see cref="Random"/>.</summary>
    public static double[] Normal(int n, double mean, double sd, int seed)
    {
        var random = new Random(seed);
        var x = new double[n];
        for (var i = 0; i < n; i += 2)
        {
            var u1 = 1.0 - random.NextDouble(); // (0, 1]
            var u2 = random.NextDouble();
            var r = Math.Sqrt(-2.0 * Math.Log(u1));
            x[i] = mean + (sd * r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < n)
            {
                x[i + 1] = mean + (sd * r * Math.Sin(2 * Math.PI * u2));
            }
        }

        return x;
    }

    /// <summary>
    /// Scores and labels of a roughly calibrated classifier: score = sigmoid(z) with z ~ Normal(0, 2), label ~ Bernoulli(score).
    /// </summary>
    public static (double[] Scores, double[] Labels) ScoresAndLabels(int n, int seed)
    {
        var z = Normal(n, 0, 2, seed);
        var random = new Random(seed + 1);
        var scores = new double[n];
        var labels = new double[n];
        for (var i = 0; i < n; i++)
        {
            scores[i] = 1.0 / (1.0 + Math.Exp(-z[i]));
            labels[i] = random.NextDouble() < scores[i] ? 1.0 : 0.0;
        }

        return (scores, labels);
    }

    /// <summary>numpy.linspace(low, high, bins + 1)[1:-1]: the bins - 1 inner edges of equal-width bins.</summary>
    public static double[] UniformInnerEdges(double low, double high, int bins)
    {
        var edges = new double[bins - 1];
        var step = (high - low) / bins;
        for (var i = 1; i < bins; i++)
        {
            edges[i - 1] = low + (i * step);
        }

        return edges;
    }

    /// <summary>numpy.quantile(sample, [i / bins for i in 1..bins-1]) (linear interpolation) of a sample.</summary>
    public static double[] QuantileInnerEdges(double[] sample, int bins)
    {
        var sorted = (double[])sample.Clone();
        Array.Sort(sorted);
        var edges = new double[bins - 1];
        for (var i = 1; i < bins; i++)
        {
            var position = (double)i / bins * (sorted.Length - 1);
            var lo = (int)Math.Floor(position);
            var hi = Math.Min(lo + 1, sorted.Length - 1);
            edges[i - 1] = sorted[lo] + ((position - lo) * (sorted[hi] - sorted[lo]));
        }

        return edges;
    }
}
