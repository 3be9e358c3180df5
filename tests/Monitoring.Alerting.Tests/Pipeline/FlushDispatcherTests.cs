using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notifiers;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Pipeline;
using Monitoring.Alerting.Routing;
using Monitoring.Alerting.Silences;
using Monitoring.Alerting.Tests.Support;
using Xunit;

namespace Monitoring.Alerting.Tests.Pipeline;

/// <summary>
/// Each due group's flush runs on its own: a receiver that never answers holds only its own group, a group's flushes
/// never overlap (its resolve follows its firing notification), and at most MaxInFlight run at once. Deliveries that
/// are held are released by the test, never waited out.
/// </summary>
public sealed class FlushDispatcherTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private const string OneRoute = """
        route:
          receiver: team
          group_by: [model]
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 4h
        receivers:
          - name: team
        """;

    [Fact]
    public async Task AReceiverThatNeverAnswers_DoesNotHoldTheNotificationOfAnotherRoute()
    {
        await using var dead = await FakeReceiver.StartAsync();
        await using var healthy = await FakeReceiver.StartAsync();
        dead.Hang(); // holds the request until the listener is disposed at the end of the test
        var config = AlertmanagerConfig.Load($"""
            route:
              receiver: chat
              group_by: [alertname]
              group_wait: 30s
              group_interval: 5m
              repeat_interval: 4h
              routes:
                - matchers: [severity="page"]
                  receiver: pager
            receivers:
              - name: chat
                webhook_configs:
                  - url: {dead.Url("/chat")}
              - name: pager
                webhook_configs:
                  - url: {healthy.Url("/pager")}
            """, null);
        // The attempt timeout runs on a clock that never moves: the dead receiver's request stays pending.
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true }, new FakeTimeProvider(T0));
        var pipeline = new NotificationPipeline(config, NotifierFactory.Build(config, delivery, NullLogger.Instance), new InMemoryNotificationLog(),
            () => SilenceSet.Empty, (n, x, ct) => n.SendAsync(x, ct), "http://monitoring.test");
        var groups = new AggregationGroups(config.Route);
        var completions = new List<FlushCompletion>();
        var dispatcher = new FlushDispatcher(FlushDispatcher.DefaultMaxInFlight, c =>
        {
            lock (completions)
            {
                completions.Add(c);
            }
            return Task.CompletedTask;
        });
        // The dead receiver's group is due first (its alert came a second earlier), so a dispatcher that flushed one
        // group after the other would never reach the page.
        groups.Put(Alert("ChatDown", T0.AddHours(-1), severity: "warning"), T0.AddSeconds(-1));
        groups.Put(Alert("ModelDown", T0.AddHours(-1), severity: "page"), T0);

        var started = dispatcher.DispatchDue(groups, pipeline, T0);

        Assert.Equal(2, started.Count);
        Assert.Equal("/chat", (await dead.NextAsync()).Path);
        var page = await healthy.NextAsync();
        Assert.Equal("/pager", page.Path);
        var payload = JsonDocument.Parse(page.Body).RootElement;
        Assert.Equal("firing", payload.GetProperty("status").GetString());
        Assert.Equal("ModelDown", payload.GetProperty("groupLabels").GetProperty("alertname").GetString());
        await started[1].WaitAsync(TimeSpan.FromSeconds(30)); // a safety net, not a measurement: it completes at once
        Assert.False(started[0].IsCompleted); // the dead receiver's flush is still waiting for its answer
        lock (completions)
        {
            var done = Assert.Single(completions);
            Assert.Equal("pager", done.Flush.Route.Options.Receiver);
            Assert.True(done.Delivered);
        }
        Assert.Equal(1, dispatcher.InFlight);
    }

    [Fact]
    public async Task AGroupWithAFlushRunning_IsNotFlushedAgain_SoItsResolveFollowsItsFiring()
    {
        var config = AlertmanagerConfig.Load(OneRoute, null);
        var receiver = new HeldNotifier { Hold = true };
        var pipeline = Pipeline(config, receiver);
        var groups = new AggregationGroups(config.Route);
        var now = T0;
        var dispatcher = new FlushDispatcher(4, c =>
        {
            c.Groups.Complete(c.Flush, c.Token, c.Delivered, now);
            return Task.CompletedTask;
        });
        groups.Put(Alert("A", T0.AddHours(-1)), T0);
        var firing = Assert.Single(dispatcher.DispatchDue(groups, pipeline, now));
        Assert.False(firing.IsCompleted);

        // The alert resolves and group_interval passes while the firing notification is still being delivered.
        groups.Put(Alert("A", T0.AddHours(-1), ends: T0.AddMinutes(1)), T0.AddMinutes(1));
        now = T0.AddMinutes(10);
        Assert.Empty(dispatcher.DispatchDue(groups, pipeline, now));
        // Nor after a configuration reload, which rebuilds the groups with the same key.
        var reloaded = new AggregationGroups(config.Route);
        reloaded.Put(Alert("A", T0.AddHours(-1), ends: T0.AddMinutes(1)), T0.AddMinutes(1));
        Assert.Empty(dispatcher.DispatchDue(reloaded, pipeline, now));
        Assert.Single(receiver.Calls);

        receiver.Hold = false;
        receiver.Release(0);
        await firing;
        Assert.Equal(0, dispatcher.InFlight);
        Assert.Empty(dispatcher.DispatchDue(groups, pipeline, now)); // the next flush is group_interval after this one
        now = T0.AddMinutes(15);
        await Assert.Single(dispatcher.DispatchDue(groups, pipeline, now));

        Assert.Equal(["firing", "resolved"], receiver.Calls.Select(c => c.Notification.Alerts.All(a => a.IsResolved(c.Notification.Time)) ? "resolved" : "firing"));
        Assert.Equal("all alerts resolved", receiver.Calls[1].Notification.Reason);
    }

    [Fact]
    public async Task AtMostMaxInFlightFlushesRun_AndTheNextStartsWhenOneCompletes()
    {
        var config = AlertmanagerConfig.Load(OneRoute, null);
        var receiver = new HeldNotifier { Hold = true };
        var pipeline = Pipeline(config, receiver);
        var groups = new AggregationGroups(config.Route);
        var later = new List<Task>();
        FlushDispatcher dispatcher = null!;
        dispatcher = new FlushDispatcher(1, c =>
        {
            c.Groups.Complete(c.Flush, c.Token, c.Delivered, T0);
            later.AddRange(dispatcher.DispatchDue(groups, pipeline, T0)); // as the notifier grain does: a slot is free
            return Task.CompletedTask;
        });
        groups.Put(Alert("A", T0.AddHours(-1), model: "a"), T0);
        groups.Put(Alert("B", T0.AddHours(-1), model: "b"), T0);

        var first = Assert.Single(dispatcher.DispatchDue(groups, pipeline, T0));
        Assert.Empty(dispatcher.DispatchDue(groups, pipeline, T0)); // no free slot: model b's group stays due
        Assert.Single(receiver.Calls);
        Assert.Equal(1, dispatcher.InFlight);

        receiver.Release(0);
        await first;
        Assert.Equal(2, receiver.Calls.Count); // started by the completion of the first
        Assert.Equal(["{}:{model=\"a\"}", "{}:{model=\"b\"}"], receiver.Calls.Select(c => c.Notification.GroupKey));
        Assert.Equal(1, dispatcher.InFlight);
        receiver.Release(1);
        await Assert.Single(later);
        Assert.Equal(0, dispatcher.InFlight);
    }

    [Fact]
    public void FlushesThatCompleteAtOnce_AreAllDispatched_InOneCall()
    {
        var config = AlertmanagerConfig.Load(OneRoute, null);
        var receiver = new HeldNotifier();
        var pipeline = Pipeline(config, receiver);
        var groups = new AggregationGroups(config.Route);
        FlushDispatcher dispatcher = null!;
        var completed = 0;
        dispatcher = new FlushDispatcher(2, c =>
        {
            completed++;
            c.Groups.Complete(c.Flush, c.Token, c.Delivered, T0);
            Assert.Empty(dispatcher.DispatchDue(groups, pipeline, T0)); // folded into the running dispatch
            return Task.CompletedTask;
        });
        foreach (var model in new[] { "a", "b", "c", "d", "e" })
        {
            groups.Put(Alert("A", T0.AddHours(-1), model: model), T0);
        }

        var started = dispatcher.DispatchDue(groups, pipeline, T0);

        Assert.Equal(5, started.Count); // two slots, refilled as each flush completed
        Assert.All(started, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Equal(5, completed);
        Assert.Equal(5, receiver.Calls.Count);
    }

    private static NotificationPipeline Pipeline(AlertmanagerConfig config, INotifier notifier) =>
        new(config, config.Receivers.ToDictionary(r => r.Name, _ => (IReadOnlyList<INotifier>)[notifier]), new InMemoryNotificationLog(),
            () => SilenceSet.Empty, (n, x, ct) => n.SendAsync(x, ct), "http://monitoring.test");

    private static NotificationAlert Alert(string name, DateTimeOffset starts, DateTimeOffset? ends = null, string model = "m", string severity = "warning") => new()
    {
        Labels = LabelSet.Of("alertname", name, "model", model, "severity", severity),
        StartsAt = starts,
        EndsAt = ends,
    };
}

/// <summary>
/// A notifier whose deliveries the test answers: while <see cref="Hold"/> is set each one waits for
/// <see cref="Release"/>; otherwise it is delivered at once. Continuations run on the releasing thread.
/// </summary>
internal sealed class HeldNotifier : INotifier
{
    public List<(Notification Notification, TaskCompletionSource<DeliveryResult> Answer)> Calls { get; } = [];

    public bool Hold { get; set; }

    public string Kind => "held";

    public bool SendResolved => true;

    public Task<DeliveryResult> SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<DeliveryResult>();
        Calls.Add((notification, answer));
        if (!Hold)
        {
            answer.SetResult(DeliveryResult.Delivered);
        }
        return answer.Task;
    }

    /// <summary>Answers the <paramref name="index"/>th delivery: delivered.</summary>
    public void Release(int index) => Calls[index].Answer.SetResult(DeliveryResult.Delivered);
}
