using Google.Protobuf;
using Monitoring.Ingest.Proto.Collector;

namespace Monitoring.Ingest.Otlp;

/// <summary>Parses binary protobuf export requests with a bounded message nesting depth.</summary>
internal static class OtlpProtobufDecoder
{
    /// <summary>Parses <paramref name="length"/> bytes of <paramref name="buffer"/>; throws a 400-kind <see cref="OtlpRequestException"/> when they are not a request.</summary>
    public static ExportLogsServiceRequest Decode(byte[] buffer, int length, int maxAnyValueDepth)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        using var stream = new MemoryStream(buffer, 0, length, writable: false);

        // The stream bounds the size; the size limit argument must be positive even for an empty body.
        using var input = CodedInputStream.CreateWithLimits(stream, int.MaxValue, AnyValueDepth.ProtobufRecursionLimit(maxAnyValueDepth));
        try
        {
            return ExportLogsServiceRequest.Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new OtlpRequestException(OtlpFailure.BadRequest, Describe(ex, maxAnyValueDepth), inner: ex);
        }
    }

    private static string Describe(InvalidProtocolBufferException ex, int maxAnyValueDepth) =>
        ex.Message.Contains("nesting", StringComparison.OrdinalIgnoreCase)
            ? $"invalid protobuf ExportLogsServiceRequest: message nesting too deep (attribute values are limited to {maxAnyValueDepth} levels)"
            : $"invalid protobuf ExportLogsServiceRequest: {ex.Message}";
}
