using BenchmarkDotNet.Attributes;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Kernels;

namespace Monitoring.Benchmarks;

/// <summary>
/// Parts of the composite benchmarks, to see where their time goes: the input check and the bin-index step of the
/// reliability bins, the KS p-value (a fixed cost that does not depend on how the samples were sorted), and KS when
/// there is no drift.
/// </summary>
public class BreakdownBenchmarks
{
    private double[] _scores = [];
    private double[] _labels = [];
    private int[] _bins = [];
    private BinEdges _binEdges = null!;
    private double _ksStatistic;
    private double[] _sameReference = [];
    private double[] _sameCurrent = [];

    [GlobalSetup]
    public void Setup()
    {
        (_scores, _labels) = BenchData.ScoresAndLabels(BenchData.N, BenchData.Seed + 4);
        _binEdges = new BinEdges(Calibration.UniformEdges(Calibration.DefaultBinCount).AsSpan(1, Calibration.DefaultBinCount - 1));
        _bins = new int[BenchData.N];
        var r = RadixSort.SortedCopy(BenchData.Normal(BenchData.N, 0, 1, BenchData.Seed + 5));
        var c = RadixSort.SortedCopy(BenchData.Normal(BenchData.N, 0.05, 1, BenchData.Seed + 6));
        _ksStatistic = EmpiricalCdf.Compare(r, c).Ks;
        _sameReference = BenchData.Normal(BenchData.N, 0, 1, BenchData.Seed + 7);
        _sameCurrent = BenchData.Normal(BenchData.N, 0, 1, BenchData.Seed + 8);
    }

    /// <summary>Scores in [0, 1] and labels in {0, 1}: the first pass of every classification metric.</summary>
    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public void Calibration_ValidateInputs() => BinaryLabels.Validate(_scores, _labels);

    /// <summary>Bin of each score for the 10 reliability bins (9 edges).</summary>
    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public int Calibration_BinIndices()
    {
        _binEdges.BinIndices(_scores, _bins);
        return _bins[0];
    }

    /// <summary>
    /// The p-value of the 1e6 vs 1e6 KS test alone (scipy's kstwo.sf at n = 500000), per value of the 2e6 tested
    /// so that it reads against Ks_1T.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 2 * BenchData.N)]
    public double Ks_PValueOnly() => KolmogorovSmirnov.FromStatistic(BenchData.N, BenchData.N, _ksStatistic).PValue;

    /// <summary>
    /// Ks_1T on two samples of one distribution (no drift): D is small, so the p-value takes the cheap Pelz-Good branch
    /// and the time is the sorts and the merge.
    /// </summary>
    [Benchmark(OperationsPerInvoke = 2 * BenchData.N)]
    public double Ks_NoDrift_1T()
    {
        var r = RadixSort.SortedCopy(_sameReference);
        var c = RadixSort.SortedCopy(_sameCurrent);
        return KolmogorovSmirnov.TestSorted(r, c).PValue;
    }
}
