using System.Buffers;
using Google.Protobuf;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Monitoring.Ingest.Otlp;
using Monitoring.Ingest.Proto.Collector;

namespace Monitoring.Ingest.Grpc;

/// <summary>
/// Binds <c>LogsService/Export</c> by hand instead of through generated server stubs: the request marshaller parses
/// with the configured nesting limit and reports a malformed payload to the handler (INVALID_ARGUMENT) rather than
/// throwing, which the gRPC server would answer with UNKNOWN.
/// </summary>
internal sealed class OtlpLogsMethodProvider(IOptionsMonitor<OtlpReceiverOptions> options, OtlpBufferBudget budget) : IServiceMethodProvider<OtlpLogsGrpcService>
{
    /// <summary>Full name of the OTLP logs service.</summary>
    public const string ServiceName = "opentelemetry.proto.collector.logs.v1.LogsService";

    /// <summary>Name of the export method.</summary>
    public const string MethodName = "Export";

    /// <inheritdoc />
    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<OtlpLogsGrpcService> context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requestMarshaller = Marshallers.Create(
            static (GrpcExportRequest request, SerializationContext serialization) =>
            {
                var bytes = (request.Message ?? new ExportLogsServiceRequest()).ToByteArray();
                serialization.Complete(bytes);
            },
            Deserialize);
        var responseMarshaller = Marshallers.Create(
            static (ExportLogsServiceResponse response, SerializationContext serialization) => serialization.Complete(response.ToByteArray()),
            static deserialization => ExportLogsServiceResponse.Parser.ParseFrom(deserialization.PayloadAsReadOnlySequence()));
        var method = new Method<GrpcExportRequest, ExportLogsServiceResponse>(MethodType.Unary, ServiceName, MethodName, requestMarshaller, responseMarshaller);
        context.AddUnaryMethod(method, [], static (service, request, callContext) => service.ExportAsync(request, callContext));
    }

    private GrpcExportRequest Deserialize(DeserializationContext deserialization)
    {
        // Reserve the decoded size before copying or decoding (the handler gives it back when it answers).
        var reserved = Math.Max(1, OtlpBufferBudget.EstimateDecodedBytes(deserialization.PayloadLength));
        if (!budget.TryReserve(reserved))
        {
            return GrpcExportRequest.Refused();
        }

        try
        {
            // The server has already enforced the message size limit, so this copy is bounded.
            var bytes = deserialization.PayloadAsReadOnlySequence().ToArray();
            return GrpcExportRequest.Decoded(OtlpProtobufDecoder.Decode(bytes, bytes.Length, options.CurrentValue.MaxAnyValueDepth), reserved);
        }
        catch (OtlpRequestException ex)
        {
            budget.Release(reserved);
            return GrpcExportRequest.Invalid(ex.Message);
        }
        catch
        {
            budget.Release(reserved);
            throw;
        }
    }
}
