using Monitoring.Stats.Classification;
using Monitoring.Stats.Kernels;

namespace Monitoring.Stats.Slices;

/// <summary>
/// The sufficient statistics of a set of scored and labelled rows for <see cref="SliceMetrics"/> and
/// <see cref="SliceComparison"/>: counts of the confusion matrix at a threshold, the sums of the squared error
/// e = (score - label)^2 and of e^2 (Brier and its variance), and the reliability sums of the 10 uniform calibration
/// bins (ECE). Mergeable by addition; the counts of a complement are the whole minus the part (<see cref="Minus"/>).
/// </summary>
public sealed class SliceCounts
{
    private static readonly double[] ReliabilityEdges = Calibration.UniformEdges(Calibration.DefaultBinCount);
    private static readonly BinEdges ReliabilityBins = new(ReliabilityEdges.AsSpan(1, Calibration.DefaultBinCount - 1));

    private readonly long[] _binCounts = new long[Calibration.DefaultBinCount];
    private readonly double[] _binScoreSums = new double[Calibration.DefaultBinCount];
    private readonly double[] _binPositives = new double[Calibration.DefaultBinCount];

    /// <summary>Rows.</summary>
    public long Count { get; private set; }

    /// <summary>Rows labelled 1.</summary>
    public long Positives { get; private set; }

    /// <summary>Labelled 1 and scored at or above the threshold.</summary>
    public long TruePositives { get; private set; }

    /// <summary>Labelled 0 and scored at or above the threshold.</summary>
    public long FalsePositives { get; private set; }

    /// <summary>Labelled 1 and scored below the threshold.</summary>
    public long FalseNegatives { get; private set; }

    /// <summary>Labelled 0 and scored below the threshold.</summary>
    public long TrueNegatives => Count - TruePositives - FalsePositives - FalseNegatives;

    /// <summary>TP + TN.</summary>
    public long Correct => TruePositives + TrueNegatives;

    /// <summary>TP + FP.</summary>
    public long PredictedPositives => TruePositives + FalsePositives;

    /// <summary>Sum of (score - label)^2.</summary>
    public double SquaredErrorSum { get; private set; }

    /// <summary>Sum of (score - label)^4, for the variance of the squared error.</summary>
    public double SquaredErrorSquareSum { get; private set; }

    /// <summary>Reliability bin (numpy searchsorted 'left' over linspace(0, 1, 11)[1:-1]) of a score.</summary>
    internal static int ReliabilityBinOf(double score) => ReliabilityBins.BinOf(score);

    /// <summary>Adds one row: a score in [0, 1] and a 0/1 label, predicted positive when score &gt;= threshold.</summary>
    public void Add(double score, double label, double threshold)
    {
        if (!(score >= 0 && score <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "The score is not a probability in [0, 1].");
        }

        if (label != 0 && label != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, "The label is not 0 or 1.");
        }

        Add(score, label == 1, score >= threshold, ReliabilityBinOf(score));
    }

    /// <summary>Adds one validated row.</summary>
    internal void Add(double score, bool positive, bool predictedPositive, int reliabilityBin)
    {
        Count++;
        if (positive)
        {
            Positives++;
            TruePositives += predictedPositive ? 1 : 0;
            FalseNegatives += predictedPositive ? 0 : 1;
        }
        else
        {
            FalsePositives += predictedPositive ? 1 : 0;
        }

        var error = positive ? 1 - score : score;
        var squared = error * error;
        SquaredErrorSum += squared;
        SquaredErrorSquareSum += squared * squared;
        _binCounts[reliabilityBin]++;
        _binScoreSums[reliabilityBin] += score;
        _binPositives[reliabilityBin] += positive ? 1 : 0;
    }

    /// <summary>Everything the counts hold, as plain data (for persistence); <see cref="FromParts"/> restores them exactly.</summary>
    public SliceCountsParts ToParts() => new(
        Count, Positives, TruePositives, FalsePositives, FalseNegatives, SquaredErrorSum, SquaredErrorSquareSum,
        _binCounts.ToArray(), _binScoreSums.ToArray(), _binPositives.ToArray());

    /// <summary>Restores counts from <see cref="ToParts"/>.</summary>
    public static SliceCounts FromParts(SliceCountsParts parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var bins = Calibration.DefaultBinCount;
        if (parts.BinCounts.Length != bins || parts.BinScoreSums.Length != bins || parts.BinPositives.Length != bins)
        {
            throw new ArgumentException($"Slice count parts must have {bins} reliability bins.", nameof(parts));
        }

        var counts = new SliceCounts
        {
            Count = parts.Count,
            Positives = parts.Positives,
            TruePositives = parts.TruePositives,
            FalsePositives = parts.FalsePositives,
            FalseNegatives = parts.FalseNegatives,
            SquaredErrorSum = parts.SquaredErrorSum,
            SquaredErrorSquareSum = parts.SquaredErrorSquareSum,
        };
        parts.BinCounts.CopyTo(counts._binCounts, 0);
        parts.BinScoreSums.CopyTo(counts._binScoreSums, 0);
        parts.BinPositives.CopyTo(counts._binPositives, 0);
        return counts;
    }

    /// <summary>Adds every row of <paramref name="other"/>.</summary>
    public void Merge(SliceCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Combine(other, 1);
    }

    /// <summary>The counts of the rows in this set but not in <paramref name="part"/> (which must be a subset).</summary>
    public SliceCounts Minus(SliceCounts part)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (part.Count > Count)
        {
            throw new ArgumentException("The part has more rows than the whole.", nameof(part));
        }

        var rest = new SliceCounts();
        rest.Combine(this, 1);
        rest.Combine(part, -1);
        return rest;
    }

    /// <summary>Reliability bins, ECE and MCE of these rows (sklearn's uniform 10-bin calibration curve).</summary>
    public CalibrationResult Reliability() =>
        Classification.Calibration.FromSums(ReliabilityEdges, _binCounts, _binScoreSums, _binPositives);

    private void Combine(SliceCounts other, int sign)
    {
        Count += sign * other.Count;
        Positives += sign * other.Positives;
        TruePositives += sign * other.TruePositives;
        FalsePositives += sign * other.FalsePositives;
        FalseNegatives += sign * other.FalseNegatives;
        SquaredErrorSum += sign * other.SquaredErrorSum;
        SquaredErrorSquareSum += sign * other.SquaredErrorSquareSum;
        for (var b = 0; b < _binCounts.Length; b++)
        {
            _binCounts[b] += sign * other._binCounts[b];
            _binScoreSums[b] += sign * other._binScoreSums[b];
            _binPositives[b] += sign * other._binPositives[b];
        }
    }
}

/// <summary>The plain data of <see cref="SliceCounts"/> (see <see cref="SliceCounts.ToParts"/>).</summary>
public sealed record SliceCountsParts(
    long Count,
    long Positives,
    long TruePositives,
    long FalsePositives,
    long FalseNegatives,
    double SquaredErrorSum,
    double SquaredErrorSquareSum,
    long[] BinCounts,
    double[] BinScoreSums,
    double[] BinPositives);
