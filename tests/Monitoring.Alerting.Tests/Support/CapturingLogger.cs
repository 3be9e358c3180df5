using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Monitoring.Alerting.Delivery;

namespace Monitoring.Alerting.Tests.Support;

/// <summary>Keeps every log entry as text: message, structured values and exception, to search for secrets.</summary>
internal sealed class CapturingLogger : ILogger<HttpDelivery>, ILogger<RetryPolicy>
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyList<string> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
        _entries.Enqueue($"{logLevel} {eventId.Id} {formatter(state, exception)} [{values}] {exception}");
    }
}
