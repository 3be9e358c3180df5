using Monitoring.Stats.Classification;
using Monitoring.Stats.Kernels;

namespace Monitoring.Stats.Sketches;

/// <summary>
/// Per-class histograms of binary-classifier scores over fine bins that nest exactly inside the reliability bins, with
/// per-class score sums, sums of squares, log-loss sums and counts at the decision threshold. Mergeable by addition.
/// <list type="bullet">
/// <item>Calibration (reliability bins, ECE, MCE), Brier, log loss, accuracy/precision/recall/F1 at the sketch's threshold:
/// exact (up to floating-point summation order), because the fine bins never straddle a reliability edge.</item>
/// <item>AUC: pairs in different fine bins are ordered exactly; pairs in the same bin are counted one half, so
/// |estimate - exact| &lt;= 0.5 sum_b pos_b neg_b / (P N), reported as <see cref="BoundedEstimate"/> bounds.</item>
/// </list>
/// </summary>
public sealed class ScoreHistogramSketch
{
    /// <summary>Default fine bins per reliability bin (100 fine bins over [0, 1] with 10 reliability bins).</summary>
    public const int DefaultSubdivisions = 10;

    private readonly long[] _positives;
    private readonly long[] _negatives;
    private readonly double[] _positiveScoreSums;
    private readonly double[] _negativeScoreSums;
    private double _positiveSquares;
    private double _negativeSquares;
    private double _logLoss;
    private long _truePositives;
    private long _falsePositives;
    private double _predictedPositiveScoreSum;

    /// <summary>An empty sketch: <paramref name="reliabilityBins"/> uniform bins each split into <paramref name="subdivisions"/>.</summary>
    public ScoreHistogramSketch(int reliabilityBins = Calibration.DefaultBinCount, int subdivisions = DefaultSubdivisions, double threshold = BinaryClassificationMetrics.DefaultThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(reliabilityBins, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(subdivisions, 1);
        // The edges (and the bin lookup table behind them) are immutable: one shared instance per layout, so thousands
        // of per-window sketches cost only their counts.
        (ReliabilityEdges, FineEdges) = Layouts.GetOrAdd((reliabilityBins, subdivisions), static key => BuildLayout(key.Bins, key.Subdivisions));
        Subdivisions = subdivisions;
        Threshold = threshold;
        var bins = FineEdges.BinCount;
        _positives = new long[bins];
        _negatives = new long[bins];
        _positiveScoreSums = new double[bins];
        _negativeScoreSums = new double[bins];
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int Bins, int Subdivisions), (double[] Reliability, BinEdges Fine)> Layouts = new();

    private static (double[] Reliability, BinEdges Fine) BuildLayout(int reliabilityBins, int subdivisions)
    {
        var reliability = Calibration.UniformEdges(reliabilityBins);
        var inner = new List<double>();
        for (var b = 0; b < reliabilityBins; b++)
        {
            var lo = reliability[b];
            var hi = reliability[b + 1];
            for (var s = b == 0 ? 1 : 0; s < subdivisions; s++)
            {
                inner.Add(s == 0 ? lo : lo + ((hi - lo) * s / subdivisions));
            }
        }

        return (reliability, new BinEdges(inner.ToArray()));
    }

    /// <summary>Outer edges of the reliability bins (numpy.linspace(0, 1, bins + 1)); shared, do not modify.</summary>
    public double[] ReliabilityEdges { get; }

    /// <summary>Everything the sketch holds, as plain data (for persistence); <see cref="FromParts"/> restores it exactly.</summary>
    public ScoreHistogramParts ToParts() => new(
        ReliabilityEdges.Length - 1, Subdivisions, Threshold, Positives, Negatives,
        _positives.ToArray(), _negatives.ToArray(), _positiveScoreSums.ToArray(), _negativeScoreSums.ToArray(),
        _positiveSquares, _negativeSquares, _logLoss, _truePositives, _falsePositives, _predictedPositiveScoreSum);

    /// <summary>Restores a sketch from <see cref="ToParts"/>.</summary>
    /// <exception cref="ArgumentException">The arrays do not match the bins.</exception>
    public static ScoreHistogramSketch FromParts(ScoreHistogramParts parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var sketch = new ScoreHistogramSketch(parts.ReliabilityBins, parts.Subdivisions, parts.Threshold);
        var bins = sketch._positives.Length;
        if (parts.PositiveCounts.Length != bins || parts.NegativeCounts.Length != bins || parts.PositiveScoreSums.Length != bins || parts.NegativeScoreSums.Length != bins)
        {
            throw new ArgumentException($"Score sketch parts must have {bins} bins.", nameof(parts));
        }

        parts.PositiveCounts.CopyTo(sketch._positives, 0);
        parts.NegativeCounts.CopyTo(sketch._negatives, 0);
        parts.PositiveScoreSums.CopyTo(sketch._positiveScoreSums, 0);
        parts.NegativeScoreSums.CopyTo(sketch._negativeScoreSums, 0);
        sketch.Positives = parts.Positives;
        sketch.Negatives = parts.Negatives;
        sketch._positiveSquares = parts.PositiveSquares;
        sketch._negativeSquares = parts.NegativeSquares;
        sketch._logLoss = parts.LogLoss;
        sketch._truePositives = parts.TruePositives;
        sketch._falsePositives = parts.FalsePositives;
        sketch._predictedPositiveScoreSum = parts.PredictedPositiveScoreSum;
        return sketch;
    }

    /// <summary>Fine bins per reliability bin.</summary>
    public int Subdivisions { get; }

    /// <summary>Decision threshold for the confusion-matrix metrics.</summary>
    public double Threshold { get; }

    /// <summary>The fine bin edges.</summary>
    public BinEdges FineEdges { get; }

    /// <summary>Scored examples.</summary>
    public long Count => Positives + Negatives;

    /// <summary>Examples labelled 1.</summary>
    public long Positives { get; private set; }

    /// <summary>Examples labelled 0.</summary>
    public long Negatives { get; private set; }

    /// <summary>Adds scores in [0, 1] with their 0/1 labels.</summary>
    public void Add(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        BinaryLabels.Validate(scores, labels);
        Span<int> bins = stackalloc int[BinEdges.BlockSize];
        for (var start = 0; start < scores.Length; start += BinEdges.BlockSize)
        {
            var length = Math.Min(BinEdges.BlockSize, scores.Length - start);
            var s = scores.Slice(start, length);
            var y = labels.Slice(start, length);
            FineEdges.BinIndices(s, bins[..length]);
            for (var i = 0; i < length; i++)
            {
                AddBinned(s[i], y[i] == 1, bins[i]);
            }
        }
    }

    /// <summary>Adds one score with its 0/1 label (the streaming path: no allocation).</summary>
    public void Add(double score, double label)
    {
        if (!(score >= 0 && score <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "The score is not a probability in [0, 1].");
        }

        if (label != 0 && label != 1)
        {
            throw new ArgumentOutOfRangeException(nameof(label), label, "The label is not 0 or 1.");
        }

        AddBinned(score, label == 1, FineEdges.BinOf(score));
    }

    /// <summary>Adds one validated score to its fine bin: the one place a pair changes the counts and sums.</summary>
    private void AddBinned(double p, bool positive, int bin)
    {
        var clipped = Math.Clamp(p, BinaryClassificationMetrics.LogLossEpsilon, 1 - BinaryClassificationMetrics.LogLossEpsilon);
        var predictedPositive = p >= Threshold;
        _predictedPositiveScoreSum += predictedPositive ? p : 0;
        if (positive)
        {
            Positives++;
            _positives[bin]++;
            _positiveScoreSums[bin] += p;
            _positiveSquares += (1 - p) * (1 - p);
            _logLoss -= Math.Log(clipped / (clipped + (1 - clipped)));
            _truePositives += predictedPositive ? 1 : 0;
        }
        else
        {
            Negatives++;
            _negatives[bin]++;
            _negativeScoreSums[bin] += p;
            _negativeSquares += p * p;
            _logLoss -= Math.Log((1 - clipped) / (clipped + (1 - clipped)));
            _falsePositives += predictedPositive ? 1 : 0;
        }
    }

    /// <summary>Adds another sketch with the same bins and threshold.</summary>
    public void Merge(ScoreHistogramSketch other) => Combine(other, 1);

    /// <summary>
    /// Removes the pairs of <paramref name="part"/>, which must have been added to this sketch (e.g. a label that was
    /// later corrected): every count and sum is additive, so this is the exact inverse of <see cref="Merge"/> up to
    /// floating-point rounding of the sums.
    /// </summary>
    public void Subtract(ScoreHistogramSketch part)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (part.Positives > Positives || part.Negatives > Negatives)
        {
            throw new ArgumentException("The part holds more pairs than this sketch.", nameof(part));
        }

        Combine(part, -1);
    }

    private void Combine(ScoreHistogramSketch other, int sign)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other.FineEdges.Edges.SequenceEqual(FineEdges.Edges) || other.Threshold != Threshold)
        {
            throw new ArgumentException("Cannot combine score sketches with different bins or thresholds.", nameof(other));
        }

        for (var b = 0; b < _positives.Length; b++)
        {
            _positives[b] += sign * other._positives[b];
            _negatives[b] += sign * other._negatives[b];
            _positiveScoreSums[b] += sign * other._positiveScoreSums[b];
            _negativeScoreSums[b] += sign * other._negativeScoreSums[b];
        }

        Positives += sign * other.Positives;
        Negatives += sign * other.Negatives;
        _positiveSquares += sign * other._positiveSquares;
        _negativeSquares += sign * other._negativeSquares;
        _logLoss += sign * other._logLoss;
        _truePositives += sign * other._truePositives;
        _falsePositives += sign * other._falsePositives;
        _predictedPositiveScoreSum += sign * other._predictedPositiveScoreSum;
    }

    /// <summary>Positives per fine bin (ascending scores; bin b holds scores in (edge b-1, edge b], bin 0 from 0 inclusive).</summary>
    public ReadOnlySpan<long> PositiveBinCounts => _positives;

    /// <summary>Negatives per fine bin.</summary>
    public ReadOnlySpan<long> NegativeBinCounts => _negatives;

    /// <summary>Sum of the positives' scores per fine bin.</summary>
    public ReadOnlySpan<double> PositiveBinScoreSums => _positiveScoreSums;

    /// <summary>Sum of the negatives' scores per fine bin.</summary>
    public ReadOnlySpan<double> NegativeBinScoreSums => _negativeScoreSums;

    /// <summary>Examples scored at or above <see cref="Threshold"/> (predicted positive).</summary>
    public long PredictedPositives => _truePositives + _falsePositives;

    /// <summary>Sum of the scores at or above <see cref="Threshold"/> (the expected true positives of calibrated scores).</summary>
    public double PredictedPositiveScoreSum => _predictedPositiveScoreSum;

    /// <summary>AUC estimate with guaranteed bounds; null when one class is absent.</summary>
    public BoundedEstimate? Auc()
    {
        if (Positives == 0 || Negatives == 0)
        {
            return null;
        }

        double u = 0, tiedPairs = 0, negativesBelow = 0;
        for (var b = 0; b < _positives.Length; b++)
        {
            u += _positives[b] * (negativesBelow + (0.5 * _negatives[b]));
            tiedPairs += (double)_positives[b] * _negatives[b];
            negativesBelow += _negatives[b];
        }

        // u and tiedPairs are whole or half counts, exact in doubles: dividing each bound's numerator once gives exactly
        // the exact AUC (U / pairs, rounded once) when it attains a bound; estimate -+ half would be off by an ulp.
        var pairs = (double)Positives * Negatives;
        var half = 0.5 * tiedPairs;
        return new BoundedEstimate(u / pairs, (u - half) / pairs, (u + half) / pairs);
    }

    /// <summary>Reliability bins, ECE and MCE (exact: fine bins nest in the reliability bins).</summary>
    public CalibrationResult Reliability()
    {
        var bins = ReliabilityEdges.Length - 1;
        var counts = new long[bins];
        var sums = new double[bins];
        var positives = new double[bins];
        for (var f = 0; f < _positives.Length; f++)
        {
            var b = f / Subdivisions;
            counts[b] += _positives[f] + _negatives[f];
            sums[b] += _positiveScoreSums[f] + _negativeScoreSums[f];
            positives[b] += _positives[f];
        }

        return Calibration.FromSums(ReliabilityEdges, counts, sums, positives);
    }

    /// <summary>Brier score: mean (score - label)^2.</summary>
    public double Brier => Count == 0 ? double.NaN : (_positiveSquares + _negativeSquares) / Count;

    /// <summary>Log loss with sklearn's clipping (eps 1e-15).</summary>
    public double LogLoss => Count == 0 ? double.NaN : _logLoss / Count;

    /// <summary>Accuracy at <see cref="Threshold"/>.</summary>
    public double Accuracy => Count == 0 ? double.NaN : (_truePositives + (Negatives - _falsePositives)) / (double)Count;

    /// <summary>Precision at <see cref="Threshold"/> (0 when nothing is predicted positive).</summary>
    public double Precision => _truePositives + _falsePositives == 0 ? 0 : _truePositives / (double)(_truePositives + _falsePositives);

    /// <summary>Recall at <see cref="Threshold"/> (0 when there are no positives).</summary>
    public double Recall => Positives == 0 ? 0 : _truePositives / (double)Positives;

    /// <summary>F1 at <see cref="Threshold"/> (0 when undefined).</summary>
    public double F1
    {
        get
        {
            var fn = Positives - _truePositives;
            var denominator = (2 * _truePositives) + _falsePositives + fn;
            return denominator == 0 ? 0 : 2.0 * _truePositives / denominator;
        }
    }
}

/// <summary>The plain data of a <see cref="ScoreHistogramSketch"/> (see <see cref="ScoreHistogramSketch.ToParts"/>).</summary>
public sealed record ScoreHistogramParts(
    int ReliabilityBins,
    int Subdivisions,
    double Threshold,
    long Positives,
    long Negatives,
    long[] PositiveCounts,
    long[] NegativeCounts,
    double[] PositiveScoreSums,
    double[] NegativeScoreSums,
    double PositiveSquares,
    double NegativeSquares,
    double LogLoss,
    long TruePositives,
    long FalsePositives,
    double PredictedPositiveScoreSum);
