using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using GrpcStatus = Grpc.Core.Status;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Abstractions.Conventions;
using Monitoring.Ingest.Conventions;
using Monitoring.Ingest.Otlp;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Rpc;
using Monitoring.Ingest.Telemetry;
using RpcStatus = Monitoring.Ingest.Proto.Rpc.Status;

namespace Monitoring.Ingest.Grpc;

/// <summary>
/// A request as the gRPC marshaller hands it over: the decoded message, or why it could not be decoded (the marshaller
/// must not throw, or the call would end as UNKNOWN instead of INVALID_ARGUMENT).
/// </summary>
internal sealed class GrpcExportRequest
{
    private GrpcExportRequest(ExportLogsServiceRequest? message, string? error, long reservedBytes, bool overBudget)
    {
        Message = message;
        Error = error;
        ReservedBytes = reservedBytes;
        OverBudget = overBudget;
    }

    /// <summary>The decoded request, or null when <see cref="Error"/> is set or the request was <see cref="OverBudget"/>.</summary>
    public ExportLogsServiceRequest? Message { get; }

    /// <summary>Why the payload is not a request, or null.</summary>
    public string? Error { get; }

    /// <summary>Bytes reserved in the <see cref="OtlpBufferBudget"/> for this request; the handler gives them back.</summary>
    public long ReservedBytes { get; }

    /// <summary>The payload was not decoded: it would have taken the buffered records over the cap.</summary>
    public bool OverBudget { get; }

    /// <summary>A decoded request holding <paramref name="reservedBytes"/> of the budget.</summary>
    public static GrpcExportRequest Decoded(ExportLogsServiceRequest message, long reservedBytes = 0) => new(message, null, reservedBytes, false);

    /// <summary>An undecodable payload.</summary>
    public static GrpcExportRequest Invalid(string error) => new(null, error, 0, false);

    /// <summary>A payload left undecoded because the buffered-memory cap is reached.</summary>
    public static GrpcExportRequest Refused() => new(null, null, 0, true);
}

/// <summary>
/// OTLP/gRPC <c>opentelemetry.proto.collector.logs.v1.LogsService/Export</c>. Malformed payloads get INVALID_ARGUMENT,
/// oversize messages RESOURCE_EXHAUSTED (enforced by the gRPC server; not retryable), the buffered-memory cap
/// RESOURCE_EXHAUSTED with a <c>google.rpc.RetryInfo</c> (retryable), concurrency overload, shutdown and sink failures
/// UNAVAILABLE with a RetryInfo in <c>grpc-status-details-bin</c>.
/// </summary>
internal sealed class OtlpLogsGrpcService(
    OtlpLogsIngestor ingestor,
    OtlpConcurrencyLimiter limiter,
    OtlpBufferBudget budget,
    IOptionsMonitor<OtlpReceiverOptions> options,
    IngestLogThrottle logThrottle,
    ILogger<OtlpLogsGrpcService> logger)
{
    /// <summary>Handles one export call.</summary>
    public async Task<ExportLogsServiceResponse> ExportAsync(GrpcExportRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var current = options.CurrentValue;
        var entered = false;
        try
        {
            if (limiter.Draining)
            {
                IngestLog.ShuttingDown(logger, OtlpTransport.Grpc);
                IngestMetrics.Refused(OtlpTransport.Grpc, "unavailable");
                IngestMetrics.RefusedRetryable(OtlpTransport.Grpc, "shutting_down");
                throw Unavailable("receiver shutting down; retry later", TimeSpan.FromSeconds(current.RetryAfterSeconds));
            }

            if (!limiter.TryEnter())
            {
                logThrottle.ReceiverOverloaded(logger, OtlpTransport.Grpc, current.MaxConcurrentRequests);
                IngestMetrics.Refused(OtlpTransport.Grpc, "overloaded");
                IngestMetrics.RefusedRetryable(OtlpTransport.Grpc, "concurrency");
                throw Unavailable("receiver overloaded: too many concurrent export requests; retry later", TimeSpan.FromSeconds(current.RetryAfterSeconds));
            }

            entered = true;
            if (request.OverBudget)
            {
                logThrottle.BufferFull(logger, OtlpTransport.Grpc, current.MaxBufferedBytes);
                IngestMetrics.Refused(OtlpTransport.Grpc, "overloaded");
                IngestMetrics.RefusedRetryable(OtlpTransport.Grpc, "memory");
                throw WithRetryInfo(StatusCode.ResourceExhausted,
                    "receiver overloaded: buffered records would exceed Monitoring:Otlp:MaxBufferedBytes; retry later",
                    TimeSpan.FromSeconds(current.RetryAfterSeconds));
            }

            if (request.Error is not null)
            {
                throw new OtlpRequestException(OtlpFailure.BadRequest, request.Error);
            }

            var tenant = context.RequestHeaders.Get(OtlpConventions.TenantHeader) is { IsBinary: false } entry ? entry.Value : null;
            return await ingestor.ExportAsync(request.Message!, tenant, OtlpTransport.Grpc, context.CancellationToken).ConfigureAwait(false);
        }
        catch (OtlpRequestException ex)
        {
            switch (ex.Failure)
            {
                case OtlpFailure.BadRequest:
                    logThrottle.BadRequest(logger, OtlpTransport.Grpc);
                    IngestMetrics.Refused(OtlpTransport.Grpc, "bad_request");
                    throw new RpcException(new GrpcStatus(StatusCode.InvalidArgument, ex.Message));
                case OtlpFailure.PayloadTooLarge:
                    logThrottle.PayloadTooLarge(logger, OtlpTransport.Grpc, current.MaxGrpcMessageBytes);
                    IngestMetrics.Refused(OtlpTransport.Grpc, "too_large");
                    throw new RpcException(new GrpcStatus(StatusCode.ResourceExhausted, ex.Message));
                default:
                    IngestMetrics.Refused(OtlpTransport.Grpc, "unavailable");
                    IngestMetrics.RefusedRetryable(OtlpTransport.Grpc, ex.Reason ?? "store_unavailable");
                    throw Unavailable(ex.Message, ex.RetryAfter ?? TimeSpan.FromSeconds(current.RetryAfterSeconds));
            }
        }
        finally
        {
            budget.Release(request.ReservedBytes);
            if (entered)
            {
                limiter.Exit();
            }
        }
    }

    /// <summary>UNAVAILABLE with a RetryInfo detail, as the OTLP throttling rules describe.</summary>
    internal static RpcException Unavailable(string message, TimeSpan retryAfter) => WithRetryInfo(StatusCode.Unavailable, message, retryAfter);

    /// <summary>A status with a RetryInfo detail (RESOURCE_EXHAUSTED is retryable in OTLP only with one).</summary>
    internal static RpcException WithRetryInfo(StatusCode code, string message, TimeSpan retryAfter)
    {
        var status = new RpcStatus { Code = (int)code, Message = message };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter) }));
        var trailers = new Metadata { { GrpcStatusDetailsKey, status.ToByteArray() } };
        return new RpcException(new GrpcStatus(code, message), trailers);
    }

    /// <summary>Trailer carrying a serialized <c>google.rpc.Status</c> with details.</summary>
    internal const string GrpcStatusDetailsKey = "grpc-status-details-bin";
}
