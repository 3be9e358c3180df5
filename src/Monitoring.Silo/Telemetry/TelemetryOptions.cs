using Monitoring.Grains.Telemetry;

namespace Monitoring.Silo.Telemetry;

/// <summary>The silo's own telemetry (section <c>Monitoring:Telemetry</c>; docs/telemetry.md).</summary>
public sealed class TelemetryOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Monitoring:Telemetry";

    /// <summary>Path of the Prometheus scrape endpoint on the API port.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>OTLP protocol over gRPC (the collector's port 4317).</summary>
    public const string Grpc = "grpc";

    /// <summary>OTLP protocol over HTTP with protobuf bodies (the collector's port 4318).</summary>
    public const string HttpProtobuf = "http/protobuf";

    /// <summary>Default interval of the OTLP metrics export (the OpenTelemetry default).</summary>
    public const int DefaultExportIntervalSeconds = 60;

    /// <summary>Serve <c>/metrics</c> (Prometheus text format) on the API port. Default on.</summary>
    public bool MetricsEndpoint { get; set; } = true;

    /// <summary>
    /// Base URL of an OpenTelemetry collector (e.g. <c>http://collector:4317</c> for grpc, <c>http://collector:4318</c>
    /// for http/protobuf, where <c>/v1/metrics</c> and <c>/v1/traces</c> are appended). Unset (the default): no OTLP export.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string OtlpProtocol { get; set; } = Grpc;

    /// <summary>Seconds between two OTLP metric exports.</summary>
    public int ExportIntervalSeconds { get; set; } = DefaultExportIntervalSeconds;

    /// <summary>Share of traces recorded (parent-based: a request that arrives sampled stays sampled), 0..1. Default 1.</summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>Export the model metrics (drift, performance, calibration, volume, coverage per model). Default on.</summary>
    public bool ModelMetrics { get; set; } = true;

    /// <summary>Cardinality cap of the model metrics: series across all models and metrics (beyond it series are dropped and counted).</summary>
    public int MaxModelSeries { get; set; } = Grains.Telemetry.ModelMetrics.DefaultMaxSeries;

    /// <summary>True when any metric reader is on (the scrape endpoint or OTLP).</summary>
    public bool MetricsOn => MetricsEndpoint || OtlpEndpoint is not null;

    /// <summary>The OTLP endpoint parsed, or null when OTLP export is off.</summary>
    public Uri? OtlpUri => OtlpEndpoint is { Length: > 0 } text && Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>Reads the section; <paramref name="error"/> names the field and the reason when a value is unusable.</summary>
    public static TelemetryOptions Bind(IConfiguration configuration, out string? error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        TelemetryOptions options;
        try
        {
            options = configuration.GetSection(Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        }
        catch (InvalidOperationException e)
        {
            error = e.InnerException?.Message ?? e.Message;
            return new TelemetryOptions();
        }

        error = options.Validate();
        return options;
    }

    /// <summary>The first problem, as "field: reason", or null.</summary>
    public string? Validate()
    {
        if (OtlpEndpoint is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            return "OtlpEndpoint: must be an absolute http or https URL";
        }

        if (OtlpProtocol is not (Grpc or HttpProtobuf))
        {
            return $"OtlpProtocol: must be {Grpc} or {HttpProtobuf}";
        }

        if (ExportIntervalSeconds is < 1 or > 3600)
        {
            return "ExportIntervalSeconds: must be between 1 and 3600";
        }

        if (TraceSampleRatio is < 0 or > 1 || double.IsNaN(TraceSampleRatio))
        {
            return "TraceSampleRatio: must be between 0 and 1";
        }

        return MaxModelSeries is < 0 or > 1_000_000 ? "MaxModelSeries: must be between 0 and 1000000" : null;
    }
}
