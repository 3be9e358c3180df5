using System.Text.RegularExpressions;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Windows;
using Monitoring.Storage.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;

namespace Monitoring.Grains.Tests;

/// <summary>The model state through the silo's own grain-storage serializer, as a checkpoint is written and read back.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class StateSerializerTests(ClusterFixture fixture)
{
    [Fact]
    public void EveryNumericAccumulator_SurvivesTheSilosGrainStorageSerializer()
    {
        var serializer = Serializer();
        var state = State();

        var back = serializer.Deserialize<ModelState>(serializer.Serialize(state));

        Assert.NotNull(back);
        AssertSameAccumulators(state, back);
        Assert.Equal(state.Settings, back.Settings);
        Assert.Equal(state.Reference!.Numeric["x"].Edges, back.Reference!.Numeric["x"].Edges);
        Assert.Equal(state.Reference.Numeric["x"].BinCounts, back.Reference.Numeric["x"].BinCounts);
    }

    /// <summary>
    /// Checkpoints written before the buckets' serialized form changed hold them as a dictionary <c>"Buckets"</c>; they
    /// read back whole (they were written whole: only reading them lost the buckets).
    /// </summary>
    [Fact]
    public void CheckpointWithTheOldDictionaryForm_ReadsItsBucketsBack()
    {
        var serializer = Serializer();
        Assert.IsType<JsonGrainStorageSerializer>(serializer); // the format existing databases hold
        var state = State();
        var json = serializer.Serialize(state).ToString();
        const string Dictionary =
            "System.Collections.Generic.Dictionary`2[[System.Int64, System.Private.CoreLib],[System.Int64, System.Private.CoreLib]], System.Private.CoreLib";
        var old = PairsForm().Replace(json, m =>
        {
            var v = m.Groups[1].Value.Length == 0 ? [] : m.Groups[1].Value.Split(',');
            var entries = Enumerable.Range(0, v.Length / 2).Select(i => $",\"{v[2 * i]}\":{v[(2 * i) + 1]}");
            return $"\"Buckets\":{{\"$type\":\"{Dictionary}\"{string.Concat(entries)}}}";
        });
        Assert.DoesNotContain("BucketPairs", old, StringComparison.Ordinal);
        Assert.Contains("\"Buckets\"", old, StringComparison.Ordinal);

        var back = serializer.Deserialize<ModelState>(BinaryData.FromString(old));

        Assert.NotNull(back);
        AssertSameAccumulators(state, back);
    }

    [Fact]
    public void VersionsAndShadowPairs_SurviveTheSilosGrainStorageSerializer()
    {
        var serializer = Serializer();
        var state = State();
        var window = state.Open[0];
        var v4 = new WindowAccumulator { Start = 0, End = 60, Predictions = 2 };
        WindowAccumulator.Get(v4.Numeric, "x").Add(7.5, null);
        WindowAccumulator.Get(v4.Numeric, "x").Add(8.5, null);
        v4.Latency.Add(40, null);
        window.ByVersion = new Dictionary<string, WindowAccumulator>(StringComparer.Ordinal) { ["v4"] = v4 };
        window.UntrackedVersionPredictions = 3;
        state.Versions["v3"] = new VersionSeen { Predictions = 10, FirstUnixNano = 5, LastUnixNano = 50 };
        state.Versions["v4"] = new VersionSeen { Predictions = 2, FirstUnixNano = 20, LastUnixNano = 40, WithRequestId = 2 };
        state.VersionTrackingSince = 20;
        state.VersionsForgotten = 1;
        state.PendingShadows["r1"] = new PendingShadow("v4", 0.75, null, null, [new Abstractions.Events.SegmentValue("device", "web")], 30, 31);
        state.ShadowPairsJoined = 9;
        state.ShadowUnmatched = 2;

        var back = serializer.Deserialize<ModelState>(serializer.Serialize(state))!;

        var sub = back.Open[0].ByVersion!["v4"];
        Assert.Equal(2, sub.Predictions);
        Assert.Equal(v4.Numeric["x"].CopyBuckets().OrderBy(kv => kv.Key), sub.Numeric["x"].CopyBuckets().OrderBy(kv => kv.Key));
        Assert.Equal(1, sub.Latency.Count);
        Assert.Equal(3, back.Open[0].UntrackedVersionPredictions);
        Assert.Equal(["v3", "v4"], back.Versions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((2L, 20L, 40L, 2L), (back.Versions["v4"].Predictions, back.Versions["v4"].FirstUnixNano, back.Versions["v4"].LastUnixNano, back.Versions["v4"].WithRequestId));
        Assert.Equal((20L, 1L, 9L, 2L), (back.VersionTrackingSince, back.VersionsForgotten, back.ShadowPairsJoined, back.ShadowUnmatched));
        var pending = back.PendingShadows["r1"];
        Assert.Equal(("v4", 0.75, 30L, 31L), (pending.Version, pending.Score!.Value, pending.EventTimeUnixNano, pending.ReceivedUnixNano));
        Assert.Equal("web", Assert.Single(pending.Segments).Value);
    }

    /// <summary>The serializer the silo's Monitoring grain storage uses.</summary>
    private IGrainStorageSerializer Serializer() => fixture.Cluster.Primary is InProcessSiloHandle silo
        ? GrainStateSerializer.Create(silo.SiloHost.Services)
        : throw new InvalidOperationException("in-process silo expected");

    /// <summary>A checkpoint with buckets in an open window, a day roll-up, the label delays and an uploaded reference.</summary>
    private static ModelState State()
    {
        // Uploaded is the enum's default value, not the settings' default.
        var state = new ModelState { Settings = new ModelSettings { ReferenceMode = ReferenceMode.Uploaded } };
        var window = new WindowAccumulator { Start = 0, End = 60 };
        foreach (var v in new[] { 1.0, 2.0, 2.0, 300.0, -4.5, 0.0, double.NaN })
        {
            WindowAccumulator.Get(window.Numeric, "x").Add(v, null);
            window.Latency.Add(Math.Abs(v) + 1, null);
            state.LabelDelaySeconds.Add(Math.Abs(v) * 60, null);
        }

        state.Open[0] = window;
        var day = new WindowAccumulator { Start = 0, End = 86_400 };
        day.Merge(window);
        state.Days[0] = day;
        var rng = new Random(3);
        var x = Enumerable.Range(0, 1000).Select(_ => Math.Round(rng.NextDouble() * 100, 2)).ToArray();
        state.Reference = ReferenceProfile.FromUpload(new ReferenceUpload("train.csv", x.Length, [new ReferenceColumn("x", x, null)]), 1, 0);
        return state;
    }

    private static void AssertSameAccumulators(ModelState expected, ModelState actual)
    {
        var pairs = new (NumericAccumulator Expected, NumericAccumulator Actual)[]
        {
            (expected.Open[0].Numeric["x"], actual.Open[0].Numeric["x"]),
            (expected.Open[0].Latency, actual.Open[0].Latency),
            (expected.Days[0].Numeric["x"], actual.Days[0].Numeric["x"]),
            (expected.LabelDelaySeconds, actual.LabelDelaySeconds),
            (expected.Reference!.Numeric["x"].Sketch, actual.Reference!.Numeric["x"].Sketch),
        };
        foreach (var (e, a) in pairs)
        {
            Assert.True(e.OccupiedBuckets > 0);
            Assert.Equal(e.OccupiedBuckets, a.OccupiedBuckets);
            Assert.Equal(e.CopyBuckets().OrderBy(kv => kv.Key), a.CopyBuckets().OrderBy(kv => kv.Key));
            Assert.Equal($"{e.Count} {e.Nulls} {e.Sum:R} {e.SumOfSquares:R} {e.Min:R} {e.Max:R}", $"{a.Count} {a.Nulls} {a.Sum:R} {a.SumOfSquares:R} {a.Min:R} {a.Max:R}");
        }
    }

    [GeneratedRegex("""
        "BucketPairs":\{"\$type":"System\.Int64\[\], System\.Private\.CoreLib","\$values":\[([-0-9,]*)\]\}
        """)]
    private static partial Regex PairsForm();
}
