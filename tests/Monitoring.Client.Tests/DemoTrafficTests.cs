using Microsoft.Extensions.Time.Testing;
using Monitoring.Abstractions.Time;
using Monitoring.Client.Demo;
using Monitoring.Client.Tests.Support;
using Xunit;

namespace Monitoring.Client.Tests;

/// <summary>The demo traffic generator, through an in-memory sink (no network).</summary>
public sealed class DemoTrafficTests
{
    private static readonly DateTimeOffset Start = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static DemoTrafficOptions Options(double labelFraction = 0.0) => new()
    {
        Seed = 42,
        RunId = "run",
        PredictionsPerSecondPerModel = 20,
        DriftAfter = TimeSpan.FromMinutes(3),
        LabelFraction = labelFraction,
    };

    private static List<Prediction> Of(RecordingSink sink, string model) => sink.Predictions.Where(p => p.ModelId == model).ToList();

    private static double Income(Prediction p) => (double)p.Features["income"]!;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static double Share(IReadOnlyCollection<Prediction> predictions, string country)
        => predictions.Count(p => (string)p.Features["country"]! == country) / (double)predictions.Count;

    [Fact]
    public void Drift_switch_shifts_credit_risk_income_up_40_percent_and_changes_the_country_mix()
    {
        var sink = new RecordingSink();
        var generator = new DemoTrafficGenerator(Options(), Start);
        generator.Advance(TimeSpan.FromMinutes(2), sink);
        generator.Advance(TimeSpan.FromMinutes(6), sink); // one catch-up spanning the switch at 3 minutes

        var credit = Of(sink, DemoTraffic.CreditRiskModel);
        Assert.Equal((20 * 360) + 1, credit.Count);
        var switchTime = Start + TimeSpan.FromMinutes(3);
        var before = credit.Where(p => p.Timestamp < switchTime).ToList();
        var after = credit.Where(p => p.Timestamp >= switchTime).ToList();
        Assert.Equal(20 * 180, before.Count);

        var medianRatio = Median(after.Select(Income)) / Median(before.Select(Income));
        var meanRatio = after.Average(Income) / before.Average(Income);
        Assert.InRange(medianRatio, 1.33, 1.47);
        Assert.InRange(meanRatio, 1.33, 1.47);

        // The second catch-up call emitted minute 2 to 3 undrifted: only event time decides.
        var lateBefore = before.Where(p => p.Timestamp >= Start + TimeSpan.FromMinutes(2)).ToList();
        var earlyBefore = before.Where(p => p.Timestamp < Start + TimeSpan.FromMinutes(2)).ToList();
        Assert.InRange(Median(lateBefore.Select(Income)) / Median(earlyBefore.Select(Income)), 0.9, 1.1);

        Assert.InRange(Share(before, "US"), 0.36, 0.44);
        Assert.InRange(Share(after, "US"), 0.21, 0.29);
        Assert.InRange(Share(before, "IN"), 0.07, 0.13);
        Assert.InRange(Share(after, "IN"), 0.21, 0.29);

        // Other features and other models do not drift.
        var ageRatio = after.Average(p => (int)p.Features["age"]!) / before.Average(p => (int)p.Features["age"]!);
        Assert.InRange(ageRatio, 0.97, 1.03);
        var churn = Of(sink, DemoTraffic.ChurnModel);
        var churnBefore = churn.Where(p => p.Timestamp < switchTime).Average(p => (double)p.Features["monthly_spend"]!);
        var churnAfter = churn.Where(p => p.Timestamp >= switchTime).Average(p => (double)p.Features["monthly_spend"]!);
        Assert.InRange(churnAfter / churnBefore, 0.95, 1.05);
    }

    [Fact]
    public void Churn_canary_serves_its_share_after_the_switch_better_on_paid_plans_and_worse_on_the_free_plan()
    {
        var sink = new RecordingSink();
        new DemoTrafficGenerator(Options(1.0) with { LabelDelay = TimeSpan.FromSeconds(1) }, Start).Advance(TimeSpan.FromMinutes(15), sink);
        var churn = Of(sink, DemoTraffic.ChurnModel);
        var switchTime = Start + TimeSpan.FromMinutes(1);

        Assert.All(churn.Where(p => p.Timestamp < switchTime), p => Assert.Equal("v7", p.ModelVersion));
        var after = churn.Where(p => p.Timestamp >= switchTime).ToList();
        var share = after.Count(p => p.ModelVersion == DemoTraffic.ChurnCanaryVersion) / (double)after.Count;
        Assert.InRange(share, 0.08, 0.12);

        var labels = sink.Labels.Where(l => l.ModelId == DemoTraffic.ChurnModel).ToDictionary(l => l.PredictionId, l => Convert.ToInt32(l.Label, System.Globalization.CultureInfo.InvariantCulture));
        double Accuracy(string version, bool free) => after
            .Where(p => p.ModelVersion == version && (p.Segments["plan"] == "free") == free && labels.ContainsKey(p.PredictionId))
            .Average(p => (p.Score >= 0.5 ? 1 : 0) == labels[p.PredictionId] ? 1.0 : 0.0);
        Assert.True(Accuracy("v8", free: true) < Accuracy("v7", free: true) - 0.1, $"{Accuracy("v8", true)} vs {Accuracy("v7", true)}");
        Assert.True(Accuracy("v8", free: false) >= Accuracy("v7", free: false) - 0.01, $"{Accuracy("v8", false)} vs {Accuracy("v7", false)}");
    }

    [Fact]
    public void No_drift_when_drift_is_disabled()
    {
        var sink = new RecordingSink();
        new DemoTrafficGenerator(Options() with { DriftAfter = Timeout.InfiniteTimeSpan }, Start).Advance(TimeSpan.FromMinutes(6), sink);
        var credit = Of(sink, DemoTraffic.CreditRiskModel);
        var switchTime = Start + TimeSpan.FromMinutes(3);
        var ratio = Median(credit.Where(p => p.Timestamp >= switchTime).Select(Income)) / Median(credit.Where(p => p.Timestamp < switchTime).Select(Income));
        Assert.InRange(ratio, 0.93, 1.07);
    }

    [Fact]
    public void Same_seed_gives_the_same_traffic_whatever_the_tick_pattern()
    {
        var coarse = new RecordingSink();
        new DemoTrafficGenerator(Options(0.5), Start).Advance(TimeSpan.FromSeconds(90), coarse);

        var fine = new RecordingSink();
        var generator = new DemoTrafficGenerator(Options(0.5), Start);
        for (var ms = 0; ms <= 90_000; ms += 250)
        {
            generator.Advance(TimeSpan.FromMilliseconds(ms), fine);
        }

        foreach (var model in new[] { DemoTraffic.CreditRiskModel, DemoTraffic.ChurnModel, DemoTraffic.EtaModel })
        {
            var a = Of(coarse, model);
            var b = Of(fine, model);
            Assert.Equal(a.Count, b.Count);
            for (var i = 0; i < a.Count; i++)
            {
                Assert.Equal(a[i].PredictionId, b[i].PredictionId);
                Assert.Equal(a[i].Timestamp, b[i].Timestamp);
                Assert.Equal(a[i].Score, b[i].Score);
                Assert.Equal(a[i].Value, b[i].Value);
                Assert.Equal(a[i].Features, b[i].Features);
                Assert.Equal(a[i].Segments, b[i].Segments);
            }
        }

        Assert.Equal(
            coarse.Labels.OrderBy(l => l.PredictionId, StringComparer.Ordinal).Select(l => (l.PredictionId, l.Label, l.Timestamp)),
            fine.Labels.OrderBy(l => l.PredictionId, StringComparer.Ordinal).Select(l => (l.PredictionId, l.Label, l.Timestamp)));

        var other = new RecordingSink();
        new DemoTrafficGenerator(Options() with { Seed = 43 }, Start).Advance(TimeSpan.FromSeconds(90), other);
        Assert.NotEqual(Of(coarse, DemoTraffic.CreditRiskModel).Select(Income), Of(other, DemoTraffic.CreditRiskModel).Select(Income));
    }

    [Fact]
    public void Each_model_sends_at_the_configured_rate_with_unique_ids_and_its_kind_of_output()
    {
        var sink = new RecordingSink();
        new DemoTrafficGenerator(Options() with { PredictionsPerSecondPerModel = 50 }, Start).Advance(TimeSpan.FromSeconds(10), sink);
        var predictions = sink.Predictions;
        Assert.Equal(3 * 501, predictions.Count);
        Assert.Equal(predictions.Count, predictions.Select(p => p.PredictionId).Distinct().Count());

        foreach (var group in predictions.GroupBy(p => p.ModelId))
        {
            var times = group.Select(p => p.Timestamp!.Value).ToList();
            Assert.Equal(Start, times[0]);
            Assert.All(times.Zip(times.Skip(1)), pair => Assert.Equal(TimeSpan.FromMilliseconds(20), pair.Second - pair.First));
        }

        Assert.All(Of(sink, DemoTraffic.CreditRiskModel), p =>
        {
            Assert.InRange(p.Score!.Value, 0, 1);
            Assert.Equal(p.Score >= 0.5 ? "1" : "0", p.Class);
            Assert.IsType<int>(p.Features["age"]);
            Assert.Equal(["country", "device", "plan"], p.Segments.Keys.Order());
        });
        Assert.Contains(Of(sink, DemoTraffic.CreditRiskModel), p => p.Features["debt_ratio"] is null);
        Assert.All(Of(sink, DemoTraffic.ChurnModel), p => Assert.IsType<bool>(p.Features["autopay"]));
        Assert.All(Of(sink, DemoTraffic.EtaModel), p =>
        {
            Assert.Null(p.Score);
            Assert.True(p.Value > 0);
        });
    }

    [Fact]
    public void Labels_follow_their_predictions_after_the_delay()
    {
        var sink = new RecordingSink();
        var generator = new DemoTrafficGenerator(Options(0.5) with { LabelDelay = TimeSpan.FromSeconds(30) }, Start);
        generator.Advance(TimeSpan.FromMinutes(5), sink);

        var predictions = sink.Predictions.ToDictionary(p => p.PredictionId);
        var labels = sink.Labels;
        Assert.Equal(labels.Count, labels.Select(l => l.PredictionId).Distinct().Count());
        Assert.InRange(labels.Count / (double)predictions.Count, 0.42, 0.5);
        Assert.All(labels, l =>
        {
            var p = predictions[l.PredictionId];
            Assert.Equal(p.ModelId, l.ModelId);
            Assert.InRange(l.Timestamp!.Value - p.Timestamp!.Value, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(45));
            Assert.True(l.Timestamp <= Start + TimeSpan.FromMinutes(5));
            if (l.ModelId == DemoTraffic.EtaModel)
            {
                Assert.True((double)l.Label > 0);
            }
            else
            {
                Assert.Contains((int)l.Label, new[] { 0, 1 });
            }
        });

        // Classifier labels agree with the scores more often than not (the models are informative).
        var credit = labels.Where(l => l.ModelId == DemoTraffic.CreditRiskModel).ToList();
        var meanScorePositive = credit.Where(l => (int)l.Label == 1).Average(l => predictions[l.PredictionId].Score!.Value);
        var meanScoreNegative = credit.Where(l => (int)l.Label == 0).Average(l => predictions[l.PredictionId].Score!.Value);
        Assert.True(meanScorePositive > meanScoreNegative + 0.05);
    }

    [Fact]
    public async Task RunAsync_paces_by_the_clock_and_ends_normally_on_cancellation()
    {
        var time = new FakeTimeProvider(Start);
        var sink = new RecordingSink(signalAfterPredictions: 3 * 41);
        using var cts = new CancellationTokenSource();
        var run = DemoTraffic.RunAsync(Options() with { TimeProvider = time, TickInterval = TimeSpan.FromSeconds(1) }, sink, cts.Token);

        Assert.Equal(3, sink.Predictions.Count); // the first tick, at the start: prediction 0 of each model
        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        await sink.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(3 * 41, sink.Predictions.Count);
        Assert.Equal(Start + TimeSpan.FromSeconds(2), sink.Predictions.Max(p => p.Timestamp));
    }

    [Fact]
    public async Task RunAsync_sends_the_traffic_over_otlp()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync();
        var time = new FakeTimeProvider(Start);
        var options = Options() with
        {
            TimeProvider = time,
            TickInterval = TimeSpan.FromSeconds(1),
            Logger = new PredictionLoggerOptions { Endpoint = receiver.BaseAddress, Protocol = OtlpProtocol.HttpProtobuf, ServiceName = "demo" },
        };
        using var cts = new CancellationTokenSource();
        var run = DemoTraffic.RunAsync(options, cts.Token);
        time.Advance(TimeSpan.FromSeconds(1)); // the timer has fired: the loop emits up to 1 s, then sees the cancellation
        await cts.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30)); // flushes and disposes the logger

        await receiver.WaitForRecordsAsync(3 * 21);
        var records = receiver.AllRecords();
        Assert.Equal(3 * 21, records.Count);
        Assert.All(records, r => Assert.Equal("ml.prediction", r.EventName));
        Assert.Equal(21, records.Count(r => (string?)r["ml.model.id"].Value == DemoTraffic.CreditRiskModel));
        Assert.All(records.Where(r => (string?)r["ml.model.id"].Value == DemoTraffic.CreditRiskModel), r =>
        {
            Assert.Equal(AnyKind.Int, r["ml.feature.age"].Kind);
            Assert.Equal(AnyKind.Double, r["ml.feature.income"].Kind);
            Assert.Equal(AnyKind.String, r["ml.feature.country"].Kind);
        });
        Assert.All(records.Where(r => (string?)r["ml.model.id"].Value == DemoTraffic.ChurnModel), r => Assert.Equal(AnyKind.Bool, r["ml.feature.autopay"].Kind));
        Assert.All(records.Where(r => (string?)r["ml.model.id"].Value == DemoTraffic.EtaModel), r => Assert.Equal(AnyKind.Double, r["ml.prediction.value"].Kind));
        Assert.Equal(
            Enumerable.Range(0, 21).Select(i => (ulong)UnixNanos.FromDateTimeOffset(Start.AddMilliseconds(50 * i))),
            records.Where(r => (string?)r["ml.model.id"].Value == DemoTraffic.EtaModel).Select(r => r.TimeUnixNano).Order());
    }

    [Fact]
    public async Task RunAsync_without_logger_settings_is_rejected()
        => await Assert.ThrowsAsync<ArgumentException>(() => DemoTraffic.RunAsync(Options(), CancellationToken.None));
}
