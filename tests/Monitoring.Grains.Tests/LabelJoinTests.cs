using Monitoring.Aggregation.Reports;
using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Stats.Classification;
using static Monitoring.Grains.Tests.TestModels;
using Xunit;

namespace Monitoring.Grains.Tests;

/// <summary>The delayed label join: labels fold into the window of their prediction, whenever they arrive.</summary>
[Collection(ClusterCollection.Name)]
public sealed class LabelJoinTests(ClusterFixture fixture)
{
    [Fact]
    public async Task LabelsAfterTheWindowClosed_FoldIntoThePredictionsWindow_AndMatchTheStatisticsCore()
    {
        var (key, grain) = NewModel();
        await grain.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromMinutes(1) });
        var t0 = NextBoundary(TimeSpan.FromMinutes(1));
        ClusterFixture.Time.SetUtcNow(t0);
        var rng = new Random(21);
        var scores = Enumerable.Range(0, 400).Select(_ => Math.Round(rng.NextDouble(), 4)).ToArray();
        var labels = scores.Select(s => rng.NextDouble() < s ? 1.0 : 0.0).ToArray();
        await grain.AppendAsync(scores.Select((s, i) => Prediction($"p{i}", t0.AddMilliseconds(i * 100), s)).ToArray());
        ClusterFixture.Time.SetUtcNow(t0.AddMinutes(5));
        await grain.TickAsync();

        // Labels arrive hours later, out of order, in two batches, one of them repeated.
        ClusterFixture.Time.SetUtcNow(t0.AddHours(3));
        var order = Enumerable.Range(0, 400).OrderBy(_ => rng.Next()).ToArray();
        await grain.AppendAsync(order.Take(250).Select(i => Label($"p{i}", labels[i])).ToArray());
        await grain.AppendAsync(order.Skip(250).Select(i => Label($"p{i}", labels[i])).ToArray());
        var again = await grain.AppendAsync(order.Take(10).Select(i => Label($"p{i}", labels[i])).ToArray());
        Assert.Equal(10, again.Duplicates);
        await grain.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromMinutes(1) }); // checkpoint: flushes performance

        var report = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Performance, Nanos(t0)))!.Json).RootElement;
        Assert.Equal(400, report.GetProperty("predictions").GetInt64());
        Assert.Equal(400, report.GetProperty("labeled").GetInt64());
        Assert.Equal(1.0, report.GetProperty("coverage").GetDouble());
        var exact = BinaryClassificationMetrics.Compute(scores, labels);
        var binary = report.GetProperty("binary");
        Assert.Equal(exact.Brier, binary.GetProperty("brier").GetDouble(), 12);
        Assert.Equal(exact.LogLoss, binary.GetProperty("log_loss").GetDouble(), 12);
        Assert.Equal(exact.Accuracy, binary.GetProperty("accuracy").GetProperty("value").GetDouble(), 12);
        Assert.Equal(exact.F1, binary.GetProperty("f1").GetDouble(), 12);
        Assert.Equal(exact.Calibration.ExpectedCalibrationError, binary.GetProperty("ece").GetDouble(), 12);
        var auc = binary.GetProperty("auc");
        Assert.InRange(exact.Auc!.Value, auc.GetProperty("lower_bound").GetDouble(), auc.GetProperty("upper_bound").GetDouble());

        using var describe = await DescribeJsonAsync(grain);
        var joined = describe.RootElement.GetProperty("labels");
        Assert.Equal(400, joined.GetProperty("joined").GetInt64());
        Assert.InRange(joined.GetProperty("delay_p50_seconds").GetDouble(), 3 * 3600 - 120, 3 * 3600 * 1.04);
    }

    [Fact]
    public async Task ChangedLabel_ReplacesTheEarlierOne_AndARepeatIsADuplicate()
    {
        var (key, grain) = NewModel();
        var now = ClusterFixture.Time.GetUtcNow();
        double[] scores = [0.9, 0.2, 0.7, 0.4, 0.55];
        double[] first = [1, 0, 1, 0, 1];
        double[] corrected = [0, 0, 1, 0, 1];
        await grain.AppendAsync(scores.Select((p, i) => Prediction($"c{i}", now, p)).ToArray());
        await grain.AppendAsync(first.Select((y, i) => Label($"c{i}", y)).ToArray());

        var change = await grain.AppendAsync([Label("c0", 0.0)]);
        var repeat = await grain.AppendAsync([Label("c0", 0.0), Label("c1", 0.0)]);
        await grain.FlushPerformanceAsync();

        Assert.Equal(1, change.Accepted);
        Assert.Equal(0, repeat.Accepted);
        Assert.Equal(2, repeat.Duplicates);
        using var describe = await DescribeJsonAsync(grain);
        Assert.Equal(1, describe.RootElement.GetProperty("labels").GetProperty("corrected").GetInt64());
        Assert.Equal(5, describe.RootElement.GetProperty("labels").GetProperty("joined").GetInt64());
        var start = HourStart(now);
        var report = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Performance, start))!.Json).RootElement;
        var binary = report.GetProperty("binary");
        var exact = BinaryClassificationMetrics.Compute(scores, corrected);
        Assert.Equal(5, binary.GetProperty("count").GetInt64());
        Assert.Equal(2, binary.GetProperty("positives").GetInt64());
        Assert.Equal(exact.Brier, binary.GetProperty("brier").GetDouble(), 12);
        Assert.Equal(exact.Accuracy, binary.GetProperty("accuracy").GetProperty("value").GetDouble(), 12);
        Assert.Equal(5, report.GetProperty("labeled").GetInt64());
    }

    [Fact]
    public async Task LabelBeforeItsPrediction_WaitsAndJoinsWhenThePredictionArrives()
    {
        var (key, grain) = NewModel();
        var now = ClusterFixture.Time.GetUtcNow();
        await grain.AppendAsync([Label("early", 1.0)]);
        using (var waiting = await DescribeJsonAsync(grain))
        {
            Assert.Equal(1, waiting.RootElement.GetProperty("labels").GetProperty("pending").GetInt64());
        }

        await grain.AppendAsync([Prediction("early", now, 0.9)]);
        await grain.ConfigureAsync(new ModelSettings());

        using var describe = await DescribeJsonAsync(grain);
        Assert.Equal(0, describe.RootElement.GetProperty("labels").GetProperty("pending").GetInt64());
        Assert.Equal(1, describe.RootElement.GetProperty("labels").GetProperty("joined").GetInt64());
        var start = HourStart(now);
        var report = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Performance, start))!.Json).RootElement;
        Assert.Equal(1, report.GetProperty("labeled").GetInt64());
    }

    [Fact]
    public async Task LabelsForUnknownPredictions_AreCountedUnmatchedAfterTheHorizon_AndLateLabelsPastIt()
    {
        var (_, grain) = NewModel();
        await grain.ConfigureAsync(new ModelSettings { LabelHorizon = TimeSpan.FromDays(1) });
        var now = ClusterFixture.Time.GetUtcNow();
        await grain.AppendAsync([Prediction("old", now, 0.4)]);
        ClusterFixture.Time.SetUtcNow(now.AddDays(2));
        await grain.AppendAsync([Label("old", 0.0), Label("never-predicted", 1.0)]);
        ClusterFixture.Time.SetUtcNow(now.AddDays(3).AddMinutes(1));
        await grain.TickAsync();

        using var describe = await DescribeJsonAsync(grain);
        var labels = describe.RootElement.GetProperty("labels");
        Assert.Equal(1, labels.GetProperty("past_horizon").GetInt64());
        Assert.Equal(1, labels.GetProperty("unmatched").GetInt64());
        Assert.Equal(0, labels.GetProperty("pending").GetInt64());
        Assert.Equal(0, labels.GetProperty("joined").GetInt64());
    }

    [Fact]
    public async Task WindowsWithoutLabels_CarryConfidenceBasedEstimates()
    {
        var (key, grain) = NewModel();
        var now = ClusterFixture.Time.GetUtcNow();
        await grain.AppendAsync(Enumerable.Range(0, 200).Select(i => Prediction($"u{i}", now, i % 2 == 0 ? 0.9 : 0.2)).ToArray());
        await grain.ConfigureAsync(new ModelSettings());

        var start = HourStart(now);
        var report = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Performance, start))!.Json).RootElement;
        Assert.Equal(0, report.GetProperty("labeled").GetInt64());
        var estimated = report.GetProperty("estimated");
        Assert.Equal("cbpe", estimated.GetProperty("method").GetString());
        Assert.Equal((0.9 + 0.8) / 2, estimated.GetProperty("accuracy").GetDouble(), 9); // E[acc] = mean(max(p, 1 - p)) at 0.5
    }

    [Fact]
    public async Task WorstSlices_FindTheTwoPlantedDegradedSegments_RankedFirst()
    {
        var (key, grain) = NewModel();
        var now = ClusterFixture.Time.GetUtcNow();
        var rng = new Random(8);
        string[] countries = ["US", "DE", "BR", "FR"], devices = ["ios", "android"], plans = ["free", "pro"];
        var predictions = new List<ModelEvent>();
        var labels = new List<ModelEvent>();
        for (var i = 0; i < 6000; i++)
        {
            var country = countries[rng.Next(4)];
            var device = devices[rng.Next(2)];
            var plan = plans[rng.Next(2)];
            var y = rng.Next(2);
            var degraded = country == "BR" || (device == "ios" && plan == "free");
            var correct = rng.NextDouble() < (degraded ? 0.62 : 0.92);
            var score = (y == 1) == correct ? 0.55 + (0.4 * rng.NextDouble()) : 0.05 + (0.4 * rng.NextDouble());
            predictions.Add(Prediction($"s{i}", now, score) with
            {
                // A rare dimension first by name: pairs are tracked among the dimensions with the most predictions.
                Segments = i % 10 == 0
                    ? [new SegmentValue("a_rare", "x"), new SegmentValue("country", country), new SegmentValue("device", device), new SegmentValue("plan", plan)]
                    : [new SegmentValue("country", country), new SegmentValue("device", device), new SegmentValue("plan", plan)],
            });
            labels.Add(Label($"s{i}", y));
        }

        await grain.AppendAsync(predictions.ToArray());
        await grain.AppendAsync(labels.ToArray());
        await grain.FlushPerformanceAsync();

        var start = HourStart(now);
        var report = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Performance, start))!.Json).RootElement;
        var sketch = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.PerformanceSketch, start))!.Json).RootElement;
        var tracked = sketch.GetProperty("slices").EnumerateObject().Select(p => p.Name).Where(n => n.Contains(" & ", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["country & device", "country & plan", "device & plan"], tracked);
        var worst = report.GetProperty("slices").GetProperty("worst_slices").EnumerateArray().Select(w => w.GetProperty("value").GetString()).ToList();
        Assert.Equal(["country=BR", "device & plan=ios & free"], worst.Take(2).Order(StringComparer.Ordinal).ToList());
        var countryDimension = report.GetProperty("slices").GetProperty("dimensions").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "country");
        var br = countryDimension.GetProperty("slices").EnumerateArray().Single(v => v.GetProperty("value").GetString() == "BR");
        Assert.Equal(predictions.Count(p => p.Segments.Any(x => x.Value == "BR")), br.GetProperty("count").GetInt64());
        Assert.True(br.GetProperty("vs_rest").GetProperty("significant").GetBoolean());
        var brRows = Enumerable.Range(0, predictions.Count).Where(i => predictions[i].Segments.Any(x => x.Value == "BR")).ToArray();
        var brAuc = RocAuc.Compute(brRows.Select(i => predictions[i].Score!.Value).ToArray(), brRows.Select(i => labels[i].LabelNumber!.Value).ToArray())!.Value;
        var brCalibration = Calibration.Compute(brRows.Select(i => predictions[i].Score!.Value).ToArray(), brRows.Select(i => labels[i].LabelNumber!.Value).ToArray());
        Assert.Equal(brCalibration.MaximumCalibrationError, br.GetProperty("mce").GetDouble(), 9);
        Assert.Equal(brCalibration.ExpectedCalibrationError, br.GetProperty("ece").GetDouble(), 9);
        Assert.Equal(brCalibration.Bins.Select(b => b.Count), br.GetProperty("reliability").EnumerateArray().Select(b => b.GetProperty("count").GetInt64()));
        var sliceAuc = br.GetProperty("auc");
        Assert.InRange(brAuc, sliceAuc.GetProperty("lower_bound").GetDouble(), sliceAuc.GetProperty("upper_bound").GetDouble());
        var us = countryDimension.GetProperty("slices").EnumerateArray().Single(v => v.GetProperty("value").GetString() == "US");
        Assert.True(us.GetProperty("vs_rest").GetProperty("difference").GetDouble() > 0);
    }

    private (ModelKey Key, IModelGrain Grain) NewModel() => TestModels.New(fixture, "labels-");

    private static ModelEvent Label(string id, double label) => new()
    {
        Kind = EventKind.Label,
        PredictionId = id,
        EventTimeUnixNano = Nanos(ClusterFixture.Time.GetUtcNow()),
        ReceivedUnixNano = Nanos(ClusterFixture.Time.GetUtcNow()),
        LabelNumber = label,
    };
}
