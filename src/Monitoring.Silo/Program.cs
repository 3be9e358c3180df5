using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Monitoring.Ingest;
using Monitoring.Silo.Api;
using Monitoring.Silo.Hosting;
using Monitoring.Storage.Hosting;

var demo = args.Contains("--demo", StringComparer.Ordinal);
var builder = WebApplication.CreateBuilder(args.Where(a => a != "--demo").ToArray());
var host = builder.Configuration.GetSection(MonitoringHostOptions.Section).Get<MonitoringHostOptions>() ?? new MonitoringHostOptions();
var problems = new List<ValidationResult>();
if (!Validator.TryValidateObject(host, new ValidationContext(host), problems, validateAllProperties: true) || !IPAddress.TryParse(host.BindAddress, out var bind))
{
    var reason = problems.Count > 0 ? string.Join("; ", problems.Select(p => p.ErrorMessage)) : $"BindAddress '{host.BindAddress}' is not an IP address";
    Console.Error.WriteLine($"error: invalid configuration in {MonitoringHostOptions.Section}: {reason}");
    return 2;
}

builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(bind, host.OtlpGrpcPort, o => o.Protocols = HttpProtocols.Http2);
    kestrel.Listen(bind, host.OtlpHttpPort, o => o.Protocols = HttpProtocols.Http1AndHttp2);
    kestrel.Listen(bind, host.ApiPort, o => o.Protocols = HttpProtocols.Http1AndHttp2);
});
builder.Services.AddSingleton(host);
builder.Services.AddSingleton(TimeProvider.System);
if (host.StorageProvider == "postgres")
{
    var connection = host.PostgresConnectionString ?? throw new InvalidOperationException("Monitoring:Host:PostgresConnectionString is required for the postgres provider.");
    builder.Services.AddMonitoringPostgres(connection);
    builder.UseOrleans(silo => silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort).AddMonitoringPostgresStorage("monitoring", connection));
}
else
{
    Directory.CreateDirectory(host.DataDirectory);
    builder.Services.AddMonitoringSqlite(host.SqlitePath);
    builder.UseOrleans(silo => silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort).AddMonitoringSqliteStorage("monitoring", host.SqlitePath));
}

builder.Services.AddSingleton<IEventSink, GrainEventSink>();
builder.Services.AddOtlpReceivers(builder.Configuration);
builder.Services.AddHostedService<Warmup>(); // before the web server starts: see Warmup
builder.Services.AddHostedService<ModelActivator>();
builder.Services.AddOpenApi();
if (demo)
{
    builder.Services.AddHostedService<Monitoring.Silo.Demo.DemoService>();
}

builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

var app = builder.Build();
app.UseMiddleware<PortGate>();
app.MapOtlpReceivers();
app.MapModelApi();
app.MapOpenApi();
app.Lifetime.ApplicationStarted.Register(() =>
    app.Logger.LogInformation(
        "Monitoring silo ready: OTLP/gRPC {Bind}:{Grpc}, OTLP/HTTP {Bind}:{Http}, API http://{Bind}:{Api}/api/models (OpenAPI /openapi/v1.json), storage {Storage}{Demo}",
        host.BindAddress, host.OtlpGrpcPort, host.BindAddress, host.OtlpHttpPort, host.BindAddress, host.ApiPort,
        host.StorageProvider == "postgres" ? "postgres" : host.SqlitePath, demo ? ", demo traffic on" : string.Empty));
await app.RunAsync();
return 0;
