using Microsoft.Extensions.Configuration;
using Monitoring.Storage.Hosting;
using Monitoring.Storage.Tests.Support;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;
using Xunit;

namespace Monitoring.Storage.Tests;

/// <summary>A grain with persistent state in the "monitoring" storage.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    /// <summary>Adds one and persists.</summary>
    Task<int> Increment();

    /// <summary>The current value.</summary>
    Task<int> Get();

    /// <summary>Clears the state and persists that.</summary>
    Task Reset();

    /// <summary>Deactivates the grain so the next call reads storage.</summary>
    Task Deactivate();
}

/// <summary>Persistent counter state.</summary>
[GenerateSerializer]
public sealed class CounterGrainState
{
    /// <summary>The value.</summary>
    [Id(0)]
    public int Value { get; set; }
}

/// <summary>Counter grain over <see cref="MonitoringGrainStorage"/>.</summary>
public sealed class CounterGrain([PersistentState("counter", GrainStorageClusterTests.StorageName)] IPersistentState<CounterGrainState> state)
    : Grain, ICounterGrain
{
    /// <inheritdoc />
    public async Task<int> Increment()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return state.State.Value;
    }

    /// <inheritdoc />
    public Task<int> Get() => Task.FromResult(state.State.Value);

    /// <inheritdoc />
    public Task Reset() => state.ClearStateAsync();

    /// <inheritdoc />
    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

/// <summary>Registers the grain storage named by the test cluster's configuration.</summary>
public sealed class StorageSiloConfigurator : ISiloConfigurator
{
    /// <inheritdoc />
    public void Configure(ISiloBuilder siloBuilder)
    {
        var backend = siloBuilder.Configuration["MonitoringBackend"];
        var target = siloBuilder.Configuration["MonitoringTarget"]!;
        if (backend == "postgres")
        {
            siloBuilder.AddMonitoringPostgresStorage(GrainStorageClusterTests.StorageName, target);
        }
        else
        {
            siloBuilder.AddMonitoringSqliteStorage(GrainStorageClusterTests.StorageName, target);
        }
    }
}

/// <summary>Grain state persisted through a real silo, via the registration extensions, on each backend.</summary>
public abstract class GrainStorageClusterTests : IAsyncLifetime
{
    /// <summary>The storage name the grain uses.</summary>
    public const string StorageName = "monitoring";

    private TestCluster? _cluster;
    private IAsyncDisposable? _backend;

    /// <summary>Backend name and its path or connection string.</summary>
    protected abstract Task<(string Backend, string Target, IAsyncDisposable Owner)> CreateTargetAsync();

    /// <summary>Rows in the grain_state table, read directly.</summary>
    protected abstract Task<long> CountStateRowsAsync();

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        var (backend, target, owner) = await CreateTargetAsync();
        _backend = owner;
        var builder = new TestClusterBuilder(1);
        builder.Properties["MonitoringBackend"] = backend;
        builder.Properties["MonitoringTarget"] = target;
        builder.AddSiloBuilderConfigurator<StorageSiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.StopAllSilosAsync();
            await _cluster.DisposeAsync();
        }

        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }

    [Fact]
    public async Task Grain_state_survives_deactivation_and_clears()
    {
        var grain = _cluster!.GrainFactory.GetGrain<ICounterGrain>("acme/churn");
        Assert.Equal(1, await grain.Increment());
        Assert.Equal(2, await grain.Increment());
        Assert.Equal(1, await CountStateRowsAsync());

        await grain.Deactivate();
        await Task.Delay(200);
        Assert.Equal(2, await grain.Get());
        Assert.Equal(3, await grain.Increment());

        await grain.Reset();
        Assert.Equal(0, await CountStateRowsAsync());
        await grain.Deactivate();
        await Task.Delay(200);
        Assert.Equal(0, await grain.Get());
        Assert.Equal(1, await grain.Increment());
    }
}

/// <summary>Silo grain storage on SQLite.</summary>
public sealed class SqliteGrainStorageClusterTests : GrainStorageClusterTests
{
    private string? _path;

    /// <inheritdoc />
    protected override async Task<long> CountStateRowsAsync()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM grain_state";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <inheritdoc />
    protected override Task<(string Backend, string Target, IAsyncDisposable Owner)> CreateTargetAsync()
    {
        var backend = new SqliteBackend();
        _path = backend.DatabasePath;
        return Task.FromResult(("sqlite", backend.DatabasePath, (IAsyncDisposable)backend));
    }
}

/// <summary>Silo grain storage on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresGrainStorageClusterTests(PostgresFixture fixture) : GrainStorageClusterTests
{
    private string? _connectionString;

    /// <inheritdoc />
    protected override async Task<long> CountStateRowsAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM grain_state", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <inheritdoc />
    protected override async Task<(string Backend, string Target, IAsyncDisposable Owner)> CreateTargetAsync()
    {
        var backend = await PostgresBackend.CreateAsync(fixture.Server);
        _connectionString = backend.ConnectionString;
        return ("postgres", backend.ConnectionString, backend);
    }
}
