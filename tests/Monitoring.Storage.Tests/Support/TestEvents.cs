using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Xunit;

namespace Monitoring.Storage.Tests.Support;

/// <summary>Builds records and compares them field by field (records compare arrays by reference).</summary>
internal static class TestEvents
{
    public const long BaseTime = 1_700_000_000_000_000_000;

    private static readonly string[] FeatureNames = [.. Enumerable.Range(0, 64).Select(f => $"feature_{f:D2}")];

    public static ModelKey NewModel(string prefix = "m") => new("t" + Guid.NewGuid().ToString("N")[..8], $"{prefix}/{Guid.NewGuid():N}");

    public static ModelEvent Prediction(string? predictionId, int index, int featureCount = 20)
    {
        var features = new FeatureValue[featureCount];
        for (var f = 0; f < featureCount; f++)
        {
            features[f] = f % 5 == 4
                ? new FeatureValue(FeatureName(f), null, (index + f) % 3 == 0 ? "red" : "blue")
                : new FeatureValue(FeatureName(f), (index * 0.25) + f, null);
        }

        return new ModelEvent
        {
            Kind = EventKind.Prediction,
            PredictionId = predictionId,
            EventTimeUnixNano = BaseTime + index,
            ModelVersion = "v3",
            Score = (index % 100) / 100.0,
            PredictedClass = index % 2 == 0 ? "yes" : "no",
            LatencyMs = 1.5 + (index % 7),
            Features = features,
            Segments = [new SegmentValue("country", index % 2 == 0 ? "DE" : "FR")],
            Source = "checkout",
            ReceivedUnixNano = BaseTime + index + 1000,
        };
    }

    private static string FeatureName(int f) => f < FeatureNames.Length ? FeatureNames[f] : $"feature_{f:D2}";

    public static ModelEvent Label(string predictionId, int index) => new()
    {
        Kind = EventKind.Label,
        PredictionId = predictionId,
        EventTimeUnixNano = BaseTime + index,
        LabelText = index % 2 == 0 ? "yes" : "no",
        ReceivedUnixNano = BaseTime + index + 5,
    };

    public static ModelEvent[] Predictions(string idPrefix, int start, int count, int featureCount = 20) =>
        [.. Enumerable.Range(start, count).Select(i => Prediction($"{idPrefix}{i}", i, featureCount))];

    public static void AssertSame(ModelEvent expected, ModelEvent actual)
    {
        Assert.Equal(expected.Kind, actual.Kind);
        Assert.Equal(expected.PredictionId, actual.PredictionId);
        Assert.Equal(expected.EventTimeUnixNano, actual.EventTimeUnixNano);
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        AssertSameBits(expected.Score, actual.Score);
        Assert.Equal(expected.PredictedClass, actual.PredictedClass);
        AssertSameBits(expected.PredictedValue, actual.PredictedValue);
        AssertSameBits(expected.LatencyMs, actual.LatencyMs);
        AssertSameBits(expected.LabelNumber, actual.LabelNumber);
        Assert.Equal(expected.LabelText, actual.LabelText);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.ReceivedUnixNano, actual.ReceivedUnixNano);
        Assert.Equal(expected.RequestId, actual.RequestId);
        if (expected.Features is null)
        {
            Assert.Null(actual.Features);
        }
        else
        {
            Assert.NotNull(actual.Features);
            Assert.Equal(expected.Features.Length, actual.Features.Length);
            for (var i = 0; i < expected.Features.Length; i++)
            {
                Assert.Equal(expected.Features[i].Name, actual.Features[i].Name);
                AssertSameBits(expected.Features[i].Number, actual.Features[i].Number);
                Assert.Equal(expected.Features[i].Text, actual.Features[i].Text);
            }
        }

        if (expected.Segments is null)
        {
            Assert.Null(actual.Segments);
        }
        else
        {
            Assert.NotNull(actual.Segments);
            Assert.Equal(expected.Segments, actual.Segments);
        }
    }

    private static void AssertSameBits(double? expected, double? actual)
    {
        Assert.Equal(expected.HasValue, actual.HasValue);
        if (expected is { } e && actual is { } a)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(e), BitConverter.DoubleToInt64Bits(a));
        }
    }
}
