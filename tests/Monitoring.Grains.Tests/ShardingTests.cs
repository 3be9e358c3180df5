using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation.Reports;
using Monitoring.Grains.Sharding;
using Orleans.Core.Internal;
using Xunit;
using static Monitoring.Grains.Tests.TestModels;

namespace Monitoring.Grains.Tests;

/// <summary>
/// Hot models (issue 10): a model whose numeric values are folded by shard grains closes every window with the same
/// report as an unsharded twin fed the same records: drift against the uploaded reference (exact bin counts), data
/// quality (nulls, type mismatches), per-version statistics, latency, volume and late records. Also when shards miss
/// appends (their feeds never sent) or restart mid-window: they read the gaps back from the model's log.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ShardingTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ShardedModel_ClosesItsWindowsWithTheSameReportsAsAnUnshardedTwin()
    {
        var (hot, twin, t0) = await TwinsAsync(shards: 3);
        for (var s = 0; s < 90; s++)
        {
            var now = t0.AddSeconds(s);
            ClusterFixture.Time.SetUtcNow(now);
            var batch = Batch(now, s, t0);
            var result = await ShardedIngest.AppendAsync(fixture.Cluster.GrainFactory, hot.Key, batch, NullLogger.Instance);
            Assert.Null(result.Feed); // the feed is internal: never handed to the receiver
            await twin.Grain.AppendAsync(batch);
        }

        await AssertSameReportsAsync(hot, twin, t0, windows: 2);
    }

    [Fact]
    public async Task ShardsThatMissAppendsOrRestart_ReadThemBackFromTheLog_AndCloseTheSameWindows()
    {
        var (hot, twin, t0) = await TwinsAsync(shards: 2);
        for (var s = 0; s < 90; s++)
        {
            var now = t0.AddSeconds(s);
            ClusterFixture.Time.SetUtcNow(now);
            var batch = Batch(now, s, t0);
            if (s % 3 == 1)
            {
                await hot.Grain.AppendAsync(batch); // logged and folded by the model; the shards never hear of it
            }
            else
            {
                await ShardedIngest.AppendAsync(fixture.Cluster.GrainFactory, hot.Key, batch, NullLogger.Instance);
            }

            if (s is 40 or 70)
            {
                // Shard 1 checkpoints and deactivates; the next feed finds it reactivated from that checkpoint.
                await fixture.Cluster.GrainFactory.GetGrain<IModelShardGrain>(ShardKeys.Of(hot.Key, 1)).Cast<IGrainManagementExtension>().DeactivateOnIdle();
            }

            await twin.Grain.AppendAsync(batch);
        }

        await AssertSameReportsAsync(hot, twin, t0, windows: 2);
    }

    [Fact]
    public async Task ChangingTheShardCount_TakesBackWhatTheOldShardsHeld_AndClosesTheSameWindows()
    {
        // 3 shards, then 2 (20 s into the first window), none (45 s), 4 (70 s, in the second window): each change takes
        // the open windows' values back from the old shards and starts new shard grains, so no value is counted twice
        // (the old shards would otherwise read the later records back from the log) or lost.
        var (hot, twin, t0) = await TwinsAsync(shards: 3);
        for (var s = 0; s < 90; s++)
        {
            var shards = s switch { 20 => 2, 45 => 0, 70 => 4, _ => -1 };
            if (shards >= 0)
            {
                ClusterFixture.Sharding.Models.Add(new ShardedModel { Model = hot.Key.GrainKey, Shards = shards });
            }

            var now = t0.AddSeconds(s);
            ClusterFixture.Time.SetUtcNow(now);
            var batch = Batch(now, s, t0);
            await ShardedIngest.AppendAsync(fixture.Cluster.GrainFactory, hot.Key, batch, NullLogger.Instance);
            await twin.Grain.AppendAsync(batch);
            if (s == 50)
            {
                // Restarted while unsharded: the arrangement (none, after two) comes back from the checkpoint.
                await hot.Grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
            }
        }

        Assert.Equal(4, (await DescribeJsonAsync(hot.Grain)).RootElement.GetProperty("numeric_shards").GetInt32());
        await AssertSameReportsAsync(hot, twin, t0, windows: 2);
    }

    [Fact]
    public void ShardKeys_OfTheFirstArrangementKeepTheirFormat_LaterOnesCarryTheirNumber()
    {
        var model = new ModelKey("acme", "clicks");
        Assert.Equal("acme/clicks\u001F2", ShardKeys.Of(model, 2));
        Assert.Equal("acme/clicks\u001F2", ShardKeys.Of(model, 2, generation: 1));
        Assert.Equal("acme/clicks\u001F2\u001F3", ShardKeys.Of(model, 2, generation: 3));
        Assert.Equal((model, 2, 1), ShardKeys.Parse(ShardKeys.Of(model, 2)));
        Assert.Equal((model, 2, 3), ShardKeys.Parse(ShardKeys.Of(model, 2, generation: 3)));
        Assert.Throws<FormatException>(() => ShardKeys.Parse("acme/clicks"));
        Assert.Throws<FormatException>(() => ShardKeys.Parse("acme/clicks\u001F1\u001F2\u001F3"));
    }

    private async Task<((ModelKey Key, IModelGrain Grain) Hot, (ModelKey Key, IModelGrain Grain) Twin, DateTimeOffset T0)> TwinsAsync(int shards)
    {
        var hot = New(fixture, "hot-");
        var twin = New(fixture, "twin-");
        ClusterFixture.Sharding.Models.Add(new ShardedModel { Model = hot.Key.GrainKey, Shards = shards });
        var t0 = NextBoundary(Window);
        ClusterFixture.Time.SetUtcNow(t0);
        foreach (var (_, grain) in new[] { hot, twin })
        {
            await grain.ConfigureAsync(new ModelSettings { Window = Window, AllowedLateness = TimeSpan.FromSeconds(10), ReferenceMode = ReferenceMode.Uploaded });
            await grain.SetReferenceAsync(Upload());
        }

        return (hot, twin, t0);
    }

    private async Task AssertSameReportsAsync((ModelKey Key, IModelGrain Grain) hot, (ModelKey Key, IModelGrain Grain) twin, DateTimeOffset t0, int windows)
    {
        ClusterFixture.Time.SetUtcNow(t0 + ((windows + 2) * Window));
        Assert.Equal(await twin.Grain.CloseEndedWindowsAsync(), await hot.Grain.CloseEndedWindowsAsync());
        for (var w = 0; w < windows; w++)
        {
            var expected = await WindowReportAsync(fixture, twin.Key, t0 + (w * Window));
            var actual = await WindowReportAsync(fixture, hot.Key, t0 + (w * Window));
            var x = Feature(actual, "x");
            Assert.True(x.GetProperty("count").GetInt64() > 2500, x.ToString());
            Assert.True(x.TryGetProperty("psi", out _), x.ToString());
            AssertSameJson(expected, actual, "$", twin.Key.GrainKey, hot.Key.GrainKey);
        }

        var hotModel = await DescribeJsonAsync(hot.Grain);
        var twinModel = await DescribeJsonAsync(twin.Grain);
        Assert.True(hotModel.RootElement.GetProperty("numeric_shards").GetInt32() > 0); // the shards did the numeric work
        Assert.Equal(0, twinModel.RootElement.GetProperty("numeric_shards").GetInt32());
        Assert.Equal(twinModel.RootElement.GetProperty("totals").GetRawText(), hotModel.RootElement.GetProperty("totals").GetRawText());
        Assert.Equal(twinModel.RootElement.GetProperty("schema").GetRawText(), hotModel.RootElement.GetProperty("schema").GetRawText());
    }

    /// <summary>
    /// 100 predictions: x numeric (shifted against the reference; a string every 50th record, a type mismatch), y
    /// numeric with nulls, c categorical, two versions (v2 from second 30, so windows track versions), a latency, and
    /// from second 75 a few records of the first window arriving after it closed (late).
    /// </summary>
    private static ModelEvent[] Batch(DateTimeOffset now, int second, DateTimeOffset t0)
    {
        var rng = new Random(second);
        var batch = new ModelEvent[100];
        for (var i = 0; i < batch.Length; i++)
        {
            var late = second >= 75 && i < 3;
            var x = i % 50 == 49 ? new FeatureValue("x", null, "n/a") : new FeatureValue("x", Math.Round(55 + (10 * rng.NextDouble()), 2), null);
            var y = i % 7 == 0 ? new FeatureValue("y", null, null) : new FeatureValue("y", rng.NextDouble() * 1000, null);
            batch[i] = new ModelEvent
            {
                Kind = EventKind.Prediction,
                PredictionId = $"{second}-{i}",
                ModelVersion = second >= 30 && i % 4 == 0 ? "v2" : "v1",
                EventTimeUnixNano = Nanos(late ? t0.AddSeconds(5) : now.AddMilliseconds(i * 10)),
                ReceivedUnixNano = Nanos(now),
                Features = [x, y, new FeatureValue("c", null, $"c{rng.Next(4)}")],
                Score = rng.NextDouble(),
                LatencyMs = 1 + (20 * rng.NextDouble()),
            };
        }

        return batch;
    }

    private static ReferenceUpload Upload()
    {
        var rng = new Random(7);
        var x = Enumerable.Range(0, 5000).Select(_ => Math.Round(50 + (10 * rng.NextDouble()), 2)).ToArray();
        var y = Enumerable.Range(0, 5000).Select(_ => rng.NextDouble() * 900).ToArray();
        return new ReferenceUpload("train.csv", x.Length, [new ReferenceColumn("x", x, null), new ReferenceColumn("y", y, null)]);
    }

    /// <summary>Same JSON, numbers equal to 1e-9 relative (sums of the same values added in another order), model names swapped.</summary>
    private static void AssertSameJson(JsonElement expected, JsonElement actual, string path, string expectedModel, string actualModel)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: {expected.ValueKind} vs {actual.ValueKind}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var names = expected.EnumerateObject().Select(p => p.Name).ToList();
                Assert.True(names.SequenceEqual(actual.EnumerateObject().Select(p => p.Name)), $"{path}: properties {string.Join(",", names)} vs {string.Join(",", actual.EnumerateObject().Select(p => p.Name))}");
                foreach (var name in names)
                {
                    AssertSameJson(expected.GetProperty(name), actual.GetProperty(name), $"{path}.{name}", expectedModel, actualModel);
                }

                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{path}: {expected.GetArrayLength()} vs {actual.GetArrayLength()} items");
                for (var i = 0; i < expected.GetArrayLength(); i++)
                {
                    AssertSameJson(expected[i], actual[i], $"{path}[{i}]", expectedModel, actualModel);
                }

                break;
            case JsonValueKind.Number:
                var (e, a) = (expected.GetDouble(), actual.GetDouble());
                Assert.True(Math.Abs(e - a) <= 1e-9 * Math.Max(1, Math.Abs(e)), $"{path}: {e} vs {a}");
                break;
            case JsonValueKind.String:
                Assert.Equal(expected.GetString()!.Replace(expectedModel, "M", StringComparison.Ordinal), actual.GetString()!.Replace(actualModel, "M", StringComparison.Ordinal));
                break;
            default:
                Assert.Equal(expected.GetRawText(), actual.GetRawText());
                break;
        }
    }
}
