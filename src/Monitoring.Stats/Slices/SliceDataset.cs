using System.Buffers;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Kernels;

namespace Monitoring.Stats.Slices;

/// <summary>A segment dimension: one value per row, null where the row has none.</summary>
/// <param name="Name">Dimension name, e.g. <c>country</c>.</param>
/// <param name="Values">The value of every row (same length as the scores).</param>
public sealed record SliceDimension(string Name, IReadOnlyList<string?> Values);

/// <summary>
/// Scored, labelled rows with their segment dimensions, ready to be sliced: scores in [0, 1], 0/1 labels, a decision
/// threshold (predicted positive when score &gt;= threshold) and any number of dimensions. Not thread-safe.
/// </summary>
public sealed class SliceDataset
{
    private readonly double[] _scores;
    private readonly bool[] _positive;
    private readonly bool[] _predicted;
    private readonly byte[] _reliabilityBin;
    private int[]? _rank;
    private long[]? _rankPositives;
    private long[]? _rankNegatives;

    /// <summary>Validates and stores the rows.</summary>
    public SliceDataset(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels, IReadOnlyList<SliceDimension> dimensions, double threshold = BinaryClassificationMetrics.DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        BinaryLabels.Validate(scores, labels);
        if (scores.IsEmpty)
        {
            throw new ArgumentException("No rows.", nameof(scores));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in dimensions)
        {
            if (d.Values.Count != scores.Length)
            {
                throw new ArgumentException($"Dimension '{d.Name}' has {d.Values.Count} values for {scores.Length} rows.", nameof(dimensions));
            }

            if (!names.Add(d.Name))
            {
                throw new ArgumentException($"Dimension '{d.Name}' appears twice.", nameof(dimensions));
            }
        }

        _scores = scores.ToArray();
        _positive = new bool[scores.Length];
        _predicted = new bool[scores.Length];
        _reliabilityBin = new byte[scores.Length];
        Total = new SliceCounts();
        for (var i = 0; i < scores.Length; i++)
        {
            _positive[i] = labels[i] == 1;
            _predicted[i] = scores[i] >= threshold;
            _reliabilityBin[i] = (byte)SliceCounts.ReliabilityBinOf(scores[i]);
            Total.Add(_scores[i], _positive[i], _predicted[i], _reliabilityBin[i]);
        }

        Threshold = threshold;
        Dimensions = dimensions;
    }

    /// <summary>Rows.</summary>
    public int Count => _scores.Length;

    /// <summary>Decision threshold.</summary>
    public double Threshold { get; }

    /// <summary>The segment dimensions in the caller's order.</summary>
    public IReadOnlyList<SliceDimension> Dimensions { get; }

    /// <summary>Counts of every row.</summary>
    public SliceCounts Total { get; }

    /// <summary>Counts of the given rows.</summary>
    public SliceCounts CountRows(ReadOnlySpan<int> rows)
    {
        var counts = new SliceCounts();
        foreach (var r in rows)
        {
            counts.Add(_scores[r], _positive[r], _predicted[r], _reliabilityBin[r]);
        }

        return counts;
    }

    /// <summary>
    /// DeLong AUC of the given rows and, when <paramref name="withComplement"/>, of every other row: exact (each
    /// distinct score is one bin of <see cref="DeLong.FromBins"/>), O(rows + distinct scores). Null for a side missing a class.
    /// </summary>
    public (DeLongResult? Rows, DeLongResult? Complement) Auc(ReadOnlySpan<int> rows, bool withComplement)
    {
        EnsureRanks();
        var distinct = _rankPositives!.Length;
        var pos = ArrayPool<long>.Shared.Rent(distinct);
        var neg = ArrayPool<long>.Shared.Rent(distinct);
        try
        {
            Array.Clear(pos, 0, distinct);
            Array.Clear(neg, 0, distinct);
            long m = 0;
            foreach (var r in rows)
            {
                if (_positive[r])
                {
                    pos[_rank![r]]++;
                    m++;
                }
                else
                {
                    neg[_rank![r]]++;
                }
            }

            var n = rows.Length - m;
            var own = m > 0 && n > 0 ? DeLong.FromBins(pos.AsSpan(0, distinct), neg.AsSpan(0, distinct)) : null;
            if (!withComplement)
            {
                return (own, null);
            }

            long restM = 0, restN = 0;
            for (var d = 0; d < distinct; d++)
            {
                pos[d] = _rankPositives[d] - pos[d];
                neg[d] = _rankNegatives![d] - neg[d];
                restM += pos[d];
                restN += neg[d];
            }

            var rest = restM > 0 && restN > 0 ? DeLong.FromBins(pos.AsSpan(0, distinct), neg.AsSpan(0, distinct)) : null;
            return (own, rest);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(pos);
            ArrayPool<long>.Shared.Return(neg);
        }
    }

    private void EnsureRanks()
    {
        if (_rank is not null)
        {
            return;
        }

        var sorted = RadixSort.SortedCopy(_scores);
        var distinct = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || sorted[i] != sorted[distinct - 1])
            {
                sorted[distinct++] = sorted[i];
            }
        }

        var values = sorted.AsSpan(0, distinct);
        var rank = new int[_scores.Length];
        var positives = new long[distinct];
        var negatives = new long[distinct];
        for (var i = 0; i < _scores.Length; i++)
        {
            var k = values.BinarySearch(_scores[i]);
            rank[i] = k;
            if (_positive[i])
            {
                positives[k]++;
            }
            else
            {
                negatives[k]++;
            }
        }

        (_rank, _rankPositives, _rankNegatives) = (rank, positives, negatives);
    }
}
