using Monitoring.Stats.Kernels;

namespace Monitoring.Stats.Classification;

/// <summary>One bin of a reliability diagram.</summary>
/// <param name="Bin">Bin number, 0 based.</param>
/// <param name="Lower">Lower edge (exclusive except for bin 0).</param>
/// <param name="Upper">Upper edge (inclusive).</param>
/// <param name="Count">Scores in the bin.</param>
/// <param name="MeanPredicted">Mean score in the bin; null when empty.</param>
/// <param name="FractionPositive">Fraction of positive labels in the bin; null when empty.</param>
public sealed record ReliabilityBin(int Bin, double Lower, double Upper, long Count, double? MeanPredicted, double? FractionPositive);

/// <summary>Reliability bins and the calibration errors derived from them.</summary>
/// <param name="Bins">Every bin, empty ones included.</param>
/// <param name="ExpectedCalibrationError">ECE = sum over non-empty bins of (n_b / N) |fraction_positive_b - mean_predicted_b|.</param>
/// <param name="MaximumCalibrationError">MCE = the largest of those gaps (0 when there are no scores).</param>
public sealed record CalibrationResult(IReadOnlyList<ReliabilityBin> Bins, double ExpectedCalibrationError, double MaximumCalibrationError);

/// <summary>
/// Calibration of a binary classifier with sklearn's uniform binning (<c>calibration_curve(strategy='uniform')</c>):
/// edges = numpy.linspace(0, 1, bins + 1) (i.e. i * (1 / bins)), and score p goes to bin
/// <c>numpy.searchsorted(edges[1:-1], p, side='left')</c>, so a score exactly on an inner edge belongs to the lower bin.
/// </summary>
public static class Calibration
{
    /// <summary>Default number of reliability bins.</summary>
    public const int DefaultBinCount = 10;

    /// <summary>numpy.linspace(0, 1, bins + 1): i * step with step = 1 / bins, the last edge exactly 1.</summary>
    public static double[] UniformEdges(int bins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var step = 1.0 / bins;
        var edges = new double[bins + 1];
        for (var i = 0; i < bins; i++)
        {
            edges[i] = i * step;
        }

        edges[bins] = 1.0;
        return edges;
    }

    /// <summary>Reliability bins, ECE and MCE of scores in [0, 1] against 0/1 labels.</summary>
    public static CalibrationResult Compute(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels, int bins = DefaultBinCount)
    {
        BinaryLabels.Validate(scores, labels);
        var edges = UniformEdges(bins);
        var binEdges = new BinEdges(edges.AsSpan(1, bins - 1));
        var counts = new long[bins];
        var scoreSums = new double[bins];
        var positives = new double[bins];
        BinnedSums.Accumulate(scores, labels, binEdges, counts, scoreSums, positives);
        return FromSums(edges, counts, scoreSums, positives);
    }

    /// <summary>Builds the result from per-bin counts, score sums and positive counts over the given outer edges.</summary>
    public static CalibrationResult FromSums(ReadOnlySpan<double> edges, ReadOnlySpan<long> counts, ReadOnlySpan<double> scoreSums, ReadOnlySpan<double> positives)
    {
        var bins = counts.Length;
        if (edges.Length != bins + 1 || scoreSums.Length != bins || positives.Length != bins)
        {
            throw new ArgumentException("edges must have bins + 1 elements and the sums one per bin.", nameof(edges));
        }

        long total = 0;
        foreach (var c in counts)
        {
            total += c;
        }

        var result = new ReliabilityBin[bins];
        double ece = 0, mce = 0;
        for (var b = 0; b < bins; b++)
        {
            if (counts[b] == 0)
            {
                result[b] = new ReliabilityBin(b, edges[b], edges[b + 1], 0, null, null);
                continue;
            }

            var meanPredicted = scoreSums[b] / counts[b];
            var fractionPositive = positives[b] / counts[b];
            var gap = Math.Abs(fractionPositive - meanPredicted);
            ece += (double)counts[b] / total * gap;
            mce = Math.Max(mce, gap);
            result[b] = new ReliabilityBin(b, edges[b], edges[b + 1], counts[b], meanPredicted, fractionPositive);
        }

        return new CalibrationResult(result, ece, mce);
    }
}
