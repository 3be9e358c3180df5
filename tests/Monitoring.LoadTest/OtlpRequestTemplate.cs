using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;

namespace Monitoring.LoadTest;

/// <summary>
/// One pre-encoded OTLP <c>ExportLogsServiceRequest</c> (protobuf) of N prediction records, written field by field with
/// <see cref="CodedOutputStream"/>. The parts that must change per request have a fixed width and known offsets, so a
/// request is made unique by patching the bytes in place (<see cref="Patch"/>): each record's <c>time_unix_nano</c>
/// (fixed64), the digits of its <c>ml.model.id</c> (<c>model-0000</c>), the hex digits of its
/// <c>ml.prediction.id</c> (<c>lt-</c> + 16 hex digits) and, with <see cref="Patch(ReadOnlySpan{RecordPatch})"/>, its
/// value (the score of a prediction, the label of a label record: a double). Encoding happens before the clock starts;
/// patching is a few bytes per record.
/// </summary>
/// <remarks>
/// Layout: one ResourceLogs (resource <c>service.name=loadtest</c>), one ScopeLogs, N LogRecords. A prediction
/// (<see cref="Create"/>) has <c>time_unix_nano</c>, <c>event_name=ml.prediction</c> and the attributes
/// <c>ml.model.id</c>, <c>ml.prediction.id</c>, <c>ml.prediction.score</c> (double), <c>ml.feature.f0..f{n-1}</c>
/// (doubles, the last <c>categorical</c> ones strings) and optionally <c>ml.segment.{name}</c> (strings). A label
/// (<see cref="CreateLabels"/>) has <c>time_unix_nano</c>, <c>event_name=ml.label</c>, <c>ml.model.id</c>,
/// <c>ml.prediction.id</c> and <c>ml.label.value</c> (double).
/// </remarks>
internal sealed class OtlpRequestTemplate
{
    /// <summary>Digits of the model number in <c>model-0000</c>.</summary>
    public const int ModelDigits = 4;

    /// <summary>Hex digits of the record number in a prediction id.</summary>
    public const int IdDigits = 16;

    /// <summary>Model ids are this prefix plus <see cref="ModelDigits"/> digits.</summary>
    public const string ModelPrefix = "model-";

    private const string IdPrefix = "lt-";
    private const string PredictionEventName = "ml.prediction";
    private const string LabelEventName = "ml.label";
    private const string ScoreKey = "ml.prediction.score";
    private const string LabelKey = "ml.label.value";
    private static readonly string[] Categories = ["web", "ios", "android", "partner", "batch"];
    private static readonly string ModelPlaceholder = ModelPrefix + new string('0', ModelDigits);
    private static readonly string IdPlaceholder = IdPrefix + new string('0', IdDigits);

    private readonly int[] _timeOffsets;
    private readonly int[] _modelOffsets;
    private readonly int[] _idOffsets;
    private readonly int[] _valueOffsets;

    private OtlpRequestTemplate(byte[] bytes, int[] timeOffsets, int[] modelOffsets, int[] idOffsets, int[] valueOffsets)
    {
        Bytes = bytes;
        _timeOffsets = timeOffsets;
        _modelOffsets = modelOffsets;
        _idOffsets = idOffsets;
        _valueOffsets = valueOffsets;
    }

    /// <summary>The encoded request (patched in place).</summary>
    public byte[] Bytes { get; }

    /// <summary>Records in the request.</summary>
    public int Records => _idOffsets.Length;

    /// <summary>Encodes a request of <paramref name="records"/> predictions with random scores and feature values.</summary>
    /// <param name="records">Records per request.</param>
    /// <param name="features">Features per record (<c>f0..f{features-1}</c>).</param>
    /// <param name="categorical">How many of them (the last ones) are strings.</param>
    /// <param name="random">Source of the values.</param>
    /// <param name="segments">Segment attributes (<c>ml.segment.{name}</c>), each record one of the values at random.</param>
    public static OtlpRequestTemplate Create(int records, int features, int categorical, Random random, IReadOnlyList<(string Name, string[] Values)>? segments = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(records, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(features);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(categorical, features);
        ArgumentNullException.ThrowIfNull(random);
        segments ??= [];

        var attributes = new (string Key, object Value)[records][];
        for (var r = 0; r < records; r++)
        {
            var attrs = new (string, object)[3 + features + segments.Count];
            attrs[0] = ("ml.model.id", ModelPlaceholder);
            attrs[1] = ("ml.prediction.id", IdPlaceholder);
            attrs[2] = (ScoreKey, random.NextDouble());
            for (var f = 0; f < features; f++)
            {
                var key = "ml.feature.f" + f.ToString(CultureInfo.InvariantCulture);
                attrs[3 + f] = f >= features - categorical
                    ? (key, Categories[random.Next(Categories.Length)])
                    : (key, Math.Round(Normal(random) * (1 + f) + (10 * f), 4));
            }

            for (var g = 0; g < segments.Count; g++)
            {
                var (name, values) = segments[g];
                attrs[3 + features + g] = ("ml.segment." + name, values[random.Next(values.Length)]);
            }

            attributes[r] = attrs;
        }

        return Encode(PredictionEventName, attributes, ScoreKey);
    }

    /// <summary>
    /// Encodes a request of <paramref name="records"/> label records (<c>ml.model.id</c>, <c>ml.prediction.id</c>,
    /// <c>ml.label.value</c>); every per-record part is set by <see cref="Patch(ReadOnlySpan{RecordPatch})"/>.
    /// </summary>
    public static OtlpRequestTemplate CreateLabels(int records)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(records, 1);
        var attributes = new (string Key, object Value)[records][];
        for (var r = 0; r < records; r++)
        {
            attributes[r] = [("ml.model.id", ModelPlaceholder), ("ml.prediction.id", IdPlaceholder), (LabelKey, 0.0)];
        }

        return Encode(LabelEventName, attributes, LabelKey);
    }

    /// <summary>
    /// Writes the request; records the offsets of each record's time, model digits, id digits and the double of the
    /// attribute <paramref name="valueKey"/>.
    /// </summary>
    private static OtlpRequestTemplate Encode(string eventName, (string Key, object Value)[][] attributes, string valueKey)
    {
        var records = attributes.Length;
        var recordSizes = new int[records];
        var scopeLogsSize = LengthDelimited(1, StringField(1, "monitoring.loadtest"));
        for (var r = 0; r < records; r++)
        {
            var size = 1 + 8 + StringField(12, eventName);
            foreach (var (key, value) in attributes[r])
            {
                size += LengthDelimited(6, KeyValueSize(key, value));
            }

            recordSizes[r] = size;
            scopeLogsSize += LengthDelimited(2, size);
        }

        var resourceSize = LengthDelimited(1, KeyValueSize("service.name", "loadtest"));
        var resourceLogsSize = LengthDelimited(1, resourceSize) + LengthDelimited(2, scopeLogsSize);
        var total = LengthDelimited(1, resourceLogsSize);

        var bytes = new byte[total];
        var timeOffsets = new int[records];
        var modelOffsets = new int[records];
        var idOffsets = new int[records];
        var valueOffsets = new int[records];
        var output = new CodedOutputStream(bytes);
        Open(output, 1, resourceLogsSize);                           // ExportLogsServiceRequest.resource_logs
        Open(output, 1, resourceSize);                               // ResourceLogs.resource
        WriteKeyValue(output, 1, "service.name", "loadtest");        // Resource.attributes
        Open(output, 2, scopeLogsSize);                              // ResourceLogs.scope_logs
        Open(output, 1, StringField(1, "monitoring.loadtest"));      // ScopeLogs.scope
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);     // InstrumentationScope.name
        output.WriteString("monitoring.loadtest");
        for (var r = 0; r < records; r++)
        {
            Open(output, 2, recordSizes[r]);                         // ScopeLogs.log_records
            output.WriteTag(1, WireFormat.WireType.Fixed64);         // LogRecord.time_unix_nano
            timeOffsets[r] = (int)output.Position;
            output.WriteFixed64(0);
            output.WriteTag(12, WireFormat.WireType.LengthDelimited); // LogRecord.event_name
            output.WriteString(eventName);
            foreach (var (key, value) in attributes[r])
            {
                var end = WriteKeyValue(output, 6, key, value);      // LogRecord.attributes
                if (ReferenceEquals(value, ModelPlaceholder))
                {
                    modelOffsets[r] = end - ModelDigits;
                }
                else if (ReferenceEquals(value, IdPlaceholder))
                {
                    idOffsets[r] = end - IdDigits;
                }
                else if (key == valueKey && value is double)
                {
                    valueOffsets[r] = end - sizeof(double);
                }
            }
        }

        output.Flush();
        if (output.Position != total)
        {
            throw new InvalidOperationException($"Encoded {output.Position} bytes, expected {total}.");
        }

        return new OtlpRequestTemplate(bytes, timeOffsets, modelOffsets, idOffsets, valueOffsets);
    }

    /// <summary>A copy with its own bytes (to patch independently).</summary>
    public OtlpRequestTemplate Clone() => new((byte[])Bytes.Clone(), _timeOffsets, _modelOffsets, _idOffsets, _valueOffsets);

    /// <summary>
    /// Makes the request unique: record i gets number <c>first + i</c> (its prediction id), the model of that number
    /// (<see cref="ModelAssignment"/>) and the given time.
    /// </summary>
    public void Patch(ulong timeUnixNano, long firstRecordNumber, ModelAssignment models)
    {
        var span = Bytes.AsSpan();
        for (var i = 0; i < _idOffsets.Length; i++)
        {
            var number = firstRecordNumber + i;
            BinaryPrimitives.WriteUInt64LittleEndian(span[_timeOffsets[i]..], timeUnixNano);
            WriteDigits(span.Slice(_modelOffsets[i], ModelDigits), (ulong)models.ModelOf(number), 10);
            WriteDigits(span.Slice(_idOffsets[i], IdDigits), (ulong)number, 16);
        }
    }

    /// <summary>
    /// Sets every record's parts from <paramref name="records"/> (one entry per record): its number (the prediction
    /// id), model, time and value (score or label).
    /// </summary>
    public void Patch(ReadOnlySpan<RecordPatch> records)
    {
        if (records.Length != _idOffsets.Length)
        {
            throw new ArgumentException($"Expected {_idOffsets.Length} records, got {records.Length}.", nameof(records));
        }

        var span = Bytes.AsSpan();
        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            BinaryPrimitives.WriteUInt64LittleEndian(span[_timeOffsets[i]..], record.TimeUnixNano);
            WriteDigits(span.Slice(_modelOffsets[i], ModelDigits), (ulong)record.Model, 10);
            WriteDigits(span.Slice(_idOffsets[i], IdDigits), (ulong)record.Number, 16);
            BinaryPrimitives.WriteDoubleLittleEndian(span[_valueOffsets[i]..], record.Value);
        }
    }

    /// <summary>Model id of a model number.</summary>
    public static string ModelId(int model) => ModelPrefix + model.ToString("D" + ModelDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static void WriteDigits(Span<byte> target, ulong value, uint radix)
    {
        for (var i = target.Length - 1; i >= 0; i--)
        {
            var digit = (int)(value % radix);
            target[i] = (byte)(digit < 10 ? '0' + digit : 'a' + digit - 10);
            value /= radix;
        }
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static void Open(CodedOutputStream output, int field, int length)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteLength(length);
    }

    /// <summary>Writes a KeyValue as field <paramref name="field"/>; returns the position after it.</summary>
    private static int WriteKeyValue(CodedOutputStream output, int field, string key, object value)
    {
        Open(output, field, KeyValueSize(key, value));
        output.WriteTag(1, WireFormat.WireType.LengthDelimited);     // KeyValue.key
        output.WriteString(key);
        Open(output, 2, AnyValueSize(value));                        // KeyValue.value
        switch (value)
        {
            case string text:
                output.WriteTag(1, WireFormat.WireType.LengthDelimited); // AnyValue.string_value
                output.WriteString(text);
                break;
            case double number:
                output.WriteTag(4, WireFormat.WireType.Fixed64);     // AnyValue.double_value
                output.WriteDouble(number);
                break;
            default:
                throw new ArgumentException($"Unsupported value {value}.", nameof(value));
        }

        return (int)output.Position;
    }

    private static int KeyValueSize(string key, object value) => StringField(1, key) + LengthDelimited(2, AnyValueSize(value));

    private static int AnyValueSize(object value) => value switch
    {
        string text => StringField(1, text),
        double => CodedOutputStream.ComputeTagSize(4) + 8,
        _ => throw new ArgumentException($"Unsupported value {value}.", nameof(value)),
    };

    private static int StringField(int field, string value) => CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeStringSize(value);

    private static int LengthDelimited(int field, int length) =>
        CodedOutputStream.ComputeTagSize(field) + CodedOutputStream.ComputeLengthSize(length) + length;
}

/// <summary>What <see cref="OtlpRequestTemplate.Patch(ReadOnlySpan{RecordPatch})"/> sets in one record.</summary>
/// <param name="Number">Record number: the prediction id is <c>lt-</c> + its 16 hex digits.</param>
/// <param name="Model">Model number (<c>model-0000</c>).</param>
/// <param name="TimeUnixNano">The record's <c>time_unix_nano</c>.</param>
/// <param name="Value">The prediction's score, or the label's value.</param>
internal readonly record struct RecordPatch(long Number, int Model, ulong TimeUnixNano, double Value);

/// <summary>
/// Which model a record number belongs to: runs of <paramref name="RunLength"/> consecutive records share a model, runs
/// go round-robin over <paramref name="Models"/> models. With a run length equal to the request size every request is
/// for one model.
/// </summary>
internal readonly record struct ModelAssignment(int Models, int RunLength)
{
    /// <summary>The model number of a record.</summary>
    public int ModelOf(long recordNumber) => (int)(recordNumber / RunLength % Models);
}
