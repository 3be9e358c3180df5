using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Monitoring.Silo.Health;

/// <summary>Healthy when this silo is an active member of its cluster (in every clustering mode, localhost included).</summary>
internal sealed class ClusterMembershipHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy("silo is an active cluster member")
            : HealthCheckResult.Unhealthy($"silo is not an active cluster member (status {status})"));
    }
}
