using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Storage.Hosting;
using Npgsql;
using Orleans.Storage;
using Xunit;

namespace Monitoring.Storage.Tests.Support;

/// <summary>One backend under test: makes fresh, isolated stores (a new SQLite file, or a new PostgreSQL schema).</summary>
public interface IStorageBackend : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres".</summary>
    string Name { get; }

    /// <summary>An event log over this test's storage; several instances share it (as a restarted process would).</summary>
    DurableEventLog CreateEventLog();

    /// <summary>A report store over this test's storage.</summary>
    SqlReportStore CreateReportStore();

    /// <summary>A document store over this backend's database.</summary>
    SqlDocumentStore CreateDocumentStore();

    /// <summary>Grain storage over this test's storage.</summary>
    MonitoringGrainStorage CreateGrainStorage(IGrainStorageSerializer serializer);

    /// <summary>Registers the event log and report store over this test's storage (AddMonitoringSqlite / AddMonitoringPostgres).</summary>
    IServiceCollection AddTo(IServiceCollection services);
}

/// <summary>A fresh SQLite file in a temporary directory.</summary>
internal sealed class SqliteBackend : IStorageBackend
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "monitoring-sqlite-" + Guid.NewGuid().ToString("N")[..12]);

    public SqliteBackend()
    {
        Directory.CreateDirectory(_directory);
        DatabasePath = Path.Combine(_directory, "monitoring.db");
    }

    public string DatabasePath { get; }

    public string Name => "sqlite";

    public DurableEventLog CreateEventLog() => DurableEventLog.CreateSqlite(DatabasePath);

    public SqlReportStore CreateReportStore() => SqlReportStore.CreateSqlite(DatabasePath);

    public SqlDocumentStore CreateDocumentStore() => SqlDocumentStore.CreateSqlite(DatabasePath);

    public MonitoringGrainStorage CreateGrainStorage(IGrainStorageSerializer serializer) =>
        MonitoringGrainStorage.CreateSqlite(DatabasePath, serializer);

    public IServiceCollection AddTo(IServiceCollection services) => services.AddMonitoringSqlite(DatabasePath);

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A fresh schema in the shared test server's database (the search path points at it).</summary>
internal sealed class PostgresBackend : IStorageBackend
{
    private PostgresBackend(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    public string Name => "postgres";

    public static async Task<PostgresBackend> CreateAsync(PostgresServer server)
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(server.ConnectionString) { SearchPath = schema };
        return new PostgresBackend(builder.ConnectionString);
    }

    public DurableEventLog CreateEventLog() => DurableEventLog.CreatePostgres(ConnectionString);

    public SqlReportStore CreateReportStore() => SqlReportStore.CreatePostgres(ConnectionString);

    public SqlDocumentStore CreateDocumentStore() => SqlDocumentStore.CreatePostgres(ConnectionString);

    public MonitoringGrainStorage CreateGrainStorage(IGrainStorageSerializer serializer) =>
        MonitoringGrainStorage.CreatePostgres(ConnectionString, serializer);

    public IServiceCollection AddTo(IServiceCollection services) => services.AddMonitoringPostgres(ConnectionString);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Starts one private PostgreSQL server for every test in the "postgres" collection.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    internal PostgresServer Server => _server ?? throw new InvalidOperationException("PostgreSQL server not started.");

    /// <inheritdoc />
    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>The tests that share the private PostgreSQL server (run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    /// <summary>Collection name.</summary>
    public const string Name = "postgres";
}

/// <summary>Grain-state serializer for direct storage tests (System.Text.Json).</summary>
internal sealed class JsonStateSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(input));

    public T Deserialize<T>(BinaryData input) => JsonSerializer.Deserialize<T>(input.ToMemory().Span)!;
}
