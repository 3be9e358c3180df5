using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Storage.Database;
using Monitoring.Storage.Database.Migrations;
using Monitoring.Storage.Tests.Support;
using Npgsql;
using Xunit;

namespace Monitoring.Storage.Tests;

/// <summary>Versioned schema migrations: concurrent migrators, old-layout databases, databases newer than the binary.</summary>
public abstract class SchemaMigrationTests : BackendTest
{
    private const int Migrators = 6;

    [Fact]
    public async Task Concurrent_migrators_on_a_fresh_database_all_succeed_and_apply_each_migration_once()
    {
        var databases = Enumerable.Range(0, Migrators).Select(_ => Own(CreateDatabase())).ToArray();
        var known = databases[0].Migrations;
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = databases.Select(db => Task.Run(async () =>
        {
            await go.Task;
            return await SchemaMigrator.MigrateAsync(db, NullLogger.Instance, CancellationToken.None);
        })).ToArray();
        go.SetResult();
        var applied = await Task.WhenAll(runs);

        Assert.Equal(known.Count, applied.Sum());
        var rows = await ScalarListAsync(databases[0], "SELECT version FROM schema_migrations ORDER BY version");
        Assert.Equal(known.Select(m => (long)m.Version), rows);
        Assert.Equal(0, await SchemaMigrator.MigrateAsync(databases[0], NullLogger.Instance, CancellationToken.None));
    }

    [Fact]
    public async Task A_database_made_by_the_old_DDL_upgrades_and_keeps_its_records()
    {
        var database = Own(CreateDatabase());
        await ExecuteAsync(database, OldLayoutDdl);
        await ExecuteAsync(database, "INSERT INTO events (model_key, seq, kind, prediction_id, event_time, payload) VALUES ('old', 1, 0, 'p1', 5, @payload)",
            ("payload", new byte[] { 1, 2, 3 }));
        await ExecuteAsync(database, "INSERT INTO model_heads (model_key, last_seq) VALUES ('old', 1)");

        Assert.Equal(database.Migrations.Count, await SchemaMigrator.MigrateAsync(database, NullLogger.Instance, CancellationToken.None));

        Assert.Equal(database.Migrations.Select(m => (long)m.Version), await ScalarListAsync(database, "SELECT version FROM schema_migrations ORDER BY version"));
        Assert.Equal([1L], await ScalarListAsync(database, "SELECT seq FROM events WHERE model_key = 'old' AND received_time IS NULL"));
        var log = Own(Backend.CreateEventLog());
        var model = TestEvents.NewModel();
        var outcome = await log.AppendAsync(model, [TestEvents.Prediction("fresh", 1)]);
        Assert.Single(outcome.Appended);
        Assert.Single(await ReadAll(log, model));
    }

    [Fact]
    public async Task A_database_at_a_newer_version_than_the_binary_is_refused_with_both_versions_named()
    {
        var database = Own(CreateDatabase());
        await SchemaMigrator.MigrateAsync(database, NullLogger.Instance, CancellationToken.None);
        var known = database.Migrations[^1].Version;
        await ExecuteAsync(database, $"INSERT INTO schema_migrations (version, name) VALUES ({known + 1}, 'from the future')");

        var refused = await Assert.ThrowsAsync<SchemaVersionException>(() => SchemaMigrator.MigrateAsync(database, NullLogger.Instance, CancellationToken.None));
        Assert.Equal(known + 1, refused.DatabaseVersion);
        Assert.Equal(known, refused.KnownVersion);
        Assert.Contains($"version {known + 1}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"({known})", refused.Message, StringComparison.Ordinal);

        var log = Own(Backend.CreateEventLog());
        await Assert.ThrowsAsync<SchemaVersionException>(() => log.InitializeAsync());
    }

    /// <summary>The tables as the DDL before versioned migrations made them, minus the later received_time column.</summary>
    private const string OldLayoutDdl =
        """
        CREATE TABLE events (model_key TEXT NOT NULL, seq BIGINT NOT NULL, kind INTEGER NOT NULL, prediction_id TEXT,
            event_time BIGINT NOT NULL, payload BYTEA NOT NULL, PRIMARY KEY (model_key, seq));
        CREATE UNIQUE INDEX events_prediction ON events (model_key, kind, prediction_id) WHERE prediction_id IS NOT NULL;
        CREATE TABLE model_heads (model_key TEXT NOT NULL PRIMARY KEY, last_seq BIGINT NOT NULL);
        CREATE TABLE reports (model_key TEXT NOT NULL, kind TEXT NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL,
            json TEXT NOT NULL, PRIMARY KEY (model_key, kind, window_start));
        CREATE TABLE grain_state (grain_type TEXT NOT NULL, grain_id TEXT NOT NULL, state_name TEXT NOT NULL, state BYTEA NOT NULL,
            etag TEXT NOT NULL, PRIMARY KEY (grain_type, grain_id, state_name));
        """;

    private StorageDatabase CreateDatabase() => Backend switch
    {
        SqliteBackend sqlite => new SqliteDatabase(sqlite.DatabasePath),
        PostgresBackend postgres => new PostgresDatabase(NpgsqlDataSource.Create(postgres.ConnectionString), ownsDataSource: true),
        _ => throw new InvalidOperationException(Backend.Name),
    };

    private static async Task ExecuteAsync(StorageDatabase database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = database is SqliteDatabase ? sql.Replace("BYTEA", "BLOB", StringComparison.Ordinal) : sql;
        foreach (var (name, value) in parameters)
        {
            StorageDatabase.AddParameter(command, name, value);
        }

        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<long>> ScalarListAsync(StorageDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<long>();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return values;
    }
}

/// <summary>Schema migrations on SQLite (several connections to one file stand for several processes).</summary>
public sealed class SqliteSchemaMigrationTests : SchemaMigrationTests
{
    /// <inheritdoc />
    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(new SqliteBackend());
}

/// <summary>Schema migrations on PostgreSQL (each migrator has its own data source, as each silo would).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSchemaMigrationTests(PostgresFixture fixture) : SchemaMigrationTests
{
    /// <inheritdoc />
    protected override async Task<IStorageBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(fixture.Server);
}
