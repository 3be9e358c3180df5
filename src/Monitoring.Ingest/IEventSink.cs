using Monitoring.Abstractions.Events;

namespace Monitoring.Ingest;

/// <summary>
/// Where decoded records go: in the silo, the model's grain, which appends them to the durable event log before returning.
/// The receiver acknowledges a request only after every batch of it has returned.
/// </summary>
public interface IEventSink
{
    /// <summary>Appends one model's records durably and folds them; throws <see cref="SinkOverloadedException"/> when it cannot take more now.</summary>
    Task<AppendResult> AppendAsync(EventBatch batch, CancellationToken cancellationToken);
}

/// <summary>The sink is overloaded or unavailable; the client should retry after <see cref="RetryAfter"/>.</summary>
public sealed class SinkOverloadedException(string message, TimeSpan retryAfter, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Suggested wait before retrying.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
