using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Common;
using Monitoring.Ingest.Proto.Logs;
using Monitoring.Ingest.Proto.Resource;

namespace Monitoring.Ingest.Otlp;

/// <summary>
/// Decodes an OTLP/JSON <c>ExportLogsServiceRequest</c>: the protobuf JSON mapping with the OTLP deviations: keys are
/// lowerCamelCase field names (other keys, including the original snake_case names, are unknown and ignored),
/// <c>traceId</c>/<c>spanId</c> are hex strings, enums are integers, 64-bit integers are decimal strings or numbers,
/// doubles are numbers or "NaN"/"Infinity"/"-Infinity", bytes are base64, and <c>null</c> means the default.
/// Any other shape is a 400 naming the JSON path of the offending field.
/// </summary>
internal static class OtlpJsonDecoder
{
    /// <summary>Decodes UTF-8 JSON; throws a 400-kind <see cref="OtlpRequestException"/> when it is not a request.</summary>
    public static ExportLogsServiceRequest Decode(ReadOnlyMemory<byte> utf8Json, int maxAnyValueDepth)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions
            {
                MaxDepth = AnyValueDepth.JsonMaxDepth(maxAnyValueDepth),
                AllowTrailingCommas = false,
                CommentHandling = JsonCommentHandling.Disallow,
            });
        }
        catch (JsonException ex)
        {
            var reason = ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
                ? $"JSON nesting too deep (attribute values are limited to {maxAnyValueDepth} levels)"
                : ex.Message;
            throw new OtlpRequestException(OtlpFailure.BadRequest, $"invalid JSON ExportLogsServiceRequest: {reason}", inner: ex);
        }

        using (document)
        {
            var reader = new Reader();
            return reader.ReadRequest(document.RootElement);
        }
    }

    /// <summary>Walks the document keeping the current JSON path for error messages.</summary>
    private sealed class Reader
    {
        private readonly List<string> _path = [];

        public ExportLogsServiceRequest ReadRequest(JsonElement element)
        {
            var request = new ExportLogsServiceRequest();
            foreach (var property in Object(element))
            {
                if (property.NameEquals("resourceLogs"))
                {
                    ReadArray(property, request.ResourceLogs, ReadResourceLogs);
                }
            }

            return request;
        }

        private ResourceLogs ReadResourceLogs(JsonElement element)
        {
            var result = new ResourceLogs();
            foreach (var property in Object(element))
            {
                if (property.NameEquals("resource"))
                {
                    result.Resource = ReadMessage(property, ReadResource);
                }
                else if (property.NameEquals("scopeLogs"))
                {
                    ReadArray(property, result.ScopeLogs, ReadScopeLogs);
                }
                else if (property.NameEquals("schemaUrl"))
                {
                    result.SchemaUrl = ReadString(property);
                }
            }

            return result;
        }

        private Resource ReadResource(JsonElement element)
        {
            var result = new Resource();
            foreach (var property in Object(element))
            {
                if (property.NameEquals("attributes"))
                {
                    ReadArray(property, result.Attributes, ReadKeyValue);
                }
                else if (property.NameEquals("droppedAttributesCount"))
                {
                    result.DroppedAttributesCount = ReadUInt32(property);
                }
            }

            return result;
        }

        private ScopeLogs ReadScopeLogs(JsonElement element)
        {
            var result = new ScopeLogs();
            foreach (var property in Object(element))
            {
                if (property.NameEquals("scope"))
                {
                    result.Scope = ReadMessage(property, ReadScope);
                }
                else if (property.NameEquals("logRecords"))
                {
                    ReadArray(property, result.LogRecords, ReadLogRecord);
                }
                else if (property.NameEquals("schemaUrl"))
                {
                    result.SchemaUrl = ReadString(property);
                }
            }

            return result;
        }

        private InstrumentationScope ReadScope(JsonElement element)
        {
            var result = new InstrumentationScope();
            foreach (var property in Object(element))
            {
                if (property.NameEquals("name"))
                {
                    result.Name = ReadString(property);
                }
                else if (property.NameEquals("version"))
                {
                    result.Version = ReadString(property);
                }
                else if (property.NameEquals("attributes"))
                {
                    ReadArray(property, result.Attributes, ReadKeyValue);
                }
                else if (property.NameEquals("droppedAttributesCount"))
                {
                    result.DroppedAttributesCount = ReadUInt32(property);
                }
            }

            return result;
        }

        private LogRecord ReadLogRecord(JsonElement element)
        {
            var result = new LogRecord();
            foreach (var property in Object(element))
            {
                switch (Name(property))
                {
                    case "timeUnixNano":
                        result.TimeUnixNano = ReadUInt64(property);
                        break;
                    case "observedTimeUnixNano":
                        result.ObservedTimeUnixNano = ReadUInt64(property);
                        break;
                    case "severityNumber":
                        result.SeverityNumber = (SeverityNumber)ReadEnum(property);
                        break;
                    case "severityText":
                        result.SeverityText = ReadString(property);
                        break;
                    case "body":
                        result.Body = ReadMessage(property, ReadAnyValue);
                        break;
                    case "attributes":
                        ReadArray(property, result.Attributes, ReadKeyValue);
                        break;
                    case "droppedAttributesCount":
                        result.DroppedAttributesCount = ReadUInt32(property);
                        break;
                    case "flags":
                        result.Flags = ReadUInt32(property);
                        break;
                    case "traceId":
                        result.TraceId = ReadHex(property);
                        break;
                    case "spanId":
                        result.SpanId = ReadHex(property);
                        break;
                    case "eventName":
                        result.EventName = ReadString(property);
                        break;
                    default:
                        break;
                }
            }

            return result;
        }

        private KeyValue ReadKeyValue(JsonElement element)
        {
            var result = new KeyValue();
            foreach (var property in Object(element))
            {
                if (property.NameEquals("key"))
                {
                    result.Key = ReadString(property);
                }
                else if (property.NameEquals("value"))
                {
                    result.Value = ReadMessage(property, ReadAnyValue);
                }
            }

            return result;
        }

        private AnyValue ReadAnyValue(JsonElement element)
        {
            var result = new AnyValue();
            foreach (var property in Object(element))
            {
                if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                var isValue = true;
                var before = result.ValueCase;
                switch (Name(property))
                {
                    case "stringValue":
                        result.StringValue = ReadString(property);
                        break;
                    case "boolValue":
                        result.BoolValue = ReadBool(property);
                        break;
                    case "intValue":
                        result.IntValue = ReadInt64(property);
                        break;
                    case "doubleValue":
                        result.DoubleValue = ReadDouble(property);
                        break;
                    case "arrayValue":
                        result.ArrayValue = ReadMessage(property, ReadArrayValue);
                        break;
                    case "kvlistValue":
                        result.KvlistValue = ReadMessage(property, ReadKeyValueList);
                        break;
                    case "bytesValue":
                        result.BytesValue = ReadBase64(property);
                        break;
                    default:
                        isValue = false;
                        break;
                }

                if (isValue && before != AnyValue.ValueOneofCase.None)
                {
                    throw Error(property, "more than one value set in one AnyValue");
                }
            }

            return result;
        }

        private ArrayValue ReadArrayValue(JsonElement element)
        {
            var result = new ArrayValue();
            foreach (var property in Object(element))
            {
                if (property.NameEquals("values"))
                {
                    ReadArray(property, result.Values, ReadAnyValue);
                }
            }

            return result;
        }

        private KeyValueList ReadKeyValueList(JsonElement element)
        {
            var result = new KeyValueList();
            foreach (var property in Object(element))
            {
                if (property.NameEquals("values"))
                {
                    ReadArray(property, result.Values, ReadKeyValue);
                }
            }

            return result;
        }

        private JsonElement.ObjectEnumerator Object(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Error(null, $"expected an object, got {Kind(element)}");
            }

            return element.EnumerateObject();
        }

        private T? ReadMessage<T>(JsonProperty property, Func<JsonElement, T> read)
            where T : class
        {
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            _path.Add("." + property.Name);
            var result = read(property.Value);
            _path.RemoveAt(_path.Count - 1);
            return result;
        }

        private void ReadArray<T>(JsonProperty property, Google.Protobuf.Collections.RepeatedField<T> target, Func<JsonElement, T> read)
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
            {
                return;
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                throw Error(property, $"expected an array, got {Kind(value)}");
            }

            var index = 0;
            foreach (var item in value.EnumerateArray())
            {
                _path.Add(string.Create(CultureInfo.InvariantCulture, $".{property.Name}[{index}]"));
                if (item.ValueKind == JsonValueKind.Null)
                {
                    throw Error(null, "null array element");
                }

                target.Add(read(item));
                _path.RemoveAt(_path.Count - 1);
                index++;
            }
        }

        private string ReadString(JsonProperty property) => property.Value.ValueKind switch
        {
            JsonValueKind.String => Text(property),
            JsonValueKind.Null => string.Empty,
            _ => throw Error(property, $"expected a string, got {Kind(property.Value)}"),
        };

        private bool ReadBool(JsonProperty property) => property.Value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw Error(property, $"expected true or false, got {Kind(property.Value)}"),
        };

        private ulong ReadUInt64(JsonProperty property)
        {
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    return 0;
                case JsonValueKind.Number when value.TryGetUInt64(out var number):
                    return number;
                case JsonValueKind.String when ulong.TryParse(Text(property), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed):
                    return parsed;
                default:
                    throw Error(property, "expected an unsigned 64-bit integer (number or decimal string)");
            }
        }

        private long ReadInt64(JsonProperty property)
        {
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    return 0;
                case JsonValueKind.Number when value.TryGetInt64(out var number):
                    return number;
                case JsonValueKind.String when long.TryParse(Text(property), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed):
                    return parsed;
                default:
                    throw Error(property, "expected a 64-bit integer (number or decimal string)");
            }
        }

        private uint ReadUInt32(JsonProperty property)
        {
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    return 0;
                case JsonValueKind.Number when value.TryGetUInt32(out var number):
                    return number;
                case JsonValueKind.String when uint.TryParse(Text(property), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed):
                    return parsed;
                default:
                    throw Error(property, "expected an unsigned 32-bit integer");
            }
        }

        private int ReadEnum(JsonProperty property)
        {
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Null:
                    return 0;
                case JsonValueKind.Number when value.TryGetInt32(out var number):
                    return number;
                default:
                    throw Error(property, "expected an integer (OTLP/JSON encodes enums as integers)");
            }
        }

        private double ReadDouble(JsonProperty property)
        {
            var value = property.Value;
            switch (value.ValueKind)
            {
                case JsonValueKind.Number when value.TryGetDouble(out var number) && double.IsFinite(number):
                    return number;
                case JsonValueKind.String:
                    var text = Text(property);
                    switch (text)
                    {
                        case "NaN":
                            return double.NaN;
                        case "Infinity":
                            return double.PositiveInfinity;
                        case "-Infinity":
                            return double.NegativeInfinity;
                        default:
                            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed))
                            {
                                return parsed;
                            }

                            break;
                    }

                    break;
                default:
                    break;
            }

            throw Error(property, "expected a number (or \"NaN\", \"Infinity\", \"-Infinity\")");
        }

        private ByteString ReadHex(JsonProperty property)
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.Null)
            {
                return ByteString.Empty;
            }

            if (value.ValueKind == JsonValueKind.String)
            {
                var text = Text(property);
                if (text.Length % 2 == 0)
                {
                    try
                    {
                        return ByteString.CopyFrom(Convert.FromHexString(text));
                    }
                    catch (FormatException)
                    {
                        // fall through to the error below
                    }
                }
            }

            throw Error(property, "expected a hex string");
        }

        private ByteString ReadBase64(JsonProperty property)
        {
            var value = property.Value;
            if (value.ValueKind == JsonValueKind.String)
            {
                // Protobuf JSON accepts standard and URL-safe base64, with or without padding.
                var text = Text(property).Replace('-', '+').Replace('_', '/');
                var padded = text.Length % 4 == 0 ? text : text.PadRight(text.Length + (4 - (text.Length % 4)), '=');
                try
                {
                    return ByteString.CopyFrom(Convert.FromBase64String(padded));
                }
                catch (FormatException)
                {
                    // fall through to the error below
                }
            }

            throw Error(property, "expected a base64 string");
        }

        /// <summary>
        /// A string value as UTF-16. <see cref="JsonDocument"/> checks the structure but transcodes strings only when read,
        /// so invalid UTF-8 (or an escaped unpaired surrogate) surfaces here, as a 400 naming the field.
        /// </summary>
        private string Text(JsonProperty property)
        {
            try
            {
                return property.Value.GetString()!;
            }
            catch (InvalidOperationException ex)
            {
                throw Error(property, ex.InnerException is DecoderFallbackException ? "invalid UTF-8" : "invalid string (unpaired surrogate escape)");
            }
        }

        /// <summary>A property's name (for the fields matched by name), or a 400 when it is not valid text.</summary>
        private string Name(JsonProperty property) =>
            TryName(property) ?? throw Error(null, "invalid UTF-8 in a property name");

        private static string? TryName(JsonProperty property)
        {
            try
            {
                return property.Name;
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }

        private OtlpRequestException Error(JsonProperty? property, string reason)
        {
            var path = new StringBuilder("$");
            foreach (var segment in _path)
            {
                path.Append(segment);
            }

            if (property is { } p)
            {
                var name = TryName(p) ?? "(invalid UTF-8)";
                path.Append('.').Append(name.Length <= 64 ? name : name[..64] + "...");
            }

            return OtlpRequestException.BadRequest($"invalid JSON ExportLogsServiceRequest at {path}: {reason}");
        }

        private static string Kind(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Null => "null",
            _ => "nothing",
        };
    }
}
