using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Monitoring.Ingest.Otlp;

/// <summary>
/// Counts export requests in flight across both receivers and refuses those above the limit (no queueing); once the
/// host is stopping (<see cref="Draining"/>) the receivers refuse new requests while those in flight finish.
/// </summary>
internal sealed class OtlpConcurrencyLimiter(IOptionsMonitor<OtlpReceiverOptions> options, IHostApplicationLifetime? lifetime = null)
{
    private int _inFlight;

    /// <summary>Requests currently admitted.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The host is shutting down: new export requests are answered 503 / UNAVAILABLE (retry elsewhere or later).</summary>
    public bool Draining => lifetime?.ApplicationStopping.IsCancellationRequested ?? false;

    /// <summary>Admits a request if fewer than the limit are in flight; call <see cref="Exit"/> when it is done.</summary>
    public bool TryEnter()
    {
        var limit = options.CurrentValue.MaxConcurrentRequests;
        if (Interlocked.Increment(ref _inFlight) <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _inFlight);
        return false;
    }

    /// <summary>Releases an admitted request.</summary>
    public void Exit() => Interlocked.Decrement(ref _inFlight);
}
