using Microsoft.Data.Sqlite;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Storage.Retention;
using Monitoring.Storage.Tests.Support;
using Xunit;

namespace Monitoring.Storage.Tests;

/// <summary>Event-log compaction (retention) and footprint, run once per backend by the concrete subclasses.</summary>
public abstract class EventLogRetentionTests : BackendTest
{
    private const long Second = 1_000_000_000;

    /// <summary>Guards against a hang only (an append stuck behind a lock); no speed is asserted.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Compaction_deletes_records_received_before_the_cutoff_that_the_checkpoint_covers_and_keeps_the_rest()
    {
        var log = NewLog(batchRows: 4);
        var model = TestEvents.NewModel();

        // Record i (sequence i + 1) arrived at second i.
        await log.AppendAsync(model, ReceivedAtSeconds("p", 0, 30));

        // Checkpoint covers 1..20; records received before second 10 are sequences 1..10.
        log.Compact(model, checkpointedSequence: 20, deleteReceivedBeforeUnixNano: At(10));
        await log.WhenCompactedAsync();

        var kept = await ReadAll(log, model);
        Assert.Equal(Range(11, 30), kept.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Compaction_keeps_old_records_that_the_checkpoint_does_not_cover()
    {
        var log = NewLog(batchRows: 4);
        var model = TestEvents.NewModel();
        await log.AppendAsync(model, ReceivedAtSeconds("p", 0, 30));

        // Every record is older than the cutoff, but only 1..12 are in the checkpoint.
        log.Compact(model, checkpointedSequence: 12, deleteReceivedBeforeUnixNano: At(1_000));
        await log.WhenCompactedAsync();

        Assert.Equal(Range(13, 30), (await ReadAll(log, model)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task Compaction_keeps_records_received_on_or_after_the_cutoff_even_when_checkpointed()
    {
        var log = NewLog(batchRows: 4);
        var model = TestEvents.NewModel();
        await log.AppendAsync(model, ReceivedAtSeconds("p", 0, 30));

        log.Compact(model, checkpointedSequence: 30, deleteReceivedBeforeUnixNano: At(25));
        await log.WhenCompactedAsync();

        // Second 25 itself is not before the cutoff.
        Assert.Equal(Range(26, 30), (await ReadAll(log, model)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task Compaction_goes_past_an_oldest_record_that_arrived_late_and_keeps_it()
    {
        var log = NewLog(batchRows: 4);
        var model = TestEvents.NewModel();
        var events = ReceivedAtSeconds("p", 0, 20);

        // Sequence 1 carries a receive time after the cutoff (a silo clock ahead): it stays, the rest goes.
        events[0] = events[0] with { ReceivedUnixNano = At(500) };
        await log.AppendAsync(model, events);

        log.Compact(model, checkpointedSequence: 20, deleteReceivedBeforeUnixNano: At(100));
        await log.WhenCompactedAsync();
        Assert.Equal([1L], (await ReadAll(log, model)).Select(e => e.Sequence));

        // A second round over the same range changes nothing and does not fail.
        log.Compact(model, checkpointedSequence: 20, deleteReceivedBeforeUnixNano: At(100));
        await log.WhenCompactedAsync();
        Assert.Equal([1L], (await ReadAll(log, model)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task Compaction_touches_only_the_model_it_was_asked_for()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        var other = TestEvents.NewModel();
        await log.AppendAsync(model, ReceivedAtSeconds("p", 0, 10));
        await log.AppendAsync(other, ReceivedAtSeconds("p", 0, 10));

        log.Compact(model, checkpointedSequence: 10, deleteReceivedBeforeUnixNano: At(1_000));
        await log.WhenCompactedAsync();

        Assert.Empty(await ReadAll(log, model));
        Assert.Equal(Range(1, 10), (await ReadAll(log, other)).Select(e => e.Sequence));
        Assert.Contains(model, await log.ListModelsAsync());
    }

    [Fact]
    public async Task Lookups_and_reads_after_compaction_see_only_kept_records_and_sequences_go_on()
    {
        var log = NewLog(batchRows: 4);
        var model = TestEvents.NewModel();
        var events = ReceivedAtSeconds("p", 0, 20);
        await log.AppendAsync(model, events);
        await log.AppendAsync(model, [TestEvents.Label("p15", 15) with { ReceivedUnixNano = At(30) }]);

        log.Compact(model, checkpointedSequence: 21, deleteReceivedBeforeUnixNano: At(10));
        await log.WhenCompactedAsync();

        Assert.Null(await log.FindAsync(model, EventKind.Prediction, "p3"));
        var kept = await log.FindAsync(model, EventKind.Prediction, "p12");
        Assert.NotNull(kept);
        Assert.Equal(13, kept.Sequence);
        TestEvents.AssertSame(events[12], kept.Event);
        Assert.Equal(21, (await log.FindAsync(model, EventKind.Label, "p15"))?.Sequence);

        var found = await log.FindManyAsync(model, EventKind.Prediction, ["p0", "p9", "p10", "p19", "p99"]);
        Assert.Equal(["p10", "p19"], found.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(11, found["p10"].Sequence);

        // Reading after a deleted position starts at the oldest kept record; after a kept one, right after it.
        Assert.Equal(Range(11, 21), (await ReadAll(log, model, afterSequence: 4)).Select(e => e.Sequence));
        Assert.Equal(Range(16, 21), (await ReadAll(log, model, afterSequence: 15)).Select(e => e.Sequence));

        // Numbering continues from the head, and a deleted prediction id is new again; a kept one is still a duplicate.
        var outcome = await log.AppendAsync(model, [events[3], events[12]]);
        Assert.Equal([22L], outcome.Appended.Select(e => e.Sequence));
        Assert.Equal(1, outcome.Duplicates);
    }

    [Fact]
    public async Task Appends_commit_while_a_compaction_round_is_between_batches()
    {
        var log = NewLog(batchRows: 10);
        var model = TestEvents.NewModel();
        await log.AppendAsync(model, ReceivedAtSeconds("old", 0, 100));

        var firstBatch = new TaskCompletionSource<CompactionBatch>(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        log.Compactor.AfterBatch = async batch =>
        {
            if (firstBatch.TrySetResult(batch))
            {
                await resume.Task;
            }
        };

        log.Compact(model, checkpointedSequence: 100, deleteReceivedBeforeUnixNano: At(1_000));
        try
        {
            var paused = await firstBatch.Task.WaitAsync(HangGuard);
            Assert.Equal(10, paused.Deleted);

            // The round is paused after its first batch: appends (to this model and another) still commit.
            var other = TestEvents.NewModel();
            var appended = await log.AppendAsync(model, ReceivedAtSeconds("new", 2_000, 5)).WaitAsync(HangGuard);
            var otherAppended = await log.AppendAsync(other, ReceivedAtSeconds("o", 0, 3)).WaitAsync(HangGuard);
            Assert.Equal(Range(101, 105), appended.Appended.Select(e => e.Sequence));
            Assert.Equal(3, otherAppended.Appended.Count);
            var during = await ReadAll(log, model);
            Assert.Equal(Range(11, 105), during.Select(e => e.Sequence));
            Assert.False(log.WhenCompactedAsync().IsCompleted);
        }
        finally
        {
            resume.TrySetResult();
        }

        await log.WhenCompactedAsync();
        Assert.Equal(Range(101, 105), (await ReadAll(log, model)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_newer_request_for_a_model_replaces_one_not_yet_started()
    {
        var log = NewLog(batchRows: 5);
        var busy = TestEvents.NewModel();
        var model = TestEvents.NewModel();
        await log.AppendAsync(busy, ReceivedAtSeconds("b", 0, 20));
        await log.AppendAsync(model, ReceivedAtSeconds("p", 0, 20));

        var firstBatch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        log.Compactor.AfterBatch = async _ =>
        {
            if (firstBatch.TrySetResult())
            {
                await resume.Task;
            }
        };

        // Hold the worker in another model's round while two requests for this model queue up.
        log.Compact(busy, checkpointedSequence: 20, deleteReceivedBeforeUnixNano: At(1_000));
        try
        {
            await firstBatch.Task.WaitAsync(HangGuard);
            log.Compact(model, checkpointedSequence: 5, deleteReceivedBeforeUnixNano: At(1_000));
            log.Compact(model, checkpointedSequence: 15, deleteReceivedBeforeUnixNano: At(1_000));
        }
        finally
        {
            resume.TrySetResult();
        }

        await log.WhenCompactedAsync();

        Assert.Equal(Range(16, 20), (await ReadAll(log, model)).Select(e => e.Sequence));
        Assert.Empty(await ReadAll(log, busy));
    }

    [Fact]
    public async Task Footprint_counts_kept_records_and_drops_after_compaction()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        Assert.Equal(new EventLogFootprint(0, 0), await log.FootprintAsync(model));

        await log.AppendAsync(model, ReceivedAtSeconds("p", 0, 400));
        var before = await log.FootprintAsync(model);
        Assert.Equal(400, before.Events);

        // The estimate holds at least the payloads, and at most a few hundred bytes of keys and overhead per row more.
        var payloads = ReceivedAtSeconds("p", 0, 400).Sum(e => (long)ModelEventCodec.Encode(e).Length);
        Assert.InRange(before.Bytes, payloads, payloads + (400 * 400));

        log.Compact(model, checkpointedSequence: 400, deleteReceivedBeforeUnixNano: At(300));
        await log.WhenCompactedAsync();
        var after = await log.FootprintAsync(model);

        Assert.Equal(100, after.Events);
        Assert.InRange(after.Bytes, before.Bytes / 5, before.Bytes / 3);
    }

    [Fact]
    public async Task Compaction_of_a_model_without_records_or_checkpoint_does_nothing()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        log.Compact(model, checkpointedSequence: 10, deleteReceivedBeforeUnixNano: At(1_000));
        await log.WhenCompactedAsync();

        await log.AppendAsync(model, ReceivedAtSeconds("p", 0, 3));
        log.Compact(model, checkpointedSequence: 0, deleteReceivedBeforeUnixNano: At(1_000));
        await log.WhenCompactedAsync();
        Assert.Equal(3, (await ReadAll(log, model)).Count);
    }

    /// <summary>Unix ns of second <paramref name="seconds"/> after the test epoch.</summary>
    protected static long At(long seconds) => TestEvents.BaseTime + (seconds * Second);

    /// <summary>Predictions <paramref name="prefix"/>{i}, received at second i (event time unrelated, as in real traffic).</summary>
    protected static ModelEvent[] ReceivedAtSeconds(string prefix, int start, int count) =>
        [.. TestEvents.Predictions(prefix, start, count).Select((e, i) => e with { ReceivedUnixNano = At(start + i) })];

    /// <summary>1..n style ranges of sequence numbers.</summary>
    protected static IEnumerable<long> Range(long from, long through) => Enumerable.Range((int)from, (int)(through - from + 1)).Select(i => (long)i);

    /// <summary>An event log owned by the test; <paramref name="batchRows"/> sets the compactor's batch.</summary>
    protected DurableEventLog NewLog(int batchRows = EventLogCompactor.DefaultBatchRows)
    {
        var log = Own(Backend.CreateEventLog());
        log.Compactor.BatchRows = batchRows;
        return log;
    }

}

/// <summary>Compaction on SQLite, plus the upgrade of a file made before <c>received_time</c>.</summary>
public sealed class SqliteEventLogRetentionTests : EventLogRetentionTests
{
    /// <inheritdoc />
    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(new SqliteBackend());

    [Fact]
    public async Task A_file_from_before_received_time_is_upgraded_and_its_rows_age_by_event_time()
    {
        var path = ((SqliteBackend)Backend).DatabasePath;
        var model = TestEvents.NewModel();
        using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText =
                """
                PRAGMA journal_mode = WAL;
                CREATE TABLE events (model_key TEXT NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL, prediction_id TEXT,
                    event_time INTEGER NOT NULL, payload BLOB NOT NULL, PRIMARY KEY (model_key, seq)) WITHOUT ROWID;
                CREATE UNIQUE INDEX events_prediction ON events (model_key, kind, prediction_id) WHERE prediction_id IS NOT NULL;
                CREATE TABLE model_heads (model_key TEXT NOT NULL PRIMARY KEY, last_seq INTEGER NOT NULL);
                """;
            command.ExecuteNonQuery();
            for (var i = 0; i < 4; i++)
            {
                // Event times at seconds 0, 10, 20, 30; receive times (in the payload) far later, as they were never a column.
                var e = TestEvents.Prediction($"old{i}", i) with { EventTimeUnixNano = At(i * 10), ReceivedUnixNano = At(10_000) };
                command.CommandText = "INSERT INTO events VALUES (@m, @s, 0, @p, @t, @b)";
                command.Parameters.Clear();
                command.Parameters.AddWithValue("@m", model.GrainKey);
                command.Parameters.AddWithValue("@s", i + 1);
                command.Parameters.AddWithValue("@p", e.PredictionId);
                command.Parameters.AddWithValue("@t", e.EventTimeUnixNano);
                command.Parameters.AddWithValue("@b", ModelEventCodec.Encode(e));
                command.ExecuteNonQuery();
            }

            command.CommandText = "INSERT INTO model_heads VALUES (@m, 4)";
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var log = NewLog();
        var appended = await log.AppendAsync(model, ReceivedAtSeconds("new", 100, 2));
        Assert.Equal([5L, 6L], appended.Appended.Select(e => e.Sequence));

        // Old rows have no received_time: their event time (0, 10, 20, 30 s) counts against the cutoff. New rows count
        // their receive time (100 s, 101 s), not their event time (about 0 s).
        log.Compact(model, checkpointedSequence: 6, deleteReceivedBeforeUnixNano: At(15));
        await log.WhenCompactedAsync();
        Assert.Equal([3L, 4L, 5L, 6L], (await ReadAll(log, model)).Select(e => e.Sequence));

        log.Compact(model, checkpointedSequence: 6, deleteReceivedBeforeUnixNano: At(101));
        await log.WhenCompactedAsync();
        Assert.Equal([6L], (await ReadAll(log, model)).Select(e => e.Sequence));
    }
}

/// <summary>Compaction on PostgreSQL (a private server started by the collection fixture).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresEventLogRetentionTests(PostgresFixture fixture) : EventLogRetentionTests
{
    /// <inheritdoc />
    protected override async Task<IStorageBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(fixture.Server);
}
