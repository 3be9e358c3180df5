using BenchmarkDotNet.Attributes;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Kernels;

namespace Monitoring.Benchmarks;

/// <summary>(c) reliability bins / ECE, (d) Brier and (f) AUC on 1e6 scores with 0/1 labels.</summary>
public class ClassificationBenchmarks
{
    private const int Bins = Calibration.DefaultBinCount;
    private double[] _scores = [];
    private double[] _labels = [];
    private double[] _outerEdges = [];
    private BinEdges _binEdges = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_scores, _labels) = BenchData.ScoresAndLabels(BenchData.N, BenchData.Seed + 4);
        _outerEdges = Calibration.UniformEdges(Bins);
        _binEdges = new BinEdges(_outerEdges.AsSpan(1, Bins - 1));
    }

    /// <summary>Full reliability diagram + ECE/MCE: validation, binning, per-bin sums.</summary>
    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public double Ece_Calibration_1T() => Calibration.Compute(_scores, _labels).ExpectedCalibrationError;

    /// <summary>The same result with validation and binned sums over two halves in parallel.</summary>
    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public double Ece_Calibration_2T()
    {
        var sums = new Sums[2];
        TwoWay.Halves(_scores.Length, (part, start, count) =>
        {
            var s = _scores.AsSpan(start, count);
            var y = _labels.AsSpan(start, count);
            BinaryLabels.Validate(s, y);
            sums[part] = Sums.Of(s, y, _binEdges);
        });
        sums[0].Add(sums[1]);
        return Calibration.FromSums(_outerEdges, sums[0].Counts, sums[0].ValueSums, sums[0].WeightSums).ExpectedCalibrationError;
    }

    /// <summary>The kernel alone: per-bin count, score sum and label sum.</summary>
    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public double ReliabilityBins_BinnedSums_1T() => Sums.Of(_scores, _labels, _binEdges).WeightSums[0];

    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public double ReliabilityBins_BinnedSums_2T()
    {
        var sums = new Sums[2];
        TwoWay.Halves(_scores.Length, (part, start, count) =>
            sums[part] = Sums.Of(_scores.AsSpan(start, count), _labels.AsSpan(start, count), _binEdges));
        sums[0].Add(sums[1]);
        return sums[0].WeightSums[0];
    }

    /// <summary>Brier = mean (score - label)^2, the kernel without input validation.</summary>
    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public double Brier_1T() => SquaredDifference.Sum(_scores, _labels) / _scores.Length;

    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public double Brier_2T()
    {
        var partial = new double[2];
        TwoWay.Halves(_scores.Length, (part, start, count) =>
            partial[part] = SquaredDifference.Sum(_scores.AsSpan(start, count), _labels.AsSpan(start, count)));
        return (partial[0] + partial[1]) / _scores.Length;
    }

    /// <summary>ROC AUC: validation, split by label, radix sort of each class, merge.</summary>
    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public double Auc_1T() => RocAuc.Compute(_scores, _labels) ?? double.NaN;

    /// <summary><see cref="RocAuc.Compute"/> with the two class sorts run in parallel.</summary>
    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public double Auc_2T()
    {
        BinaryLabels.Validate(_scores, _labels);
        var positives = 0;
        foreach (var y in _labels)
        {
            positives += y == 1 ? 1 : 0;
        }

        var pos = new double[positives];
        var neg = new double[_labels.Length - positives];
        int p = 0, q = 0;
        for (var i = 0; i < _scores.Length; i++)
        {
            if (_labels[i] == 1)
            {
                pos[p++] = _scores[i];
            }
            else
            {
                neg[q++] = _scores[i];
            }
        }

        TwoWay.Invoke(() => RadixSort.Sort(pos), () => RadixSort.Sort(neg));
        return RocAuc.FromSorted(pos, neg);
    }

    private sealed class Sums
    {
        public long[] Counts { get; } = new long[Bins];

        public double[] ValueSums { get; } = new double[Bins];

        public double[] WeightSums { get; } = new double[Bins];

        public static Sums Of(ReadOnlySpan<double> values, ReadOnlySpan<double> weights, BinEdges edges)
        {
            var sums = new Sums();
            BinnedSums.Accumulate(values, weights, edges, sums.Counts, sums.ValueSums, sums.WeightSums);
            return sums;
        }

        public void Add(Sums other)
        {
            for (var b = 0; b < Bins; b++)
            {
                Counts[b] += other.Counts[b];
                ValueSums[b] += other.ValueSums[b];
                WeightSums[b] += other.WeightSums[b];
            }
        }
    }
}
