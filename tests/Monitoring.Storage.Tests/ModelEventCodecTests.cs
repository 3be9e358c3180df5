using System.Buffers;
using Monitoring.Abstractions.Events;
using Monitoring.Storage.Tests.Support;
using Xunit;

namespace Monitoring.Storage.Tests;

public sealed class ModelEventCodecTests
{
    [Fact]
    public void A_full_prediction_round_trips_exactly()
    {
        var original = TestEvents.Prediction("pred-1", 42) with { PredictedValue = 12.75, LabelNumber = -3, LabelText = "x" };

        var bytes = ModelEventCodec.Encode(original);

        Assert.Equal(ModelEventCodec.FormatVersion, bytes[0]);
        TestEvents.AssertSame(original, ModelEventCodec.Decode(bytes));
        Assert.True(bytes.Length <= ModelEventCodec.GetMaxEncodedLength(original));
    }

    [Fact]
    public void A_request_id_round_trips_and_records_without_one_keep_their_old_bytes()
    {
        var without = TestEvents.Prediction("pred-2", 7);
        var with = without with { RequestId = "req-9" };

        var oldBytes = ModelEventCodec.Encode(without);
        var newBytes = ModelEventCodec.Encode(with);

        TestEvents.AssertSame(with, ModelEventCodec.Decode(newBytes));
        Assert.Null(ModelEventCodec.Decode(oldBytes).RequestId);
        Assert.Equal(oldBytes, newBytes[..oldBytes.Length]); // the request id is a trailing field only
        Assert.True(newBytes.Length <= ModelEventCodec.GetMaxEncodedLength(with));
    }

    [Fact]
    public void Nulls_empty_arrays_and_null_arrays_round_trip()
    {
        var minimal = new ModelEvent { Kind = EventKind.Label, EventTimeUnixNano = 0 };
        var nullArrays = minimal with { Features = null!, Segments = null!, ModelVersion = null! };
        var emptyStrings = minimal with { PredictionId = string.Empty, Source = string.Empty, LabelText = string.Empty };

        foreach (var original in new[] { minimal, nullArrays, emptyStrings })
        {
            var decoded = ModelEventCodec.Decode(ModelEventCodec.Encode(original));
            TestEvents.AssertSame(original, decoded);
        }

        var decodedMinimal = ModelEventCodec.Decode(ModelEventCodec.Encode(minimal));
        Assert.Empty(decodedMinimal.Features);
        Assert.Empty(decodedMinimal.Segments);
        Assert.Null(decodedMinimal.PredictionId);
        Assert.Null(decodedMinimal.Score);
        Assert.Equal("unversioned", decodedMinimal.ModelVersion);
    }

    [Fact]
    public void Feature_values_of_every_shape_round_trip()
    {
        var original = new ModelEvent
        {
            Kind = EventKind.Prediction,
            EventTimeUnixNano = long.MinValue,
            ReceivedUnixNano = long.MaxValue,
            Features =
            [
                new FeatureValue("num", 1.0, null),
                new FeatureValue("text", null, "blue"),
                new FeatureValue("both", 2.5, "2.5"),
                new FeatureValue("null", null, null),
                new FeatureValue("empty", null, string.Empty),
                default,
            ],
            Segments = [new SegmentValue("region", "eu-west"), new SegmentValue(string.Empty, string.Empty), default],
        };

        TestEvents.AssertSame(original, ModelEventCodec.Decode(ModelEventCodec.Encode(original)));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.Epsilon)]
    [InlineData(-double.Epsilon)]
    [InlineData(double.MaxValue)]
    [InlineData(double.MinValue)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(0.1)]
    [InlineData(1e-310)]
    public void Doubles_keep_their_exact_bits(double value)
    {
        var original = new ModelEvent
        {
            Kind = EventKind.Prediction,
            EventTimeUnixNano = 1,
            Score = value,
            PredictedValue = value,
            LatencyMs = value,
            LabelNumber = value,
            Features = [new FeatureValue("f", value, null)],
        };

        TestEvents.AssertSame(original, ModelEventCodec.Decode(ModelEventCodec.Encode(original)));
    }

    [Fact]
    public void Negative_zero_keeps_its_sign_bit() => Doubles_keep_their_exact_bits(-0.0);

    [Fact]
    public void Long_and_non_ascii_strings_round_trip()
    {
        var long200 = new string('x', 200);
        var unicode = "Größe/価格/🙂 " + new string('é', 80);
        var original = new ModelEvent
        {
            Kind = EventKind.Prediction,
            PredictionId = long200,
            EventTimeUnixNano = 5,
            ModelVersion = unicode,
            PredictedClass = "Ω",
            Source = new string('s', 5000),
            Features = [new FeatureValue(unicode, null, long200), new FeatureValue(new string('n', 42), null, new string('é', 42))],
            Segments = [new SegmentValue(unicode, long200)],
        };

        var bytes = ModelEventCodec.Encode(original);

        TestEvents.AssertSame(original, ModelEventCodec.Decode(bytes));
    }

    [Fact]
    public void Decoding_different_records_alternately_never_reuses_a_wrong_cached_name()
    {
        var a = new ModelEvent
        {
            Kind = EventKind.Prediction,
            EventTimeUnixNano = 1,
            Features = [new FeatureValue("age", 1, null), new FeatureValue("city", null, "Paris")],
            Source = "svc-a",
        };
        var b = new ModelEvent
        {
            Kind = EventKind.Prediction,
            EventTimeUnixNano = 2,
            Features = [new FeatureValue("agf", 1, null), new FeatureValue("city", null, "Pari")],
            Source = "svc-b",
        };
        var encodedA = ModelEventCodec.Encode(a);
        var encodedB = ModelEventCodec.Encode(b);

        for (var i = 0; i < 4; i++)
        {
            TestEvents.AssertSame(a, ModelEventCodec.Decode(encodedA));
            TestEvents.AssertSame(b, ModelEventCodec.Decode(encodedB));
        }

        Assert.Same(ModelEventCodec.Decode(encodedB).Features[1].Name, ModelEventCodec.Decode(encodedB).Features[1].Name);
    }

    [Fact]
    public void Buffer_writer_encoding_matches_array_encoding()
    {
        var original = TestEvents.Prediction("w", 3);
        var writer = new ArrayBufferWriter<byte>();

        var written = ModelEventCodec.Encode(original, writer);

        Assert.Equal(ModelEventCodec.Encode(original), writer.WrittenSpan.ToArray());
        Assert.Equal(written, writer.WrittenCount);
    }

    [Fact]
    public void Unknown_versions_truncation_and_trailing_bytes_are_format_errors()
    {
        var bytes = ModelEventCodec.Encode(TestEvents.Prediction("p", 1));

        var wrongVersion = (byte[])bytes.Clone();
        wrongVersion[0] = 2;
        Assert.Throws<FormatException>(() => ModelEventCodec.Decode(wrongVersion));
        Assert.Throws<FormatException>(() => ModelEventCodec.Decode(ReadOnlySpan<byte>.Empty));
        for (var length = 1; length < bytes.Length; length += 7)
        {
            Assert.Throws<FormatException>(() => ModelEventCodec.Decode(bytes.AsSpan(0, length)));
        }

        Assert.Throws<FormatException>(() => ModelEventCodec.Decode([.. bytes, 0]));
    }

    [Fact]
    public void Twenty_feature_records_stay_compact()
    {
        var bytes = ModelEventCodec.Encode(TestEvents.Prediction("pred-123456", 1));

        // 20 names of 10 bytes, 16 numbers, 4 short categories, header, ids: well under 512 bytes.
        Assert.InRange(bytes.Length, 300, 512);
    }
}
