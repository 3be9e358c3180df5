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
        _schema = new SchemaGate(database, "report store", logger);
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
    public Task SaveAsync(StoredReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(report.Kind);
        ArgumentNullException.ThrowIfNull(report.Json);
        return RunAsync(UpsertSql, (command, ct) => command.ExecuteNonQueryAsync(ct), cancellationToken, write: true,
            ("model", report.Model.GrainKey), ("kind", report.Kind), ("start", report.WindowStartUnixNano), ("end", report.WindowEndUnixNano), ("json", report.Json));
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredReport>> ListAsync(
        ModelKey model, string kind, long fromUnixNano, long toUnixNano, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return RunAsync<IReadOnlyList<StoredReport>>(ListSql, async (command, ct) =>
        {
            var reports = new List<StoredReport>();
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    reports.Add(new StoredReport(model, kind, reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
                }
            }

            return reports;
        }, cancellationToken, write: false, ("model", model.GrainKey), ("kind", kind), ("from", fromUnixNano), ("to", toUnixNano));
    }

    /// <inheritdoc />
    public Task<StoredReport?> GetAsync(
        ModelKey model, string kind, long windowStartUnixNano, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kind);
        return RunAsync(GetSql, async (command, ct) =>
        {
            var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(ct).ConfigureAwait(false)
                    ? new StoredReport(model, kind, reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2))
                    : null;
            }
        }, cancellationToken, write: false, ("model", model.GrainKey), ("kind", kind), ("start", windowStartUnixNano));
    }

    /// <inheritdoc />
    public Task<int> DeleteEndedBeforeAsync(long cutoffUnixNano, CancellationToken cancellationToken = default) =>
        RunAsync(DeleteSql, (command, ct) => command.ExecuteNonQueryAsync(ct), cancellationToken, write: true, ("cutoff", cutoffUnixNano));

    /// <inheritdoc />
    public Task<int> DeleteEndedBeforeAsync(ModelKey model, long cutoffUnixNano, CancellationToken cancellationToken = default) =>
        RunAsync(DeleteModelSql, (command, ct) => command.ExecuteNonQueryAsync(ct), cancellationToken, write: true, ("model", model.GrainKey), ("cutoff", cutoffUnixNano));

    /// <inheritdoc />
    public Task<long> BytesOnDiskAsync(ModelKey model, CancellationToken cancellationToken = default) =>
        RunAsync(
            $"SELECT coalesce(sum({_database.ReportRowBytesSql}), 0) FROM reports AS r WHERE r.model_key = @model",
            async (command, ct) => Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture),
            cancellationToken,
            write: false,
            ("model", model.GrainKey));

    /// <summary>
    /// Runs one command on a pooled connection, the table created first if needed; a write takes the database's
    /// write turn (<see cref="StorageDatabase.WriteTurn"/>) for its length.
    /// </summary>
    private async Task<T> RunAsync<T>(string sql, Func<System.Data.Common.DbCommand, CancellationToken, Task<T>> run, CancellationToken cancellationToken,
        bool write, params (string Name, object Value)[] parameters)
    {
        try
        {
            await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
            using var turn = write ? await _database.EnterWriteAsync(cancellationToken).ConfigureAwait(false) : default;
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = sql;
                    foreach (var (name, value) in parameters)
                    {
                        StorageDatabase.AddParameter(command, name, value);
                    }

                    return await run(command, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Telemetry.StorageMetrics.Failed("reports", e);
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static ILogger CreateLogger(ILoggerFactory? loggerFactory) =>
        loggerFactory?.CreateLogger<SqlReportStore>() ?? (ILogger)NullLogger.Instance;

}
