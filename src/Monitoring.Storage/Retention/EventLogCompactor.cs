using System.Data.Common;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Monitoring.Storage.Database;

namespace Monitoring.Storage.Retention;

/// <summary>
/// Deletes old events in the background, one model at a time (a "round"), in transactions of at most
/// <see cref="BatchRows"/> sequence numbers each. A round deletes the rows of a model with
/// <c>seq &lt;= checkpointed</c> and <c>received_time &lt; cutoff</c> (<c>event_time</c> for rows logged before the
/// column existed), walking the model's primary key from its oldest row. It stops at the first batch whose last row
/// arrived on or after the cutoff: rows arrive in sequence order (received time rises with the sequence up to clock
/// skew between silos), so everything beyond is newer; a stray older row past that point is kept until a later round,
/// which errs on the side of keeping. A round therefore reads only what it deletes plus one batch.
/// </summary>
/// <remarks>
/// Requests are coalesced per model (the newest wins: a model checkpoints often, and its latest checkpoint and cutoff
/// are the ones that count). On SQLite each batch takes the in-process write turn that the event-log writer takes for
/// each group commit, so a batch never meets the writer at SQLite's lock (whose busy handler sleeps): an append waits
/// at most for one batch, and between two batches the writer goes first if it is waiting. Batches commit without a
/// sync (<c>synchronous=NORMAL</c> on SQLite, <c>synchronous_commit=off</c> on PostgreSQL): a delete lost in a power
/// cut is redone by the next round, and the database stays consistent either way.
/// </remarks>
internal sealed class EventLogCompactor : IAsyncDisposable
{
    /// <summary>
    /// Sequence numbers per delete transaction. 1,000 rows of a 20-feature record free ~0.5 MB of table pages and touch
    /// up to 1,000 pages of the prediction-id index (its keys are random), a few milliseconds of work on SQLite: the
    /// longest an append waits for a batch.
    /// </summary>
    public const int DefaultBatchRows = 1000;

    private const string FirstSql = "SELECT min(seq) FROM events WHERE model_key = @model";

    private const string LastInBatchSql =
        "SELECT COALESCE(received_time, event_time) FROM events WHERE model_key = @model AND seq > @after AND seq <= @to ORDER BY seq DESC LIMIT 1";

    private const string DeleteSql =
        "DELETE FROM events WHERE model_key = @model AND seq > @after AND seq <= @to AND COALESCE(received_time, event_time) < @cutoff";

    private readonly StorageDatabase _database;
    private readonly Func<CancellationToken, Task> _ensureSchema;
    private readonly SemaphoreSlim? _writeTurn;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RoundRequest> _pending = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly SemaphoreSlim _queued = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private TaskCompletionSource _idle = NewIdle(completed: true);
    private bool _running;

    public EventLogCompactor(StorageDatabase database, Func<CancellationToken, Task> ensureSchema, SemaphoreSlim? writeTurn, ILogger logger)
    {
        _database = database;
        _ensureSchema = ensureSchema;
        _writeTurn = writeTurn;
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Sequence numbers per delete transaction (tests make it small to get several batches).</summary>
    public int BatchRows { get; set; } = DefaultBatchRows;

    /// <summary>Test hook: awaited after each committed batch, outside the write turn.</summary>
    public Func<CompactionBatch, Task>? AfterBatch { get; set; }

    /// <summary>Queues a round for the model, replacing one not yet started.</summary>
    public void Request(string model, long checkpointedSequence, long cutoffUnixNano)
    {
        lock (_gate)
        {
            if (!_running && _pending.Count == 0)
            {
                _idle = NewIdle(completed: false);
            }

            if (!_pending.ContainsKey(model))
            {
                _order.Enqueue(model);
                _queued.Release();
            }

            _pending[model] = new RoundRequest(checkpointedSequence, cutoffUnixNano);
        }
    }

    /// <summary>Completes when every round requested so far has finished (or failed and been logged).</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);

        lock (_gate)
        {
            _pending.Clear();
            _idle.TrySetResult();
        }

        _stop.Dispose();
        _queued.Dispose();
    }

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            idle.SetResult();
        }

        return idle;
    }

    private async Task RunAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            string model;
            RoundRequest request;
            try
            {
                await _queued.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            lock (_gate)
            {
                model = _order.Dequeue();
                _pending.Remove(model, out request);
                _running = true;
            }

            try
            {
                await CompactAsync(model, request, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                // The rows stay; the model's next checkpoint asks again.
                StorageLog.CompactionFailed(_logger, e, model);
                Telemetry.StorageMetrics.Failed("event_log.compact", e);
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                // Stopped between or inside a batch (an unfinished batch rolls back): a later process goes on.
            }
            finally
            {
                lock (_gate)
                {
                    _running = false;
                    if (_pending.Count == 0)
                    {
                        _idle.TrySetResult();
                    }
                }
            }
        }
    }

    private async Task CompactAsync(string model, RoundRequest request, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await _ensureSchema(cancellationToken).ConfigureAwait(false);
        var first = await FirstSequenceAsync(model, cancellationToken).ConfigureAwait(false);
        if (first is not { } oldest || oldest > request.CheckpointedSequence)
        {
            return;
        }

        long deleted = 0;
        var batches = 0;
        var after = oldest - 1;
        var reachedNewer = false;
        while (after < request.CheckpointedSequence && !reachedNewer)
        {
            var to = Math.Min(after + BatchRows, request.CheckpointedSequence);
            int batchDeleted;
            if (_writeTurn is not null)
            {
                await _writeTurn.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                (batchDeleted, reachedNewer) = await DeleteBatchAsync(model, after, to, request.CutoffUnixNano, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeTurn?.Release();
            }

            deleted += batchDeleted;
            batches++;
            after = to;
            if (AfterBatch is { } hook)
            {
                await hook(new CompactionBatch(model, to, batchDeleted)).ConfigureAwait(false);
            }
        }

        StorageLog.CompactionRound(
            _logger, model, deleted, batches, after, reachedNewer ? "rows newer than the cutoff" : "the checkpoint",
            Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task<long?> FirstSequenceAsync(string model, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = FirstSql;
                StorageDatabase.AddParameter(command, "model", model);
                return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long first ? first : null;
            }
        }
    }

    /// <summary>Deletes the old rows of (after, to]; reports whether the range's last row is newer than the cutoff.</summary>
    private async Task<(int Deleted, bool ReachedNewer)> DeleteBatchAsync(string model, long after, long to, long cutoff, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await _database.BeginMaintenanceAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var reachedNewer = await ExecuteAsync(connection, transaction, LastInBatchSql, model, after, to, cutoff: null, cancellationToken).ConfigureAwait(false) is long last
                    && last >= cutoff;
                var deleted = (int)(await ExecuteAsync(connection, transaction, DeleteSql, model, after, to, cutoff, cancellationToken).ConfigureAwait(false) ?? 0);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return (deleted, reachedNewer);
            }
        }
    }

    /// <summary>Runs a query (scalar result) or, with a cutoff, the delete (rows affected).</summary>
    private static async Task<long?> ExecuteAsync(
        DbConnection connection, DbTransaction transaction, string sql, string model, long after, long to, long? cutoff, CancellationToken cancellationToken)
    {
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            command.CommandText = sql;
            StorageDatabase.AddParameter(command, "model", model);
            StorageDatabase.AddParameter(command, "after", after);
            StorageDatabase.AddParameter(command, "to", to);
            if (cutoff is { } c)
            {
                StorageDatabase.AddParameter(command, "cutoff", c);
                return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long value ? value : null;
        }
    }

    private readonly record struct RoundRequest(long CheckpointedSequence, long CutoffUnixNano);
}

/// <summary>One committed delete batch of a compaction round (for the test hook).</summary>
/// <param name="Model">The model's key text.</param>
/// <param name="ThroughSequence">The batch covered sequence numbers up to this one.</param>
/// <param name="Deleted">Rows it deleted.</param>
internal sealed record CompactionBatch(string Model, long ThroughSequence, int Deleted);
