using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Time;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Tests.Support;
using Monitoring.Grains.Alerting;
using Monitoring.Storage;
using Monitoring.Storage.Hosting;
using Orleans.TestingHost;
using Xunit;

namespace Monitoring.Grains.Tests.Alerting;

/// <summary>
/// Nothing waits on a delivery or on the notifier: a receiver that never answers holds neither another route's
/// notification nor a later flush of the same group before its firing one, and a model's window close returns while
/// the notifier cannot take its alerts, which reach it once it can. Real notifier and model grains, SQLite, Kestrel
/// listeners as receivers, a <see cref="FakeTimeProvider"/> for the pipeline's clock (so no attempt ever times out
/// by itself); every wait is on a signal, with a 30 s safety net that only a hold-up would reach.
/// </summary>
public sealed class NotifierHoldUpTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan SafetyNet = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(T0);
    private readonly string _dir = Directory.CreateTempSubdirectory("notifier-holdup-").FullName;
    private readonly TaskCompletionSource _slowGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private FakeReceiver _hook = null!;
    private FakeReceiver _dead = null!;
    private FakeReceiver _slow = null!;
    private TestCluster _cluster = null!;

    private IAlertNotifierGrain Notifier => _cluster.GrainFactory.GetGrain<IAlertNotifierGrain>(0);

    private GatedDocumentStore Store => ((InProcessSiloHandle)_cluster.Primary!).SiloHost.Services.GetRequiredService<GatedDocumentStore>();

    public async Task InitializeAsync()
    {
        _hook = await FakeReceiver.StartAsync();
        _dead = await FakeReceiver.StartAsync();
        _dead.Hang(); // never answers while the test runs
        _slow = await FakeReceiver.StartAsync();
        _slow.Respond(async ctx =>
        {
            await _slowGate.Task; // answers its first request when the test says so
            ctx.Response.StatusCode = 200;
        });
        File.WriteAllText(Path.Combine(_dir, "alertmanager.yml"), $"""
            route:
              receiver: hook
              group_by: [alertname, model]
              group_wait: 1s
              group_interval: 5m
              repeat_interval: 4h
              routes:
                - matchers: [team="chat"]
                  receiver: chat
                - matchers: [team="slow"]
                  receiver: slow
                  group_interval: 2s
            receivers:
              - name: hook
                webhook_configs:
                  - url: {_hook.Url("/hook")}
              - name: chat
                webhook_configs:
                  - url: {_dead.Url("/chat")}
              - name: slow
                webhook_configs:
                  - url: {_slow.Url("/slow")}
            """);
        File.WriteAllText(Path.Combine(_dir, "rules.yml"), """
            groups:
              - name: traffic
                rules:
                  - alert: Traffic
                    expr: window_volume > 0
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.model }} saw {{ $value }} predictions"
            """);
        var builder = new TestClusterBuilder(1);
        builder.Properties["dir"] = _dir;
        builder.AddSiloBuilderConfigurator<Configurator>();
        _cluster = builder.Build();
        Configurator.Time = _time;
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        _slowGate.TrySetResult();
        Store.Open();
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        await _hook.DisposeAsync();
        await _dead.DisposeAsync();
        await _slow.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the OS cleans temp.
        }
    }

    [Fact]
    public async Task AReceiverThatNeverAnswers_DoesNotDelayAPageOnAnotherRoute()
    {
        await Notifier.UpdateAsync([Alert("ChatDown", "chat", firing: true)]);
        Assert.Equal("/chat", (await _dead.NextAsync()).Path); // its delivery is now waiting for an answer that never comes

        await Notifier.UpdateAsync([Alert("ModelDown", "oncall", firing: true)]);

        var page = await _hook.NextAsync();
        var payload = JsonDocument.Parse(page.Body).RootElement;
        Assert.Equal("firing", payload.GetProperty("status").GetString());
        Assert.Equal("ModelDown", payload.GetProperty("groupLabels").GetProperty("alertname").GetString());
        Assert.Single(_dead.Requests); // still the one held request
    }

    [Fact]
    public async Task AGroupsResolve_IsNotSentWhileItsFiringNotificationIsPending_AndFollowsIt()
    {
        await Notifier.UpdateAsync([Alert("Slow", "slow", firing: true)]);
        Assert.Equal("firing", Status(await _slow.NextAsync()));
        var incident = Assert.Single(await Notifier.ListIncidentsAsync(null));

        // The alert resolves and the route's group_interval (2 s) passes while the firing notification waits for its
        // answer (within the 10 s attempt timeout). The timer step (the one on demand returns once no flush runs, so
        // it waits for the held one, and for a second one had it been started) starts no second flush of the group.
        _time.SetUtcNow(T0.AddSeconds(1));
        await Notifier.UpdateAsync([Alert("Slow", "slow", firing: false)]);
        _time.SetUtcNow(T0.AddSeconds(5));
        var tick = Notifier.TickAsync();
        _slowGate.SetResult();
        await tick.WaitAsync(SafetyNet);
        Assert.Single(_slow.Requests);
        Assert.Contains((await Notifier.GetIncidentAsync(incident.Id))!.Timeline, e => e.Event == "notified");

        // The group's next flush, group_interval after the firing one completed, sends the resolve.
        _time.SetUtcNow(T0.AddSeconds(7));
        await Notifier.TickAsync().WaitAsync(SafetyNet);
        Assert.Equal(["firing", "resolved"], _slow.Requests.Select(r => Status(r)));
    }

    [Fact]
    public async Task AWindowClose_ReturnsWhileTheNotifierCannotTakeItsAlert_WhichIsDeliveredOnceItCan()
    {
        var key = new ModelKey("default", "handover");
        var model = _cluster.GrainFactory.GetGrain<IModelGrain>(key.GrainKey);
        await model.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromMinutes(1) });
        var t0 = T0.AddMinutes(1);
        _time.SetUtcNow(t0);
        var appended = await model.AppendAsync([.. Enumerable.Range(0, 20).Select(i => Prediction($"p{i}", t0.AddSeconds(i)))]);
        Assert.Equal(20, appended.Accepted);

        // The notifier cannot store anything: its call from the model's alert grain does not return.
        Store.Close();
        _time.SetUtcNow(t0.AddSeconds(60 + 6 + 1)); // the window's end plus its allowed lateness (10 %)
        await model.TickAsync().WaitAsync(SafetyNet); // closes the window, evaluates the rule, hands the alert over
        await Store.Blocked.WaitAsync(SafetyNet); // the notifier has the alert and is stuck storing it
        Assert.Equal(1, (await model.AppendAsync([Prediction("late", t0.AddSeconds(70))])).Accepted); // the model's turn is free

        Store.Open();
        var notification = JsonDocument.Parse((await _hook.NextAsync()).Body).RootElement;
        Assert.Equal("firing", notification.GetProperty("status").GetString());
        var alert = Assert.Single(notification.GetProperty("alerts").EnumerateArray().ToList());
        Assert.Equal("Traffic", alert.GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("handover", alert.GetProperty("labels").GetProperty("model").GetString());
        Assert.Single(await Notifier.ListIncidentsAsync(null));
    }

    private static string Status(ReceivedRequest request) => JsonDocument.Parse(request.Body).RootElement.GetProperty("status").GetString()!;

    private ModelEvent Prediction(string id, DateTimeOffset at) => new()
    {
        Kind = EventKind.Prediction,
        PredictionId = id,
        EventTimeUnixNano = UnixNanos.FromDateTimeOffset(at),
        ReceivedUnixNano = UnixNanos.FromDateTimeOffset(_time.GetUtcNow()),
        Score = 0.5,
        Features = [new FeatureValue("x", 0.5, null)],
    };

    private AlertView Alert(string name, string team, bool firing)
    {
        var labels = new Dictionary<string, string> { ["alertname"] = name, ["model"] = "m", ["team"] = team, ["severity"] = "page" };
        return new AlertView
        {
            Rule = name,
            Labels = labels,
            Annotations = new() { ["summary"] = $"{name} on m" },
            State = firing ? "firing" : "resolved",
            ActiveAt = T0.AddHours(-1), // fired long ago: its group flushes at once (group_wait has passed)
            FiredAt = T0.AddHours(-1),
            ResolvedAt = firing ? null : _time.GetUtcNow(),
            Value = 1,
            Fingerprint = LabelSet.From(labels).FingerprintHex,
        };
    }

    /// <summary>
    /// The silo's document store with a gate on the notifier's writes (<c>notifier.*</c> collections): closed, a write
    /// waits until it opens, as when the notifier's store or silo is unreachable. The model's own writes pass.
    /// </summary>
    internal sealed class GatedDocumentStore(IDocumentStore inner) : IDocumentStore
    {
        private readonly object _lock = new();
        private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _closed;

        /// <summary>Completes when a notifier write first waits at the closed gate.</summary>
        public Task Blocked => _blocked.Task;

        public void Close()
        {
            lock (_lock)
            {
                _closed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        public void Open()
        {
            lock (_lock)
            {
                _closed?.TrySetResult();
                _closed = null;
            }
        }

        public Task<IReadOnlyList<StoredDocument>> ListAsync(string collection, CancellationToken cancellationToken = default) =>
            inner.ListAsync(collection, cancellationToken);

        public async Task WriteAsync(IReadOnlyList<DocumentWrite> writes, CancellationToken cancellationToken = default)
        {
            Task? gate;
            lock (_lock)
            {
                gate = writes.Any(w => w.Collection.StartsWith("notifier.", StringComparison.Ordinal)) ? _closed?.Task : null;
            }
            if (gate is not null)
            {
                _blocked.TrySetResult();
                await gate;
            }
            await inner.WriteAsync(writes, cancellationToken);
        }
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public static FakeTimeProvider Time { get; set; } = null!;

        public void Configure(ISiloBuilder siloBuilder)
        {
            var dir = siloBuilder.Configuration["dir"]!;
            var path = Path.Combine(dir, "monitoring.db");
            siloBuilder.Services.AddSingleton<TimeProvider>(Time);
            siloBuilder.Services.AddSingleton(new Monitoring.Abstractions.Limits.LimitsOptions());
            siloBuilder.Services.AddSingleton(new Monitoring.Grains.Sharding.ShardingOptions());
            siloBuilder.Services.AddSingleton<Monitoring.Abstractions.Totals.GrainTotals>();
            siloBuilder.Services.AddSingleton<Monitoring.Grains.Limits.TenantModelLimitLog>();
            siloBuilder.Services.AddMonitoringSqlite(path);
            siloBuilder.Services.AddSingleton(sp => new GatedDocumentStore(sp.GetRequiredService<SqlDocumentStore>()));
            siloBuilder.Services.AddSingleton<IDocumentStore>(sp => sp.GetRequiredService<GatedDocumentStore>());
            siloBuilder.AddMonitoringSqliteStorage("monitoring", path);
            siloBuilder.AddMonitoringSqliteReminders(path);
            var options = new AlertingOptions
            {
                RulesPath = Path.Combine(dir, "rules.yml"),
                ConfigFile = Path.Combine(dir, "alertmanager.yml"),
                AllowPrivateTargets = true,
            };
            siloBuilder.Services.AddSingleton(sp => new AlertingRuntime(options, "http://monitoring.test", "unused", Time, NullLogger<AlertingRuntime>.Instance));
            siloBuilder.Services.AddSingleton(sp => new NotificationRuntime(options, "http://monitoring.test", Time,
                sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        }
    }
}
