using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.Slo;
using Monitoring.Alerting.Slo;
using Xunit;

namespace Monitoring.Aggregation.Tests.Slo;

public sealed class SloTrackerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static readonly string Rules = """
        slos:
          - name: latency
            model: '{model="m"}'
            objective: 99
            sli: {latency: {threshold_ms: 100}}
          - name: agreement
            model: '{model=~"m|n"}'
            objective: 95
            sli: {label_agreement: {}}
          - name: other
            model: '{model="x"}'
            objective: 99
            sli: {latency: {threshold_ms: 100}}
        """;

    private static IReadOnlyList<SloSpec> Specs() => SloParser.Parse(Rules, "r.yml").Slos;

    private static ModelEvent Prediction(DateTimeOffset at, double? latency, double? score = null) => new()
    {
        Kind = EventKind.Prediction, EventTimeUnixNano = UnixNanos.FromDateTimeOffset(at), LatencyMs = latency, Score = score,
    };

    private static ModelEvent Label(double y) => new() { Kind = EventKind.Label, EventTimeUnixNano = UnixNanos.FromDateTimeOffset(Now), LabelNumber = y };

    [Fact]
    public void Selecting_KeepsTheSlosWhoseMatchersSelectTheModel() =>
        Assert.Equal(["latency", "agreement"], SloTracker.Selecting(Specs(), "default", "m").Select(s => s.Name));

    [Fact]
    public void Latency_CountsGoodAndBadByEventTime_AndSkipsPredictionsWithoutLatency()
    {
        var tracker = new SloTracker();
        tracker.Configure(SloTracker.Selecting(Specs(), "default", "m"), new Dictionary<string, SloCounterSnapshot>(), Now.AddHours(-1));
        for (var i = 0; i < 100; i++)
        {
            tracker.OnPrediction(Prediction(Now.AddMinutes(-30), i < 90 ? 50 : 500), Now);
        }
        tracker.OnPrediction(Prediction(Now.AddMinutes(-30), null), Now);
        var latency = tracker.Evaluate(Now).Single(s => s.Slo == "latency");
        var hour = latency.Window(TimeSpan.FromHours(1));
        Assert.Equal((90, 100), (hour.Counts.Good, hour.Counts.Total));
        Assert.Equal(0.1 / 0.01, hour.BurnRate, 9); // 10% errors against a 1% budget
        Assert.Equal(0, latency.Window(TimeSpan.FromMinutes(5)).Counts.Total); // event time 30 minutes ago
    }

    [Fact]
    public void LabelAgreement_CountsJoinedBinaryLabels_ScoreAtOrAboveHalfMeansOne()
    {
        var tracker = new SloTracker();
        tracker.Configure(SloTracker.Selecting(Specs(), "default", "n"), new Dictionary<string, SloCounterSnapshot>(), Now.AddHours(-1));
        tracker.OnLabel(Prediction(Now.AddMinutes(-10), null, 0.9), Label(1), Now); // agrees
        tracker.OnLabel(Prediction(Now.AddMinutes(-10), null, 0.5), Label(1), Now); // agrees (threshold inclusive)
        tracker.OnLabel(Prediction(Now.AddMinutes(-10), null, 0.2), Label(1), Now); // disagrees
        tracker.OnLabel(Prediction(Now.AddMinutes(-10), null, null), Label(1), Now); // no score: not an event
        var counts = tracker.Evaluate(Now).Single().Window(TimeSpan.FromHours(1)).Counts;
        Assert.Equal((2, 3), (counts.Good, counts.Total));
    }

    [Fact]
    public void Snapshot_RestoresTheCounts_AndAChangedSloStartsAfresh()
    {
        var tracker = new SloTracker();
        var specs = SloTracker.Selecting(Specs(), "default", "m");
        tracker.Configure(specs, new Dictionary<string, SloCounterSnapshot>(), Now.AddHours(-1));
        tracker.OnPrediction(Prediction(Now.AddMinutes(-20), 500), Now);
        var saved = tracker.Snapshot();

        var restored = new SloTracker();
        restored.Configure(specs, saved, Now);
        Assert.Equal(1, restored.Evaluate(Now).Single(s => s.Slo == "latency").Window(TimeSpan.FromHours(1)).Counts.Total);

        var changed = SloParser.Parse(Rules.Replace("threshold_ms: 100}}\n  - name: agreement", "threshold_ms: 200}}\n  - name: agreement", StringComparison.Ordinal), "r.yml").Slos;
        var reset = new SloTracker();
        reset.Configure(SloTracker.Selecting(changed, "default", "m"), saved, Now);
        Assert.Equal(0, reset.Evaluate(Now).Single(s => s.Slo == "latency").Window(TimeSpan.FromHours(1)).Counts.Total);
    }
}
