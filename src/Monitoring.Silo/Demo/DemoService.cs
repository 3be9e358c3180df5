using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Client;
using Monitoring.Client.Demo;
using Monitoring.Silo.Hosting;

namespace Monitoring.Silo.Demo;

/// <summary>
/// <c>--demo</c>: once the silo is up, sets 1-minute windows (10 s lateness) on the three demo models and ships
/// synthetic traffic to this silo's OTLP/gRPC port with the OpenTelemetry .NET SDK (through <see cref="PredictionLogger"/>),
/// with drift injected into credit-risk's income and country after <see cref="DriftAfter"/>. Shortly before the drift,
/// credit-risk's reference is pinned to the windows closed so far: the demo models keep a rolling reference of three
/// windows (so the other models' references follow them), which would absorb the drift within three windows and leave
/// the overview without a drifted model a few minutes later.
/// </summary>
/// <remarks>In api-keys mode the demo makes itself an ingest key for the default tenant and revokes it when it stops.</remarks>
public sealed class DemoService(
    IGrainFactory grains, MonitoringHostOptions host, IHostApplicationLifetime lifetime, ILogger<DemoService> logger, Auth.AuthOptions auth, Storage.Auth.IApiKeyStore keys)
    : BackgroundService
{
    /// <summary>When drift is injected, counted from the start of the demo.</summary>
    public static readonly TimeSpan DriftAfter = TimeSpan.FromMinutes(3);

    /// <summary>Demo window length: short, so a newcomer sees windows close every minute.</summary>
    public static readonly TimeSpan DemoWindow = DemoSetup.Window;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);
        foreach (var model in DemoSetup.Models)
        {
            await grains.GetGrain<IModelGrain>(new ModelKey(ModelKey.DefaultTenant, model).GrainKey).ConfigureAsync(new ModelSettings
            {
                Window = DemoSetup.Window,
                AllowedLateness = DemoSetup.AllowedLateness,
                RollingWindows = DemoSetup.RollingWindows,
                MinimumSampleSize = DemoSetup.MinimumSampleSize,
            });
        }

        var headers = new Dictionary<string, string>();
        string? demoKeyId = null;
        if (auth.RequiresKeys)
        {
            var (record, key) = await keys.CreateAsync(ModelKey.DefaultTenant, Storage.Auth.ApiKeyScopes.Ingest, "silo --demo (revoked when the demo stops)", null, stoppingToken);
            headers["Authorization"] = "Bearer " + key;
            demoKeyId = record.Id;
        }

        SiloLog.DemoStarted(logger, DriftAfter.TotalMinutes, host.EffectiveExternalUrl + "/");
        var options = new DemoTrafficOptions
        {
            Logger = new PredictionLoggerOptions
            {
                Endpoint = new Uri($"http://{host.BindAddress}:{host.OtlpGrpcPort}"),
                Protocol = OtlpProtocol.Grpc,
                ServiceName = "monitoring-demo",
                Headers = headers,
            },
            DriftAfter = DriftAfter,
        };
        var start = DateTimeOffset.UtcNow;
        try
        {
            var traffic = DemoTraffic.RunAsync(options, stoppingToken);
            await PinCreditRiskReferenceAsync(start, stoppingToken);
            await traffic;
        }
        finally
        {
            if (demoKeyId is not null)
            {
                await keys.RevokeAsync(demoKeyId, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// At <see cref="DriftAfter"/> less 15 s, pins credit-risk's reference to the windows that started since the demo
    /// did (the pin reads the closed ones; by then at least two have closed).
    /// </summary>
    private async Task PinCreditRiskReferenceAsync(DateTimeOffset start, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(DriftAfter - DemoSetup.PinBeforeDrift, stoppingToken);
            var (from, to) = DemoSetup.PinRange(start, DateTimeOffset.UtcNow);
            await grains.GetGrain<IModelGrain>(new ModelKey(ModelKey.DefaultTenant, DemoTraffic.CreditRiskModel).GrainKey)
                .PinReferenceAsync(Abstractions.Time.UnixNanos.FromDateTimeOffset(from), Abstractions.Time.UnixNanos.FromDateTimeOffset(to));
            SiloLog.DemoReferencePinned(logger, from.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), to.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping before the drift
        }
        catch (ArgumentException e)
        {
            SiloLog.DemoReferenceNotPinned(logger, e.Message);
        }
    }
}
