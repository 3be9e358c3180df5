using Monitoring.Aggregation.Telemetry;
using Monitoring.Grains.Telemetry;
using Monitoring.Ingest.Telemetry;
using Monitoring.Silo.Auth;
using Monitoring.Silo.Hosting;
using Monitoring.Storage.Telemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Monitoring.Silo.Telemetry;

/// <summary>
/// Wires the silo's own telemetry into the OpenTelemetry SDK: one MeterProvider over the system's instruments (every
/// project's meter, ASP.NET Core's and the runtime's) feeds both the Prometheus scrape endpoint and the OTLP exporter,
/// so /metrics and the collector see the same numbers; traces (OTLP requests and API calls, window closes, rule
/// evaluations, notification deliveries) go to the collector only. Nothing is registered for a reader that is off.
/// </summary>
public static class TelemetryHosting
{
    /// <summary>Service name in the resource of everything exported.</summary>
    public const string ServiceName = "monitoring-silo";

    /// <summary>The meters of the system's own instruments.</summary>
    public static IReadOnlyList<string> SystemMeters { get; } =
        [IngestMetrics.MeterName, StorageMetrics.MeterName, AggregationTelemetry.Name, GrainsTelemetry.Name];

    /// <summary>Meters of the platform: HTTP server duration and active requests, process and GC figures (.NET 9+).</summary>
    public static IReadOnlyList<string> PlatformMeters { get; } = ["Microsoft.AspNetCore.Hosting", "System.Runtime"];

    /// <summary>
    /// Runtime gauges left out: their names end in <c>_count</c>, which Prometheus reserves for histograms and summaries
    /// (<c>promtool check metrics</c> rejects them), and renaming standard metrics would be worse than going without.
    /// </summary>
    public static IReadOnlyList<string> DroppedInstruments { get; } = ["dotnet.assembly.count", "dotnet.process.cpu.count", "dotnet.timer.count"];

    /// <summary>Activity sources of the system's spans.</summary>
    public static IReadOnlyList<string> Sources { get; } = [AggregationTelemetry.Name, GrainsTelemetry.Name];

    /// <summary>Registers the model metrics registry and the OpenTelemetry SDK as <paramref name="options"/> say.</summary>
    public static IServiceCollection AddMonitoringTelemetry(this IServiceCollection services, TelemetryOptions options, MonitoringHostOptions host)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        var otlp = options.OtlpUri;
        if (!options.MetricsOn)
        {
            return services;
        }

        if (options.ModelMetrics)
        {
            services.AddSingleton(new ModelMetrics(options.MaxModelSeries));
        }

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource
            .AddService(ServiceName, serviceVersion: typeof(TelemetryHosting).Assembly.GetName().Version?.ToString(),
                serviceInstanceId: $"{Environment.MachineName}:{host.ApiPort}"));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter([.. SystemMeters, .. PlatformMeters]);
            foreach (var dropped in DroppedInstruments)
            {
                metrics.AddView(dropped, MetricStreamConfiguration.Drop);
            }

            if (options.ModelMetrics)
            {
                metrics.AddMeter(ModelMetrics.MeterName);

                // The registry caps the series itself (and counts what it drops); the SDK's own limit (2,000 per
                // instrument by default) must not cut in first.
                var limit = Math.Max(2000, options.MaxModelSeries + 2);
                metrics.AddView(instrument => instrument.Meter.Name == ModelMetrics.MeterName ? new MetricStreamConfiguration { CardinalityLimit = limit } : null);
            }

            if (options.MetricsEndpoint)
            {
                metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            }

            if (otlp is not null)
            {
                metrics.AddOtlpExporter((exporter, reader) =>
                {
                    Configure(exporter, otlp, options.OtlpProtocol, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.ExportIntervalSeconds * 1000;
                    reader.TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
                });
            }
        });

        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource([.. Sources])
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != TelemetryOptions.MetricsPath)
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.TraceSampleRatio)))
                .AddOtlpExporter(exporter => Configure(exporter, otlp, options.OtlpProtocol, "v1/traces")));
        }

        return services;
    }

    /// <summary>Maps <c>/metrics</c> when the scrape endpoint is on (the port gate keeps it to the API port).</summary>
    public static void MapMonitoringTelemetry(this WebApplication app, TelemetryOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MetricsEndpoint)
        {
            // Read, and scoped: a key bound to one tenant gets only that tenant's series (TenantMetricsFilter); an
            // operator key (every tenant) and open mode get the whole scrape (docs: README "Auth and tenancy").
            app.MapPrometheusScrapingEndpoint(TelemetryOptions.MetricsPath, meterProvider: null, configureBranchedPipeline: branch => branch.Use(TenantMetricsFilter.InvokeAsync), optionsName: null)
                .RequireAccess(Access.Read);
        }
    }

    /// <summary>
    /// The exporter's endpoint: gRPC takes the base URL as is; OTLP/HTTP needs the signal's path, appended to the base as
    /// the OpenTelemetry specification does for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.
    /// </summary>
    internal static void Configure(OtlpExporterOptions exporter, Uri endpoint, string protocol, string signalPath)
    {
        if (protocol == TelemetryOptions.HttpProtobuf)
        {
            exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
            exporter.Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath);
        }
        else
        {
            exporter.Protocol = OtlpExportProtocol.Grpc;
            exporter.Endpoint = endpoint;
        }
    }
}
