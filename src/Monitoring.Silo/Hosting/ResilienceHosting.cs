using Monitoring.Silo.Health;
using Monitoring.Storage.Database.Migrations;

namespace Monitoring.Silo.Hosting;

/// <summary>
/// Health endpoints and graceful shutdown. On SIGTERM (or Ctrl+C) the host stops in reverse start order: readiness turns
/// 503 and the OTLP receivers answer new exports 503 / UNAVAILABLE at once; Kestrel stops accepting connections and
/// waits for the requests in flight (their clients get their acknowledgements); then the Orleans silo deactivates every
/// grain (each model grain checkpoints); then the store closes. All of it within
/// <see cref="MonitoringHostOptions.ShutdownTimeoutSeconds"/>; the process then exits 0.
/// </summary>
public static class ResilienceHosting
{
    /// <summary>Registers the health checks and the shutdown timeout.</summary>
    public static IServiceCollection AddMonitoringResilience(this IServiceCollection services, MonitoringHostOptions host)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(host);
        services.AddMonitoringHealth();
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(host.ShutdownTimeoutSeconds));
        return services;
    }

    /// <summary>Maps <c>/health/live</c> and <c>/health/ready</c> and logs the shutdown's start and end.</summary>
    public static WebApplication MapMonitoringResilience(this WebApplication app, MonitoringHostOptions host)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(host);
        app.MapMonitoringHealth();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.Silo.Shutdown");
        app.Lifetime.ApplicationStopping.Register(() => SiloLog.ShutdownStarted(logger, host.ShutdownTimeoutSeconds));
        app.Lifetime.ApplicationStopped.Register(() => SiloLog.ShutdownCompleted(logger));
        return app;
    }

    /// <summary>Exit code when the database's schema is newer than this binary knows.</summary>
    public const int SchemaTooNewExitCode = 3;

    /// <summary>
    /// Runs the host until it stops; returns 0 after a clean stop, or <see cref="SchemaTooNewExitCode"/> with a one-line
    /// <c>error:</c> message when the database was migrated by a newer release (the silo refuses to start on it).
    /// </summary>
    public static async Task<int> RunMonitoringAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when ((e as SchemaVersionException ?? e.InnerException as SchemaVersionException) is { } tooNew)
        {
            await Console.Error.WriteLineAsync($"error: {tooNew.Message}");
            return SchemaTooNewExitCode;
        }
    }
}
