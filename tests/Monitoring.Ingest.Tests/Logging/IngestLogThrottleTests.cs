using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Monitoring.Ingest.Tests.Logging;

/// <summary>The receivers' refusal logs a client can repeat at will: one line per event and transport per minute.</summary>
public sealed class IngestLogThrottleTests
{
    [Fact]
    public void Malformed_requests_in_a_flood_write_one_line_a_minute_per_transport_saying_how_many_came_since()
    {
        var time = new FakeTimeProvider();
        var throttle = new IngestLogThrottle(time);
        var logger = new ListLogger();

        for (var i = 0; i < 300; i++)
        {
            throttle.BadRequest(logger, "http/json");
            throttle.BadRequest(logger, "grpc");
            throttle.RecordsRejected(logger, "grpc", 2, 10);
            time.Advance(TimeSpan.FromMilliseconds(200)); // 300 x 0.2 s = 60 s
        }

        throttle.BadRequest(logger, "http/json");
        throttle.RecordsRejected(logger, "grpc", 1, 10);

        Assert.Equal(
        [
            "Information 1102: OTLP http/json export refused as malformed; 0 more since this line was last written (at most once a minute)",
            "Information 1102: OTLP grpc export refused as malformed; 0 more since this line was last written (at most once a minute)",
            "Information 1101: OTLP grpc export: 2 of 10 records broke the conventions (partial success); 0 more such requests (0 records) since this line was last written (at most once a minute)",
            "Information 1102: OTLP http/json export refused as malformed; 299 more since this line was last written (at most once a minute)",
            "Information 1101: OTLP grpc export: 1 of 10 records broke the conventions (partial success); 299 more such requests (598 records) since this line was last written (at most once a minute)",
        ], logger.Lines);
    }

    [Fact]
    public void Overload_refusals_are_throttled_apart_from_each_other()
    {
        var time = new FakeTimeProvider();
        var throttle = new IngestLogThrottle(time);
        var logger = new ListLogger();

        for (var i = 0; i < 50; i++)
        {
            throttle.BufferFull(logger, "http/json", 8 << 20);
            throttle.ReceiverOverloaded(logger, "http/json", 64);
            throttle.PayloadTooLarge(logger, "http/json", 4 << 20);
        }

        Assert.Equal([1110, 1104, 1103], logger.Ids);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public List<int> Ids { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Lines.Add($"{logLevel} {eventId.Id}: {formatter(state, exception)}");
            Ids.Add(eventId.Id);
        }
    }
}
