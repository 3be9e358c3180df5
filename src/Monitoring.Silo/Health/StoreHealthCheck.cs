using Microsoft.Extensions.Diagnostics.HealthChecks;
using Monitoring.Storage;

namespace Monitoring.Silo.Health;

/// <summary>
/// Healthy when the store (SQLite file or PostgreSQL) answers a trivial query. The description names only the exception
/// type (the full error is in the silo's log where the failing request wrote it), so no host, user or password leaks.
/// </summary>
internal sealed class StoreHealthCheck(DurableEventLog eventLog) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await eventLog.PingAsync(cancellationToken);
            return HealthCheckResult.Healthy("store answers");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"store did not answer within {HealthEndpoints.StoreCheckTimeout.TotalSeconds:F0} s");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"store unreachable ({e.GetType().Name})");
        }
    }
}
