using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.Models;
using Monitoring.Aggregation.Windows;
using Monitoring.Aggregation.Tests.Support;
using Xunit;

namespace Monitoring.Aggregation.Tests;

/// <summary>
/// Model versions as a dimension of every window, driven through the aggregator over a real SQLite event log and report
/// store: per-version volume, drift, latency and performance; late labels in their prediction's version; the bounds; and
/// a replay of the log giving the same per-version results as the live fold.
/// </summary>
public sealed class VersionTrackingTests() : AggregatorTest("monitoring-versions-", T0)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    [Fact]
    public async Task OneVersionOnly_TracksNoVersionSeparately()
    {
        var (key, model) = New("single");
        await AppendAsync(key, model, [.. Enumerable.Range(0, 20).Select(i => Prediction($"p{i}", "v1", T0.AddSeconds(i), 0.7))]);

        var window = Assert.Single(model.State.Open.Values);
        Assert.Null(window.ByVersion);
        Assert.Null(Assert.Single(await model.PerformanceAsync(long.MinValue, long.MaxValue)).ByVersion);
        Assert.Equal(20, model.State.Versions["v1"].Predictions);
        Assert.False(VersionTracking.Active(model.State));
    }

    [Fact]
    public async Task SecondVersionMidWindow_FirstVersionKeepsEverythingTheWindowCountedBefore()
    {
        var (key, model) = New("seed");
        await AppendAsync(key, model, [.. Enumerable.Range(0, 30).Select(i => Prediction($"a{i}", "v1", T0.AddSeconds(i), 0.2 + (0.01 * i)) with { LatencyMs = 10 })]);
        await AppendAsync(key, model, [.. Enumerable.Range(0, 12).Select(i => Prediction($"b{i}", "v2", T0.AddSeconds(40 + i), 0.9) with { LatencyMs = 50 })]);
        await AppendAsync(key, model, [.. Enumerable.Range(0, 5).Select(i => Prediction($"c{i}", "v1", T0.AddSeconds(60 + i), 0.3) with { LatencyMs = 10 })]);

        var window = Assert.Single(model.State.Open.Values);
        Assert.Equal(35, window.ByVersion!["v1"].Predictions);
        Assert.Equal(12, window.ByVersion["v2"].Predictions);
        Assert.Equal(35, window.ByVersion["v1"].Numeric["x"].Count);
        Assert.Equal(12, window.ByVersion["v2"].Numeric["x"].Count);
        Assert.Equal(12, window.ByVersion["v2"].Latency.Count);
        var performance = Assert.Single(await model.PerformanceAsync(long.MinValue, long.MaxValue));
        Assert.Equal(35, performance.ByVersion!["v1"].Predictions);
        Assert.Equal(12, performance.ByVersion["v2"].Predictions);
    }

    [Fact]
    public async Task LateLabels_LandInTheVersionOfThePredictionTheyLabel()
    {
        var (key, model) = New("late");
        model.Configure(new ModelSettings { Window = TimeSpan.FromMinutes(10) });
        var rng = new Random(3);
        var events = new List<ModelEvent>();
        var labels = new List<ModelEvent>();
        for (var i = 0; i < 400; i++)
        {
            var version = i % 2 == 0 ? "v3" : "v4";
            var y = rng.NextDouble() < 0.5 ? 1.0 : 0.0;
            // v3 is right (score on the label's side of 0.5), v4 wrong a third of the time.
            var right = version == "v3" || i % 3 != 0;
            var score = (y == 1) == right ? 0.6 + (0.3 * rng.NextDouble()) : 0.1 + (0.3 * rng.NextDouble());
            events.Add(Prediction($"p{i}", version, T0.AddSeconds(i), score));
            labels.Add(Label($"p{i}", y));
        }

        await AppendAsync(key, model, [.. events]);
        Time.SetUtcNow(T0.AddMinutes(30)); // the window has closed: the labels are late
        Assert.Single((await model.CloseDueAsync(0)).Closed);
        await AppendAsync(key, model, [.. labels]);

        var performance = Assert.Single(await model.PerformanceAsync(long.MinValue, long.MaxValue));
        Assert.Equal(400, performance.Labeled);
        var v3 = performance.ByVersion!["v3"];
        var v4 = performance.ByVersion["v4"];
        Assert.Equal(200, v3.Labeled);
        Assert.Equal(200, v4.Labeled);
        Assert.Equal(1.0, v3.Binary!.Accuracy.Value);
        var v4Wrong = Enumerable.Range(0, 400).Count(i => i % 2 == 1 && i % 3 == 0);
        Assert.Equal((200.0 - v4Wrong) / 200, v4.Binary!.Accuracy.Value!.Value, 12);
        Assert.NotNull(v4.Binary.Auc);
        Assert.NotNull(v4.Estimated);
        Assert.True(v4.Binary.Accuracy.Lower < v4.Binary.Accuracy.Value && v4.Binary.Accuracy.Upper > v4.Binary.Accuracy.Value);
    }

    [Fact]
    public async Task WindowReport_HasEachVersionsVolumeDriftAndLatency()
    {
        var (key, model) = New("report");
        model.Configure(new ModelSettings { Window = TimeSpan.FromMinutes(10) });
        await model.SetReferenceAsync(new ReferenceUpload("train.csv", 500, [new ReferenceColumn("x", [.. Enumerable.Range(0, 500).Select(i => i / 500.0)], null)]));
        var rng = new Random(5);
        // v1 sees the reference's population; v2 (the canary) a shifted one, and is slower.
        await AppendAsync(key, model, [.. Enumerable.Range(0, 600).Select(i => i % 3 == 0
            ? Prediction($"p{i}", "v2", T0.AddSeconds(i), 0.5) with { Features = [new FeatureValue("x", 0.6 + (0.4 * rng.NextDouble()), null)], LatencyMs = 40 }
            : Prediction($"p{i}", "v1", T0.AddSeconds(i), 0.5) with { Features = [new FeatureValue("x", rng.NextDouble(), null)], LatencyMs = 10 })]);
        Time.SetUtcNow(T0.AddMinutes(30));

        var report = Assert.Single((await model.CloseDueAsync(0)).Closed);

        var byVersion = report.ByVersion!;
        Assert.Equal(["v1", "v2"], byVersion.Select(v => v.Version));
        var (v1, v2) = (byVersion[0], byVersion[1]);
        Assert.Equal(400, v1.Volume);
        Assert.Equal(200, v2.Volume);
        Assert.Equal(1.0 / 3, v2.Share, 12);
        Assert.DoesNotContain("x", v1.DriftedFeatures);
        Assert.Contains("x", v2.DriftedFeatures);
        Assert.True(v2.Latency!.P50 > 3 * v1.Latency!.P50, $"{v2.Latency.P50} vs {v1.Latency.P50}");
        var stored = await ReportStore.GetAsync(key, Reports.ReportKinds.Window, report.WindowStartUnixNano);
        var back = JsonSerializer.Deserialize<WindowReport>(stored!.Json, ReportJson.Options)!;
        Assert.Equal(200, back.ByVersion!.Single(v => v.Version == "v2").Volume);
    }

    [Fact]
    public void StoredReportWithoutVersions_StillReads()
    {
        const string Old = """{"model":"t/m","granularity":"window","volume":3,"versions":{"v1":3},"features":[],"driftedFeatures":[]}""";
        var report = JsonSerializer.Deserialize<WindowReport>(Old, ReportJson.Options)!;
        Assert.Equal(3, report.Volume);
        Assert.Null(report.ByVersion);
    }

    [Fact]
    public async Task VersionsBeyondTheWindowCap_AreCountedNotTracked()
    {
        var (key, model) = New("cap");
        var versions = VersionTracking.MaxVersionsPerWindow + 3;
        await AppendAsync(key, model, [.. Enumerable.Range(0, versions * 2).Select(i => Prediction($"p{i}", $"v{i % versions:00}", T0.AddSeconds(i), 0.5))]);

        var window = Assert.Single(model.State.Open.Values);
        Assert.Equal(VersionTracking.MaxVersionsPerWindow, window.ByVersion!.Count);
        Assert.Equal(6, window.UntrackedVersionPredictions);
        Assert.Equal(window.Predictions, window.ByVersion.Values.Sum(v => v.Predictions) + window.UntrackedVersionPredictions);
        var performance = Assert.Single(await model.PerformanceAsync(long.MinValue, long.MaxValue));
        Assert.Equal(6, performance.UntrackedVersionPredictions);
        Assert.Equal(versions, model.State.Versions.Count);
    }

    [Fact]
    public async Task ReplayOfTheLog_GivesTheSamePerVersionResultsAsTheLiveFold()
    {
        var (key, model) = New("replay");
        var rng = new Random(11);
        for (var batch = 0; batch < 6; batch++)
        {
            var events = Enumerable.Range(0, 50).Select(i =>
            {
                var n = (batch * 50) + i;
                var version = batch < 2 ? "v1" : n % 4 == 0 ? "v2" : "v1";
                return Prediction($"p{n}", version, T0.AddSeconds(n * 5), rng.NextDouble()) with { LatencyMs = rng.Next(1, 30) };
            }).ToList();
            if (batch > 0)
            {
                events.AddRange(Enumerable.Range(0, 25).Select(i => Label($"p{((batch - 1) * 50) + (2 * i)}", rng.Next(2))));
            }

            await AppendAsync(key, model, [.. events]);
        }

        var replayed = await ReplayAsync(key);

        Assert.Equal(Json(model.State.Open), Json(replayed.State.Open));
        Assert.Equal(Json(model.State.Versions), Json(replayed.State.Versions));
        Assert.Equal(
            Json(await model.PerformanceAsync(long.MinValue, long.MaxValue)),
            Json(await replayed.PerformanceAsync(long.MinValue, long.MaxValue)));
        Assert.NotNull(model.State.Open.Values.First().ByVersion);
    }

    [Fact]
    public async Task Compare_MergesEveryWindowsVersionShares_ClosedAndOpen_WithLateLabels()
    {
        var (key, model) = New("compare");
        model.Configure(new ModelSettings { Window = TimeSpan.FromMinutes(1), AllowedLateness = TimeSpan.FromMinutes(10) });
        var rng = new Random(8);
        var events = new List<ModelEvent>();
        var labels = new List<ModelEvent>();
        for (var i = 0; i < 4000; i++)
        {
            var version = i % 2 == 0 ? "v3" : "v4";
            var y = rng.Next(2);
            var score = rng.NextDouble() < 0.85 == (y == 1) ? 0.55 + (0.4 * rng.NextDouble()) : 0.05 + (0.4 * rng.NextDouble());
            events.Add(Prediction($"{version}-{i}", version, T0.AddMilliseconds(i * 30), score) with { LatencyMs = 10 });
            labels.Add(Label($"{version}-{i}", y));
        }

        Time.SetUtcNow(T0.AddMinutes(3));
        await AppendAsync(key, model, [.. events]);
        await model.FlushPerformanceAsync();
        Assert.Equal(2, (await model.CloseDueAsync(0)).Closed.Count);
        await AppendAsync(key, model, [.. labels.Take(300)]);
        await model.FlushPerformanceAsync();
        await AppendAsync(key, model, [.. labels.Skip(300)]);

        var report = await model.CompareVersionsAsync("v3", "v4", long.MinValue, long.MaxValue, Abstractions.Rollouts.RolloutGuardrails.Default);

        Assert.NotNull(report);
        Assert.Equal(2000, report.BaselineSummary.Predictions);
        Assert.Equal(2000, report.BaselineSummary.Labeled);
        Assert.Equal(2000, report.CandidateSummary.Labeled);
        Assert.Equal(2, report.Windows);
        Assert.Null(await model.CompareVersionsAsync("v3", "v9", long.MinValue, long.MaxValue, Abstractions.Rollouts.RolloutGuardrails.Default));

        // Bounded from below (the comparison at a window close reads a fixed number of windows back): the second window only.
        var secondWindow = UnixNanos.FromDateTimeOffset(T0.AddMinutes(1));
        var bounded = await model.CompareVersionsAsync("v3", "v4", long.MinValue, long.MaxValue, Abstractions.Rollouts.RolloutGuardrails.Default, secondWindow);
        Assert.NotNull(bounded);
        Assert.Equal(1, bounded.Windows);
        Assert.InRange(bounded.BaselineSummary.Predictions, 1, 1999);
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ReportJson.Options);

    private ModelEvent Prediction(string id, string version, DateTimeOffset at, double score) => new()
    {
        Kind = EventKind.Prediction,
        PredictionId = id,
        ModelVersion = version,
        EventTimeUnixNano = UnixNanos.FromDateTimeOffset(at),
        ReceivedUnixNano = UnixNanos.Now(Time),
        Score = score,
        Features = [new FeatureValue("x", score, null)],
    };
}
