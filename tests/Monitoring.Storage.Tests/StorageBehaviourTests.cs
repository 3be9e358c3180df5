using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Storage.Tests.Support;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;
using Xunit;

namespace Monitoring.Storage.Tests;

/// <summary>Every storage behaviour, run once per backend by the concrete subclasses.</summary>
public abstract class StorageBehaviourTests : BackendTest
{
    [Fact]
    public async Task Appended_records_read_back_in_order_with_increasing_sequences()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        var events = TestEvents.Predictions("p", 0, 10);

        var outcome = await log.AppendAsync(model, events);

        Assert.Equal(0, outcome.Duplicates);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), outcome.Appended.Select(e => e.Sequence));
        var read = await ReadAll(log, model);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), read.Select(e => e.Sequence));
        for (var i = 0; i < events.Length; i++)
        {
            TestEvents.AssertSame(events[i], read[i].Event);
            Assert.Same(events[i], outcome.Appended[i].Event);
        }
    }

    [Fact]
    public async Task Read_after_a_sequence_returns_only_later_records_across_pages()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        var total = DurableEventLog.ReadPageSize * 2 + 17;
        foreach (var chunk in TestEvents.Predictions("p", 0, total, featureCount: 2).Chunk(500))
        {
            await log.AppendAsync(model, chunk);
        }

        var all = await ReadAll(log, model);
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), all.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"p{i}"), all.Select(e => e.Event.PredictionId));

        var later = await ReadAll(log, model, afterSequence: 1500);
        Assert.Equal(Enumerable.Range(1501, total - 1500).Select(i => (long)i), later.Select(e => e.Sequence));
        Assert.Empty(await ReadAll(log, model, afterSequence: total));
        Assert.Empty(await ReadAll(log, TestEvents.NewModel(), afterSequence: 0));
    }

    [Fact]
    public async Task Sequences_keep_increasing_across_batches_models_and_reopened_logs()
    {
        var model = TestEvents.NewModel();
        var other = TestEvents.NewModel();
        var log = NewLog();
        var first = await log.AppendAsync(model, TestEvents.Predictions("a", 0, 3));
        var otherFirst = await log.AppendAsync(other, TestEvents.Predictions("a", 0, 2));
        var second = await log.AppendAsync(model, TestEvents.Predictions("a", 3, 3));

        var reopened = NewLog();
        var third = await reopened.AppendAsync(model, [TestEvents.Prediction(null, 99)]);

        Assert.Equal([1L, 2, 3], first.Appended.Select(e => e.Sequence));
        Assert.Equal([1L, 2], otherFirst.Appended.Select(e => e.Sequence));
        Assert.Equal([4L, 5, 6], second.Appended.Select(e => e.Sequence));
        Assert.Equal([7L], third.Appended.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), (await ReadAll(reopened, model)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task Duplicates_across_batches_are_skipped_and_use_no_sequence_number()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        await log.AppendAsync(model, TestEvents.Predictions("p", 0, 5));

        var outcome = await log.AppendAsync(model, TestEvents.Predictions("p", 3, 5));

        Assert.Equal(2, outcome.Duplicates);
        Assert.Equal(["p5", "p6", "p7"], outcome.Appended.Select(e => e.Event.PredictionId));
        Assert.Equal([6L, 7, 8], outcome.Appended.Select(e => e.Sequence));
        var read = await ReadAll(log, model);
        Assert.Equal(8, read.Count);
        Assert.Equal(read.Count, read.Select(e => e.Event.PredictionId).Distinct().Count());

        var again = await NewLog().AppendAsync(model, TestEvents.Predictions("p", 0, 8));
        Assert.Empty(again.Appended);
        Assert.Equal(8, again.Duplicates);
    }

    [Fact]
    public async Task Large_batches_mixing_duplicates_and_new_records_number_only_the_new_ones()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        await log.AppendAsync(model, TestEvents.Predictions("p", 0, 100, featureCount: 3));

        // 50 duplicates then 50 new ids: whole chunks of duplicates, a mixed chunk, a clean chunk and a remainder.
        var outcome = await log.AppendAsync(model, TestEvents.Predictions("p", 50, 100, featureCount: 3));

        Assert.Equal(50, outcome.Duplicates);
        Assert.Equal(Enumerable.Range(101, 50).Select(i => (long)i), outcome.Appended.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(100, 50).Select(i => $"p{i}"), outcome.Appended.Select(e => e.Event.PredictionId));
        var read = await ReadAll(log, model);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => $"p{i}"), read.Select(e => e.Event.PredictionId));
        Assert.Equal(Enumerable.Range(1, 150).Select(i => (long)i), read.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Duplicates_within_a_batch_are_skipped_first_occurrence_wins()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        ModelEvent[] batch =
        [
            TestEvents.Prediction("x", 1),
            TestEvents.Prediction("y", 2),
            TestEvents.Prediction("x", 3),
            TestEvents.Prediction("y", 4),
            TestEvents.Prediction("z", 5),
        ];

        var outcome = await log.AppendAsync(model, batch);

        Assert.Equal(2, outcome.Duplicates);
        Assert.Equal(["x", "y", "z"], outcome.Appended.Select(e => e.Event.PredictionId));
        var read = await ReadAll(log, model);
        Assert.Equal([TestEvents.BaseTime + 1, TestEvents.BaseTime + 2, TestEvents.BaseTime + 5], read.Select(e => e.Event.EventTimeUnixNano));
    }

    [Fact]
    public async Task A_label_and_a_prediction_with_the_same_id_are_both_kept()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();

        var outcome = await log.AppendAsync(model, [TestEvents.Prediction("id-1", 1), TestEvents.Label("id-1", 2)]);
        var repeat = await log.AppendAsync(model, [TestEvents.Label("id-1", 3)]);

        Assert.Equal(2, outcome.Appended.Count);
        Assert.Equal(0, outcome.Duplicates);
        Assert.Equal(1, repeat.Duplicates);
        var label = await log.FindAsync(model, EventKind.Label, "id-1");
        Assert.NotNull(label);
        Assert.Equal(2, label.Sequence);
        TestEvents.AssertSame(TestEvents.Label("id-1", 2), label.Event);
    }

    [Fact]
    public async Task Records_without_prediction_id_are_always_appended()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        var same = TestEvents.Prediction(null, 7);

        var first = await log.AppendAsync(model, [same, same, same]);
        var second = await log.AppendAsync(model, [same, same]);

        Assert.Equal(3, first.Appended.Count);
        Assert.Equal(2, second.Appended.Count);
        Assert.Equal(0, first.Duplicates + second.Duplicates);
        Assert.Equal(5, (await ReadAll(log, model)).Count);
    }

    [Fact]
    public async Task The_same_prediction_id_in_two_models_is_not_a_duplicate()
    {
        var log = NewLog();
        var a = TestEvents.NewModel();
        var b = TestEvents.NewModel();

        var first = await log.AppendAsync(a, TestEvents.Predictions("p", 0, 3));
        var second = await log.AppendAsync(b, TestEvents.Predictions("p", 0, 3));

        Assert.Equal(3, first.Appended.Count);
        Assert.Equal(3, second.Appended.Count);
    }

    [Fact]
    public async Task Empty_append_writes_nothing()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();

        var outcome = await log.AppendAsync(model, []);

        Assert.Empty(outcome.Appended);
        Assert.Equal(0, outcome.Duplicates);
        Assert.DoesNotContain(model, await log.ListModelsAsync());
    }

    [Fact]
    public async Task Concurrent_appends_lose_nothing_duplicate_nothing_and_number_each_model_strictly()
    {
        var log = NewLog();
        ModelKey[] models = [TestEvents.NewModel(), TestEvents.NewModel(), TestEvents.NewModel()];
        const int tasks = 12;
        const int batches = 15;
        const int batchSize = 40;
        var accepted = new ConcurrentDictionary<(ModelKey, string), long>();
        var duplicateCount = 0;

        // Task t sends ids shared with task t ^ 1 (same model), so every id is offered twice, often at the same time.
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(t => Task.Run(async () =>
        {
            var model = models[(t / 2) % models.Length];
            for (var b = 0; b < batches; b++)
            {
                var ids = Enumerable.Range(b * batchSize, batchSize).Select(i => $"pair{t / 2}-{i}").ToArray();
                var events = ids.Select((id, i) => i % 10 == 9 ? TestEvents.Prediction(null, i) : TestEvents.Prediction(id, i, 4)).ToArray();
                var outcome = await log.AppendAsync(model, events);
                Interlocked.Add(ref duplicateCount, outcome.Duplicates);
                foreach (var logged in outcome.Appended)
                {
                    var key = logged.Event.PredictionId ?? $"null-{Guid.NewGuid()}";
                    Assert.True(accepted.TryAdd((model, key), logged.Sequence), $"{key} accepted twice");
                }
            }
        })));

        var idsPerPair = batches * batchSize * 9 / 10;
        var nullsPerTask = batches * batchSize / 10;
        Assert.Equal((tasks / 2 * idsPerPair) + (tasks * nullsPerTask), accepted.Count);
        Assert.Equal(tasks / 2 * idsPerPair, duplicateCount);

        var totalRead = 0;
        foreach (var model in models)
        {
            var read = await ReadAll(log, model);
            totalRead += read.Count;
            Assert.Equal(Enumerable.Range(1, read.Count).Select(i => (long)i), read.Select(e => e.Sequence));
            var withIds = read.Where(e => e.Event.PredictionId is not null).Select(e => e.Event.PredictionId!).ToList();
            Assert.Equal(withIds.Count, withIds.Distinct().Count());
            foreach (var logged in read.Where(e => e.Event.PredictionId is not null))
            {
                Assert.Equal(accepted[(model, logged.Event.PredictionId!)], logged.Sequence);
            }
        }

        Assert.Equal(accepted.Count, totalRead);
    }

    [Fact]
    public async Task Two_logs_over_the_same_storage_append_to_one_model_safely()
    {
        // As two silos would during a grain's move: separate writers, same model, overlapping ids.
        var first = NewLog();
        var second = NewLog();
        var model = TestEvents.NewModel();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            var log = i % 2 == 0 ? first : second;
            var total = new List<LoggedEvent>();
            for (var b = 0; b < 10; b++)
            {
                total.AddRange((await log.AppendAsync(model, TestEvents.Predictions("shared", b * 50, 50, featureCount: 2))).Appended);
            }

            return total;
        })));

        var appended = outcomes.SelectMany(o => o).ToList();
        Assert.Equal(500, appended.Count);
        Assert.Equal(500, appended.Select(e => e.Event.PredictionId).Distinct().Count());
        var read = await ReadAll(NewLog(), model);
        Assert.Equal(Enumerable.Range(1, 500).Select(i => (long)i), read.Select(e => e.Sequence));
        Assert.Equal(appended.OrderBy(e => e.Sequence).Select(e => e.Event.PredictionId), read.Select(e => e.Event.PredictionId));
    }

    [Fact]
    public async Task Find_returns_the_logged_record_or_null()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        var events = TestEvents.Predictions("f", 0, 5);
        await log.AppendAsync(model, events);

        var found = await log.FindAsync(model, EventKind.Prediction, "f3");

        Assert.NotNull(found);
        Assert.Equal(4, found.Sequence);
        TestEvents.AssertSame(events[3], found.Event);
        Assert.Null(await log.FindAsync(model, EventKind.Label, "f3"));
        Assert.Null(await log.FindAsync(model, EventKind.Prediction, "missing"));
        Assert.Null(await log.FindAsync(TestEvents.NewModel(), EventKind.Prediction, "f3"));
    }

    [Fact]
    public async Task FindMany_returns_every_logged_id_across_chunks_and_skips_the_rest()
    {
        var log = NewLog();
        var model = TestEvents.NewModel();
        var events = TestEvents.Predictions("m", 0, 900);
        await log.AppendAsync(model, events);
        var wanted = Enumerable.Range(0, 900).Where(i => i % 2 == 0).Select(i => $"m{i}").Append("missing").Append("m0").ToList();

        var found = await log.FindManyAsync(model, EventKind.Prediction, wanted);

        Assert.Equal(450, found.Count);
        Assert.Equal(11, found["m10"].Sequence);
        TestEvents.AssertSame(events[10], found["m10"].Event);
        Assert.False(found.ContainsKey("missing"));
        Assert.Empty(await log.FindManyAsync(model, EventKind.Label, wanted));
        Assert.Empty(await log.FindManyAsync(model, EventKind.Prediction, []));
    }

    [Fact]
    public async Task List_models_returns_every_model_with_records()
    {
        var log = NewLog();
        var a = new ModelKey("acme", "churn/v2");
        var b = new ModelKey("acme", "fraud");
        var c = new ModelKey("other", "fraud");
        await log.AppendAsync(a, [TestEvents.Prediction("1", 1)]);
        await log.AppendAsync(b, [TestEvents.Prediction("1", 1)]);
        await log.AppendAsync(c, [TestEvents.Prediction(null, 1)]);

        var models = await NewLog().ListModelsAsync();

        Assert.Equal(new[] { a, b, c }.OrderBy(m => m.GrainKey, StringComparer.Ordinal), models.OrderBy(m => m.GrainKey, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Reports_upsert_get_and_list_by_window_start()
    {
        var store = NewReports();
        var model = TestEvents.NewModel();
        var other = TestEvents.NewModel();
        await store.SaveAsync(new StoredReport(model, "window.hour", 3000, 4000, """{"n":3}"""));
        await store.SaveAsync(new StoredReport(model, "window.hour", 1000, 2000, """{"n":1}"""));
        await store.SaveAsync(new StoredReport(model, "window.hour", 2000, 3000, """{"n":2}"""));
        await store.SaveAsync(new StoredReport(model, "window.day", 1000, 86_401_000, """{"d":1}"""));
        await store.SaveAsync(new StoredReport(other, "window.hour", 1000, 2000, """{"o":1}"""));

        await store.SaveAsync(new StoredReport(model, "window.hour", 2000, 3500, """{"n":"two"}"""));

        var listed = await store.ListAsync(model, "window.hour", 1000, 3000);
        Assert.Equal([1000L, 2000], listed.Select(r => r.WindowStartUnixNano));
        Assert.Equal("""{"n":"two"}""", listed[1].Json);
        Assert.Equal(3500, listed[1].WindowEndUnixNano);
        Assert.All(listed, r => Assert.Equal(model, r.Model));
        Assert.Equal(3, (await store.ListAsync(model, "window.hour", 0, long.MaxValue)).Count);
        Assert.Single(await store.ListAsync(model, "window.day", 0, long.MaxValue));

        var got = await NewReports().GetAsync(model, "window.day", 1000);
        Assert.Equal(new StoredReport(model, "window.day", 1000, 86_401_000, """{"d":1}"""), got);
        Assert.Null(await store.GetAsync(model, "window.day", 2000));
    }

    [Fact]
    public async Task Reports_that_ended_before_the_cutoff_are_deleted()
    {
        var store = NewReports();
        var model = TestEvents.NewModel();
        await store.SaveAsync(new StoredReport(model, "window.hour", 1000, 2000, "{}"));
        await store.SaveAsync(new StoredReport(model, "window.hour", 2000, 3000, "{}"));
        await store.SaveAsync(new StoredReport(model, "window.hour", 3000, 4000, "{}"));

        var deleted = await store.DeleteEndedBeforeAsync(3000);

        Assert.Equal(1, deleted);
        Assert.Equal([2000L, 3000], (await store.ListAsync(model, "window.hour", 0, long.MaxValue)).Select(r => r.WindowStartUnixNano));
        Assert.Equal(0, await store.DeleteEndedBeforeAsync(3000));
    }

    [Fact]
    public async Task Report_bytes_on_disk_count_the_model_s_reports_and_drop_when_they_are_deleted()
    {
        var store = NewReports();
        var model = TestEvents.NewModel();
        var other = TestEvents.NewModel();
        var random = new Random(7);

        // 10,000 characters of random base64 each: PostgreSQL's compression cannot shrink them much.
        string Json() => "\"" + Convert.ToBase64String([.. Enumerable.Range(0, 7_497).Select(_ => (byte)random.Next(256))]) + "\"";
        await store.SaveAsync(new StoredReport(model, "window.hour", 1000, 2000, Json()));
        await store.SaveAsync(new StoredReport(model, "window.hour", 2000, 3000, Json()));
        await store.SaveAsync(new StoredReport(model, "window.hour", 3000, 4000, Json()));
        await store.SaveAsync(new StoredReport(other, "window.hour", 1000, 2000, Json()));

        Assert.Equal(0, await store.BytesOnDiskAsync(TestEvents.NewModel()));
        Assert.InRange(await store.BytesOnDiskAsync(model), 3 * 9_000, (3 * 10_000) + (3 * 400));

        await store.DeleteEndedBeforeAsync(3000);
        Assert.InRange(await store.BytesOnDiskAsync(model), 2 * 9_000, (2 * 10_000) + (2 * 400));
    }

    [Fact]
    public async Task Grain_state_reads_nothing_then_round_trips_writes()
    {
        var storage = NewGrainStorage();
        var grain = GrainId.Create("drift", "acme/churn");
        var state = new GrainState<CounterState>(new CounterState());

        await storage.ReadStateAsync("window", grain, state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);

        state.State = new CounterState { Count = 3, Names = ["a", "b"] };
        await storage.WriteStateAsync("window", grain, state);
        Assert.True(state.RecordExists);
        Assert.NotNull(state.ETag);
        state.State = new CounterState { Count = 4, Names = ["c"] };
        await storage.WriteStateAsync("window", grain, state);

        var reread = new GrainState<CounterState>(new CounterState());
        await NewGrainStorage().ReadStateAsync("window", grain, reread);
        Assert.True(reread.RecordExists);
        Assert.Equal(state.ETag, reread.ETag);
        Assert.Equal(4, reread.State!.Count);
        Assert.Equal(["c"], reread.State.Names);

        var otherState = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("other", grain, otherState);
        Assert.False(otherState.RecordExists);
        await storage.ReadStateAsync("window", GrainId.Create("drift", "acme/fraud"), otherState);
        Assert.False(otherState.RecordExists);
    }

    [Fact]
    public async Task Grain_state_write_with_a_stale_etag_throws_inconsistent_state()
    {
        var storage = NewGrainStorage();
        var grain = GrainId.Create("drift", "acme/churn");
        var first = new GrainState<CounterState>(new CounterState { Count = 1 });
        await storage.WriteStateAsync("window", grain, first);
        var stale = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("window", grain, stale);
        first.State = new CounterState { Count = 2 };
        await storage.WriteStateAsync("window", grain, first);

        stale.State = new CounterState { Count = 99 };
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("window", grain, stale));
        Assert.Equal(first.ETag, conflict.StoredEtag);

        // A writer that read nothing may not overwrite an existing record either.
        var blind = new GrainState<CounterState>(new CounterState { Count = 7 });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("window", grain, blind));

        var current = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("window", grain, current);
        Assert.Equal(2, current.State!.Count);
    }

    [Fact]
    public async Task Grain_state_clear_removes_the_record_and_checks_the_etag()
    {
        var storage = NewGrainStorage();
        var grain = GrainId.Create("drift", "acme/churn");
        var state = new GrainState<CounterState>(new CounterState { Count = 5 });
        await storage.WriteStateAsync("window", grain, state);
        var stale = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("window", grain, stale);
        state.State = new CounterState { Count = 6 };
        await storage.WriteStateAsync("window", grain, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("window", grain, stale));
        await storage.ClearStateAsync("window", grain, state);

        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        var reread = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("window", grain, reread);
        Assert.False(reread.RecordExists);

        // The etag read before the clear is stale now, and a fresh write starts over.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("window", grain, stale));
        state.State = new CounterState { Count = 1 };
        await storage.WriteStateAsync("window", grain, state);
        await storage.ReadStateAsync("window", grain, reread);
        Assert.Equal(1, reread.State!.Count);
    }

    [Fact]
    public async Task Service_registration_creates_the_schema_at_start_and_resolves_working_stores()
    {
        var services = Backend.AddTo(new ServiceCollection());
        await using var provider = services.BuildServiceProvider();
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        var log = provider.GetRequiredService<IEventLog>();
        var reports = provider.GetRequiredService<IReportStore>();
        Assert.Same(provider.GetRequiredService<DurableEventLog>(), log);
        var model = TestEvents.NewModel();
        var outcome = await log.AppendAsync(model, TestEvents.Predictions("di", 0, 3));
        await reports.SaveAsync(new StoredReport(model, "window.hour", 0, 10, "{}"));

        Assert.Equal(3, outcome.Appended.Count);
        Assert.Contains(model, await log.ListModelsAsync());
        Assert.NotNull(await reports.GetAsync(model, "window.hour", 0));
    }

    [Fact]
    public async Task Documents_upsert_delete_and_list_by_collection_in_id_order()
    {
        var store = Own(Backend.CreateDocumentStore());
        var collection = "c-" + Guid.NewGuid().ToString("N");

        await store.WriteAsync([new(collection, "b", "{\"v\":1}"), new(collection, "a", "{\"v\":2}"), new(collection + "-other", "a", "{}")]);
        await store.WriteAsync([new(collection, "b", "{\"v\":3}"), new(collection, "a", null), new(collection, "missing", null)]);

        var listed = await store.ListAsync(collection);
        Assert.Equal([new StoredDocument(collection, "b", "{\"v\":3}")], listed);
        Assert.Single(await store.ListAsync(collection + "-other"));
        Assert.Empty(await store.ListAsync("c-none"));
    }

    [Fact]
    public async Task A_document_batch_is_one_transaction_and_survives_reopening()
    {
        var collection = "t-" + Guid.NewGuid().ToString("N");
        var first = Own(Backend.CreateDocumentStore());
        var writes = Enumerable.Range(0, 500).Select(i => new DocumentWrite(collection, i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture), $"{{\"i\":{i}}}")).ToList();
        await first.WriteAsync(writes);

        // A batch with an invalid write is refused whole: its valid delete is not applied either.
        await Assert.ThrowsAnyAsync<Exception>(() => first.WriteAsync([new(collection, "0000", null), new(collection, null!, "{}")]));

        var reopened = Own(Backend.CreateDocumentStore());
        var listed = await reopened.ListAsync(collection);
        Assert.Equal(500, listed.Count);
        Assert.Equal("0000", listed[0].Id);
        Assert.Equal("{\"i\":499}", listed[^1].Json);
    }

    private DurableEventLog NewLog() => Own(Backend.CreateEventLog());

    private SqlReportStore NewReports() => Own(Backend.CreateReportStore());

    private MonitoringGrainStorage NewGrainStorage() => Own(Backend.CreateGrainStorage(new JsonStateSerializer()));



    /// <summary>A grain state for the storage tests.</summary>
    public sealed class CounterState
    {
        /// <summary>A number.</summary>
        public int Count { get; set; }

        /// <summary>Some strings.</summary>
        public List<string> Names { get; set; } = [];
    }
}

/// <summary>The storage behaviours on SQLite.</summary>
public sealed class SqliteStorageTests : StorageBehaviourTests
{
    /// <inheritdoc />
    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(new SqliteBackend());
}

/// <summary>The storage behaviours on PostgreSQL (a private server started by the collection fixture).</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStorageTests(PostgresFixture fixture) : StorageBehaviourTests
{
    /// <inheritdoc />
    protected override async Task<IStorageBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(fixture.Server);
}
