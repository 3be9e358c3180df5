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
    private GrpcExportRequest(ExportLogsServiceRequest? message, string? error)
    {
        Message = message;
        Error = error;
    }

    /// <summary>The decoded request, or null when <see cref="Error"/> is set.</summary>
    public ExportLogsServiceRequest? Message { get; }

    /// <summary>Why the payload is not a request, or null.</summary>
    public string? Error { get; }

    /// <summary>A decoded request.</summary>
    public static GrpcExportRequest Decoded(ExportLogsServiceRequest message) => new(message, null);

    /// <summary>An undecodable payload.</summary>
    public static GrpcExportRequest Invalid(string error) => new(null, error);
}

/// <summary>
/// OTLP/gRPC <c>opentelemetry.proto.collector.logs.v1.LogsService/Export</c>. Malformed payloads get INVALID_ARGUMENT,
/// oversize messages RESOURCE_EXHAUSTED (enforced by the gRPC server), overload and sink failures UNAVAILABLE with a
/// <c>google.rpc.RetryInfo</c> in <c>grpc-status-details-bin</c>.
/// </summary>
internal sealed class OtlpLogsGrpcService(
    OtlpLogsIngestor ingestor,
    OtlpConcurrencyLimiter limiter,
    IOptionsMonitor<OtlpReceiverOptions> options,
    ILogger<OtlpLogsGrpcService> logger)
{
    /// <summary>Handles one export call.</summary>
    public async Task<ExportLogsServiceResponse> ExportAsync(GrpcExportRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var current = options.CurrentValue;
        if (!limiter.TryEnter())
        {
            IngestLog.ReceiverOverloaded(logger, OtlpTransport.Grpc, current.MaxConcurrentRequests);
            IngestMetrics.Refused(OtlpTransport.Grpc, "overloaded");
            throw Unavailable("receiver overloaded: too many concurrent export requests; retry later", TimeSpan.FromSeconds(current.RetryAfterSeconds));
        }

        try
        {
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
                    IngestLog.BadRequest(logger, OtlpTransport.Grpc);
                    IngestMetrics.Refused(OtlpTransport.Grpc, "bad_request");
                    throw new RpcException(new GrpcStatus(StatusCode.InvalidArgument, ex.Message));
                case OtlpFailure.PayloadTooLarge:
                    IngestLog.PayloadTooLarge(logger, OtlpTransport.Grpc, current.MaxGrpcMessageBytes);
                    IngestMetrics.Refused(OtlpTransport.Grpc, "too_large");
                    throw new RpcException(new GrpcStatus(StatusCode.ResourceExhausted, ex.Message));
                default:
                    IngestMetrics.Refused(OtlpTransport.Grpc, "unavailable");
                    throw Unavailable(ex.Message, ex.RetryAfter ?? TimeSpan.FromSeconds(current.RetryAfterSeconds));
            }
        }
        finally
        {
            limiter.Exit();
        }
    }

    /// <summary>UNAVAILABLE with a RetryInfo detail, as the OTLP throttling rules describe.</summary>
    internal static RpcException Unavailable(string message, TimeSpan retryAfter)
    {
        var status = new RpcStatus { Code = (int)StatusCode.Unavailable, Message = message };
        status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter) }));
        var trailers = new Metadata { { GrpcStatusDetailsKey, status.ToByteArray() } };
        return new RpcException(new GrpcStatus(StatusCode.Unavailable, message), trailers);
    }

    /// <summary>Trailer carrying a serialized <c>google.rpc.Status</c> with details.</summary>
    internal const string GrpcStatusDetailsKey = "grpc-status-details-bin";
}
