using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Storage.Database;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace Monitoring.Storage;

/// <summary>
/// Orleans grain storage in the <c>grain_state</c> table of a SQLite or PostgreSQL database: one row per
/// (grain type, grain key, state name) holding the state serialized by the silo's <see cref="IGrainStorageSerializer"/>
/// and an ETag. Writes and clears are optimistic: they succeed only if the stored ETag is the one the grain read (or
/// no row exists when the grain read none); otherwise they throw <see cref="InconsistentStateException"/>.
/// </summary>
public sealed class MonitoringGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IAsyncDisposable, IDisposable
{
    private const string ReadSql =
        "SELECT state, etag FROM grain_state WHERE grain_type = @type AND grain_id = @id AND state_name = @name";

    private const string ReadEtagSql =
        "SELECT etag FROM grain_state WHERE grain_type = @type AND grain_id = @id AND state_name = @name";

    private const string InsertSql =
        """
        INSERT INTO grain_state (grain_type, grain_id, state_name, state, etag) VALUES (@type, @id, @name, @state, @etag)
        ON CONFLICT (grain_type, grain_id, state_name) DO NOTHING
        """;

    private const string UpdateSql =
        """
        UPDATE grain_state SET state = @state, etag = @etag
        WHERE grain_type = @type AND grain_id = @id AND state_name = @name AND etag = @expected
        """;

    private const string DeleteSql =
        "DELETE FROM grain_state WHERE grain_type = @type AND grain_id = @id AND state_name = @name AND etag = @expected";

    private readonly StorageDatabase _database;
    private readonly IGrainStorageSerializer _serializer;
    private readonly ILogger _logger;
    private readonly SchemaGate _schema;

    internal MonitoringGrainStorage(StorageDatabase database, IGrainStorageSerializer serializer, ILogger logger)
    {
        _database = database;
        _serializer = serializer;
        _logger = logger;
        _schema = new SchemaGate(database, "grain storage", logger);
    }

    /// <summary>Grain storage in a SQLite database file.</summary>
    /// <param name="databasePath">The database file.</param>
    /// <param name="serializer">Serializer of the grain state (the silo's <see cref="IGrainStorageSerializer"/>).</param>
    /// <param name="loggerFactory">Optional logging.</param>
    public static MonitoringGrainStorage CreateSqlite(
        string databasePath, IGrainStorageSerializer serializer, ILoggerFactory? loggerFactory = null) =>
        new(new SqliteDatabase(databasePath), serializer, CreateLogger(loggerFactory));

    /// <summary>Grain storage in a PostgreSQL database.</summary>
    /// <param name="connectionString">Npgsql connection string.</param>
    /// <param name="serializer">Serializer of the grain state (the silo's <see cref="IGrainStorageSerializer"/>).</param>
    /// <param name="loggerFactory">Optional logging.</param>
    public static MonitoringGrainStorage CreatePostgres(
        string connectionString, IGrainStorageSerializer serializer, ILoggerFactory? loggerFactory = null) =>
        new(new PostgresDatabase(NpgsqlDataSource.Create(connectionString), ownsDataSource: true), serializer, CreateLogger(loggerFactory));

    /// <summary>Creates the table when the silo starts (before grains run), so a bad connection fails the start.</summary>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(MonitoringGrainStorage), ServiceLifecycleStage.ApplicationServices, _schema.EnsureAsync);
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await ReadStateCoreAsync(stateName, grainId, grainState).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Telemetry.StorageMetrics.Failed("grain_state.read", e);
            throw;
        }
    }

    private async Task ReadStateCoreAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await _schema.EnsureAsync(CancellationToken.None).ConfigureAwait(false);
        var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = ReadSql;
                AddKey(command, stateName, grainId);
                var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync().ConfigureAwait(false))
                    {
                        grainState.ETag = null;
                        grainState.RecordExists = false;
                        return;
                    }

                    var bytes = (byte[])reader.GetValue(0);
                    grainState.State = _serializer.Deserialize<T>(BinaryData.FromBytes(bytes));
                    grainState.ETag = reader.GetString(1);
                    grainState.RecordExists = true;
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await WriteStateCoreAsync(stateName, grainId, grainState).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Telemetry.StorageMetrics.Failed("grain_state.write", e);
            throw;
        }
    }

    private async Task WriteStateCoreAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await _schema.EnsureAsync(CancellationToken.None).ConfigureAwait(false);
        var state = _serializer.Serialize(grainState.State).ToArray();
        var etag = Guid.NewGuid().ToString("N");
        var expected = grainState.ETag;
        using var turn = await _database.EnterWriteAsync(CancellationToken.None).ConfigureAwait(false);
        var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = expected is null ? InsertSql : UpdateSql;
                AddKey(command, stateName, grainId);
                StorageDatabase.AddParameter(command, "state", state);
                StorageDatabase.AddParameter(command, "etag", etag);
                if (expected is not null)
                {
                    StorageDatabase.AddParameter(command, "expected", expected);
                }

                if (await command.ExecuteNonQueryAsync().ConfigureAwait(false) != 1)
                {
                    throw await ConflictAsync(connection, stateName, grainId, expected).ConfigureAwait(false);
                }
            }
        }

        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await ClearStateCoreAsync(stateName, grainId, grainState).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Telemetry.StorageMetrics.Failed("grain_state.clear", e);
            throw;
        }
    }

    private async Task ClearStateCoreAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await _schema.EnsureAsync(CancellationToken.None).ConfigureAwait(false);
        var expected = grainState.ETag;
        using var turn = await _database.EnterWriteAsync(CancellationToken.None).ConfigureAwait(false);
        var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            if (expected is null)
            {
                // Nothing was read, so nothing may be there: a stored row means another activation wrote it.
                var stored = await ReadEtagAsync(connection, stateName, grainId).ConfigureAwait(false);
                if (stored is not null)
                {
                    throw Conflict(stateName, grainId, stored, expected);
                }
            }
            else
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = DeleteSql;
                    AddKey(command, stateName, grainId);
                    StorageDatabase.AddParameter(command, "expected", expected);
                    if (await command.ExecuteNonQueryAsync().ConfigureAwait(false) != 1)
                    {
                        throw await ConflictAsync(connection, stateName, grainId, expected).ConfigureAwait(false);
                    }
                }
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static ILogger CreateLogger(ILoggerFactory? loggerFactory) =>
        loggerFactory?.CreateLogger<MonitoringGrainStorage>() ?? (ILogger)NullLogger.Instance;

    private static void AddKey(System.Data.Common.DbCommand command, string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        StorageDatabase.AddParameter(command, "type", grainId.Type.ToString());
        StorageDatabase.AddParameter(command, "id", grainId.Key.ToString());
        StorageDatabase.AddParameter(command, "name", stateName);
    }

    private static async Task<string?> ReadEtagAsync(System.Data.Common.DbConnection connection, string stateName, GrainId grainId)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = ReadEtagSql;
            AddKey(command, stateName, grainId);
            return await command.ExecuteScalarAsync().ConfigureAwait(false) as string;
        }
    }

    private async Task<InconsistentStateException> ConflictAsync(
        System.Data.Common.DbConnection connection, string stateName, GrainId grainId, string? expected)
    {
        var stored = await ReadEtagAsync(connection, stateName, grainId).ConfigureAwait(false);
        return Conflict(stateName, grainId, stored, expected);
    }

    private InconsistentStateException Conflict(string stateName, GrainId grainId, string? stored, string? expected)
    {
        StorageLog.GrainStateConflict(_logger, grainId.ToString(), stateName, stored, expected);
        return new InconsistentStateException(
            $"ETag mismatch for grain {grainId} state '{stateName}': stored {stored ?? "(none)"}, expected {expected ?? "(none)"}.",
            stored ?? string.Empty,
            expected ?? string.Empty);
    }
}
