using Microsoft.Extensions.Time.Testing;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.Models;
using Monitoring.Storage;
using Xunit;

namespace Monitoring.Aggregation.Tests.Support;

/// <summary>
/// A test class that drives <see cref="ModelAggregator"/> directly, without Orleans, over what the grain would give it:
/// a real SQLite event log and report store in a temporary directory of its own per test, a second report store for
/// replays, and a <see cref="FakeTimeProvider"/>; all disposed after the test.
/// </summary>
/// <param name="directoryPrefix">Prefix of the temporary directory's name.</param>
/// <param name="start">Where the clock starts.</param>
public abstract class AggregatorTest(string directoryPrefix, DateTimeOffset start) : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory(directoryPrefix).FullName;
    private DurableEventLog? _log;
    private SqlReportStore? _reports;
    private SqlReportStore? _replayReports;

    private SqlReportStore ReplayReports => _replayReports ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>The clock of every aggregator the test makes.</summary>
    protected FakeTimeProvider Time { get; } = new(start);

    /// <summary>The event log the aggregators append to.</summary>
    protected DurableEventLog Log => _log ?? throw new InvalidOperationException("Not initialized.");

    /// <summary>The report store of the aggregators made by <see cref="New"/>.</summary>
    protected SqlReportStore ReportStore => _reports ?? throw new InvalidOperationException("Not initialized.");

    /// <inheritdoc />
    public Task InitializeAsync()
    {
        var path = Path.Combine(_directory, "monitoring.db");
        _log = DurableEventLog.CreateSqlite(path);
        _reports = SqlReportStore.CreateSqlite(path);
        _replayReports = SqlReportStore.CreateSqlite(Path.Combine(_directory, "replay.db"));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var owned in new IAsyncDisposable?[] { _log, _reports, _replayReports })
        {
            if (owned is not null)
            {
                await owned.DisposeAsync();
            }
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the OS cleans temp directories.
        }
    }

    /// <summary>A fresh aggregator for model <paramref name="name"/> of tenant "t".</summary>
    protected (ModelKey Key, ModelAggregator Model) New(string name)
    {
        var key = new ModelKey("t", name);
        return (key, new ModelAggregator(key, new ModelState(), new ModelStore(key, Log, ReportStore), Time));
    }

    /// <summary>What the grain does with a batch first: append durably, then fold what the log appended.</summary>
    protected async Task<EventAppendOutcome> AppendAsync(ModelKey key, ModelAggregator model, IReadOnlyList<ModelEvent> events)
    {
        var outcome = await Log.AppendAsync(key, events);
        await model.FoldAllAsync(outcome.Appended);
        return outcome;
    }

    /// <summary>
    /// A fresh aggregator of <paramref name="key"/> that has folded the whole log from the start, writing its reports
    /// to a store of its own (a replay must fold the same as the live aggregator did).
    /// </summary>
    protected async Task<ModelAggregator> ReplayAsync(ModelKey key)
    {
        var replayed = new ModelAggregator(key, new ModelState(), new ModelStore(key, Log, ReplayReports), Time);
        var all = new List<LoggedEvent>();
        await foreach (var logged in Log.ReadAsync(key, 0))
        {
            all.Add(logged);
        }

        await replayed.FoldAllAsync(all);
        return replayed;
    }

    /// <summary>A numeric label for prediction <paramref name="id"/>, timed now.</summary>
    protected ModelEvent Label(string id, double y) => new()
    {
        Kind = EventKind.Label,
        PredictionId = id,
        EventTimeUnixNano = UnixNanos.Now(Time),
        ReceivedUnixNano = UnixNanos.Now(Time),
        LabelNumber = y,
    };
}
