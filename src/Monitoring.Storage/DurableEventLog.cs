using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Storage.Database;
using Monitoring.Storage.Events;
using Monitoring.Storage.Retention;
using Monitoring.Storage.Telemetry;
using Npgsql;

namespace Monitoring.Storage;

/// <summary>
/// The event log over SQLite or PostgreSQL. Appends go through one writer loop per log (group commit): callers encode
/// their records and queue them; the loop takes every request queued while the previous transaction was committing and
/// writes them all in the next transaction, then completes each caller once that transaction is durable. Old records
/// are deleted by a background <see cref="EventLogCompactor"/>; on SQLite it and the writer loop take turns.
/// </summary>
public sealed class DurableEventLog : IEventLog, IAsyncDisposable, IDisposable
{
    /// <summary>Rows read per query while streaming a model's log.</summary>
    internal const int ReadPageSize = 1024;

    /// <summary>A group stops taking requests once it holds this many rows.</summary>
    internal const int MaxGroupRows = 16_384;

    private const string ReadSql =
        "SELECT seq, payload FROM events WHERE model_key = @model AND seq > @after ORDER BY seq LIMIT @limit";

    private const string FindSql =
        "SELECT seq, payload FROM events WHERE model_key = @model AND kind = @kind AND prediction_id = @id";

    private const string ListSql = "SELECT model_key FROM model_heads WHERE last_seq > 0 ORDER BY model_key";

    /// <summary>Newest records whose mean size stands for all of a model's records in <see cref="FootprintAsync"/>.</summary>
    internal const int FootprintSample = 256;

    private readonly StorageDatabase _database;
    private readonly ILogger _logger;
    private readonly Channel<PendingAppend> _queue;
    private readonly SchemaGate _schema;
    private readonly Task _writerLoop;
    private readonly SemaphoreSlim? _writeTurn;
    private int _disposed;

    internal DurableEventLog(StorageDatabase database, ILogger logger)
    {
        _database = database;
        _logger = logger;
        _schema = new SchemaGate(database, "event log", logger);
        _queue = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
        _writeTurn = database.WriteTurn; // shared with every other writer of the file (SQLite); none on PostgreSQL
        Compactor = new EventLogCompactor(database, _schema.EnsureAsync, _writeTurn, logger);
        _writerLoop = Task.Run(RunWriterAsync);
    }

    /// <summary>The background deleter behind <see cref="Compact"/>.</summary>
    internal EventLogCompactor Compactor { get; }

    /// <summary>Opens (creating if needed) an event log in a SQLite database file, in WAL mode with synchronous=FULL.</summary>
    /// <param name="databasePath">The database file.</param>
    /// <param name="loggerFactory">Optional logging.</param>
    public static DurableEventLog CreateSqlite(string databasePath, ILoggerFactory? loggerFactory = null) =>
        new(new SqliteDatabase(databasePath), CreateLogger(loggerFactory));

    /// <summary>Opens an event log in a PostgreSQL database (tables are created if missing).</summary>
    /// <param name="connectionString">Npgsql connection string.</param>
    /// <param name="loggerFactory">Optional logging.</param>
    public static DurableEventLog CreatePostgres(string connectionString, ILoggerFactory? loggerFactory = null) =>
        new(new PostgresDatabase(NpgsqlDataSource.Create(connectionString), ownsDataSource: true), CreateLogger(loggerFactory));

    /// <summary>Creates the schema if it does not exist; every other call does this first on its own.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => _schema.EnsureAsync(cancellationToken);

    /// <summary>
    /// Checks that the database answers: the schema is current and one trivial query runs (for readiness probes). Throws
    /// the backend's exception when it does not.
    /// </summary>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = "SELECT 1";
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Cancelling stops waiting, not the write: a request already queued may still become durable.
    /// </remarks>
    public async Task<EventAppendOutcome> AppendAsync(
        ModelKey model, IReadOnlyList<ModelEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var pending = PendingAppend.Create(model, events);
        if (pending.Rows.Length == 0)
        {
            return new EventAppendOutcome([], pending.DuplicatesInBatch);
        }

        var started = Stopwatch.GetTimestamp();
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(DurableEventLog));
        }

        try
        {
            var outcome = await pending.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
            StorageMetrics.Appended(started);
            return outcome;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            StorageMetrics.Failed("event_log.append", e);
            throw;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<LoggedEvent> ReadAsync(
        ModelKey model, long afterSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var key = model.GrainKey;
        var after = afterSequence;
        var page = new List<(long Sequence, byte[] Payload)>(ReadPageSize);
        while (true)
        {
            page.Clear();
            var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.CommandText = ReadSql;
                    StorageDatabase.AddParameter(command, "model", key);
                    StorageDatabase.AddParameter(command, "after", after);
                    StorageDatabase.AddParameter(command, "limit", ReadPageSize);
                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            page.Add((reader.GetInt64(0), (byte[])reader.GetValue(1)));
                        }
                    }
                }
            }

            foreach (var (sequence, payload) in page)
            {
                yield return new LoggedEvent(sequence, ModelEventCodec.Decode(payload));
            }

            if (page.Count < ReadPageSize)
            {
                yield break;
            }

            after = page[^1].Sequence;
        }
    }

    /// <inheritdoc />
    public async Task<LoggedEvent?> FindAsync(
        ModelKey model, EventKind kind, string predictionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictionId);
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = FindSql;
                StorageDatabase.AddParameter(command, "model", model.GrainKey);
                StorageDatabase.AddParameter(command, "kind", (int)kind);
                StorageDatabase.AddParameter(command, "id", predictionId);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return null;
                    }

                    return new LoggedEvent(reader.GetInt64(0), ModelEventCodec.Decode((byte[])reader.GetValue(1)));
                }
            }
        }
    }

    /// <summary>Ids per lookup query (well under SQLite's parameter limit).</summary>
    private const int FindManyChunk = 400;

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, LoggedEvent>> FindManyAsync(
        ModelKey model, EventKind kind, IReadOnlyCollection<string> predictionIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictionIds);
        var found = new Dictionary<string, LoggedEvent>(StringComparer.Ordinal);
        if (predictionIds.Count == 0)
        {
            return found;
        }

        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            foreach (var chunk in predictionIds.Distinct(StringComparer.Ordinal).Chunk(FindManyChunk))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    _database.PrepareFindMany(command, chunk);
                    StorageDatabase.AddParameter(command, "model", model.GrainKey);
                    StorageDatabase.AddParameter(command, "kind", (int)kind);

                    var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            found[reader.GetString(2)] = new LoggedEvent(reader.GetInt64(0), ModelEventCodec.Decode((byte[])reader.GetValue(1)));
                        }
                    }
                }
            }
        }

        return found;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ModelKey>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var models = new List<ModelKey>();
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = ListSql;
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        models.Add(ModelKey.Parse(reader.GetString(0)));
                    }
                }
            }
        }

        return models;
    }

    /// <inheritdoc />
    public void Compact(ModelKey model, long checkpointedSequence, long deleteReceivedBeforeUnixNano)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (checkpointedSequence > 0)
        {
            Compactor.Request(model.GrainKey, checkpointedSequence, deleteReceivedBeforeUnixNano);
        }
    }

    /// <summary>Completes when every compaction asked for so far has finished (tests and the load generator wait on it).</summary>
    public Task WhenCompactedAsync(CancellationToken cancellationToken = default) => Compactor.WhenIdleAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<EventLogFootprint> FootprintAsync(ModelKey model, CancellationToken cancellationToken = default)
    {
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText =
                    "SELECT (SELECT max(seq) - min(seq) + 1 FROM events WHERE model_key = @model), " +
                    $"(SELECT avg({_database.EventRowBytesSql}) FROM (SELECT * FROM events WHERE model_key = @model ORDER BY seq DESC LIMIT @sample) AS e)";
                StorageDatabase.AddParameter(command, "model", model.GrainKey);
                StorageDatabase.AddParameter(command, "sample", FootprintSample);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(0))
                    {
                        return new EventLogFootprint(0, 0);
                    }

                    var events = reader.GetInt64(0);
                    var meanBytes = Convert.ToDouble(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
                    return new EventLogFootprint(events, (long)Math.Round(events * meanBytes));
                }
            }
        }
    }

    /// <summary>Stops taking appends, finishes the queued ones and closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await Compactor.DisposeAsync().ConfigureAwait(false);
        _queue.Writer.TryComplete();
        await _writerLoop.ConfigureAwait(false);
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static ILogger CreateLogger(ILoggerFactory? loggerFactory) =>
        loggerFactory?.CreateLogger<DurableEventLog>() ?? (ILogger)NullLogger.Instance;



    private async Task RunWriterAsync()
    {
        var group = new List<PendingAppend>();
        var rows = new List<PendingRow>();
        IEventBatchWriter? writer = null;
        try
        {
            var reader = _queue.Reader;
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                group.Clear();
                var rowCount = 0;
                while (rowCount < MaxGroupRows && reader.TryRead(out var pending))
                {
                    group.Add(pending);
                    rowCount += pending.Rows.Length;
                }

                try
                {
                    await _schema.EnsureAsync(CancellationToken.None).ConfigureAwait(false);
                    writer ??= _database.CreateEventWriter();
                }
                catch (Exception ex)
                {
                    foreach (var pending in group)
                    {
                        pending.Fail(ex);
                    }

                    continue;
                }

                if (_writeTurn is not null)
                {
                    await _writeTurn.WaitAsync().ConfigureAwait(false);
                }

                try
                {
                    writer = await CommitGroupAsync(writer, group, rows).ConfigureAwait(false);
                }
                finally
                {
                    _writeTurn?.Release();
                }
            }
        }
        catch (Exception ex)
        {
            StorageLog.WriterCrashed(_logger, ex);
            foreach (var pending in group)
            {
                pending.Fail(ex);
            }

            while (_queue.Reader.TryRead(out var pending))
            {
                pending.Fail(ex);
            }
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes a group in one transaction; if that fails, writes each request on its own so one bad request fails alone.</summary>
    private async Task<IEventBatchWriter?> CommitGroupAsync(IEventBatchWriter writer, List<PendingAppend> group, List<PendingRow> rows)
    {
        var started = Stopwatch.GetTimestamp();
        CollectRows(group, rows);
        try
        {
            await writer.WriteAsync(rows, CancellationToken.None).ConfigureAwait(false);
            CountCommitted(started, rows);
            foreach (var pending in group)
            {
                pending.Complete();
            }

            if (_logger.IsEnabled(LogLevel.Trace))
            {
                var appended = rows.Count(r => r.Sequence > 0);
                StorageLog.GroupCommitted(_logger, group.Count, rows.Count, appended, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            return writer;
        }
        catch (Exception ex) when (group.Count > 1)
        {
            StorageLog.GroupCommitFailed(_logger, ex, group.Count);
        }
        catch (Exception ex)
        {
            StorageLog.AppendFailed(_logger, ex, rows.Count, group[0].Model.GrainKey);
            group[0].Fail(ex);
            await writer.DisposeAsync().ConfigureAwait(false);
            return null;
        }

        // The group's transaction rolled back: retry request by request on a fresh connection.
        await writer.DisposeAsync().ConfigureAwait(false);
        IEventBatchWriter? current = null;
        var single = new List<PendingAppend>(1);
        foreach (var pending in group)
        {
            single.Clear();
            single.Add(pending);
            pending.ResetRows();
            CollectRows(single, rows);
            try
            {
                current ??= _database.CreateEventWriter();
                var retried = Stopwatch.GetTimestamp();
                await current.WriteAsync(rows, CancellationToken.None).ConfigureAwait(false);
                CountCommitted(retried, rows);
                pending.Complete();
            }
            catch (Exception ex)
            {
                StorageLog.AppendFailed(_logger, ex, rows.Count, pending.Model.GrainKey);
                pending.Fail(ex);
                if (current is not null)
                {
                    await current.DisposeAsync().ConfigureAwait(false);
                    current = null;
                }
            }
        }

        return current;
    }

    /// <summary>Records a committed transaction: its duration and the rows it really wrote (sequence assigned) with their bytes.</summary>
    private static void CountCommitted(long started, List<PendingRow> rows)
    {
        long written = 0, bytes = 0;
        foreach (var row in rows)
        {
            if (row.Sequence > 0)
            {
                written++;
                bytes += row.Payload.Length;
            }
        }

        StorageMetrics.Committed(started, written, bytes);
    }

    /// <summary>Flattens a group's rows, marking repeats of (model, kind, prediction id) across its requests.</summary>
    private static void CollectRows(List<PendingAppend> group, List<PendingRow> rows)
    {
        rows.Clear();
        HashSet<string>? models = null;
        HashSet<(string, EventKind, string)>? seen = null;
        var repeatedModel = false;
        if (group.Count > 1)
        {
            models = new HashSet<string>(StringComparer.Ordinal);
            foreach (var pending in group)
            {
                repeatedModel |= !models.Add(pending.Model.GrainKey);
            }
        }

        if (repeatedModel)
        {
            seen = [];
        }

        foreach (var pending in group)
        {
            foreach (var row in pending.Rows)
            {
                if (seen is not null && row.Event.PredictionId is { } id && !seen.Add((row.ModelKey, row.Event.Kind, id)))
                {
                    row.DuplicateInGroup = true;
                    continue;
                }

                rows.Add(row);
            }
        }
    }
}
