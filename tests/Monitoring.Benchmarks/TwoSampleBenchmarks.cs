using BenchmarkDotNet.Attributes;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Kernels;

namespace Monitoring.Benchmarks;

/// <summary>
/// (e) exact two-sample KS and (g) Wasserstein-1 on 1e6 reference vs 1e6 current values, as <see cref="NumericDrift"/>
/// runs them: radix-sorted copies of both samples, then one merge pass. Throughput counts both samples (2e6 values).
/// </summary>
public class TwoSampleBenchmarks
{
    private const int Values = 2 * BenchData.N;
    private double[] _reference = [];
    private double[] _current = [];

    [GlobalSetup]
    public void Setup()
    {
        _reference = BenchData.Normal(BenchData.N, 0, 1, BenchData.Seed + 5);
        _current = BenchData.Normal(BenchData.N, 0.05, 1, BenchData.Seed + 6);
    }

    [Benchmark(OperationsPerInvoke = Values)]
    public double Ks_1T()
    {
        var r = RadixSort.SortedCopy(_reference);
        var c = RadixSort.SortedCopy(_current);
        return KolmogorovSmirnov.TestSorted(r, c).Statistic;
    }

    /// <summary>The two sorts on two threads, the merge on one.</summary>
    [Benchmark(OperationsPerInvoke = Values)]
    public double Ks_2T()
    {
        var (r, c) = SortBoth();
        return KolmogorovSmirnov.TestSorted(r, c).Statistic;
    }

    [Benchmark(OperationsPerInvoke = Values)]
    public double Wasserstein_1T()
    {
        var r = RadixSort.SortedCopy(_reference);
        var c = RadixSort.SortedCopy(_current);
        return Wasserstein.DistanceSorted(r, c);
    }

    [Benchmark(OperationsPerInvoke = Values)]
    public double Wasserstein_2T()
    {
        var (r, c) = SortBoth();
        return Wasserstein.DistanceSorted(r, c);
    }

    private (double[] Reference, double[] Current) SortBoth()
    {
        double[] r = [], c = [];
        TwoWay.Invoke(() => r = RadixSort.SortedCopy(_reference), () => c = RadixSort.SortedCopy(_current));
        return (r, c);
    }
}
