using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Telemetry;

namespace Monitoring.Ingest;

/// <summary>
/// The receivers' per-request refusal logs that a client can repeat at will (malformed or oversized payloads, records
/// rejected one by one, overload refusals), written at most once a minute per event and transport, each line saying how
/// many requests it stands for since the last (<see cref="LogThrottle"/>). The client hears about every refusal in its
/// answer, and the metrics count each one; the log only needs to say that it is happening. One per receiver host.
/// </summary>
internal sealed class IngestLogThrottle(TimeProvider time)
{
    private readonly LogThrottle _throttle = new(time);

    public void RecordsRejected(ILogger logger, string transport, int rejected, int total)
    {
        if (_throttle.TryLog($"records_rejected/{transport}", rejected, out var since))
        {
            IngestLog.RecordsRejected(logger, transport, rejected, total, since.Events, since.Amount);
        }
    }

    public void BadRequest(ILogger logger, string transport)
    {
        if (_throttle.TryLog($"bad_request/{transport}", 1, out var since))
        {
            IngestLog.BadRequest(logger, transport, since.Events);
        }
    }

    public void PayloadTooLarge(ILogger logger, string transport, long limitBytes)
    {
        if (_throttle.TryLog($"too_large/{transport}", 1, out var since))
        {
            IngestLog.PayloadTooLarge(logger, transport, limitBytes, since.Events);
        }
    }

    public void ReceiverOverloaded(ILogger logger, string transport, int limit)
    {
        if (_throttle.TryLog($"concurrency/{transport}", 1, out var since))
        {
            IngestLog.ReceiverOverloaded(logger, transport, limit, since.Events);
        }
    }

    public void BufferFull(ILogger logger, string transport, long limitBytes)
    {
        if (_throttle.TryLog($"memory/{transport}", 1, out var since))
        {
            IngestLog.BufferFull(logger, transport, limitBytes, since.Events);
        }
    }
}
