using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Totals;
using Monitoring.Ingest;
using Monitoring.Silo.Hosting;
using Monitoring.Storage;
using Xunit;

namespace Monitoring.Silo.Tests.Hosting;

/// <summary>The once-a-minute totals line, driven by a fake clock.</summary>
public sealed class TotalsReporterTests
{
    [Fact]
    public async Task TotalsLine_EveryMinute_ShowsTotalsAndTheirChange()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var ingest = new IngestTotals();
        var grains = new GrainTotals();
        var models = new ModelList(3);
        var logger = new ChannelLogger<TotalsReporter>();
        using var reporter = new TotalsReporter(ingest, grains, models, time, logger);
        await reporter.StartAsync(CancellationToken.None);

        ingest.Add(accepted: 1200, rejected: 4);
        grains.WindowClosed();
        time.Advance(TotalsReporter.Period - TimeSpan.FromTicks(1));
        Assert.False(logger.Lines.Reader.TryRead(out _)); // not before the minute is over
        time.Advance(TimeSpan.FromTicks(1));
        var first = await logger.Lines.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("Totals: records accepted 1200 (+1200), rejected 4 (+4), windows closed 1 (+1), models 3; (+n) = the last minute", first);

        ingest.Add(accepted: 10, rejected: 0);
        models.Count = 4;
        time.Advance(TotalsReporter.Period);
        var second = await logger.Lines.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("Totals: records accepted 1210 (+10), rejected 4 (+0), windows closed 1 (+0), models 4; (+n) = the last minute", second);

        await reporter.StopAsync(CancellationToken.None);
    }

    /// <summary>An event log that only knows how many models it has.</summary>
    private sealed class ModelList(int count) : IEventLog
    {
        public int Count { get; set; } = count;

        public Task<IReadOnlyList<ModelKey>> ListModelsAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<ModelKey>>(Enumerable.Range(0, Count).Select(i => new ModelKey("default", $"m{i}")).ToArray());

        public Task<EventAppendOutcome> AppendAsync(ModelKey model, IReadOnlyList<ModelEvent> events, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IAsyncEnumerable<LoggedEvent> ReadAsync(ModelKey model, long afterSequence, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<LoggedEvent?> FindAsync(ModelKey model, EventKind kind, string predictionId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyDictionary<string, LoggedEvent>> FindManyAsync(ModelKey model, EventKind kind, IReadOnlyCollection<string> predictionIds, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public void Compact(ModelKey model, long checkpointedSequence, long deleteReceivedBeforeUnixNano) => throw new NotSupportedException();

        public Task<EventLogFootprint> FootprintAsync(ModelKey model, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }
}

/// <summary>A logger that hands each formatted message to a channel, so a test awaits a line instead of sleeping.</summary>
internal sealed class ChannelLogger<T> : ILogger<T>
{
    public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>();

    public ConcurrentQueue<(LogLevel Level, EventId Id)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Entries.Enqueue((logLevel, eventId));
        Lines.Writer.TryWrite(formatter(state, exception));
    }
}
