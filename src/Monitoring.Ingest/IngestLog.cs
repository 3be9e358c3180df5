using Microsoft.Extensions.Logging;

namespace Monitoring.Ingest;

/// <summary>Log messages of the OTLP receivers (ids 1100-1199). Only counts, limits, transports and model keys: never payload contents.</summary>
internal static partial class IngestLog
{
    [LoggerMessage(EventId = 1100, EventName = "ExportAccepted", Level = LogLevel.Debug,
        Message = "OTLP {Transport} export: {Accepted} records accepted for {Models} models, {Rejected} rejected")]
    public static partial void ExportAccepted(ILogger logger, string transport, int accepted, int models, int rejected);

    [LoggerMessage(EventId = 1101, EventName = "RecordsRejected", Level = LogLevel.Information,
        Message = "OTLP {Transport} export: {Rejected} of {Total} records broke the conventions (partial success); {EarlierRequests} more such requests ({EarlierRecords} records) since this line was last written (at most once a minute)")]
    public static partial void RecordsRejected(ILogger logger, string transport, int rejected, int total, long earlierRequests, long earlierRecords);

    [LoggerMessage(EventId = 1102, EventName = "BadRequest", Level = LogLevel.Information,
        Message = "OTLP {Transport} export refused as malformed; {EarlierRequests} more since this line was last written (at most once a minute)")]
    public static partial void BadRequest(ILogger logger, string transport, long earlierRequests);

    [LoggerMessage(EventId = 1103, EventName = "PayloadTooLarge", Level = LogLevel.Warning,
        Message = "OTLP {Transport} export refused: payload over {LimitBytes} bytes; {EarlierRequests} more since this line was last written (at most once a minute)")]
    public static partial void PayloadTooLarge(ILogger logger, string transport, long limitBytes, long earlierRequests);

    [LoggerMessage(EventId = 1104, EventName = "ReceiverOverloaded", Level = LogLevel.Warning,
        Message = "OTLP {Transport} export refused: {Limit} requests already in flight; {EarlierRequests} more refused so since this line was last written (at most once a minute)")]
    public static partial void ReceiverOverloaded(ILogger logger, string transport, int limit, long earlierRequests);

    [LoggerMessage(EventId = 1105, EventName = "SinkOverloaded", Level = LogLevel.Warning,
        Message = "Event sink overloaded for model {Model}; asking the client to retry after {RetryAfterSeconds} s")]
    public static partial void SinkOverloaded(ILogger logger, string model, double retryAfterSeconds);

    [LoggerMessage(EventId = 1106, EventName = "SinkFailed", Level = LogLevel.Error,
        Message = "Event sink failed for model {Model}; the export is answered as unavailable (retryable)")]
    public static partial void SinkFailed(ILogger logger, Exception exception, string model);

    [LoggerMessage(EventId = 1107, EventName = "UnsupportedMediaType", Level = LogLevel.Debug,
        Message = "OTLP/HTTP export refused: unsupported content type or encoding")]
    public static partial void UnsupportedMediaType(ILogger logger);

    [LoggerMessage(EventId = 1108, EventName = "MethodNotAllowed", Level = LogLevel.Debug,
        Message = "OTLP/HTTP request refused: method {Method} not allowed")]
    public static partial void MethodNotAllowed(ILogger logger, string method);

    [LoggerMessage(EventId = 1109, EventName = "UnexpectedFailure", Level = LogLevel.Error,
        Message = "OTLP {Transport} export failed unexpectedly (answered 500)")]
    public static partial void UnexpectedFailure(ILogger logger, Exception exception, string transport);

    [LoggerMessage(EventId = 1110, EventName = "BufferFull", Level = LogLevel.Warning,
        Message = "OTLP {Transport} export refused: buffered records would exceed {LimitBytes} bytes (Monitoring:Otlp:MaxBufferedBytes); {EarlierRequests} more refused so since this line was last written (at most once a minute)")]
    public static partial void BufferFull(ILogger logger, string transport, long limitBytes, long earlierRequests);

    [LoggerMessage(EventId = 1111, EventName = "ShuttingDown", Level = LogLevel.Information,
        Message = "OTLP {Transport} export refused: the silo is shutting down")]
    public static partial void ShuttingDown(ILogger logger, string transport);
}
