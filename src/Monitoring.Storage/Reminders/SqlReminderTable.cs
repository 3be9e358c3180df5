using System.Data.Common;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Storage.Database;
using Npgsql;
using Orleans;
using Orleans.Runtime;

namespace Monitoring.Storage.Reminders;

/// <summary>
/// Orleans reminders in the <c>reminders</c> table of the project's own SQLite or PostgreSQL database, for the
/// localhost (single-silo) mode, which has no Azure Table storage: one row per (service, grain, reminder name), keyed
/// by the service id so two deployments may share a database. The ETag is a version column, bumped on every upsert,
/// and a remove only deletes the row whose version it names. Ring ranges follow Orleans' contract: rows whose grain's
/// uniform hash is in (begin, end], wrapping when begin &gt;= end.
/// </summary>
public sealed class SqlReminderTable : IReminderTable, IAsyncDisposable
{
    private const string Columns = "grain_id, reminder_name, start_time, period, version";

    private const string UpsertSql =
        """
        INSERT INTO reminders (service_id, grain_id, reminder_name, grain_hash, start_time, period, version)
        VALUES (@service, @grain, @name, @hash, @start, @period, 1)
        ON CONFLICT (service_id, grain_id, reminder_name) DO UPDATE SET
            grain_hash = excluded.grain_hash, start_time = excluded.start_time, period = excluded.period,
            version = reminders.version + 1
        RETURNING version
        """;

    private readonly StorageDatabase _database;
    private readonly string _serviceId;
    private readonly SchemaGate _schema;

    internal SqlReminderTable(StorageDatabase database, string serviceId, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        _database = database;
        _serviceId = serviceId;
        _schema = new SchemaGate(database, "reminder table", logger);
    }

    /// <summary>Reminders of service <paramref name="serviceId"/> in a SQLite database file.</summary>
    public static SqlReminderTable CreateSqlite(string databasePath, string serviceId, ILoggerFactory? loggerFactory = null) =>
        new(new SqliteDatabase(databasePath), serviceId, CreateLogger(loggerFactory));

    /// <summary>Reminders of service <paramref name="serviceId"/> in a PostgreSQL database.</summary>
    public static SqlReminderTable CreatePostgres(string connectionString, string serviceId, ILoggerFactory? loggerFactory = null) =>
        new(new PostgresDatabase(NpgsqlDataSource.Create(connectionString), ownsDataSource: true), serviceId, CreateLogger(loggerFactory));

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync(cancellationToken);

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        QueryAsync($"SELECT {Columns} FROM reminders WHERE service_id = @service AND grain_id = @grain", c => StorageDatabase.AddParameter(c, "grain", grainId.ToString()));

    /// <inheritdoc />
    public Task<ReminderTableData> ReadRows(uint begin, uint end)
    {
        // (begin, end]; begin >= end wraps around the ring (begin == end: the whole ring).
        var range = begin < end ? "grain_hash > @begin AND grain_hash <= @end" : "(grain_hash > @begin OR grain_hash <= @end)";
        return QueryAsync($"SELECT {Columns} FROM reminders WHERE service_id = @service AND {range}", c =>
        {
            StorageDatabase.AddParameter(c, "begin", (long)begin);
            StorageDatabase.AddParameter(c, "end", (long)end);
        });
    }

    /// <inheritdoc />
    public async Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName)
    {
        var rows = await QueryAsync($"SELECT {Columns} FROM reminders WHERE service_id = @service AND grain_id = @grain AND reminder_name = @name", c =>
        {
            StorageDatabase.AddParameter(c, "grain", grainId.ToString());
            StorageDatabase.AddParameter(c, "name", reminderName);
        }).ConfigureAwait(false);
        return rows.Reminders.FirstOrDefault();
    }

    /// <inheritdoc />
    public async Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var version = await WriteAsync(UpsertSql, c =>
        {
            StorageDatabase.AddParameter(c, "grain", entry.GrainId.ToString());
            StorageDatabase.AddParameter(c, "name", entry.ReminderName);
            StorageDatabase.AddParameter(c, "hash", (long)entry.GrainId.GetUniformHashCode());
            StorageDatabase.AddParameter(c, "start", entry.StartAt.ToUniversalTime().Ticks);
            StorageDatabase.AddParameter(c, "period", entry.Period.Ticks);
        }, scalar: true).ConfigureAwait(false);
        return version.ToString(CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public async Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        if (!long.TryParse(eTag, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }

        var deleted = await WriteAsync("DELETE FROM reminders WHERE service_id = @service AND grain_id = @grain AND reminder_name = @name AND version = @version", c =>
        {
            StorageDatabase.AddParameter(c, "grain", grainId.ToString());
            StorageDatabase.AddParameter(c, "name", reminderName);
            StorageDatabase.AddParameter(c, "version", version);
        }, scalar: false).ConfigureAwait(false);
        return deleted > 0;
    }

    /// <inheritdoc />
    public async Task TestOnlyClearTable() =>
        await WriteAsync("DELETE FROM reminders WHERE service_id = @service", _ => { }, scalar: false).ConfigureAwait(false);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private async Task<ReminderTableData> QueryAsync(string sql, Action<DbCommand> bind)
    {
        await _schema.EnsureAsync(CancellationToken.None).ConfigureAwait(false);
        var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                StorageDatabase.AddParameter(command, "service", _serviceId);
                bind(command);
                var entries = new List<ReminderEntry>();
                var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync().ConfigureAwait(false))
                    {
                        entries.Add(new ReminderEntry
                        {
                            GrainId = GrainId.Parse(reader.GetString(0), CultureInfo.InvariantCulture),
                            ReminderName = reader.GetString(1),
                            StartAt = new DateTime(reader.GetInt64(2), DateTimeKind.Utc),
                            Period = TimeSpan.FromTicks(reader.GetInt64(3)),
                            ETag = reader.GetInt64(4).ToString(CultureInfo.InvariantCulture),
                        });
                    }
                }

                return new ReminderTableData(entries);
            }
        }
    }

    /// <summary>Runs one durable write; returns the scalar it selects, else the rows it changed.</summary>
    private async Task<long> WriteAsync(string sql, Action<DbCommand> bind, bool scalar)
    {
        await _schema.EnsureAsync(CancellationToken.None).ConfigureAwait(false);
        using var turn = await _database.EnterWriteAsync(CancellationToken.None).ConfigureAwait(false);
        var connection = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                StorageDatabase.AddParameter(command, "service", _serviceId);
                bind(command);
                return scalar
                    ? Convert.ToInt64(await command.ExecuteScalarAsync().ConfigureAwait(false), CultureInfo.InvariantCulture)
                    : await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
    }

    private static ILogger CreateLogger(ILoggerFactory? loggerFactory) =>
        loggerFactory?.CreateLogger<SqlReminderTable>() ?? (ILogger)NullLogger.Instance;
}
