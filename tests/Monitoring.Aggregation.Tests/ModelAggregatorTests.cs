using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.Models;
using Monitoring.Aggregation.Reports;
using Monitoring.Aggregation.Tests.Support;
using Xunit;

namespace Monitoring.Aggregation.Tests;

/// <summary>
/// A model's aggregation driven directly, without Orleans, over a real SQLite event log and report store: what the
/// grain does is append, hand the logged records to the aggregator and checkpoint.
/// </summary>
public sealed class ModelAggregatorTests() : AggregatorTest("monitoring-aggregator-", T0)
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 2, 10, 0, 0, TimeSpan.Zero);
    [Fact]
    public async Task PerformanceRead_BuildsChangedWindowsFromMemory_AndWritesNothing()
    {
        var (key, model) = New("reads");
        await AppendAsync(key, model, Enumerable.Range(0, 50).Select(i => Prediction($"p{i}", T0.AddSeconds(i), 0.9)).ToArray());
        await AppendAsync(key, model, Enumerable.Range(0, 20).Select(i => Label($"p{i}", 1)).ToArray());

        var reports = await model.PerformanceAsync(long.MinValue, long.MaxValue);

        var report = Assert.Single(reports);
        Assert.Equal(50, report.Predictions);
        Assert.Equal(20, report.Labeled);
        Assert.Equal(20, report.Binary!.Count);
        Assert.Empty(await ReportStore.ListAsync(key, ReportKinds.Performance, long.MinValue, long.MaxValue));

        await model.FlushPerformanceAsync();
        Assert.Single(await ReportStore.ListAsync(key, ReportKinds.Performance, long.MinValue, long.MaxValue));
        Assert.Equal(20, (await model.PerformanceAsync(long.MinValue, long.MaxValue)).Single().Labeled);
    }

    [Fact]
    public async Task LabelBeforeItsPrediction_Waits_ThenJoinsIntoThePredictionsWindow()
    {
        var (key, model) = New("early");
        await AppendAsync(key, model, [Label("a", 1), Label("b", 0)]);
        Assert.Equal(2, model.Describe().Labels.Pending);

        await AppendAsync(key, model, [Prediction("a", T0.AddMinutes(-90), 0.8), Prediction("b", T0.AddMinutes(-90), 0.3)]);

        var description = model.Describe();
        Assert.Equal(0, description.Labels.Pending);
        Assert.Equal(2, description.Labels.Joined);
        var window = Assert.Single(await model.PerformanceAsync(long.MinValue, long.MaxValue));
        Assert.Equal(UnixNanos.FromDateTimeOffset(T0.AddHours(-2)), window.WindowStartUnixNano);
        Assert.Equal(1.0, window.Binary!.Accuracy.Value);
    }

    [Fact]
    public async Task ReportRetention_SweepsOnlyTheModelsOwnReports()
    {
        var (shortKey, shortLived) = New("short");
        var (longKey, longLived) = New("long");
        shortLived.Configure(new ModelSettings { Window = TimeSpan.FromMinutes(1), Retention = TimeSpan.FromDays(1) });
        longLived.Configure(new ModelSettings { Window = TimeSpan.FromMinutes(1), Retention = TimeSpan.FromDays(30) });
        await AppendAsync(shortKey, shortLived, [Prediction("s", T0, 0.5)]);
        await AppendAsync(longKey, longLived, [Prediction("l", T0, 0.5)]);
        Time.SetUtcNow(T0.AddMinutes(5));
        Assert.Single((await shortLived.CloseDueAsync(0)).Closed);
        Assert.Single((await longLived.CloseDueAsync(0)).Closed);

        Time.SetUtcNow(T0.AddDays(3));
        await shortLived.CloseDueAsync(0);

        Assert.Empty(await ReportStore.ListAsync(shortKey, ReportKinds.Window, long.MinValue, long.MaxValue));
        Assert.Single(await ReportStore.ListAsync(longKey, ReportKinds.Window, long.MinValue, long.MaxValue));
    }

    [Fact]
    public async Task FirstWindow_PairSlicesCountThePredictionsBeforeItsFirstLabel()
    {
        // A model's first window has no other window to choose its pair dimensions by, so it chooses at its first
        // label; the predictions before it must still count in the chosen pairs.
        var (key, model) = New("first-window");
        var rng = new Random(9);
        var rows = new List<(ModelEvent Prediction, double Label)>();
        for (var i = 0; i < 3000; i++)
        {
            var (plan, region, device) = (rng.NextDouble() < 0.5 ? "a" : "b", rng.NextDouble() < 0.5 ? "x" : "y", rng.NextDouble() < 0.5 ? "ios" : "web");
            var score = rng.NextDouble();
            var y = rng.NextDouble() < score ? 1.0 : 0.0;
            if (plan == "a" && region == "x" && rng.NextDouble() < 0.4)
            {
                y = 1 - y;
            }

            rows.Add((Prediction($"f{i}", T0, score) with
            {
                Segments = [new SegmentValue("device", device), new SegmentValue("plan", plan), new SegmentValue("region", region)],
            }, y));
        }

        await AppendAsync(key, model, [.. rows.Select(r => r.Prediction)]);
        await AppendAsync(key, model, [.. rows.Where((_, i) => i % 2 == 0).Select(r => Label(r.Prediction.PredictionId!, r.Label))]);

        var report = Assert.Single(await model.PerformanceAsync(long.MinValue, long.MaxValue));
        var pair = Assert.Single(report.Slices!.WorstSlices, s => s.Value == "plan & region=a & x");
        Assert.Equal(rows.Count(r => r.Prediction.Segments[1].Value == "a" && r.Prediction.Segments[2].Value == "x"), pair.Predictions);
        Assert.True(pair.Predictions > pair.Count);
    }

    [Fact]
    public async Task EventLogCutoff_IsTheLaterOfRetentionAndLabelHorizon()
    {
        var (_, model) = New("cutoff");
        model.Configure(new ModelSettings { Retention = TimeSpan.FromDays(7), LabelHorizon = TimeSpan.FromDays(14) });
        Assert.Equal(UnixNanos.FromDateTimeOffset(T0.AddDays(-14)), model.EventLogCutoff());
        model.Configure(new ModelSettings { Retention = TimeSpan.FromDays(30), LabelHorizon = TimeSpan.FromDays(14) });
        Assert.Equal(UnixNanos.FromDateTimeOffset(T0.AddDays(-30)), model.EventLogCutoff());
    }

    private ModelEvent Prediction(string id, DateTimeOffset at, double score) => new()
    {
        Kind = EventKind.Prediction,
        PredictionId = id,
        EventTimeUnixNano = UnixNanos.FromDateTimeOffset(at),
        ReceivedUnixNano = UnixNanos.Now(Time),
        Score = score,
        Features = [new FeatureValue("x", score, null)],
    };
}
