using Google.Protobuf;

namespace Monitoring.Client.Tests.Support;

/// <summary>An OTLP AnyValue as decoded: which oneof case was on the wire, and its value.</summary>
internal enum AnyKind
{
    Empty,
    String,
    Bool,
    Int,
    Double,
    Other,
}

internal sealed record AnyValue(AnyKind Kind, object? Value);

internal sealed record DecodedLogRecord(
    ulong TimeUnixNano,
    ulong ObservedTimeUnixNano,
    int SeverityNumber,
    string? Body,
    string? EventName,
    uint DroppedAttributesCount,
    IReadOnlyList<KeyValuePair<string, AnyValue>> Attributes,
    IReadOnlyDictionary<string, AnyValue> Resource,
    string? ScopeName)
{
    public AnyValue this[string key] => Attributes.Single(a => a.Key == key).Value;
}

/// <summary>
/// Reads an <c>ExportLogsServiceRequest</c> with <see cref="CodedInputStream"/>, field by field, following
/// opentelemetry/proto/logs/v1/logs.proto and common/v1/common.proto; unknown fields are skipped.
/// </summary>
internal static class OtlpLogsDecoder
{
    public static List<DecodedLogRecord> Decode(byte[] request)
    {
        var records = new List<DecodedLogRecord>();
        var input = new CodedInputStream(request);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                ReadResourceLogs(input.ReadBytes(), records);
            }
            else
            {
                input.SkipLastField();
            }
        }

        return records;
    }

    private static void ReadResourceLogs(ByteString bytes, List<DecodedLogRecord> records)
    {
        var resource = new Dictionary<string, AnyValue>();
        var scopes = new List<ByteString>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    foreach (var kv in ReadResource(input.ReadBytes()))
                    {
                        resource[kv.Key] = kv.Value;
                    }

                    break;
                case 2:
                    scopes.Add(input.ReadBytes());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        foreach (var scope in scopes)
        {
            ReadScopeLogs(scope, resource, records);
        }
    }

    private static List<KeyValuePair<string, AnyValue>> ReadResource(ByteString bytes)
    {
        var attributes = new List<KeyValuePair<string, AnyValue>>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                attributes.Add(ReadKeyValue(input.ReadBytes()));
            }
            else
            {
                input.SkipLastField();
            }
        }

        return attributes;
    }

    private static void ReadScopeLogs(ByteString bytes, Dictionary<string, AnyValue> resource, List<DecodedLogRecord> records)
    {
        string? scopeName = null;
        var logRecords = new List<ByteString>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    scopeName = ReadScopeName(input.ReadBytes());
                    break;
                case 2:
                    logRecords.Add(input.ReadBytes());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        foreach (var record in logRecords)
        {
            records.Add(ReadLogRecord(record, resource, scopeName));
        }
    }

    private static string? ReadScopeName(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1)
            {
                return input.ReadString();
            }

            input.SkipLastField();
        }

        return null;
    }

    private static DecodedLogRecord ReadLogRecord(ByteString bytes, Dictionary<string, AnyValue> resource, string? scopeName)
    {
        ulong time = 0, observed = 0;
        int severity = 0;
        string? body = null, eventName = null;
        uint dropped = 0;
        var attributes = new List<KeyValuePair<string, AnyValue>>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    time = input.ReadFixed64();
                    break;
                case 11:
                    observed = input.ReadFixed64();
                    break;
                case 2:
                    severity = input.ReadEnum();
                    break;
                case 5:
                    body = ReadAnyValue(input.ReadBytes()).Value as string;
                    break;
                case 6:
                    attributes.Add(ReadKeyValue(input.ReadBytes()));
                    break;
                case 7:
                    dropped = input.ReadUInt32();
                    break;
                case 12:
                    eventName = input.ReadString();
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new DecodedLogRecord(time, observed, severity, body, eventName, dropped, attributes, resource, scopeName);
    }

    private static KeyValuePair<string, AnyValue> ReadKeyValue(ByteString bytes)
    {
        var key = string.Empty;
        var value = new AnyValue(AnyKind.Empty, null);
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    key = input.ReadString();
                    break;
                case 2:
                    value = ReadAnyValue(input.ReadBytes());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return new KeyValuePair<string, AnyValue>(key, value);
    }

    private static AnyValue ReadAnyValue(ByteString bytes)
    {
        var value = new AnyValue(AnyKind.Empty, null);
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1:
                    value = new AnyValue(AnyKind.String, input.ReadString());
                    break;
                case 2:
                    value = new AnyValue(AnyKind.Bool, input.ReadBool());
                    break;
                case 3:
                    value = new AnyValue(AnyKind.Int, input.ReadInt64());
                    break;
                case 4:
                    value = new AnyValue(AnyKind.Double, input.ReadDouble());
                    break;
                default:
                    input.SkipLastField();
                    value = new AnyValue(AnyKind.Other, null);
                    break;
            }
        }

        return value;
    }
}
