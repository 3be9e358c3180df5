using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Client;
using Monitoring.Client.Demo;
using Monitoring.Silo.Hosting;

namespace Monitoring.Silo.Demo;

/// <summary>
/// <c>--demo</c>: once the silo is up, sets 1-minute windows (10 s lateness) on the three demo models and ships
/// synthetic traffic to this silo's OTLP/gRPC port with the OpenTelemetry .NET SDK (through <see cref="PredictionLogger"/>),
/// with drift injected into credit-risk's income and country after <see cref="DriftAfter"/>.
/// </summary>
public sealed class DemoService(IGrainFactory grains, MonitoringHostOptions host, IHostApplicationLifetime lifetime, ILogger<DemoService> logger) : BackgroundService
{
    /// <summary>When drift is injected, counted from the start of the demo.</summary>
    public static readonly TimeSpan DriftAfter = TimeSpan.FromMinutes(3);

    /// <summary>Demo window length: short, so a newcomer sees windows close every minute.</summary>
    public static readonly TimeSpan DemoWindow = TimeSpan.FromMinutes(1);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        foreach (var model in new[] { DemoTraffic.CreditRiskModel, DemoTraffic.ChurnModel, DemoTraffic.EtaModel })
        {
            await grains.GetGrain<IModelGrain>(new ModelKey(ModelKey.DefaultTenant, model).GrainKey).ConfigureAsync(new ModelSettings
            {
                Window = DemoWindow,
                AllowedLateness = TimeSpan.FromSeconds(10),
                RollingWindows = 3,
                MinimumSampleSize = 100,
            });
        }

        SiloLog.DemoStarted(logger, DriftAfter.TotalMinutes, host.EffectiveExternalUrl + "/");
        var options = new DemoTrafficOptions
        {
            Logger = new PredictionLoggerOptions
            {
                Endpoint = new Uri($"http://{host.BindAddress}:{host.OtlpGrpcPort}"),
                Protocol = OtlpProtocol.Grpc,
                ServiceName = "monitoring-demo",
            },
            DriftAfter = DriftAfter,
        };
        await DemoTraffic.RunAsync(options, stoppingToken);
    }
}
