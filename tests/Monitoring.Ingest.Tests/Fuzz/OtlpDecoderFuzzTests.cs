using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using Google.Protobuf;
using Monitoring.Ingest.Conventions;
using Monitoring.Ingest.Otlp;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Common;
using Monitoring.Ingest.Proto.Logs;
using Monitoring.Ingest.Proto.Resource;
using Monitoring.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Ingest.Tests.Fuzz;

/// <summary>
/// Property tests of the OTLP protobuf and JSON decoders and of the record conversion behind them, over generated
/// requests (valid ones, which must round-trip), the same requests mutated (truncations, bit flips, inserted and deleted
/// bytes, huge varints and lengths, spliced chunks; for JSON also stray tokens, type swaps, invalid UTF-8 and unpaired
/// surrogate escapes), and deep nesting. The properties: no crash and no hang (a per-input timeout); every failure is an
/// <see cref="OtlpRequestException"/> of kind <see cref="OtlpFailure.BadRequest"/> (a 400 / INVALID_ARGUMENT at the edge);
/// whatever decodes also passes the depth check and converts without throwing. Inputs per target: see
/// <see cref="FuzzRun"/> (a fixed count in CI; <c>MONITORING_FUZZ_ITERATIONS</c> or <c>MONITORING_FUZZ_SECONDS</c> for more).
/// </summary>
public sealed class OtlpDecoderFuzzTests(ITestOutputHelper output)
{
    private const ulong Seed = 20261207;
    private const int Cases = 2000;
    private const int NestingCases = 200;
    private const int MaxDepth = 32;
    private const int FuzzTimeoutMs = 600_000;
    private const long Received = 1_700_000_000_000_000_000;

    private static readonly string[] Keys =
    [
        "ml.model.id", "ml.model.version", "ml.prediction.id", "ml.prediction.score", "ml.prediction.class", "ml.prediction.value",
        "ml.prediction.latency_ms", "ml.label.value", "ml.event", "ml.request.id", "ml.feature.age", "ml.feature.country", "ml.feature.",
        "ml.segment.region", "ml.segment.", "ml.tenant", "service.name", "http.route", "", "é", "😀",
    ];

    private static readonly Gen<string> Text = Gen.Frequency(
        (6, Gen.String[Gen.Char.AlphaNumeric, 0, 12]),
        (2, Gen.OneOf<string>("prediction", "label", "ml.prediction", "ml.label", "credit-risk", "p-1", "0.5", "", " ", "é", "😀", "\u0000", "\"", "\\", "\u2028", "a/b")),
        (1, Gen.String[Gen.Char[' ', '~'], 0, 30]));

    private static readonly Gen<string> Key = Gen.Frequency((4, Gen.OneOf<string>(Keys)), (1, Text));

    private static readonly Gen<double> Double = Gen.Frequency(
        (6, Gen.Double[0, 1]),
        (2, Gen.Double),
        (1, Gen.OneOf<double>(double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.Epsilon, double.MaxValue, 1e-310)));

    private static readonly Gen<AnyValue> Scalar = Gen.Frequency(
        (4, Text.Select(s => new AnyValue { StringValue = s })),
        (3, Double.Select(d => new AnyValue { DoubleValue = d })),
        (2, Gen.Long.Select(l => new AnyValue { IntValue = l })),
        (1, Gen.Bool.Select(b => new AnyValue { BoolValue = b })),
        (1, Gen.Byte.Array[0, 8].Select(b => new AnyValue { BytesValue = ByteString.CopyFrom(b) })),
        (1, Gen.Const(() => new AnyValue())));

    private static readonly Gen<AnyValue> Value = Nest(3);

    private static readonly Gen<KeyValue> Attribute = Gen.Select(Key, Gen.Frequency((9, Value.Select(v => (AnyValue?)v)), (1, Gen.Const((AnyValue?)null))))
        .Select(t => new KeyValue { Key = t.Item1, Value = t.Item2 });

    private static readonly Gen<LogRecord> Record =
        from eventName in Gen.Frequency((4, Gen.OneOf<string>("ml.prediction", "ml.label")), (1, Text))
        from attributes in Attribute.Array[0, 10]
        from times in Gen.Select(Gen.Frequency((3, Gen.ULong[0, 2_000_000_000_000_000_000]), (1, Gen.ULong)), Gen.ULong[0, 2_000_000_000_000_000_000])
        from severity in Gen.Int[0, 24]
        from severityText in Text
        from body in Gen.Frequency((3, Gen.Const((AnyValue?)null)), (1, Value.Select(v => (AnyValue?)v)))
        from flags in Gen.UInt
        from dropped in Gen.UInt[0, 3]
        from ids in Gen.Select(Gen.Byte.Array[0, 16], Gen.Byte.Array[0, 8])
        select MakeRecord(eventName, attributes, times.Item1, times.Item2, severity, severityText, body, flags, dropped, ids.Item1, ids.Item2);

    private static readonly Gen<ExportLogsServiceRequest> Request =
        from resources in Gen.Select(
            Gen.Frequency((1, Gen.Const((KeyValue[]?)null)), (4, Attribute.Array[0, 4].Select(a => (KeyValue[]?)a))),
            Gen.Select(Gen.Frequency((1, Gen.Const((string?)null)), (3, Text.Select(t => (string?)t))), Attribute.Array[0, 2], Record.Array[0, 6]).Array[0, 3],
            Text).Array[0, 3]
        select MakeRequest(resources);

    /// <summary>Byte-level mutations of an encoded message.</summary>
    private static readonly Gen<Func<byte[], byte[]>> ByteMutation = Gen.Frequency(
        (3, FuzzMutations.Truncations()),
        (4, FuzzMutations.BitFlips()),
        (2, FuzzMutations.Insertions(Gen.Byte.Array[1, 8])),
        (2, FuzzMutations.Deletions(32)),
        (2, FuzzMutations.Insertions(Gen.OneOf<byte[]>(
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], // the largest varint
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], // a varint too long
            [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07], // field 1, length 2^31-1
            [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], // field 1, length 2^32-1
            [0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], // field 2, length past 64 bits
            [0x0B], [0x0C], [0x0F], // start group, end group, reserved wire type
            [0x00], [0xF8, 0xFF, 0xFF, 0xFF, 0x0F]))),
        (1, FuzzMutations.Splices(64)),
        (1, FuzzMutations.Overwrites()));

    private static readonly string[] JsonTokens =
    [
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "0", "-0", "1e999", "-1e999", "18446744073709551616", "-9223372036854775809",
        "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"\\ud800\"", "\"\\udc00\\ud800\"", "\"\\u0000\"", "\"zz\"", "\"AAAA\"", "\"=\"", "1.5", "\"1.5\"", " ",
        "{\"stringValue\":\"x\",\"intValue\":1}", "{\"kvlistValue\":{\"values\":[{\"key\":\"k\"}]}}", "[null]", "{\"arrayValue\":{\"values\":[{}]}}",
        "\"resourceLogs\"", "\"scopeLogs\"", "\"logRecords\"", "\"attributes\"", "\"value\"", "\"key\"", "\"body\"", "\"traceId\"", "\"timeUnixNano\"",
        "\"severityNumber\"", "\"bytesValue\"", "\"doubleValue\"", "\"intValue\"", "\"flags\"", "/* */", "\uFEFF",
    ];

    private static readonly string[] JsonFields =
    [
        "stringValue", "boolValue", "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue", "values", "key", "value", "attributes",
        "timeUnixNano", "observedTimeUnixNano", "severityNumber", "traceId", "spanId", "flags", "droppedAttributesCount", "resource", "scope",
        "scopeLogs", "logRecords", "resourceLogs", "eventName", "body", "schemaUrl", "name", "version",
    ];

    /// <summary>Byte-level mutations of JSON text: the byte ones plus JSON-aware ones.</summary>
    private static readonly Gen<Func<byte[], byte[]>> JsonMutation = Gen.Frequency(
        (4, ByteMutation),
        (4, Gen.Select(Gen.Int[0, 1 << 20], Gen.OneOf<string>(JsonTokens)).Select(t => (Func<byte[], byte[]>)(b => FuzzMutations.Insert(b, t.Item1, Encoding.UTF8.GetBytes(t.Item2))))),
        (3, Gen.Select(Gen.OneOf<string>(JsonFields), Gen.OneOf<string>(JsonFields)).Select(t => (Func<byte[], byte[]>)(b => FuzzMutations.Replace(b, $"\"{t.Item1}\"", $"\"{t.Item2}\"")))),
        (2, FuzzMutations.Insertions(Gen.OneOf<byte[]>([0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82], [0x80]))),
        (1, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[1, 5_000], Gen.Bool).Select(t => (Func<byte[], byte[]>)(b => FuzzMutations.Insert(b, t.Item1, Encoding.ASCII.GetBytes(t.Item3 ? new string('[', t.Item2) : string.Concat(Enumerable.Repeat("{\"a\":", t.Item2))))))),
        (1, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[1_000, 100_000]).Select(t => (Func<byte[], byte[]>)(b => FuzzMutations.Insert(b, t.Item1, Encoding.ASCII.GetBytes(new string('9', t.Item2)))))));

    private static readonly Gen<byte[]> MutatedProtobuf =
        from request in Request
        from mutations in ByteMutation.Array[1, 4]
        select FuzzMutations.Apply(request.ToByteArray(), mutations);

    private static readonly Gen<byte[]> MutatedJson =
        from request in Request
        from mutations in JsonMutation.Array[1, 4]
        select FuzzMutations.Apply(Encoding.UTF8.GetBytes(ToOtlpJson(request)), mutations);

    private static readonly Gen<byte[]> RandomBytes = Gen.Byte.Array[0, 512];

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task Valid_requests_round_trip_through_the_protobuf_decoder_and_convert()
    {
        await Task.Run(() => Run(Request, "protobuf valid", request =>
        {
            var bytes = request.ToByteArray();
            var decoded = OtlpProtobufDecoder.Decode(bytes, bytes.Length, MaxDepth);
            Assert.Equal(request, decoded);
            Accept(decoded);
        }, r => JsonFormatter.Default.Format(r)));
    }

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task Valid_requests_round_trip_through_the_json_decoder_and_convert()
    {
        await Task.Run(() => Run(Request, "json valid", request =>
        {
            var json = ToOtlpJson(request);
            var decoded = OtlpJsonDecoder.Decode(Encoding.UTF8.GetBytes(json), MaxDepth);
            Assert.Equal(request, decoded);
            Accept(decoded);
        }, ToOtlpJson));
    }

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task Mutated_protobuf_fails_only_with_a_bad_request()
    {
        await Task.Run(() => Run(MutatedProtobuf, "protobuf mutated", bytes => DecodeOrBadRequest(() => OtlpProtobufDecoder.Decode(bytes, bytes.Length, MaxDepth)), Convert.ToHexString));
        await Task.Run(() => Run(RandomBytes, "protobuf random", bytes => DecodeOrBadRequest(() => OtlpProtobufDecoder.Decode(bytes, bytes.Length, MaxDepth)), Convert.ToHexString));
    }

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task Mutated_json_fails_only_with_a_bad_request()
    {
        await Task.Run(() => Run(MutatedJson, "json mutated", bytes => DecodeOrBadRequest(() => OtlpJsonDecoder.Decode(bytes, MaxDepth)), ShowBytes));
        await Task.Run(() => Run(RandomBytes, "json random", bytes => DecodeOrBadRequest(() => OtlpJsonDecoder.Decode(bytes, MaxDepth)), ShowBytes));
    }

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task Nesting_at_any_depth_is_accepted_up_to_the_limit_and_a_bad_request_past_it()
    {
        var gen = Gen.Select(Gen.Int[1, 400], Gen.Bool, Gen.Int[0, 2]);
        await Task.Run(() => Run(gen, "nesting", NestingCases, t =>
        {
            var (depth, kvlist, where) = t;
            var request = Nested(depth, kvlist, where);
            var bytes = request.ToByteArray();
            var json = Encoding.UTF8.GetBytes(ToOtlpJson(request));
            foreach (var decode in new Func<ExportLogsServiceRequest>[] { () => OtlpProtobufDecoder.Decode(bytes, bytes.Length, MaxDepth), () => OtlpJsonDecoder.Decode(json, MaxDepth) })
            {
                ExportLogsServiceRequest decoded;
                try
                {
                    decoded = decode();
                }
                catch (OtlpRequestException e) when (e.Failure == OtlpFailure.BadRequest && depth > MaxDepth)
                {
                    continue;
                }

                Assert.Equal(request, decoded);
                Assert.Equal(depth > MaxDepth, AnyValueDepth.FindTooDeep(decoded, MaxDepth) is not null);
            }
        }));
    }

    /// <summary>What the receiver does after decoding: the depth check and the conversion never throw.</summary>
    private static void Accept(ExportLogsServiceRequest request)
    {
        _ = AnyValueDepth.FindTooDeep(request, MaxDepth);
        var converted = LogRecordConverter.Convert(request, null, Received);
        var records = request.ResourceLogs.SelectMany(r => r.ScopeLogs).Sum(s => s.LogRecords.Count);
        Assert.Equal(records, converted.Accepted + converted.Rejected);
        Assert.Equal(converted.Accepted, converted.Batches.Sum(b => b.Events.Length));
        Assert.Equal(converted.Rejected, converted.RejectedByReason.Sum());
    }

    private static void DecodeOrBadRequest(Func<ExportLogsServiceRequest> decode)
    {
        ExportLogsServiceRequest decoded;
        try
        {
            decoded = decode();
        }
        catch (OtlpRequestException e)
        {
            Assert.Equal(OtlpFailure.BadRequest, e.Failure);
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            return;
        }

        Accept(decoded);
    }

    private void Run<T>(Gen<T> gen, string what, Action<T> property, Func<T, string>? show = null) =>
        FuzzRun.Run(gen, what, Cases, Seed, property, output.WriteLine, show);

    private void Run<T>(Gen<T> gen, string what, int cases, Action<T> property) =>
        FuzzRun.Run(gen, what, cases, Seed, property, output.WriteLine);

    private static Gen<AnyValue> Nest(int depth) => depth <= 1
        ? Scalar
        : Gen.Frequency(
            (6, Scalar),
            (1, Nest(depth - 1).Array[0, 3].Select(values =>
            {
                var array = new ArrayValue();
                array.Values.AddRange(values);
                return new AnyValue { ArrayValue = array };
            })),
            (1, Gen.Select(Key, Nest(depth - 1)).Array[0, 3].Select(pairs =>
            {
                var list = new KeyValueList();
                list.Values.AddRange(pairs.Select(p => new KeyValue { Key = p.Item1, Value = p.Item2 }));
                return new AnyValue { KvlistValue = list };
            })));

    private static LogRecord MakeRecord(
        string eventName, KeyValue[] attributes, ulong time, ulong observed, int severity, string severityText, AnyValue? body, uint flags,
        uint dropped, byte[] traceId, byte[] spanId)
    {
        var record = new LogRecord
        {
            EventName = eventName,
            TimeUnixNano = time,
            ObservedTimeUnixNano = observed,
            SeverityNumber = (SeverityNumber)severity,
            SeverityText = severityText,
            Body = body,
            Flags = flags,
            DroppedAttributesCount = dropped,
            TraceId = ByteString.CopyFrom(traceId),
            SpanId = ByteString.CopyFrom(spanId),
        };
        record.Attributes.AddRange(attributes);
        return record;
    }

    private static ExportLogsServiceRequest MakeRequest((KeyValue[]? Resource, (string? Scope, KeyValue[] ScopeAttributes, LogRecord[] Records)[] Scopes, string SchemaUrl)[] resources)
    {
        var request = new ExportLogsServiceRequest();
        foreach (var (resourceAttributes, scopes, schemaUrl) in resources)
        {
            var resourceLogs = new ResourceLogs { SchemaUrl = schemaUrl };
            if (resourceAttributes is not null)
            {
                resourceLogs.Resource = new Resource();
                resourceLogs.Resource.Attributes.AddRange(resourceAttributes);
            }

            foreach (var (scopeName, scopeAttributes, records) in scopes)
            {
                var scopeLogs = new ScopeLogs();
                if (scopeName is not null)
                {
                    scopeLogs.Scope = new InstrumentationScope { Name = scopeName, Version = "1" };
                    scopeLogs.Scope.Attributes.AddRange(scopeAttributes);
                }

                scopeLogs.LogRecords.AddRange(records);
                resourceLogs.ScopeLogs.Add(scopeLogs);
            }

            request.ResourceLogs.Add(resourceLogs);
        }

        return request;
    }

    /// <summary>A prediction whose attribute (0), body (1) or resource attribute (2) is nested <paramref name="depth"/> deep.</summary>
    private static ExportLogsServiceRequest Nested(int depth, bool kvlist, int where)
    {
        var value = Support.Otlp.Nested(depth, kvlist);
        var record = Support.Otlp.Prediction("m", "p", 0.5);
        if (where == 0)
        {
            record.Attributes.Add(new KeyValue { Key = "deep", Value = value });
        }
        else if (where == 1)
        {
            record.Body = value;
        }

        return Support.Otlp.Request(where == 2 ? [new KeyValue { Key = "deep", Value = value }] : [], record);
    }

    /// <summary>
    /// The OTLP/JSON encoding of a request, written independently of the decoder: lowerCamelCase keys, 64-bit integers as
    /// decimal strings, non-finite doubles as strings, enums as integers, trace and span ids as hex, bytes as base64.
    /// </summary>
    private static string ToOtlpJson(ExportLogsServiceRequest request)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false, MaxDepth = 10_000 }))
        {
            w.WriteStartObject();
            w.WriteStartArray("resourceLogs");
            foreach (var rl in request.ResourceLogs)
            {
                w.WriteStartObject();
                if (rl.Resource is { } resource)
                {
                    w.WriteStartObject("resource");
                    WriteAttributes(w, resource.Attributes);
                    w.WriteNumber("droppedAttributesCount", resource.DroppedAttributesCount);
                    w.WriteEndObject();
                }

                w.WriteStartArray("scopeLogs");
                foreach (var sl in rl.ScopeLogs)
                {
                    w.WriteStartObject();
                    if (sl.Scope is { } scope)
                    {
                        w.WriteStartObject("scope");
                        w.WriteString("name", scope.Name);
                        w.WriteString("version", scope.Version);
                        WriteAttributes(w, scope.Attributes);
                        w.WriteEndObject();
                    }

                    w.WriteStartArray("logRecords");
                    foreach (var r in sl.LogRecords)
                    {
                        w.WriteStartObject();
                        w.WriteString("timeUnixNano", r.TimeUnixNano.ToString(CultureInfo.InvariantCulture));
                        w.WriteNumber("observedTimeUnixNano", r.ObservedTimeUnixNano);
                        w.WriteNumber("severityNumber", (int)r.SeverityNumber);
                        w.WriteString("severityText", r.SeverityText);
                        if (r.Body is { } body)
                        {
                            w.WritePropertyName("body");
                            WriteValue(w, body);
                        }

                        WriteAttributes(w, r.Attributes);
                        w.WriteNumber("droppedAttributesCount", r.DroppedAttributesCount);
                        w.WriteNumber("flags", r.Flags);
                        w.WriteString("traceId", Convert.ToHexString(r.TraceId.Span));
                        w.WriteString("spanId", Convert.ToHexStringLower(r.SpanId.Span));
                        w.WriteString("eventName", r.EventName);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteString("schemaUrl", sl.SchemaUrl);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteString("schemaUrl", rl.SchemaUrl);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteAttributes(Utf8JsonWriter w, IEnumerable<KeyValue> attributes)
    {
        w.WriteStartArray("attributes");
        foreach (var kv in attributes)
        {
            WriteKeyValue(w, kv);
        }

        w.WriteEndArray();
    }

    private static void WriteKeyValue(Utf8JsonWriter w, KeyValue kv)
    {
        w.WriteStartObject();
        w.WriteString("key", kv.Key);
        if (kv.Value is { } value)
        {
            w.WritePropertyName("value");
            WriteValue(w, value);
        }

        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, AnyValue value)
    {
        w.WriteStartObject();
        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                w.WriteString("stringValue", value.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                w.WriteBoolean("boolValue", value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                w.WriteString("intValue", value.IntValue.ToString(CultureInfo.InvariantCulture));
                break;
            case AnyValue.ValueOneofCase.DoubleValue when double.IsFinite(value.DoubleValue):
                w.WriteNumber("doubleValue", value.DoubleValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                w.WriteString("doubleValue", double.IsNaN(value.DoubleValue) ? "NaN" : value.DoubleValue > 0 ? "Infinity" : "-Infinity");
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                w.WriteString("bytesValue", Convert.ToBase64String(value.BytesValue.Span));
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                w.WriteStartObject("arrayValue");
                w.WriteStartArray("values");
                foreach (var item in value.ArrayValue.Values)
                {
                    WriteValue(w, item);
                }

                w.WriteEndArray();
                w.WriteEndObject();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                w.WriteStartObject("kvlistValue");
                w.WriteStartArray("values");
                foreach (var kv in value.KvlistValue.Values)
                {
                    WriteKeyValue(w, kv);
                }

                w.WriteEndArray();
                w.WriteEndObject();
                break;
            default:
                break;
        }

        w.WriteEndObject();
    }

    private static string ShowBytes(byte[] bytes) => Encoding.UTF8.GetString(bytes).Length < 4000 ? Encoding.UTF8.GetString(bytes) + " / hex " + Convert.ToHexString(bytes) : Convert.ToHexString(bytes);
}
