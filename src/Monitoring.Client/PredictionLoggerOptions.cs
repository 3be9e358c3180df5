using Monitoring.Client.Conventions;

namespace Monitoring.Client;

/// <summary>Settings of a <see cref="PredictionLogger"/>: where to export, who is sending, and how records are batched.</summary>
public sealed record PredictionLoggerOptions
{
    /// <summary>The Monitoring tenant header name (<c>x-monitoring-tenant</c>).</summary>
    public const string TenantHeader = OtlpConventions.TenantHeader;

    /// <summary>
    /// The receiver. For <see cref="OtlpProtocol.Grpc"/> the base address (e.g. <c>http://monitoring:4317</c>); for
    /// <see cref="OtlpProtocol.HttpProtobuf"/> either the base address (e.g. <c>http://monitoring:4318</c>, to which
    /// <c>/v1/logs</c> is appended) or the full address ending in <c>/v1/logs</c>.
    /// </summary>
    public required Uri Endpoint { get; init; }

    /// <summary>The transport; default <see cref="OtlpProtocol.Grpc"/>.</summary>
    public OtlpProtocol Protocol { get; init; } = OtlpProtocol.Grpc;

    /// <summary>The resource attribute <c>service.name</c>: the service that makes the predictions.</summary>
    public required string ServiceName { get; init; }

    /// <summary>Optional resource attribute <c>service.version</c>.</summary>
    public string? ServiceVersion { get; init; }

    /// <summary>Optional tenant, sent verbatim as the <see cref="TenantHeader"/> request header on every export (no commas).</summary>
    public string? Tenant { get; init; }

    /// <summary>Further request headers sent verbatim on every export, e.g. an authorization header (values without commas).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Whether records are queued and exported in batches on a background thread (default, <see langword="true"/>);
    /// when <see langword="false"/> every record is exported synchronously inside the log call.
    /// </summary>
    public bool UseBatching { get; init; } = true;

    /// <summary>Batching: records held at most before new ones are dropped; default 2048.</summary>
    public int MaxQueueSize { get; init; } = 2048;

    /// <summary>Batching: records per export request at most; default 512.</summary>
    public int MaxExportBatchSize { get; init; } = 512;

    /// <summary>Batching: the longest a record waits before its batch is exported; default 1 second.</summary>
    public TimeSpan ScheduledDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Attributes one record may carry (the SDK's log record attribute count limit, default 128 in OpenTelemetry, which
    /// drops the excess silently); a prediction with more is rejected instead. Default 1024, at least 16.
    /// </summary>
    public int MaxAttributesPerRecord { get; init; } = 1024;

    /// <summary>How long one export request may take; default 10 seconds.</summary>
    public TimeSpan ExportTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
