using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Monitoring.Silo.Tests.Resilience;

/// <summary>
/// One OTLP/gRPC <c>LogsService/Export</c> call with a hand-encoded request (the OTLP message types are internal to the
/// receiver), so a test can read the call's status and its <c>google.rpc.RetryInfo</c> detail.
/// </summary>
public static class RawOtlpGrpc
{
    private static readonly Method<byte[], byte[]> Export = new(
        MethodType.Unary, "opentelemetry.proto.collector.logs.v1.LogsService", "Export",
        Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

    /// <summary>Sends one prediction; returns OK, or the failure's status code and its RetryInfo delay (null when absent).</summary>
    public static async Task<(StatusCode Status, TimeSpan? RetryDelay)> ExportPredictionAsync(Uri endpoint, string model, string predictionId)
    {
        using var channel = GrpcChannel.ForAddress(endpoint);
        try
        {
            await channel.CreateCallInvoker().AsyncUnaryCall(Export, null, new CallOptions(deadline: DateTime.UtcNow.AddMinutes(1)), Request(model, predictionId));
            return (StatusCode.OK, null);
        }
        catch (RpcException e)
        {
            return (e.StatusCode, RetryDelay(e.Trailers.GetValueBytes("grpc-status-details-bin")));
        }
    }

    /// <summary>ExportLogsServiceRequest { resource_logs { scope_logs { log_records { time_unix_nano, attributes } } } }.</summary>
    private static byte[] Request(string model, string predictionId)
    {
        var record = Message(w =>
        {
            w.WriteTag(1, WireFormat.WireType.Fixed64);
            w.WriteFixed64((ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000);
            WriteAttribute(w, "ml.event", "prediction");
            WriteAttribute(w, "ml.model.id", model);
            WriteAttribute(w, "ml.prediction.id", predictionId);
            w.WriteTag(6, WireFormat.WireType.LengthDelimited);
            w.WriteBytes(Message(kv =>
            {
                kv.WriteTag(1, WireFormat.WireType.LengthDelimited);
                kv.WriteString("ml.prediction.score");
                kv.WriteTag(2, WireFormat.WireType.LengthDelimited);
                kv.WriteBytes(Message(v =>
                {
                    v.WriteTag(4, WireFormat.WireType.Fixed64);
                    v.WriteDouble(0.25);
                }));
            }));
        });
        var scopeLogs = Message(w => Field(w, 2, record));
        var resourceLogs = Message(w => Field(w, 2, scopeLogs));
        return Message(w => Field(w, 1, resourceLogs)).ToByteArray();
    }

    private static void WriteAttribute(CodedOutputStream w, string key, string value) =>
        Field(w, 6, Message(kv =>
        {
            kv.WriteTag(1, WireFormat.WireType.LengthDelimited);
            kv.WriteString(key);
            Field(kv, 2, Message(v =>
            {
                v.WriteTag(1, WireFormat.WireType.LengthDelimited);
                v.WriteString(value);
            }));
        }));

    private static void Field(CodedOutputStream w, int number, ByteString message)
    {
        w.WriteTag(number, WireFormat.WireType.LengthDelimited);
        w.WriteBytes(message);
    }

    private static ByteString Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return ByteString.CopyFrom(buffer.ToArray());
    }

    /// <summary>The RetryInfo delay in a serialized google.rpc.Status (details field 3, Any.value field 2, RetryInfo.retry_delay field 1).</summary>
    private static TimeSpan? RetryDelay(byte[]? statusBytes)
    {
        if (statusBytes is null)
        {
            return null;
        }

        foreach (var any in Fields(statusBytes, 3))
        {
            foreach (var value in Fields(any, 2))
            {
                foreach (var duration in Fields(value, 1))
                {
                    var input = new CodedInputStream(duration);
                    long seconds = 0;
                    int nanos = 0;
                    uint tag;
                    while ((tag = input.ReadTag()) != 0)
                    {
                        switch (WireFormat.GetTagFieldNumber(tag))
                        {
                            case 1: seconds = input.ReadInt64(); break;
                            case 2: nanos = input.ReadInt32(); break;
                            default: input.SkipLastField(); break;
                        }
                    }

                    return TimeSpan.FromSeconds(seconds) + TimeSpan.FromTicks(nanos / 100);
                }
            }
        }

        return null;
    }

    private static IEnumerable<byte[]> Fields(byte[] message, int number)
    {
        var input = new CodedInputStream(message);
        var found = new List<byte[]>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }
}
