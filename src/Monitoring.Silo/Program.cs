using Monitoring.Grains.Sharding;
using Monitoring.Silo.Rollouts;
using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration.Memory;
using Monitoring.Abstractions.Totals;
using Monitoring.Ingest;
using Monitoring.Silo.Alerting;
using Monitoring.Silo.Api;
using Monitoring.Silo.Auth;
using Monitoring.Silo.Hosting;
using Monitoring.Silo.Telemetry;
using Monitoring.Storage.Hosting;

var (rest, demo, verbose) = SiloConsole.ParseSwitches(args);

// appsettings.json is read from next to the binary, so `dotnet run` from the repository root finds it too.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = rest, ContentRootPath = AppContext.BaseDirectory });
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = SiloConsole.LoggingDefaults(verbose) });
var host = builder.Configuration.GetSection(MonitoringHostOptions.Section).Get<MonitoringHostOptions>() ?? new MonitoringHostOptions();
var problems = new List<ValidationResult>();
if (!Validator.TryValidateObject(host, new ValidationContext(host), problems, validateAllProperties: true) || !IPAddress.TryParse(host.BindAddress, out var bind))
{
    var reason = problems.Count > 0 ? string.Join("; ", problems.Select(p => p.ErrorMessage)) : $"BindAddress '{host.BindAddress}' is not an IP address";
    Console.Error.WriteLine($"error: invalid configuration in {MonitoringHostOptions.Section}: {reason}");
    return 2;
}

var telemetry = TelemetryOptions.Bind(builder.Configuration, out var telemetryError);
if (telemetryError is not null)
{
    Console.Error.WriteLine($"error: invalid configuration in {TelemetryOptions.Section}: {telemetryError}");
    return 2;
}

// Cleartext listeners: gRPC needs HTTP/2 with prior knowledge; the others speak HTTP/1.1 (HTTP/2 on a mixed cleartext
// endpoint needs TLS negotiation, so Http1AndHttp2 would only serve HTTP/1.1 anyway, and warn about it at start).
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(bind, host.OtlpGrpcPort, o => o.Protocols = HttpProtocols.Http2);
    kestrel.Listen(bind, host.OtlpHttpPort, o => o.Protocols = HttpProtocols.Http1);
    kestrel.Listen(bind, host.ApiPort, o => o.Protocols = HttpProtocols.Http1);
});
var cluster = MonitoringClusterOptions.Bind(builder.Configuration, bind, host.StorageProvider, out var clusterError);
if (clusterError is not null)
{
    Console.Error.WriteLine($"error: invalid configuration in {MonitoringClusterOptions.Section}: {clusterError}");
    return 2;
}

var auth = AuthOptions.Bind(builder.Configuration, host, out var authError);
if (authError is not null)
{
    Console.Error.WriteLine($"error: invalid configuration in {AuthOptions.Section}: {authError}");
    return 2;
}

if (!ShardingHosting.TryBind(builder.Configuration, out var sharding, out var shardingError))
{
    Console.Error.WriteLine($"error: invalid configuration in {ShardingOptions.Section}: {shardingError}");
    return 2;
}

if (AlertingHosting.Validate(builder.Configuration) is { } alertingError)
{
    Console.Error.WriteLine($"error: invalid configuration in Monitoring:Alerting: {alertingError}");
    return 2;
}

builder.Services.AddSingleton(host);
builder.Services.AddSingleton(sharding); // hot models: read by the ingest path and the model grains
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<GrainTotals>();
builder.Services.AddSingleton<Monitoring.Grains.Limits.TenantModelLimitLog>();
builder.Services.AddHostedService<TotalsReporter>();
if (host.StorageProvider == "postgres")
{
    var connection = host.PostgresConnectionString ?? throw new InvalidOperationException("Monitoring:Host:PostgresConnectionString is required for the postgres provider.");
    builder.Services.AddMonitoringPostgres(connection);
    builder.UseOrleans(silo => silo.UseMonitoringCluster(cluster, host, bind).AddMonitoringPostgresStorage("monitoring", connection));
}
else
{
    Directory.CreateDirectory(host.DataDirectory);
    builder.Services.AddMonitoringSqlite(host.SqlitePath);
    builder.UseOrleans(silo => silo.UseMonitoringCluster(cluster, host, bind).AddMonitoringSqliteStorage("monitoring", host.SqlitePath));
}

builder.Services.AddSingleton<IEventSink, GrainEventSink>();
builder.Services.AddOtlpReceivers(builder.Configuration);
// The grains read the same limits (features per model, models per tenant) as a plain singleton.
builder.Services.AddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Monitoring.Abstractions.Limits.LimitsOptions>>().Value);
builder.Services.AddHostedService<Warmup>(); // before the web server starts: see Warmup
builder.Services.AddHostedService<ReminderMigration>(); // models logged before reminders existed get theirs once
builder.Services.AddOpenApi();
builder.Services.AddModelApi();
builder.Services.AddMonitoringRollouts(builder.Configuration);
builder.Services.AddMonitoringAlerting(builder.Configuration, host);
builder.Services.AddMonitoringTelemetry(telemetry, host);
builder.Services.AddMonitoringResilience(host);
builder.Services.AddMonitoringAuth(auth, host);
if (demo)
{
    builder.Services.AddHostedService<Monitoring.Silo.Demo.DemoService>();
}

builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

var app = builder.Build();
app.UseMiddleware<PortGate>();
app.UseMonitoringAuth();
app.MapOtlpReceivers().RequireAccess(Access.Ingest);
app.MapModelApi();
app.MapOpenApi().RequireAccess(Access.Read);
app.MapMonitoringTelemetry(telemetry);
app.MapMonitoringResilience(host);
app.MapMonitoringAuth();
var console = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.Silo");
app.Lifetime.ApplicationStarted.Register(() => SiloConsole.LogBanner(console, host, auth, demo, verbose));
app.Lifetime.ApplicationStarted.Register(() => ClusterHosting.LogCluster(console, cluster, host));
return await app.RunMonitoringAsync();
