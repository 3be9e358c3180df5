using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Monitoring.Silo.Health;

/// <summary>
/// Liveness and readiness on the API port (<see cref="Hosting.PortGate"/> keeps them off the OTLP ports), with ASP.NET
/// Core health checks. <c>GET /health/live</c>: 200 while the process serves HTTP. <c>GET /health/ready</c>: 200 when
/// every readiness check passes (the store answers, this silo is an active cluster member, it is not shutting down),
/// else 503; both answer a JSON body naming each check, its status and a description that never carries secrets.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Liveness path.</summary>
    public const string LivePath = "/health/live";

    /// <summary>Readiness path.</summary>
    public const string ReadyPath = "/health/ready";

    /// <summary>Tag of the checks readiness runs (liveness runs none).</summary>
    public const string ReadyTag = "ready";

    /// <summary>How long the store check waits for the database before calling it unreachable.</summary>
    public static readonly TimeSpan StoreCheckTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Registers the readiness checks: <c>store</c>, <c>cluster</c> and <c>shutdown</c>.</summary>
    public static IServiceCollection AddMonitoringHealth(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ReadyTag], timeout: StoreCheckTimeout)
            .AddCheck<ClusterMembershipHealthCheck>("cluster", tags: [ReadyTag])
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Maps <see cref="LivePath"/> and <see cref="ReadyPath"/>.</summary>
    public static IEndpointRouteBuilder MapMonitoringHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync }).WithDisplayName("liveness");
        endpoints.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync })
            .WithDisplayName("readiness");
        return endpoints;
    }

    /// <summary><c>{"status":"healthy|unhealthy","checks":[{"name","status","description"}]}</c>; the status code is set by the middleware.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        var body = new
        {
            status = Name(report.Status),
            checks = report.Entries.Select(e => new { name = e.Key, status = Name(e.Value.Status), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
