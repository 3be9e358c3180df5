using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.Client.Conventions;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;

namespace Monitoring.Client;

/// <summary>
/// Logs predictions and labels as OTLP log records with the Monitoring conventions, through its own OpenTelemetry
/// logging pipeline (its own logger factory, resource and OTLP exporter; nothing global is touched). Thread-safe.
/// </summary>
/// <remarks>
/// Each record has: the event name (<c>ml.prediction</c> or <c>ml.label</c>) in the OTLP <c>event_name</c> field, taken
/// by the exporter from <see cref="EventId.Name"/>, and also the attribute <c>ml.event</c> (<c>prediction</c> or
/// <c>label</c>) for receivers or collectors that drop <c>event_name</c>; the <c>ml.*</c> attributes with their typed
/// values; <c>time_unix_nano</c> = the given timestamp (or now); severity INFO; the body is the event name; the
/// instrumentation scope is <see cref="CategoryName"/>.
/// </remarks>
public sealed class PredictionLogger : IPredictionSink, IDisposable
{
    /// <summary>The logger category, exported as the instrumentation scope name.</summary>
    public const string CategoryName = "Monitoring.Client";

    private static readonly EventId PredictionEvent = new(1, OtlpConventions.PredictionEventName);
    private static readonly EventId LabelEvent = new(2, OtlpConventions.LabelEventName);
    private static readonly Func<ModelEventState, Exception?, string> Format = static (state, _) => state.EventName;

    private readonly ServiceProvider _services;
    private readonly LoggerProvider _loggerProvider;
    private readonly ILogger _logger;
    private readonly int _maxAttributes;
    private int _disposed;

    /// <summary>Builds the logging pipeline. Nothing is sent until the first record.</summary>
    /// <param name="options">Endpoint, protocol, service name, tenant and batching.</param>
    public PredictionLogger(PredictionLoggerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Endpoint);
        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            throw new ArgumentException("ServiceName is required.", nameof(options));
        }

        var endpoint = ExportEndpoint(options.Endpoint, options.Protocol);
        var headers = HeaderString(options);

        if (options.MaxAttributesPerRecord < 16)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxAttributesPerRecord, "MaxAttributesPerRecord must be at least 16.");
        }

        if (options.MaxQueueSize < 1 || options.MaxExportBatchSize < 1 || options.MaxExportBatchSize > options.MaxQueueSize)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Batching needs 1 <= MaxExportBatchSize <= MaxQueueSize.");
        }

        var exportTimeoutMs = Milliseconds(options.ExportTimeout, nameof(options.ExportTimeout));
        var scheduledDelayMs = Milliseconds(options.ScheduledDelay, nameof(options.ScheduledDelay));
        _maxAttributes = options.MaxAttributesPerRecord;

        // The SDK reads its settings from the IConfiguration in the container (environment variables when none is
        // registered). Ours keeps the environment and raises the log record attribute limit, which defaults to 128 and
        // would otherwise silently drop the features of a wide model.
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT"] = _maxAttributes.ToString(CultureInfo.InvariantCulture),
            })
            .Build();

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Information);
            logging.AddOpenTelemetry(otel =>
            {
                otel.IncludeScopes = false;
                otel.IncludeFormattedMessage = false;
                otel.ParseStateValues = false;
                otel.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(options.ServiceName, serviceVersion: options.ServiceVersion));

                // Order matters: the timestamp processor runs before the export processor's OnEnd.
                otel.AddProcessor(new EventTimestampProcessor());
                otel.AddOtlpExporter((exporter, processor) =>
                {
                    exporter.Endpoint = endpoint;
                    exporter.Protocol = options.Protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                    exporter.Headers = headers;
                    exporter.TimeoutMilliseconds = exportTimeoutMs;
                    processor.ExportProcessorType = options.UseBatching ? ExportProcessorType.Batch : ExportProcessorType.Simple;
                    processor.BatchExportProcessorOptions.MaxQueueSize = options.MaxQueueSize;
                    processor.BatchExportProcessorOptions.MaxExportBatchSize = options.MaxExportBatchSize;
                    processor.BatchExportProcessorOptions.ScheduledDelayMilliseconds = scheduledDelayMs;
                    processor.BatchExportProcessorOptions.ExporterTimeoutMilliseconds = exportTimeoutMs;
                });
            });
        });

        _services = services.BuildServiceProvider();
        _logger = _services.GetRequiredService<ILoggerFactory>().CreateLogger(CategoryName);
        _loggerProvider = _services.GetRequiredService<LoggerProvider>();
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">No model id or prediction id, or none of score, class and value.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The score is outside [0, 1].</exception>
    /// <exception cref="ArgumentException">More attributes than <see cref="PredictionLoggerOptions.MaxAttributesPerRecord"/>.</exception>
    /// <exception cref="ObjectDisposedException">The logger was disposed.</exception>
    public void LogPrediction(Prediction prediction)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var state = ModelEventState.ForPrediction(prediction);
        if (state.Count > _maxAttributes)
        {
            throw new ArgumentException(
                $"The prediction has {state.Count} attributes, more than MaxAttributesPerRecord ({_maxAttributes}).", nameof(prediction));
        }

        _logger.Log(LogLevel.Information, PredictionEvent, state, null, Format);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">No model id or prediction id.</exception>
    /// <exception cref="ObjectDisposedException">The logger was disposed.</exception>
    public void LogLabel(string modelId, string predictionId, object label, DateTimeOffset? timestamp = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var state = ModelEventState.ForLabel(modelId, predictionId, label, timestamp);
        _logger.Log(LogLevel.Information, LabelEvent, state, null, Format);
    }

    /// <summary>
    /// Asks the OpenTelemetry batch processor to export every queued record now. Not an acknowledgement: the .NET SDK
    /// reports the flush done once the batch has been taken off the queue, which can be before the collector has
    /// answered the export request. To know that every record was delivered (shutdown, tests), <see cref="Dispose"/> the
    /// logger: it waits for the export thread to finish.
    /// </summary>
    /// <param name="timeout">How long to wait; infinite when null.</param>
    /// <returns>Whether the processor flushed in time; false after <see cref="Dispose"/>.</returns>
    public bool ForceFlush(TimeSpan? timeout = null)
        => Volatile.Read(ref _disposed) == 0 && _loggerProvider.ForceFlush(timeout is { } t ? Milliseconds(t, nameof(timeout)) : Timeout.Infinite);

    /// <summary>Flushes the queued records and shuts the pipeline down.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _services.Dispose();
        }
    }

    internal static Uri ExportEndpoint(Uri endpoint, OtlpProtocol protocol)
    {
        if (!endpoint.IsAbsoluteUri)
        {
            throw new ArgumentException("Endpoint must be an absolute URI.", nameof(endpoint));
        }

        if (protocol != OtlpProtocol.HttpProtobuf || endpoint.AbsolutePath.EndsWith("/v1/logs", StringComparison.Ordinal))
        {
            return endpoint;
        }

        var builder = new UriBuilder(endpoint);
        builder.Path = builder.Path.TrimEnd('/') + "/v1/logs";
        return builder.Uri;
    }

    private static string? HeaderString(PredictionLoggerOptions options)
    {
        var headers = new List<string>();
        if (!string.IsNullOrEmpty(options.Tenant))
        {
            headers.Add(Header(PredictionLoggerOptions.TenantHeader, options.Tenant));
        }

        foreach (var (name, value) in options.Headers)
        {
            headers.Add(Header(name, value));
        }

        return headers.Count == 0 ? null : string.Join(',', headers);
    }

    private static string Header(string name, string value)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('=', StringComparison.Ordinal) || name.Contains(',', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Invalid header name '{name}'.", nameof(name));
        }

        // The OTLP exporter percent-decodes its whole header string once, then splits it on ',' and the first '=' of each
        // entry (found by experiment against 1.20.1). So the value is percent-encoded to arrive verbatim, and a comma,
        // which would split the entry whether encoded or not, cannot be sent.
        if (value is null || value.Contains(',', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The value of header '{name}' must be set and contain no comma.", nameof(value));
        }

        return name + "=" + Uri.EscapeDataString(value);
    }

    private static int Milliseconds(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero || value.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be positive.");
        }

        return (int)Math.Ceiling(value.TotalMilliseconds);
    }
}
