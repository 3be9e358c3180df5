using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Storage;
using Monitoring.Storage.Hosting;
using Orleans.TestingHost;
using Xunit;

namespace Monitoring.Grains.Tests;

/// <summary>
/// One in-process Orleans test cluster for every grain test: real SQLite event log, report store and grain storage in a
/// temp directory, and a <see cref="FakeTimeProvider"/> so tests close windows by advancing time, never by waiting.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    /// <summary>Start of test time: a window boundary (2026-01-05 10:00:00 UTC, a Monday).</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 10, 0, 0, TimeSpan.Zero);

    internal static readonly FakeTimeProvider Time = new(Start);
    internal static readonly string Directory = System.IO.Directory.CreateTempSubdirectory("monitoring-grains-").FullName;

    /// <summary>The limits the grains read (defaults; a test of a limit lowers one and restores it, the collection runs one test at a time).</summary>
    internal static readonly Monitoring.Abstractions.Limits.LimitsOptions Limits = new();

    /// <summary>Hot models: a sharding test adds its own model (keys are unique per test, so entries never collide).</summary>
    internal static readonly Monitoring.Grains.Sharding.ShardingOptions Sharding = new();

    public TestCluster Cluster { get; private set; } = null!;

    public IReportStore Reports => Cluster.Primary is InProcessSiloHandle silo
        ? silo.SiloHost.Services.GetRequiredService<IReportStore>()
        : throw new InvalidOperationException("in-process silo expected");

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may still hold the file for a moment on shutdown; the temp directory is cleaned by the OS.
        }
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var path = Path.Combine(Directory, "monitoring.db");
            siloBuilder.Services.AddSingleton<TimeProvider>(Time);
            siloBuilder.Services.AddSingleton(Limits);
            siloBuilder.Services.AddSingleton(Sharding);
            siloBuilder.Services.AddSingleton<Monitoring.Abstractions.Totals.GrainTotals>();
            siloBuilder.Services.AddSingleton<Monitoring.Grains.Limits.TenantModelLimitLog>();
            siloBuilder.Services.AddMonitoringSqlite(path);
            siloBuilder.AddMonitoringSqliteStorage("monitoring", path);
            siloBuilder.AddMonitoringSqliteReminders(path);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
