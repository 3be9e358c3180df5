using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Monitoring.Abstractions.Events;

/// <summary>
/// Compact binary encoding of <see cref="ModelEvent"/> used for the event-log payload column. Every field round-trips
/// exactly: nulls stay null, empty arrays stay empty, doubles are stored as their raw IEEE 754 bits.
/// </summary>
/// <remarks>
/// <para>Format version 1, little-endian:</para>
/// <code>
/// u8 version (=1) | u8 kind | u8 flags (bit0 score, bit1 predicted value, bit2 latency, bit3 label number)
/// i64 event time | i64 received time
/// str prediction id | str model version | str predicted class | str label text | str source
/// f64 for each flag set, in flag order
/// count features  { str name | u8 tag (bit0 number, bit1 text) | f64 number if bit0 | str text if bit1 }
/// count segments  { str name | str value }
/// [str request id]  (only when set: records written before it existed end after the segments and read back null)
/// </code>
/// <para>
/// <c>str</c> is a 7-bit varint of (UTF-8 byte length + 1) followed by the bytes, 0 meaning null; <c>count</c> is a
/// varint of (element count + 1), 0 meaning a null array. Decoding reuses the string instances of the previous record
/// decoded on the same thread where the bytes are identical (feature names, model version, source, categorical values),
/// so repeated names are not allocated again.
/// </para>
/// </remarks>
public static class ModelEventCodec
{
    /// <summary>The format version written as the first byte.</summary>
    public const byte FormatVersion = 1;

    private const int FlagScore = 1;
    private const int FlagPredictedValue = 2;
    private const int FlagLatency = 4;
    private const int FlagLabelNumber = 8;
    private const int TagNumber = 1;
    private const int TagText = 2;
    private const int FixedHeader = 3 + 8 + 8 + (4 * 8);

    /// <summary>Encodes a record into a new array of exactly its encoded length.</summary>
    public static byte[] Encode(ModelEvent modelEvent)
    {
        ArgumentNullException.ThrowIfNull(modelEvent);
        var bound = GetMaxEncodedLength(modelEvent);
        if (bound <= 1024)
        {
            Span<byte> scratch = stackalloc byte[bound];
            var written = EncodeCore(modelEvent, scratch);
            return scratch[..written].ToArray();
        }

        var rented = ArrayPool<byte>.Shared.Rent(bound);
        try
        {
            var written = EncodeCore(modelEvent, rented);
            return rented.AsSpan(0, written).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Encodes a record into a buffer writer; returns the number of bytes written.</summary>
    public static int Encode(ModelEvent modelEvent, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(modelEvent);
        ArgumentNullException.ThrowIfNull(writer);
        var span = writer.GetSpan(GetMaxEncodedLength(modelEvent));
        var written = EncodeCore(modelEvent, span);
        writer.Advance(written);
        return written;
    }

    /// <summary>An upper bound of the encoded length of a record.</summary>
    public static int GetMaxEncodedLength(ModelEvent modelEvent)
    {
        ArgumentNullException.ThrowIfNull(modelEvent);
        var length = FixedHeader
            + MaxStringLength(modelEvent.PredictionId)
            + MaxStringLength(modelEvent.ModelVersion)
            + MaxStringLength(modelEvent.PredictedClass)
            + MaxStringLength(modelEvent.LabelText)
            + MaxStringLength(modelEvent.Source)
            + MaxStringLength(modelEvent.RequestId)
            + 10;
        if (modelEvent.Features is { } features)
        {
            foreach (ref readonly var feature in features.AsSpan())
            {
                length += MaxStringLength(feature.Name) + 1 + 8 + MaxStringLength(feature.Text);
            }
        }

        if (modelEvent.Segments is { } segments)
        {
            foreach (ref readonly var segment in segments.AsSpan())
            {
                length += MaxStringLength(segment.Name) + MaxStringLength(segment.Value);
            }
        }

        return length;
    }

    /// <summary>Decodes a record written by <see cref="Encode(ModelEvent)"/>.</summary>
    /// <exception cref="FormatException">The data is truncated, malformed or of an unknown format version.</exception>
    public static ModelEvent Decode(ReadOnlySpan<byte> data)
    {
        var reader = new Reader(data, NameCache.ForCurrentThread());
        var version = reader.ReadByte();
        if (version != FormatVersion)
        {
            throw new FormatException($"Unknown model event format version {version}.");
        }

        var kind = (EventKind)reader.ReadByte();
        var flags = reader.ReadByte();
        var eventTime = reader.ReadInt64();
        var received = reader.ReadInt64();
        var predictionId = reader.ReadString(NameCache.NoSlot);
        var modelVersion = reader.ReadString(NameCache.ModelVersionSlot);
        var predictedClass = reader.ReadString(NameCache.PredictedClassSlot);
        var labelText = reader.ReadString(NameCache.LabelTextSlot);
        var source = reader.ReadString(NameCache.SourceSlot);
        double? score = (flags & FlagScore) != 0 ? reader.ReadDouble() : null;
        double? predictedValue = (flags & FlagPredictedValue) != 0 ? reader.ReadDouble() : null;
        double? latency = (flags & FlagLatency) != 0 ? reader.ReadDouble() : null;
        double? labelNumber = (flags & FlagLabelNumber) != 0 ? reader.ReadDouble() : null;

        FeatureValue[]? features = null;
        var featureCount = reader.ReadCount();
        if (featureCount >= 0)
        {
            features = featureCount == 0 ? [] : new FeatureValue[featureCount];
            for (var i = 0; i < featureCount; i++)
            {
                var name = reader.ReadString(NameCache.FeatureNameSlot(i));
                var tag = reader.ReadByte();
                double? number = (tag & TagNumber) != 0 ? reader.ReadDouble() : null;
                var text = (tag & TagText) != 0 ? reader.ReadString(NameCache.FeatureTextSlot(i)) : null;
                features[i] = new FeatureValue(name!, number, text);
            }
        }

        SegmentValue[]? segments = null;
        var segmentCount = reader.ReadCount();
        if (segmentCount >= 0)
        {
            segments = segmentCount == 0 ? [] : new SegmentValue[segmentCount];
            for (var i = 0; i < segmentCount; i++)
            {
                var name = reader.ReadString(NameCache.SegmentNameSlot(i));
                var value = reader.ReadString(NameCache.SegmentValueSlot(i));
                segments[i] = new SegmentValue(name!, value!);
            }
        }

        // The trailing request id is written only when set: a null there is not something this encoder writes.
        var requestId = reader.AtEnd ? null : reader.ReadString(NameCache.NoSlot) ?? throw new FormatException("Trailing bytes after the model event.");
        if (!reader.AtEnd)
        {
            throw new FormatException("Trailing bytes after the model event.");
        }

        return new ModelEvent
        {
            Kind = kind,
            PredictionId = predictionId,
            EventTimeUnixNano = eventTime,
            ModelVersion = modelVersion!,
            Score = score,
            PredictedClass = predictedClass,
            PredictedValue = predictedValue,
            LatencyMs = latency,
            Features = features!,
            Segments = segments!,
            LabelNumber = labelNumber,
            LabelText = labelText,
            Source = source,
            ReceivedUnixNano = received,
            RequestId = requestId,
        };
    }

    private static int MaxStringLength(string? value) => value is null ? 1 : 5 + Encoding.UTF8.GetMaxByteCount(value.Length);

    private static int EncodeCore(ModelEvent e, Span<byte> buffer)
    {
        var flags = 0;
        flags |= e.Score.HasValue ? FlagScore : 0;
        flags |= e.PredictedValue.HasValue ? FlagPredictedValue : 0;
        flags |= e.LatencyMs.HasValue ? FlagLatency : 0;
        flags |= e.LabelNumber.HasValue ? FlagLabelNumber : 0;

        buffer[0] = FormatVersion;
        buffer[1] = (byte)e.Kind;
        buffer[2] = (byte)flags;
        BinaryPrimitives.WriteInt64LittleEndian(buffer[3..], e.EventTimeUnixNano);
        BinaryPrimitives.WriteInt64LittleEndian(buffer[11..], e.ReceivedUnixNano);
        var position = 19;
        position += WriteString(buffer[position..], e.PredictionId);
        position += WriteString(buffer[position..], e.ModelVersion);
        position += WriteString(buffer[position..], e.PredictedClass);
        position += WriteString(buffer[position..], e.LabelText);
        position += WriteString(buffer[position..], e.Source);
        position += WriteOptionalDouble(buffer[position..], e.Score);
        position += WriteOptionalDouble(buffer[position..], e.PredictedValue);
        position += WriteOptionalDouble(buffer[position..], e.LatencyMs);
        position += WriteOptionalDouble(buffer[position..], e.LabelNumber);

        var features = e.Features;
        position += WriteCount(buffer[position..], features?.Length);
        if (features is not null)
        {
            foreach (ref readonly var feature in features.AsSpan())
            {
                position += WriteString(buffer[position..], feature.Name);
                var tag = (feature.Number.HasValue ? TagNumber : 0) | (feature.Text is not null ? TagText : 0);
                buffer[position++] = (byte)tag;
                position += WriteOptionalDouble(buffer[position..], feature.Number);
                if (feature.Text is not null)
                {
                    position += WriteString(buffer[position..], feature.Text);
                }
            }
        }

        var segments = e.Segments;
        position += WriteCount(buffer[position..], segments?.Length);
        if (segments is not null)
        {
            foreach (ref readonly var segment in segments.AsSpan())
            {
                position += WriteString(buffer[position..], segment.Name);
                position += WriteString(buffer[position..], segment.Value);
            }
        }

        if (e.RequestId is not null)
        {
            position += WriteString(buffer[position..], e.RequestId);
        }

        return position;
    }

    private static int WriteOptionalDouble(Span<byte> buffer, double? value)
    {
        if (value is not { } v)
        {
            return 0;
        }

        BinaryPrimitives.WriteDoubleLittleEndian(buffer, v);
        return 8;
    }

    private static int WriteCount(Span<byte> buffer, int? count) => WriteVarUInt(buffer, count is { } c ? (uint)c + 1 : 0);

    private static int WriteString(Span<byte> buffer, string? value)
    {
        if (value is null)
        {
            buffer[0] = 0;
            return 1;
        }

        // Short strings (at most 42 chars, so at most 126 UTF-8 bytes) get a one-byte prefix without counting first.
        if (value.Length <= 42)
        {
            var count = Encoding.UTF8.GetBytes(value, buffer[1..]);
            buffer[0] = (byte)(count + 1);
            return count + 1;
        }

        var byteCount = Encoding.UTF8.GetByteCount(value);
        var prefix = WriteVarUInt(buffer, (uint)byteCount + 1);
        Encoding.UTF8.GetBytes(value, buffer[prefix..]);
        return prefix + byteCount;
    }

    private static int WriteVarUInt(Span<byte> buffer, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            buffer[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[i++] = (byte)value;
        return i;
    }

    private ref struct Reader(ReadOnlySpan<byte> data, NameCache cache)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private readonly NameCache _cache = cache;
        private int _position;

        public readonly bool AtEnd => _position == _data.Length;

        public byte ReadByte()
        {
            if (_position >= _data.Length)
            {
                throw Truncated();
            }

            return _data[_position++];
        }

        public long ReadInt64()
        {
            if (_data.Length - _position < 8)
            {
                throw Truncated();
            }

            var value = BinaryPrimitives.ReadInt64LittleEndian(_data[_position..]);
            _position += 8;
            return value;
        }

        public double ReadDouble()
        {
            if (_data.Length - _position < 8)
            {
                throw Truncated();
            }

            var value = BinaryPrimitives.ReadDoubleLittleEndian(_data[_position..]);
            _position += 8;
            return value;
        }

        /// <summary>Element count, or -1 for a null array.</summary>
        public int ReadCount()
        {
            var raw = ReadVarUInt();
            if (raw > (uint)(_data.Length - _position) + 1)
            {
                throw new FormatException("Array length exceeds the remaining data.");
            }

            return (int)raw - 1;
        }

        public string? ReadString(int slot)
        {
            var raw = ReadVarUInt();
            if (raw == 0)
            {
                return null;
            }

            var length = raw - 1;
            if (length > (uint)(_data.Length - _position))
            {
                throw Truncated();
            }

            var bytes = _data.Slice(_position, (int)length);
            _position += (int)length;
            return slot < 0 ? DecodeUtf8(bytes) : _cache.Get(slot, bytes);
        }

        private uint ReadVarUInt()
        {
            uint value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var b = ReadByte();
                value |= (uint)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new FormatException("Malformed varint.");
        }

        private static FormatException Truncated() => new("Model event data is truncated.");
    }

    private static string DecodeUtf8(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return UTF8Strict.GetString(utf8);
        }
        catch (DecoderFallbackException ex)
        {
            throw new FormatException("Invalid UTF-8 in model event.", ex);
        }
    }

    private static readonly UTF8Encoding UTF8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Per-thread cache of the last string decoded in each slot, keyed by its exact UTF-8 bytes.</summary>
    private sealed class NameCache
    {
        public const int NoSlot = -1;
        public const int ModelVersionSlot = 0;
        public const int PredictedClassSlot = 1;
        public const int LabelTextSlot = 2;
        public const int SourceSlot = 3;
        private const int FixedSlots = 4;
        private const int FeatureSlots = 256;
        private const int SegmentSlots = 32;
        private const int MaxCachedBytes = 128;

        [ThreadStatic]
        private static NameCache? t_current;

        private readonly byte[][] _bytes = new byte[FixedSlots + (2 * FeatureSlots) + (2 * SegmentSlots)][];
        private readonly string[] _strings = new string[FixedSlots + (2 * FeatureSlots) + (2 * SegmentSlots)];

        public static NameCache ForCurrentThread() => t_current ??= new NameCache();

        public static int FeatureNameSlot(int index) => index < FeatureSlots ? FixedSlots + index : NoSlot;

        public static int FeatureTextSlot(int index) => index < FeatureSlots ? FixedSlots + FeatureSlots + index : NoSlot;

        public static int SegmentNameSlot(int index) => index < SegmentSlots ? FixedSlots + (2 * FeatureSlots) + index : NoSlot;

        public static int SegmentValueSlot(int index) =>
            index < SegmentSlots ? FixedSlots + (2 * FeatureSlots) + SegmentSlots + index : NoSlot;

        public string Get(int slot, ReadOnlySpan<byte> utf8)
        {
            var cached = _bytes[slot];
            if (cached is not null && utf8.SequenceEqual(cached))
            {
                return _strings[slot];
            }

            var value = DecodeUtf8(utf8);
            if (utf8.Length <= MaxCachedBytes)
            {
                _bytes[slot] = utf8.ToArray();
                _strings[slot] = value;
            }

            return value;
        }
    }
}
