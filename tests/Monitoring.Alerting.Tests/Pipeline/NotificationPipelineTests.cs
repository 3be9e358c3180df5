using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Pipeline;
using Monitoring.Alerting.Routing;
using Monitoring.Alerting.Silences;
using Xunit;

namespace Monitoring.Alerting.Tests.Pipeline;

/// <summary>Grouping timers, dedup, inhibition, silences and time intervals over a recording receiver, time passed in.</summary>
public sealed class NotificationPipelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero); // a Monday

    private sealed class Recorder(bool sendResolved = true) : INotifier
    {
        public List<Notification> Sent { get; } = [];

        public Queue<DeliveryResult> Results { get; } = new();

        public string Kind => "recorder";

        public bool SendResolved => sendResolved;

        public Task<DeliveryResult> SendAsync(Notification notification, CancellationToken cancellationToken)
        {
            var result = Results.Count > 0 ? Results.Dequeue() : DeliveryResult.Delivered;
            if (result.Success)
            {
                Sent.Add(notification);
            }
            return Task.FromResult(result);
        }
    }

    private sealed class Harness
    {
        private readonly AggregationGroups _groups;
        private readonly NotificationPipeline _pipeline;

        public Harness(string config, bool sendResolved = true)
        {
            var am = AlertmanagerConfig.Load(config, null);
            _groups = new AggregationGroups(am.Route);
            Receiver = new Recorder(sendResolved);
            _pipeline = new NotificationPipeline(am, am.Receivers.ToDictionary(r => r.Name, _ => (IReadOnlyList<INotifier>)[Receiver]),
                Log, () => Silences, (n, x, ct) => n.SendAsync(x, ct), "http://h:8080");
        }

        public Recorder Receiver { get; }

        public InMemoryNotificationLog Log { get; } = new();

        public SilenceSet Silences { get; set; } = SilenceSet.Empty;

        public List<FlushOutcome> Outcomes { get; } = [];

        public void Put(NotificationAlert alert, DateTimeOffset now) => _groups.Put(alert, now);

        /// <summary>Runs every flush due up to <paramref name="until"/>, in time order.</summary>
        public async Task RunUntilAsync(DateTimeOffset until)
        {
            while (_groups.NextFlush is { } next && next <= until)
            {
                foreach (var (flush, token) in _groups.Due(next))
                {
                    var outcome = await _pipeline.FlushAsync(flush, _groups.Alerts, CancellationToken.None);
                    Outcomes.Add(outcome);
                    _groups.Complete(flush, token, outcome.Delivered, next);
                }
            }
        }
    }

    private const string Config = """
        route:
          receiver: team
          group_by: [model]
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 4h
        receivers:
          - name: team
        """;

    private static NotificationAlert Alert(string name, DateTimeOffset starts, DateTimeOffset? ends = null, string model = "m", IncidentState? incident = null, params string[] extra) => new()
    {
        Labels = LabelSet.Of([.. new[] { "alertname", name, "model", model }, .. extra]),
        StartsAt = starts,
        EndsAt = ends,
        Incident = incident is { } s ? new IncidentRef("i-" + name, s, "http://h/i", "http://h/i/ack") : null,
    };

    [Fact]
    public async Task NewGroup_WaitsGroupWait_ThenBatchesAlertsArrivedMeanwhile()
    {
        var h = new Harness(Config);
        h.Put(Alert("A", T0), T0);
        h.Put(Alert("B", T0.AddSeconds(10)), T0.AddSeconds(10));
        await h.RunUntilAsync(T0.AddSeconds(29));
        Assert.Empty(h.Receiver.Sent);
        await h.RunUntilAsync(T0.AddSeconds(30));
        var sent = Assert.Single(h.Receiver.Sent);
        Assert.Equal(2, sent.Alerts.Count);
        Assert.Equal("first notification", sent.Reason);
        Assert.Equal("{}:{model=\"m\"}", sent.GroupKey);
    }

    [Fact]
    public async Task AlertResolvedWithinGroupWait_IsNeverSent()
    {
        var h = new Harness(Config);
        h.Put(Alert("A", T0), T0);
        h.Put(Alert("A", T0, T0.AddSeconds(10)), T0.AddSeconds(10));
        await h.RunUntilAsync(T0.AddHours(1));
        Assert.Empty(h.Receiver.Sent);
    }

    [Fact]
    public async Task NewAlert_InAFlushedGroup_WaitsForTheNextGroupInterval_AndRepeatsAfterRepeatInterval()
    {
        var h = new Harness(Config);
        h.Put(Alert("A", T0), T0);
        await h.RunUntilAsync(T0.AddSeconds(30));
        h.Put(Alert("B", T0.AddMinutes(1)), T0.AddMinutes(1));
        await h.RunUntilAsync(T0.AddMinutes(5));
        Assert.Single(h.Receiver.Sent);
        await h.RunUntilAsync(T0.AddMinutes(5).AddSeconds(30));
        Assert.Equal("new alerts added", h.Receiver.Sent[1].Reason);
        // Nothing changes: the next send is the repeat, on the first group_interval tick at or after 4h since the last send.
        await h.RunUntilAsync(T0.AddHours(4).AddMinutes(5));
        Assert.Equal(2, h.Receiver.Sent.Count);
        await h.RunUntilAsync(T0.AddHours(4).AddMinutes(10).AddSeconds(30));
        Assert.Equal("repeat interval elapsed", h.Receiver.Sent[2].Reason);
        Assert.Equal(T0.AddHours(4).AddMinutes(5).AddSeconds(30), h.Receiver.Sent[2].Time);
    }

    [Fact]
    public async Task Resolve_IsSentOnce_ThenTheGroupIsDropped()
    {
        var h = new Harness(Config);
        h.Put(Alert("A", T0), T0);
        await h.RunUntilAsync(T0.AddSeconds(30));
        h.Put(Alert("A", T0, T0.AddMinutes(2)), T0.AddMinutes(2));
        await h.RunUntilAsync(T0.AddHours(10));
        Assert.Equal(["first notification", "all alerts resolved"], h.Receiver.Sent.Select(s => s.Reason));
        Assert.Equal("resolved", h.Receiver.Sent[1].Status);
    }

    [Fact]
    public async Task AcknowledgedAlert_IsSentOnceAsAcknowledged_AndNeverRepeats()
    {
        var h = new Harness(Config);
        h.Put(Alert("A", T0, incident: IncidentState.Triggered), T0);
        await h.RunUntilAsync(T0.AddSeconds(30));
        h.Put(Alert("A", T0, incident: IncidentState.Acknowledged), T0.AddMinutes(1));
        await h.RunUntilAsync(T0.AddHours(24));
        Assert.Equal(["first notification", "alerts acknowledged"], h.Receiver.Sent.Select(s => s.Reason));
    }

    [Fact]
    public async Task SilencedAlert_IsNotSent_ButItsResolveIs_WhenItWasNotifiedBefore()
    {
        var h = new Harness(Config);
        h.Put(Alert("A", T0), T0);
        await h.RunUntilAsync(T0.AddSeconds(30));
        h.Silences = SilenceSet.Empty.With(new Silence
        {
            Id = "s", Matchers = Matchers.ParseList("{alertname=\"A\"}"), StartsAt = T0.AddMinutes(1), EndsAt = T0.AddDays(1),
            CreatedBy = "me", Comment = "maintenance",
        });
        await h.RunUntilAsync(T0.AddHours(6)); // silenced: no repeat
        Assert.Single(h.Receiver.Sent);
        Assert.Contains(h.Outcomes, o => o.Muted.Any(m => m.Stage == "silenced" && m.By == "s"));
        h.Put(Alert("A", T0, T0.AddHours(6)), T0.AddHours(6));
        await h.RunUntilAsync(T0.AddHours(7));
        var resolve = h.Receiver.Sent[1];
        Assert.Equal("all alerts resolved", resolve.Reason);
        Assert.Equal("resolved", resolve.Status);
        Assert.Single(resolve.Alerts);
    }

    [Fact]
    public async Task AlertSilencedFromTheStart_IsNeverSent_NorItsResolve()
    {
        var h = new Harness(Config)
        {
            Silences = SilenceSet.Empty.With(new Silence
            {
                Id = "s", Matchers = Matchers.ParseList("{alertname=\"A\"}"), StartsAt = T0, EndsAt = T0.AddDays(1), CreatedBy = "me", Comment = "x",
            }),
        };
        h.Put(Alert("A", T0), T0);
        await h.RunUntilAsync(T0.AddHours(1));
        h.Put(Alert("A", T0, T0.AddHours(1)), T0.AddHours(1));
        await h.RunUntilAsync(T0.AddHours(2));
        Assert.Empty(h.Receiver.Sent);
    }

    [Fact]
    public async Task Inhibition_MutesTargets_WhileTheSourceFires_AndExplainsIt()
    {
        const string config = """
            route: {receiver: team, group_by: ['...'], group_wait: 0s}
            receivers: [{name: team}]
            inhibit_rules:
              - source_matchers: [alertname="ManyFeaturesDrifted"]
                target_matchers: [alertname="FeatureDrift"]
                equal: [model]
            """;
        var h = new Harness(config);
        h.Put(Alert("ManyFeaturesDrifted", T0), T0);
        h.Put(Alert("FeatureDrift", T0, extra: ["feature", "income"]), T0);
        h.Put(Alert("FeatureDrift", T0, model: "other", extra: ["feature", "income"]), T0);
        await h.RunUntilAsync(T0);
        // group_by ['...']: one group per alert. FeatureDrift on m is inhibited; on "other" nothing inhibits it.
        Assert.Equal(["FeatureDrift/other", "ManyFeaturesDrifted/m"],
            h.Receiver.Sent.Select(s => s.Alerts.Single().Labels).Select(l => $"{l["alertname"]}/{l["model"]}").Order(StringComparer.Ordinal));
        var muted = Assert.Single(h.Outcomes.SelectMany(o => o.Muted));
        Assert.Equal("inhibited", muted.Stage);
        Assert.StartsWith("inhibit_rules[0] by ", muted.By, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MuteTimeInterval_HoldsTheRoute_AndActiveTimeInterval_LimitsIt()
    {
        const string config = """
            route:
              receiver: team
              group_wait: 0s
              routes:
                - matchers: [severity="ticket"]
                  active_time_intervals: [office]
                - matchers: [severity="page"]
                  mute_time_intervals: [office]
            receivers: [{name: team}]
            time_intervals:
              - name: office
                time_intervals:
                  - weekdays: [monday:friday]
                    times: [{start_time: "09:00", end_time: "17:00"}]
                    location: Europe/Berlin
            """;
        var h = new Harness(config);
        // 12:00 UTC on a Monday is 13:00 in Berlin: inside office hours.
        h.Put(Alert("T", T0, extra: ["severity", "ticket"]), T0);
        h.Put(Alert("P", T0, extra: ["severity", "page"]), T0);
        await h.RunUntilAsync(T0);
        Assert.Equal("T", Assert.Single(h.Receiver.Sent).Alerts.Single().Labels["alertname"]);
        Assert.Contains(h.Outcomes.SelectMany(o => o.Muted), m => m.Stage == "muted_time_interval" && m.By == "office");
    }

    [Fact]
    public async Task FailedDelivery_IsRetriedAtTheNextFlush_AndTheLogOnlyRecordsSuccess()
    {
        var h = new Harness(Config);
        h.Receiver.Results.Enqueue(new DeliveryResult(false, true, null, "HTTP 503", 503));
        h.Put(Alert("A", T0), T0);
        await h.RunUntilAsync(T0.AddSeconds(30));
        Assert.Empty(h.Receiver.Sent);
        Assert.Null(await h.Log.GetAsync("{}:{model=\"m\"}", "team", 0, CancellationToken.None));
        await h.RunUntilAsync(T0.AddMinutes(5).AddSeconds(30));
        Assert.Equal("first notification", Assert.Single(h.Receiver.Sent).Reason);
    }

    [Fact]
    public async Task SendResolvedFalse_UpdatesTheLogWithoutSendingTheResolve()
    {
        var h = new Harness(Config, sendResolved: false);
        h.Put(Alert("A", T0), T0);
        await h.RunUntilAsync(T0.AddSeconds(30));
        h.Put(Alert("A", T0, T0.AddMinutes(1)), T0.AddMinutes(1));
        await h.RunUntilAsync(T0.AddHours(1));
        Assert.Single(h.Receiver.Sent);
        Assert.Empty((await h.Log.GetAsync("{}:{model=\"m\"}", "team", 0, CancellationToken.None))!.Firing);
    }

    [Fact]
    public async Task AReceiversIntegrations_AreDeliveredConcurrently_AHeldOneDoesNotHoldTheOther()
    {
        var am = AlertmanagerConfig.Load(Config, null);
        var held = new HeldNotifier { Hold = true };
        var other = new HeldNotifier();
        var log = new InMemoryNotificationLog();
        var pipeline = new NotificationPipeline(am, new Dictionary<string, IReadOnlyList<INotifier>> { ["team"] = [held, other] }, log,
            () => SilenceSet.Empty, (n, x, ct) => n.SendAsync(x, ct), "http://h:8080");
        var groups = new AggregationGroups(am.Route);
        groups.Put(Alert("A", T0.AddHours(-1)), T0);
        var (flush, _) = Assert.Single(groups.Due(T0));

        var running = pipeline.FlushAsync(flush, groups.Alerts, CancellationToken.None);

        Assert.Single(other.Calls); // the second integration delivered while the first still waits
        Assert.NotNull(await log.GetAsync(flush.GroupKey, "team", 1, CancellationToken.None));
        Assert.Null(await log.GetAsync(flush.GroupKey, "team", 0, CancellationToken.None));
        Assert.False(running.IsCompleted);
        held.Release(0);
        var outcome = await running;
        Assert.Equal([0, 1], outcome.Deliveries.Select(d => d.Integration));
        Assert.True(outcome.Delivered);
        Assert.NotNull(await log.GetAsync(flush.GroupKey, "team", 0, CancellationToken.None));
    }
}
