using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Abstractions.Models;
using Monitoring.Storage.Database;
using Npgsql;

namespace Monitoring.Storage;

/// <summary>Window-report history in the <c>reports</c> table of a SQLite or PostgreSQL database.</summary>
public sealed class SqlReportStore : IReportStore, IAsyncDisposable, IDisposable
{
    private const string UpsertSql =
        """
        INSERT INTO reports (model_key, kind, window_start, window_end, json)
        VALUES (@model, @kind, @start, @end, @json)
        ON CONFLICT (model_key, kind, window_start) DO UPDATE SET window_end = excluded.window_end, json = excluded.json
        """;

    private const string ListSql =
        """
        SELECT window_start, window_end, json FROM reports
        WHERE model_key = @model AND kind = @kind AND window_start >= @from AND window_start < @to
        ORDER BY window_start
        """;

    private const string GetSql =
        "SELECT window_start, window_end, json FROM reports WHERE model_key = @model AND kind = @kind AND window_start = @start";

    private const string DeleteSql = "DELETE FROM reports WHERE window_end < @cutoff";

    private const string DeleteModelSql = "DELETE FROM reports WHERE model_key = @model AND window_end < @cutoff";

    private readonly StorageDatabase _database;
    private readonly SchemaGate _schema;

    internal SqlReportStore(StorageDatabase database, ILogger logger)
    {
        _database = database;
        _schema = new SchemaGate(database, database.ReportSchema, "report store", logger);
    }

    /// <summary>Opens (creating if needed) the report store in a SQLite database file.</summary>
    /// <param name="databasePath">The database file.</param>
    /// <param name="loggerFactory">Optional logging.</param>
    public static SqlReportStore CreateSqlite(string databasePath, ILoggerFactory? loggerFactory = null) =>
        new(new SqliteDatabase(databasePath), CreateLogger(loggerFactory));

    /// <summary>Opens the report store in a PostgreSQL database (the table is created if missing).</summary>
    /// <param name="connectionString">Npgsql connection string.</param>
    /// <param name="loggerFactory">Optional logging.</param>
    public static SqlReportStore CreatePostgres(string connectionString, ILoggerFactory? loggerFactory = null) =>
        new(new PostgresDatabase(NpgsqlDataSource.Create(connectionString), ownsDataSource: true), CreateLogger(loggerFactory));

    /// <summary>Creates the table if it does not exist; every other call does this first on its own.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync(cancellationToken);

    /// <inheritdoc />
    public async Task SaveAsync(StoredReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(report.Kind);
        ArgumentNullException.ThrowIfNull(report.Json);
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = UpsertSql;
                StorageDatabase.AddParameter(command, "model", report.Model.GrainKey);
                StorageDatabase.AddParameter(command, "kind", report.Kind);
                StorageDatabase.AddParameter(command, "start", report.WindowStartUnixNano);
                StorageDatabase.AddParameter(command, "end", report.WindowEndUnixNano);
                StorageDatabase.AddParameter(command, "json", report.Json);
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<StoredReport>> ListAsync(
        ModelKey model, string kind, long fromUnixNano, long toUnixNano, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var reports = new List<StoredReport>();
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = ListSql;
                StorageDatabase.AddParameter(command, "model", model.GrainKey);
                StorageDatabase.AddParameter(command, "kind", kind);
                StorageDatabase.AddParameter(command, "from", fromUnixNano);
                StorageDatabase.AddParameter(command, "to", toUnixNano);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        reports.Add(new StoredReport(model, kind, reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
                    }
                }
            }
        }

        return reports;
    }

    /// <inheritdoc />
    public async Task<StoredReport?> GetAsync(
        ModelKey model, string kind, long windowStartUnixNano, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = GetSql;
                StorageDatabase.AddParameter(command, "model", model.GrainKey);
                StorageDatabase.AddParameter(command, "kind", kind);
                StorageDatabase.AddParameter(command, "start", windowStartUnixNano);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
                        ? new StoredReport(model, kind, reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2))
                        : null;
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<int> DeleteEndedBeforeAsync(long cutoffUnixNano, CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = DeleteSql;
                StorageDatabase.AddParameter(command, "cutoff", cutoffUnixNano);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async Task<long> BytesOnDiskAsync(ModelKey model, CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = $"SELECT coalesce(sum({_database.ReportRowBytesSql}), 0) FROM reports AS r WHERE r.model_key = @model";
                StorageDatabase.AddParameter(command, "model", model.GrainKey);
                var bytes = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return Convert.ToInt64(bytes, System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }

    /// <inheritdoc />
    public async Task<int> DeleteEndedBeforeAsync(ModelKey model, long cutoffUnixNano, CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = DeleteModelSql;
                StorageDatabase.AddParameter(command, "model", model.GrainKey);
                StorageDatabase.AddParameter(command, "cutoff", cutoffUnixNano);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static ILogger CreateLogger(ILoggerFactory? loggerFactory) =>
        loggerFactory?.CreateLogger<SqlReportStore>() ?? (ILogger)NullLogger.Instance;

}
