using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Grains;
using Monitoring.Alerting.Incidents;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Tests.Support;
using Monitoring.Grains.Alerting;
using Monitoring.Storage;
using Monitoring.Storage.Hosting;
using Orleans.Storage;
using Orleans.TestingHost;
using Xunit;

namespace Monitoring.Grains.Tests.Alerting;

/// <summary>
/// Alertmanager's timers through the real notifier grain, its document store and a webhook listener, with a
/// <see cref="FakeTimeProvider"/> as the pipeline's clock: the test moves time and runs the notifier's timer step
/// (<see cref="IAlertNotifierGrain.TickAsync"/>, which returns once its deliveries are done), so every "nothing yet" is
/// checked at an exact instant, never after a wait.
/// </summary>
public sealed class NotifierPipelineTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(T0);
    private readonly string _dir = Directory.CreateTempSubdirectory("notifier-pipeline-").FullName;
    private FakeReceiver _webhook = null!;
    private TestCluster _cluster = null!;

    private IAlertNotifierGrain Notifier => _cluster.GrainFactory.GetGrain<IAlertNotifierGrain>(0);

    public async Task InitializeAsync()
    {
        _webhook = await FakeReceiver.StartAsync();
        File.WriteAllText(Path.Combine(_dir, "alertmanager.yml"), $"""
            route:
              receiver: hook
              group_by: [alertname]
              group_wait: 30s
              group_interval: 5m
              repeat_interval: 1h
            receivers:
              - name: hook
                webhook_configs:
                  - url: {_webhook.Url("/hook")}
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
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
        await _webhook.DisposeAsync();
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
    public async Task GroupWait_GroupInterval_RepeatInterval_Acknowledgement_And_Resolve_Follow_Alertmanager()
    {
        var a = Alert("a", firing: true);
        await Notifier.UpdateAsync([a]);
        await Notifier.TickAsync();
        Assert.Empty(Hooks()); // group_wait: not at 0 s

        await At(TimeSpan.FromSeconds(29));
        Assert.Empty(Hooks()); // nor at 29 s

        await At(TimeSpan.FromSeconds(30));
        var first = Assert.Single(Hooks());
        Assert.Equal("firing", first.GetProperty("status").GetString());
        Assert.Equal(["a"], Features(first));

        // A second alert in the group waits for group_interval after the last flush, not group_wait.
        await At(TimeSpan.FromSeconds(40));
        await Notifier.UpdateAsync([Alert("b", firing: true)]);
        await At(TimeSpan.FromSeconds(41));
        await At(TimeSpan.FromMinutes(5)); // 5:00: still 30 s short of 0:30 + 5m
        Assert.Single(Hooks());
        await At(TimeSpan.FromSeconds(330));
        Assert.Equal(2, Hooks().Count);
        Assert.Equal(["a", "b"], Features(Hooks()[1]));

        // Nothing new: the next group_interval flushes send nothing until repeat_interval has passed since the last send.
        await At(TimeSpan.FromSeconds(630));
        await At(TimeSpan.FromMinutes(60));
        Assert.Equal(2, Hooks().Count);
        await At(TimeSpan.FromSeconds(330) + TimeSpan.FromHours(1));
        Assert.Equal(3, Hooks().Count);
        Assert.Equal(["a", "b"], Features(Hooks()[2]));

        // Acknowledged incidents are not repeated: once both are acked the next repeat_interval sends nothing.
        var incidents = await Notifier.ListIncidentsAsync("triggered");
        Assert.Equal(2, incidents.Length);
        foreach (var incident in incidents)
        {
            Assert.NotNull(await Notifier.AcknowledgeAsync(incident.Id, "on-call"));
        }
        await At(TimeSpan.FromSeconds(330) + TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5));
        var afterAck = Hooks().Count;
        Assert.Equal(4, afterAck); // the acknowledgement is delivered once, at the group's next flush ...
        Assert.Equal(["a", "b"], Features(Hooks()[3]));
        foreach (var minutes in new[] { 10, 60, 65, 125, 185 })
        {
            await At(TimeSpan.FromSeconds(330) + TimeSpan.FromHours(1) + TimeSpan.FromMinutes(minutes));
        }
        Assert.Equal(afterAck, Hooks().Count); // ... and the acknowledged group never repeats

        // Recovery: the resolve goes out at the next group_interval flush, with both alerts resolved.
        var now = _time.GetUtcNow();
        await Notifier.UpdateAsync([Alert("a", firing: false), Alert("b", firing: false)]);
        await At(now - T0 + TimeSpan.FromMinutes(5));
        var resolved = Hooks()[^1];
        Assert.Equal("resolved", resolved.GetProperty("status").GetString());
        Assert.Equal(["a", "b"], Features(resolved));
        Assert.Empty(await Notifier.ListIncidentsAsync("triggered"));
        Assert.Equal(2, (await Notifier.ListIncidentsAsync("resolved")).Length);
    }

    [Fact]
    public async Task After_a_silo_restart_the_persisted_log_keeps_a_delivered_group_from_being_sent_again_until_repeat_interval()
    {
        await Notifier.UpdateAsync([Alert("a", firing: true)]);
        await At(TimeSpan.FromSeconds(30));
        Assert.Single(Hooks());

        await _cluster.RestartSiloAsync(_cluster.Primary!);
        await _cluster.WaitForLivenessToStabilizeAsync();

        // The restarted notifier rebuilds the group from its stored alerts; its log says the group was delivered.
        await At(TimeSpan.FromMinutes(6));
        await At(TimeSpan.FromMinutes(50));
        Assert.Single(Hooks());
        var incident = Assert.Single(await Notifier.ListIncidentsAsync("triggered"));
        Assert.Equal("a drifted", incident.Annotations["summary"]);

        await At(TimeSpan.FromSeconds(30) + TimeSpan.FromHours(1));
        Assert.Equal(2, Hooks().Count);
    }

    [Fact]
    public async Task A_state_stored_as_one_record_by_an_earlier_version_moves_into_documents_once_and_keeps_working()
    {
        // The earlier version's record, written before the notifier first activates: one incident, the alert it
        // holds, a silence (for another model) and an empty log, each a JSON string of the one grain-state record.
        var services = ((InProcessSiloHandle)_cluster.Primary!).SiloHost.Services;
        var storage = services.GetRequiredKeyedService<IGrainStorage>("monitoring");
        var grainId = Notifier.GetGrainId();
        var view = Alert("a", firing: true);
        var book = new IncidentBook();
        Assert.NotNull(book.Apply(new AlertSignal(LabelSet.From(view.Labels), LabelSet.From(view.Annotations), T0, true, false, null), T0));
        var silence = new SilenceView
        {
            Id = "s-legacy", Matchers = ["model=\"other\""], StartsAt = T0, EndsAt = T0.AddDays(1), CreatedBy = "ops",
            Comment = "maintenance", State = "active",
        };
        await storage.WriteStateAsync("notifier", grainId, new GrainState<AlertNotifierState>(new AlertNotifierState
        {
            Incidents = JsonSerializer.Serialize(book.All.ToList()),
            Silences = JsonSerializer.Serialize(new List<SilenceView> { silence }),
            Log = "[]",
            Alerts = JsonSerializer.Serialize(new List<AlertView> { view }),
        }));

        var incident = Assert.Single(await Notifier.ListIncidentsAsync(null));
        Assert.Equal(view.Fingerprint, incident.Fingerprint);
        Assert.Equal("s-legacy", Assert.Single(await Notifier.ListSilencesAsync(null)).Id);
        Assert.Null(Assert.Single(await Notifier.ListSilencesAsync(null)).Tenant); // stored before silences had tenants: every tenant's
        Assert.Empty(await Notifier.ListSilencesAsync("acme")); // ... and an operator's, which a tenant does not see

        // Moved: one document each, and the old record is gone.
        var documents = services.GetRequiredService<IDocumentStore>();
        Assert.Equal(incident.Id, Assert.Single(await documents.ListAsync("notifier.incidents")).Id);
        Assert.Single(await documents.ListAsync("notifier.alerts"));
        Assert.Equal("s-legacy", Assert.Single(await documents.ListAsync("notifier.silences")).Id);
        var after = new GrainState<AlertNotifierState>();
        await storage.ReadStateAsync("notifier", grainId, after);
        Assert.False(after.RecordExists);

        // The moved alert is still held by the pipeline and delivered; a restart reads the documents, not the record.
        await At(TimeSpan.FromSeconds(30));
        Assert.Equal(["a"], Features(Assert.Single(Hooks())));
        await _cluster.RestartSiloAsync(_cluster.Primary!);
        await _cluster.WaitForLivenessToStabilizeAsync();
        Assert.Equal(incident.Id, Assert.Single(await Notifier.ListIncidentsAsync(null)).Id);
        await At(TimeSpan.FromMinutes(10));
        Assert.Single(Hooks()); // delivered once: the log moved with it
    }

    [Fact]
    public async Task A_tenants_silence_mutes_only_that_tenants_alerts_even_with_a_matcher_for_every_tenant_and_only_it_sees_the_silence()
    {
        // acme's silence of FeatureDrift, with a matcher that tries to reach every tenant's alerts.
        var silence = await Notifier.AddSilenceAsync(new SilenceRequest
        {
            Matchers = ["alertname=\"FeatureDrift\"", "tenant=~\".*\""], EndsAt = T0.AddHours(2), CreatedBy = "acme on-call", Comment = "deploy", Tenant = "acme",
        });
        Assert.Equal("acme", silence.Tenant);

        await Notifier.UpdateAsync([Alert("a", firing: true, tenant: "acme"), Alert("b", firing: true, tenant: "globex")]);
        await At(TimeSpan.FromSeconds(30));

        // One group (by alertname): acme's alert is muted, globex's is delivered.
        var delivered = Assert.Single(Hooks());
        Assert.Equal(["b"], Features(delivered));
        Assert.Equal("globex", delivered.GetProperty("alerts")[0].GetProperty("labels").GetProperty("tenant").GetString());

        Assert.Equal(silence.Id, Assert.Single(await Notifier.ListSilencesAsync("acme")).Id);
        Assert.Equal(silence.Id, Assert.Single(await Notifier.ListSilencesAsync(null)).Id);
        Assert.Empty(await Notifier.ListSilencesAsync("globex"));
        Assert.Null(await Notifier.GetSilenceAsync(silence.Id, "globex"));
        Assert.False(await Notifier.ExpireSilenceAsync(silence.Id, "globex"));
        Assert.Equal("active", (await Notifier.GetSilenceAsync(silence.Id, "acme"))!.State);
        Assert.True(await Notifier.ExpireSilenceAsync(silence.Id, "acme"));
    }

    /// <summary>Moves the clock to T0 + <paramref name="offset"/> and runs the notifier's timer step.</summary>
    private async Task At(TimeSpan offset)
    {
        var target = T0 + offset;
        Assert.True(target >= _time.GetUtcNow(), $"time runs forward: {target:O}");
        _time.SetUtcNow(target);
        await Notifier.TickAsync();
    }

    private List<JsonElement> Hooks() =>
        [.. _webhook.Requests.Where(r => r.Path == "/hook").Select(r => JsonDocument.Parse(r.Body).RootElement)];

    private static string[] Features(JsonElement payload) =>
        [.. payload.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("labels").GetProperty("feature").GetString()!).Order(StringComparer.Ordinal)];

    private AlertView Alert(string feature, bool firing, string? tenant = null)
    {
        var labels = new Dictionary<string, string> { ["alertname"] = "FeatureDrift", ["model"] = "m", ["feature"] = feature, ["severity"] = "page" };
        if (tenant is not null)
        {
            labels["tenant"] = tenant;
        }

        var now = _time.GetUtcNow();
        return new AlertView
        {
            Rule = "FeatureDrift",
            Labels = labels,
            Annotations = new() { ["summary"] = $"{feature} drifted" },
            State = firing ? "firing" : "resolved",
            ActiveAt = T0,
            FiredAt = T0,
            ResolvedAt = firing ? null : now,
            Value = 0.3,
            Fingerprint = LabelSet.From(labels).FingerprintHex,
        };
    }

    private sealed class Configurator : ISiloConfigurator, IHostConfigurator
    {
        public static FakeTimeProvider Time { get; set; } = null!;

        public void Configure(ISiloBuilder siloBuilder)
        {
            var dir = siloBuilder.Configuration["dir"]!;
            var path = Path.Combine(dir, "monitoring.db");
            siloBuilder.Services.AddSingleton<TimeProvider>(Time);
            siloBuilder.Services.AddMonitoringSqlite(path);
            siloBuilder.AddMonitoringSqliteStorage("monitoring", path);
            siloBuilder.Services.AddSingleton(sp => new NotificationRuntime(
                new AlertingOptions { ConfigFile = Path.Combine(dir, "alertmanager.yml"), AllowPrivateTargets = true },
                "http://monitoring.test", Time, sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        }

        public void Configure(Microsoft.Extensions.Hosting.IHostBuilder hostBuilder)
        {
        }
    }
}
