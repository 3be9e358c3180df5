using BenchmarkDotNet.Attributes;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Kernels;

namespace Monitoring.Benchmarks;

/// <summary>(a) PSI binning: 1e6 current values into the 10 bins of the 9 reference deciles.</summary>
public class PsiBinningBenchmarks
{
    private double[] _current = [];
    private BinEdges _edges = null!;

    [GlobalSetup]
    public void Setup()
    {
        var reference = BenchData.Normal(BenchData.N, 0, 1, BenchData.Seed);
        _edges = ReferenceBinning.DecileEdges(RadixSort.SortedCopy(reference));
        _current = BenchData.Normal(BenchData.N, 0.1, 1.1, BenchData.Seed + 1);
    }

    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public long Psi10Bins_1T()
    {
        var counts = new long[_edges.BinCount];
        _edges.Count(_current, counts);
        return counts[0];
    }

    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public long Psi10Bins_2T() => BinningTwoWay.Count(_edges, _current)[0];
}

/// <summary>Edge layout of the 256-bin histogram.</summary>
public enum EdgeKind
{
    /// <summary>numpy.linspace(-4, 4, 257)[1:-1] over Normal(0, 1) data.</summary>
    Uniform,

    /// <summary>The 1/256 ... 255/256 quantiles of another Normal(0, 1) sample.</summary>
    Quantile,
}

/// <summary>(b) 256-bin histogram: 1e6 values against 255 edges (the lookup-table path of <see cref="BinEdges"/>).</summary>
public class Histogram256Benchmarks
{
    private double[] _values = [];
    private BinEdges _edges = null!;

    [Params(EdgeKind.Uniform, EdgeKind.Quantile)]
    public EdgeKind Edges { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _values = BenchData.Normal(BenchData.N, 0, 1, BenchData.Seed + 2);
        var inner = Edges == EdgeKind.Uniform
            ? BenchData.UniformInnerEdges(-4, 4, 256)
            : BenchData.QuantileInnerEdges(BenchData.Normal(BenchData.N, 0, 1, BenchData.Seed + 3), 256);
        _edges = new BinEdges(inner);
    }

    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public long Hist256_1T()
    {
        var counts = new long[_edges.BinCount];
        _edges.Count(_values, counts);
        return counts[128];
    }

    [Benchmark(OperationsPerInvoke = BenchData.N)]
    public long Hist256_2T() => BinningTwoWay.Count(_edges, _values)[128];
}

/// <summary>Two-thread <see cref="BinEdges.Count"/>: each half into its own counts, then added.</summary>
internal static class BinningTwoWay
{
    public static long[] Count(BinEdges edges, double[] values)
    {
        var first = new long[edges.BinCount];
        var second = new long[edges.BinCount];
        TwoWay.Halves(values.Length, (part, start, count) => edges.Count(values.AsSpan(start, count), part == 0 ? first : second));
        for (var b = 0; b < first.Length; b++)
        {
            first[b] += second[b];
        }

        return first;
    }
}
