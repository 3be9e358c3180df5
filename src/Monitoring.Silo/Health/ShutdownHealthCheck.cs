using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Monitoring.Silo.Health;

/// <summary>Unhealthy once the host is stopping, so load balancers stop sending while in-flight requests drain.</summary>
internal sealed class ShutdownHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("silo is shutting down")
            : HealthCheckResult.Healthy("silo is serving"));
}
