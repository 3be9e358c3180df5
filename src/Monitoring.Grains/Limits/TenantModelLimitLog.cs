using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Telemetry;

namespace Monitoring.Grains.Limits;

/// <summary>
/// The warning for batches refused by the models-per-tenant limit, at most one line per tenant per minute on this silo
/// (each line says how many batches and records were refused since the previous one). A client sending record after
/// record of new models gets every batch refused (and told so in its partial success); without this it would also
/// write a warning per batch. One per silo (a singleton shared by the model grains, which are one per model).
/// </summary>
public sealed class TenantModelLimitLog(TimeProvider time)
{
    private readonly LogThrottle _throttle = new(time);

    /// <summary>Logs (or counts for the next line) a batch of <paramref name="records"/> refused for <paramref name="tenant"/>.</summary>
    public void Refused(ILogger logger, string tenant, int limit, int records)
    {
        if (_throttle.TryLog(tenant, records, out var since))
        {
            GrainsLog.TenantModelLimit(logger, tenant, limit, records, since.Events, since.Amount);
        }
    }
}
