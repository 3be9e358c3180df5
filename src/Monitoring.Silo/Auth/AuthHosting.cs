using Monitoring.Silo.Hosting;
using Monitoring.Storage.Auth;

namespace Monitoring.Silo.Auth;

/// <summary>Wires API-key auth into the silo: the key store on the silo's own database, the authenticator, the gate and sign-in.</summary>
public static class AuthHosting
{
    /// <summary>Registers the options, the key store (the SQLite file or PostgreSQL database of <paramref name="host"/>) and the authenticator.</summary>
    public static IServiceCollection AddMonitoringAuth(this IServiceCollection services, AuthOptions options, MonitoringHostOptions host)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        services.AddSingleton(options);
        services.AddHttpContextAccessor();
        services.AddSingleton<IApiKeyStore>(sp => host.StorageProvider == "postgres"
            ? SqlApiKeyStore.CreatePostgres(host.PostgresConnectionString!, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>())
            : SqlApiKeyStore.CreateSqlite(host.SqlitePath, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()));
        services.AddSingleton<ApiKeyAuthenticator>();
        return services;
    }

    /// <summary>Adds the gate (after the port gate; routing has already chosen the endpoint).</summary>
    public static IApplicationBuilder UseMonitoringAuth(this IApplicationBuilder app) => app.UseMiddleware<AuthGate>();

    /// <summary>Maps sign-in, sign-out and the route table.</summary>
    public static void MapMonitoringAuth(this IEndpointRouteBuilder app) => AuthEndpoints.Map(app);
}
