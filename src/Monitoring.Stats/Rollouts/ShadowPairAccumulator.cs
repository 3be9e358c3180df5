using Monitoring.Stats.Intervals;
using Monitoring.Stats.Slices;

namespace Monitoring.Stats.Rollouts;

/// <summary>
/// Shadow mode: the baseline and the candidate score the same request, and the pair is folded here before any label
/// arrives. Keeps, additively (so windows, shards and roll-ups merge by <see cref="Merge"/>): the 2 x 2 table of
/// decisions at the threshold (predicted positive when score &gt;= threshold), the sums of d = candidate - baseline, d^2
/// and |d|, the largest |d|, a histogram of d over <see cref="DifferenceBins"/> equal bins of [-1, 1] (bin i holds
/// (-1 + i w, -1 + (i + 1) w], the first also -1), and per slice value the pairs, the disagreements and the sum of |d|.
/// A slice dimension's values beyond <c>maxValuesPerDimension</c> are counted under "(other)", as in the windows.
/// </summary>
public sealed class ShadowPairAccumulator
{
    /// <summary>Bins of the score-difference histogram (width 0.01).</summary>
    public const int DifferenceBins = 200;

    /// <summary>Default values tracked per slice dimension.</summary>
    public const int DefaultMaxValuesPerDimension = 100;

    /// <summary>Default maximum of slice dimensions tracked.</summary>
    public const int MaxDimensions = 16;

    private readonly long[] _differences = new long[DifferenceBins];
    private readonly Dictionary<string, Dictionary<string, ShadowSliceCounts>> _slices = new(StringComparer.Ordinal);

    /// <summary>An empty accumulator.</summary>
    public ShadowPairAccumulator(double threshold = Classification.BinaryClassificationMetrics.DefaultThreshold, int maxValuesPerDimension = DefaultMaxValuesPerDimension)
    {
        if (!(threshold >= 0 && threshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxValuesPerDimension, 1);
        Threshold = threshold;
        MaxValuesPerDimension = maxValuesPerDimension;
    }

    /// <summary>Decision threshold.</summary>
    public double Threshold { get; }

    /// <summary>Values tracked per slice dimension.</summary>
    public int MaxValuesPerDimension { get; }

    /// <summary>Pairs folded.</summary>
    public long Pairs { get; private set; }

    /// <summary>Both predicted positive.</summary>
    public long BothPositive { get; private set; }

    /// <summary>Both predicted negative.</summary>
    public long BothNegative { get; private set; }

    /// <summary>Only the baseline predicted positive.</summary>
    public long BaselineOnlyPositive { get; private set; }

    /// <summary>Only the candidate predicted positive.</summary>
    public long CandidateOnlyPositive { get; private set; }

    /// <summary>Sum of candidate - baseline.</summary>
    public double DifferenceSum { get; private set; }

    /// <summary>Sum of (candidate - baseline)^2.</summary>
    public double DifferenceSquareSum { get; private set; }

    /// <summary>Sum of |candidate - baseline|.</summary>
    public double AbsoluteDifferenceSum { get; private set; }

    /// <summary>Largest |candidate - baseline|.</summary>
    public double MaxAbsoluteDifference { get; private set; }

    /// <summary>Pairs on the same side of the threshold.</summary>
    public long Agreements => BothPositive + BothNegative;

    /// <summary>Counts of d per histogram bin.</summary>
    public ReadOnlySpan<long> DifferenceCounts => _differences;

    /// <summary>Per slice dimension and value: pairs, disagreements, sum of |d|.</summary>
    public IReadOnlyDictionary<string, Dictionary<string, ShadowSliceCounts>> Slices => _slices;

    /// <summary>Folds one pair: both scores in [0, 1], with the request's slice values (dimension, value).</summary>
    public void Add(double baselineScore, double candidateScore, IReadOnlyList<(string Dimension, string Value)>? slices = null)
    {
        if (!(baselineScore >= 0 && baselineScore <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(baselineScore), baselineScore, "The baseline score is not a probability in [0, 1].");
        }

        if (!(candidateScore >= 0 && candidateScore <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(candidateScore), candidateScore, "The candidate score is not a probability in [0, 1].");
        }

        var b = baselineScore >= Threshold;
        var c = candidateScore >= Threshold;
        Pairs++;
        if (b && c)
        {
            BothPositive++;
        }
        else if (!b && !c)
        {
            BothNegative++;
        }
        else if (b)
        {
            BaselineOnlyPositive++;
        }
        else
        {
            CandidateOnlyPositive++;
        }

        var d = candidateScore - baselineScore;
        var abs = Math.Abs(d);
        DifferenceSum += d;
        DifferenceSquareSum += d * d;
        AbsoluteDifferenceSum += abs;
        MaxAbsoluteDifference = Math.Max(MaxAbsoluteDifference, abs);
        _differences[BinOf(d)]++;
        if (slices is null)
        {
            return;
        }

        var disagree = b != c;
        foreach (var (dimension, value) in slices)
        {
            if (Slot(dimension, value) is { } counts)
            {
                counts.Pairs++;
                counts.Disagreements += disagree ? 1 : 0;
                counts.AbsoluteDifferenceSum += abs;
            }
        }
    }

    /// <summary>Adds every pair of <paramref name="other"/> (same threshold).</summary>
    public void Merge(ShadowPairAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Threshold != Threshold)
        {
            throw new ArgumentException($"Cannot merge shadow pairs at threshold {other.Threshold} into {Threshold}.", nameof(other));
        }

        Pairs += other.Pairs;
        BothPositive += other.BothPositive;
        BothNegative += other.BothNegative;
        BaselineOnlyPositive += other.BaselineOnlyPositive;
        CandidateOnlyPositive += other.CandidateOnlyPositive;
        DifferenceSum += other.DifferenceSum;
        DifferenceSquareSum += other.DifferenceSquareSum;
        AbsoluteDifferenceSum += other.AbsoluteDifferenceSum;
        MaxAbsoluteDifference = Math.Max(MaxAbsoluteDifference, other.MaxAbsoluteDifference);
        for (var i = 0; i < DifferenceBins; i++)
        {
            _differences[i] += other._differences[i];
        }

        foreach (var (dimension, values) in other._slices)
        {
            foreach (var (value, counts) in values)
            {
                if (Slot(dimension, value) is { } target)
                {
                    target.Pairs += counts.Pairs;
                    target.Disagreements += counts.Disagreements;
                    target.AbsoluteDifferenceSum += counts.AbsoluteDifferenceSum;
                }
            }
        }
    }

    /// <summary>The histogram bin of a difference d in [-1, 1].</summary>
    public static int BinOf(double difference)
    {
        var bin = (int)Math.Ceiling((difference + 1) * DifferenceBins / 2) - 1;
        return Math.Clamp(bin, 0, DifferenceBins - 1);
    }

    /// <summary>Upper edge of histogram bin <paramref name="bin"/>.</summary>
    public static double UpperEdge(int bin) => -1 + (2.0 * (bin + 1) / DifferenceBins);

    /// <summary>
    /// The summary: agreement with its Wilson interval, the mean, mean absolute and largest |d|, difference quantiles
    /// (upper edge of the bin holding the value of rank ceil(q n)), and the slices ordered by disagreement rate
    /// (highest first, then by pairs), each with its Wilson interval. Null without pairs.
    /// </summary>
    public ShadowSummary? Summarize(double alpha = Wilson.DefaultAlpha)
    {
        if (Pairs == 0)
        {
            return null;
        }

        var agreement = Wilson.Interval(Agreements, Pairs, alpha);
        var mean = DifferenceSum / Pairs;
        var sd = Pairs < 2 ? double.NaN : Math.Sqrt(Math.Max(0, (DifferenceSquareSum - (DifferenceSum * DifferenceSum / Pairs)) / (Pairs - 1)));
        double[] levels = [0.01, 0.05, 0.5, 0.95, 0.99];
        var quantiles = levels.Select(q => new ShadowQuantile(q, DifferenceQuantile(q))).ToArray();
        var slices = _slices
            .SelectMany(d => d.Value.Select(v => new ShadowSliceSummary(
                d.Key, v.Key, v.Value.Pairs, v.Value.Disagreements, v.Value.Disagreements / (double)v.Value.Pairs,
                Wilson.Interval(v.Value.Disagreements, v.Value.Pairs, alpha), v.Value.AbsoluteDifferenceSum / v.Value.Pairs)))
            .Where(s => s.Pairs > 0)
            .OrderByDescending(s => s.DisagreementRate).ThenByDescending(s => s.Pairs)
            .ThenBy(s => s.Dimension, StringComparer.Ordinal).ThenBy(s => s.Value, StringComparer.Ordinal)
            .ToArray();
        return new ShadowSummary(
            Pairs, Threshold, Agreements / (double)Pairs, agreement, BothPositive, BothNegative, BaselineOnlyPositive, CandidateOnlyPositive,
            mean, sd, AbsoluteDifferenceSum / Pairs, MaxAbsoluteDifference, quantiles, slices);
    }

    private double DifferenceQuantile(double q)
    {
        var target = Math.Max(1, (long)Math.Ceiling(q * Pairs));
        long seen = 0;
        for (var i = 0; i < DifferenceBins; i++)
        {
            seen += _differences[i];
            if (seen >= target)
            {
                return UpperEdge(i);
            }
        }

        return 1;
    }

    /// <summary>Everything the accumulator holds, as plain data (for persistence).</summary>
    public ShadowPairParts ToParts() => new(
        Threshold, MaxValuesPerDimension, Pairs, BothPositive, BothNegative, BaselineOnlyPositive, CandidateOnlyPositive,
        DifferenceSum, DifferenceSquareSum, AbsoluteDifferenceSum, MaxAbsoluteDifference, _differences.ToArray(),
        _slices.ToDictionary(d => d.Key, d => d.Value.ToDictionary(v => v.Key, v => v.Value with { }, StringComparer.Ordinal), StringComparer.Ordinal));

    /// <summary>Restores an accumulator from <see cref="ToParts"/>.</summary>
    public static ShadowPairAccumulator FromParts(ShadowPairParts parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.DifferenceCounts.Length != DifferenceBins)
        {
            throw new ArgumentException($"Shadow pair parts must have {DifferenceBins} difference bins, not {parts.DifferenceCounts.Length}.", nameof(parts));
        }

        var a = new ShadowPairAccumulator(parts.Threshold, parts.MaxValuesPerDimension)
        {
            Pairs = parts.Pairs,
            BothPositive = parts.BothPositive,
            BothNegative = parts.BothNegative,
            BaselineOnlyPositive = parts.BaselineOnlyPositive,
            CandidateOnlyPositive = parts.CandidateOnlyPositive,
            DifferenceSum = parts.DifferenceSum,
            DifferenceSquareSum = parts.DifferenceSquareSum,
            AbsoluteDifferenceSum = parts.AbsoluteDifferenceSum,
            MaxAbsoluteDifference = parts.MaxAbsoluteDifference,
        };
        parts.DifferenceCounts.CopyTo(a._differences, 0);
        foreach (var (dimension, values) in parts.Slices)
        {
            a._slices[dimension] = values.ToDictionary(v => v.Key, v => v.Value with { }, StringComparer.Ordinal);
        }

        return a;
    }

    private ShadowSliceCounts? Slot(string dimension, string value)
    {
        if (!_slices.TryGetValue(dimension, out var values))
        {
            if (_slices.Count >= MaxDimensions)
            {
                return null;
            }

            values = new Dictionary<string, ShadowSliceCounts>(StringComparer.Ordinal);
            _slices[dimension] = values;
        }

        if (!values.TryGetValue(value, out var counts))
        {
            var key = values.Count < MaxValuesPerDimension ? value : SliceKey.OtherValue;
            if (!values.TryGetValue(key, out counts))
            {
                counts = new ShadowSliceCounts();
                values[key] = counts;
            }
        }

        return counts;
    }
}

/// <summary>Shadow pairs of one slice value.</summary>
public sealed record ShadowSliceCounts
{
    /// <summary>Pairs.</summary>
    public long Pairs { get; set; }

    /// <summary>Pairs on different sides of the threshold.</summary>
    public long Disagreements { get; set; }

    /// <summary>Sum of |candidate - baseline|.</summary>
    public double AbsoluteDifferenceSum { get; set; }
}

/// <summary>The plain data of a <see cref="ShadowPairAccumulator"/>.</summary>
public sealed record ShadowPairParts(
    double Threshold,
    int MaxValuesPerDimension,
    long Pairs,
    long BothPositive,
    long BothNegative,
    long BaselineOnlyPositive,
    long CandidateOnlyPositive,
    double DifferenceSum,
    double DifferenceSquareSum,
    double AbsoluteDifferenceSum,
    double MaxAbsoluteDifference,
    long[] DifferenceCounts,
    Dictionary<string, Dictionary<string, ShadowSliceCounts>> Slices);

/// <summary>A quantile of the score difference candidate - baseline (upper edge of its histogram bin, width 0.01).</summary>
/// <param name="Level">The quantile level.</param>
/// <param name="Value">Its value.</param>
public readonly record struct ShadowQuantile(double Level, double Value);

/// <summary>Disagreement in one slice value.</summary>
/// <param name="Dimension">Slice dimension.</param>
/// <param name="Value">Slice value.</param>
/// <param name="Pairs">Pairs.</param>
/// <param name="Disagreements">Pairs on different sides of the threshold.</param>
/// <param name="DisagreementRate">Disagreements / pairs.</param>
/// <param name="Interval">Wilson interval of the rate.</param>
/// <param name="MeanAbsoluteDifference">Mean |candidate - baseline|.</param>
public sealed record ShadowSliceSummary(string Dimension, string Value, long Pairs, long Disagreements, double DisagreementRate, ConfidenceInterval Interval, double MeanAbsoluteDifference);

/// <summary>What a <see cref="ShadowPairAccumulator"/> says.</summary>
/// <param name="Pairs">Pairs.</param>
/// <param name="Threshold">Decision threshold.</param>
/// <param name="Agreement">Share of pairs on the same side of the threshold.</param>
/// <param name="AgreementInterval">Wilson interval of the agreement (statsmodels proportion_confint method='wilson').</param>
/// <param name="BothPositive">Both predicted positive.</param>
/// <param name="BothNegative">Both predicted negative.</param>
/// <param name="BaselineOnlyPositive">Only the baseline predicted positive.</param>
/// <param name="CandidateOnlyPositive">Only the candidate predicted positive.</param>
/// <param name="MeanDifference">Mean candidate - baseline.</param>
/// <param name="DifferenceStandardDeviation">Sample standard deviation of the difference (n - 1); NaN below two pairs.</param>
/// <param name="MeanAbsoluteDifference">Mean |candidate - baseline|.</param>
/// <param name="MaxAbsoluteDifference">Largest |candidate - baseline|.</param>
/// <param name="Quantiles">Difference quantiles at 1, 5, 50, 95, 99%.</param>
/// <param name="Slices">Slices, most disagreement first.</param>
public sealed record ShadowSummary(
    long Pairs,
    double Threshold,
    double Agreement,
    ConfidenceInterval AgreementInterval,
    long BothPositive,
    long BothNegative,
    long BaselineOnlyPositive,
    long CandidateOnlyPositive,
    double MeanDifference,
    double DifferenceStandardDeviation,
    double MeanAbsoluteDifference,
    double MaxAbsoluteDifference,
    IReadOnlyList<ShadowQuantile> Quantiles,
    IReadOnlyList<ShadowSliceSummary> Slices);
