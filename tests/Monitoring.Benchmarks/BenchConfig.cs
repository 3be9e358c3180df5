using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using Perfolizer.Horology;

namespace Monitoring.Benchmarks;

/// <summary>
/// Short job for a 2-core box: one launch, 3 warmup and 10 measured iterations of about 250 ms each, so the whole
/// suite finishes in a few minutes. Every benchmark declares <c>OperationsPerInvoke</c> = the number of input values it
/// consumes, so "Op/s" reads as values per second and "Mean" as time per value.
/// </summary>
public static class BenchConfig
{
    /// <summary>Default config (markdown, CSV and HTML exporters) plus the short job, Op/s, allocations and a JSON export.</summary>
    public static IConfig Create() => DefaultConfig.Instance
        .AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithIterationTime(TimeInterval.FromMilliseconds(250))
            .WithId("Short2Core"))
        .AddColumn(StatisticColumn.OperationsPerSecond)
        .AddDiagnoser(MemoryDiagnoser.Default)
        .AddExporter(JsonExporter.FullCompressed)
        .WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared));
}
