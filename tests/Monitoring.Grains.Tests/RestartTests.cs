using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation.Reports;
using Orleans.Core.Internal;
using Xunit;
using static Monitoring.Grains.Tests.TestModels;

namespace Monitoring.Grains.Tests;

/// <summary>
/// A model grain deactivated (checkpoint written through the silo's grain-storage serializer) and reactivated from that
/// checkpoint judges its windows exactly as a twin that never restarted: the open windows' numeric buckets and the
/// reference's buckets come back whole.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RestartTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task DeactivatedWithOpenWindows_Reactivated_ClosesThemWithTheSameDriftAsWithoutTheRestart()
    {
        var (restartedKey, restarted) = TestModels.New(fixture, "restart-");
        var (twinKey, twin) = TestModels.New(fixture, "twin-");
        var t0 = NextBoundary(Window);
        ClusterFixture.Time.SetUtcNow(t0);
        foreach (var grain in new[] { restarted, twin })
        {
            await grain.ConfigureAsync(new ModelSettings { Window = Window, ReferenceMode = ReferenceMode.Uploaded });
            await grain.SetReferenceAsync(Upload());
        }

        // Window 0 full, window 1 half full: both open (window 0 is waiting out its allowed lateness) when the silo stops.
        for (var s = 0; s < 90; s++)
        {
            var now = t0.AddSeconds(s);
            ClusterFixture.Time.SetUtcNow(now);
            var batch = Batch(now, s);
            await restarted.AppendAsync(batch);
            await twin.AppendAsync(batch);
        }

        await DeactivateAsync(restarted);

        // The windows are due when the grain comes back: they close inside its activation, from the checkpoint alone.
        // (Its window-close reminder may reactivate it before the call below does: either way the activation that
        // closes them was loaded from the checkpoint DeactivateAsync saw written.)
        ClusterFixture.Time.SetUtcNow(t0 + (3 * Window));
        await restarted.CloseEndedWindowsAsync();
        await twin.CloseEndedWindowsAsync();

        for (var w = 0; w < 2; w++)
        {
            var expected = await WindowReportAsync(fixture, twinKey, t0 + (w * Window));
            var actual = await WindowReportAsync(fixture, restartedKey, t0 + (w * Window));
            var x = Feature(actual, "x");
            Assert.Equal(w == 0 ? 6000 : 3000, x.GetProperty("count").GetInt64());
            Assert.True(x.TryGetProperty("psi", out _), x.ToString());
            Assert.True(x.TryGetProperty("ks", out _), x.ToString());
            Assert.Equal(expected.GetProperty("features").GetRawText(), actual.GetProperty("features").GetRawText());
            Assert.Equal(expected.GetProperty("latency").GetRawText(), actual.GetProperty("latency").GetRawText());
        }
    }

    /// <summary>Deactivates the grain (its checkpoint is written in OnDeactivateAsync) and waits until it is gone.</summary>
    private async Task DeactivateAsync(IModelGrain grain)
    {
        await grain.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        for (var i = 0; i < 200 && await IsActiveAsync(grain); i++)
        {
            await Task.Delay(50);
        }

        Assert.False(await IsActiveAsync(grain), "the grain did not deactivate");
    }

    private async Task<bool> IsActiveAsync(IModelGrain grain)
    {
        var management = fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0);
        var id = grain.GetGrainId();
        return (await management.GetDetailedGrainStatistics()).Any(s => s.GrainId == id);
    }

    private static ModelEvent[] Batch(DateTimeOffset now, int second)
    {
        var rng = new Random(second);
        var batch = new ModelEvent[100];
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = new ModelEvent
            {
                Kind = EventKind.Prediction,
                PredictionId = $"{second}-{i}",
                EventTimeUnixNano = Nanos(now.AddMilliseconds(i * 10)),
                ReceivedUnixNano = Nanos(now),
                // Shifted against the reference, so the drift statistics are far from zero.
                Features = [new FeatureValue("x", Math.Round(55 + (10 * rng.NextDouble()), 2), null)],
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
        return new ReferenceUpload("train.csv", x.Length, [new ReferenceColumn("x", x, null)]);
    }
}
