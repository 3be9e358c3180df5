using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Grains;
using Monitoring.Alerting.Incidents;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Pipeline;
using Monitoring.Alerting.Silences;
using Monitoring.Grains.Telemetry;
using Monitoring.Storage;
using Orleans.Concurrency;

namespace Monitoring.Grains.Alerting;

/// <summary>
/// The notifier's state as one grain-state record, kept only to read what an earlier version stored: the state now
/// lives in the document store, one document per incident, silence, log entry and held alert (<see cref="DocumentMirror"/>).
/// </summary>
[GenerateSerializer]
public sealed class AlertNotifierState
{
    /// <summary>Incidents (<see cref="Incident"/>[]).</summary>
    [Id(0)] public string Incidents { get; set; } = "[]";

    /// <summary>Silences (<see cref="SilenceView"/>[]).</summary>
    [Id(1)] public string Silences { get; set; } = "[]";

    /// <summary>Notification log (<see cref="StoredLogEntry"/>[]).</summary>
    [Id(2)] public string Log { get; set; } = "[]";

    /// <summary>Alerts held by the pipeline (<see cref="AlertView"/>[]): firing ones, and resolved ones until delivered.</summary>
    [Id(3)] public string Alerts { get; set; } = "[]";
}

/// <summary>
/// One per cluster: keeps incidents, silences, the notification log and the alerts the pipeline holds, durably, and runs
/// the Alertmanager-shaped pipeline (<see cref="AggregationGroups"/> and <see cref="NotificationPipeline"/>) on a
/// one-second timer and whenever an update makes a group due. Each due group's flush runs on its own
/// (<see cref="FlushDispatcher"/>, at most <see cref="NotificationRuntime.MaxConcurrentNotifications"/> at once), so a
/// receiver that hangs holds only its own groups; a group's flushes never overlap, so its notifications keep their
/// order. Reentrant, so updates and API calls (ack, silences) are served while deliveries wait on their retries; state
/// changes only between awaits. A restart rebuilds the groups from the persisted
/// alerts and the persisted log keeps what was delivered from being delivered again (at-least-once, no duplicates
/// beyond a crash between a delivery and its log write). Being one grain, it is the one owner of every notification
/// group in a cluster: no two silos deliver the same notification. Its persistent <see cref="ReminderName"/> reminder
/// reactivates it on a surviving silo when its silo dies, so held alerts are delivered without waiting for the next
/// alert update or API call.
/// </summary>
[Reentrant]
public sealed class AlertNotifierGrain(
    [PersistentState("notifier", "monitoring")] IPersistentState<AlertNotifierState> state,
    IDocumentStore documents,
    NotificationRuntime runtime,
    ILogger<AlertNotifierGrain> logger) : Grain, IAlertNotifierGrain, IRemindable
{
    /// <summary>The reminder that keeps the notifier active somewhere in the cluster.</summary>
    public const string ReminderName = "notifier-wake";

    /// <summary>Period of <see cref="ReminderName"/> (Orleans' minimum): the longest a dead silo's notifier stays down.</summary>
    public static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    /// <summary>How often firing alerts are re-sent to forwarding Alertmanagers (Prometheus' resend delay).</summary>
    public static readonly TimeSpan ResendInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, NotificationAlert> _alerts = new(StringComparer.Ordinal);
    private IncidentBook _incidents = new();
    private SilenceSet _silences = SilenceSet.Empty;
    private List<SilenceView> _silenceViews = [];
    private InMemoryNotificationLog _log = new();
    private AggregationGroups _groups = null!;
    private NotificationPipeline _pipeline = null!;
    private FlushDispatcher _dispatcher = null!;
    private Task _forwarding = Task.CompletedTask;
    private readonly Dictionary<string, NotificationAlert> _toForward = new(StringComparer.Ordinal);
    private bool _dirty;
    private Task? _saving;
    private DateTimeOffset _lastResend;
    private bool _reminderKnown;
    private DateTimeOffset _reminderRetryAt;
    private Task? _reminderRegistration;
    private readonly DocumentMirror _mirror = new(documents);

    private DateTimeOffset Now => runtime.Time.GetUtcNow();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var incidents = await documents.ListAsync(IncidentsCollection, cancellationToken);
        var silences = await documents.ListAsync(SilencesCollection, cancellationToken);
        var log = await documents.ListAsync(LogCollection, cancellationToken);
        var alerts = await documents.ListAsync(AlertsCollection, cancellationToken);
        var legacy = state.RecordExists && incidents.Count + silences.Count + log.Count + alerts.Count == 0;
        var incidentList = legacy ? JsonSerializer.Deserialize<List<Incident>>(state.State.Incidents) ?? [] : [.. incidents.Select(d => JsonSerializer.Deserialize<Incident>(d.Json)!)];
        _incidents = new IncidentBook(incidentList);
        foreach (var i in legacy ? [] : _incidents.All)
        {
            _mirror.Loaded(IncidentsCollection, i.Id, i);
        }
        _silenceViews = legacy ? JsonSerializer.Deserialize<List<SilenceView>>(state.State.Silences) ?? [] : [.. silences.Select(d => JsonSerializer.Deserialize<SilenceView>(d.Json)!)];
        foreach (var v in legacy ? [] : _silenceViews)
        {
            _mirror.Loaded(SilencesCollection, v.Id, v);
        }
        _silences = new SilenceSet(_silenceViews.Select(ToSilence));
        _log = new InMemoryNotificationLog(legacy ? JsonSerializer.Deserialize<List<StoredLogEntry>>(state.State.Log) : log.Select(d => JsonSerializer.Deserialize<StoredLogEntry>(d.Json)!));
        foreach (var (integration, entry) in legacy ? [] : _log.Entries())
        {
            _mirror.Loaded(LogCollection, LogId(integration, entry), entry);
        }
        var views = legacy ? JsonSerializer.Deserialize<List<AlertView>>(state.State.Alerts) ?? [] : alerts.Select(d => JsonSerializer.Deserialize<AlertView>(d.Json)!);
        foreach (var view in views)
        {
            var alert = ToAlert(view, _incidents.OpenFor(view.Fingerprint));
            _alerts[alert.Fingerprint] = alert;
            if (!legacy)
            {
                _mirror.Loaded(AlertsCollection, alert.Fingerprint, alert);
            }
        }
        _dispatcher = new FlushDispatcher(runtime.MaxConcurrentNotifications, FlushedAsync);
        Rebuild();
        if (legacy)
        {
            // Moved into the document store once; the old record goes only after every document is written.
            await WriteAsync();
            await state.ClearStateAsync(cancellationToken);
        }
        CountFiring();
        // The timer never waits for the flushes it starts: one that hangs on a dead receiver must not stop the ticks
        // that start the other groups' flushes.
        this.RegisterGrainTimer(_ =>
        {
            TimerTick();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { KeepAlive = true });
        StartReminderRegistration();
    }

    /// <summary>
    /// Registers <see cref="ReminderName"/> in the background (never awaited by a call or the timer: right after a silo
    /// dies, the reminder service may take a response timeout to answer, and deliveries must not wait for it); after a
    /// failure the timer starts it again half a minute later.
    /// </summary>
    private void StartReminderRegistration()
    {
        if (_reminderKnown || Now < _reminderRetryAt || _reminderRegistration is { IsCompleted: false })
        {
            return;
        }

        _reminderRegistration = EnsureReminderAsync();
    }

    private async Task EnsureReminderAsync()
    {
        try
        {
            if (await this.GetReminder(ReminderName) is null)
            {
                await this.RegisterOrUpdateReminder(ReminderName, ReminderPeriod, ReminderPeriod);
            }

            _reminderKnown = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _reminderRetryAt = Now + TimeSpan.FromSeconds(30);
            GrainsLog.ReminderFailed(logger, e, "alert notifier");
        }
    }

    /// <inheritdoc />
    public Task ReceiveReminder(string reminderName, TickStatus status) => Task.CompletedTask; // activating is the point

    /// <inheritdoc />
    public async Task UpdateAsync(AlertView[] alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var now = Now;
        var forward = new List<NotificationAlert>();
        foreach (var view in alerts)
        {
            var firing = view.State != "resolved";
            var labels = LabelSet.From(view.Labels);
            var signal = new AlertSignal(labels, LabelSet.From(view.Annotations), view.ActiveAt, firing, view.Flapping, ToEvidence(view.Evidence));
            var incident = _incidents.Apply(signal, now);
            if (firing && incident is null)
            {
                continue; // resolved by hand while still firing: nothing more for this activation
            }
            var alert = ToAlert(view, incident);
            _alerts[alert.Fingerprint] = alert;
            _groups.Put(alert, now);
            forward.Add(alert);
        }
        await SaveAsync();
        DispatchDue();
        StartForward(forward);
    }

    /// <inheritdoc />
    public Task<IncidentView[]> ListIncidentsAsync(string? incidentState) =>
        Task.FromResult(_incidents.All.Where(i => incidentState is null || Name(i.State) == incidentState).Select(ToView).ToArray());

    /// <inheritdoc />
    public Task<IncidentView?> GetIncidentAsync(string id) => Task.FromResult(_incidents.Get(id) is { } i ? ToView(i) : null);

    /// <inheritdoc />
    public async Task<IncidentView?> AcknowledgeAsync(string id, string by)
    {
        var before = _incidents.Get(id);
        var incident = _incidents.Acknowledge(id, by, Now);
        if (incident is null)
        {
            return null;
        }
        if (before?.State == IncidentState.Triggered && _alerts.TryGetValue(incident.Fingerprint, out var alert))
        {
            var updated = alert with { Incident = Ref(incident) };
            _alerts[alert.Fingerprint] = updated;
            _groups.Put(updated, Now);
        }
        await SaveAsync();
        DispatchDue();
        return ToView(incident);
    }

    /// <inheritdoc />
    public async Task<IncidentView?> ResolveAsync(string id, string by)
    {
        var before = _incidents.Get(id);
        var incident = _incidents.Resolve(id, by, Now);
        if (incident is null)
        {
            return null;
        }
        if (before?.State != IncidentState.Resolved && _alerts.TryGetValue(incident.Fingerprint, out var alert) && !alert.IsResolved(Now))
        {
            // Receivers told about it get its resolve; the alert itself may still fire, but this activation is closed.
            var resolved = alert with { EndsAt = Now, Incident = Ref(incident) };
            _alerts[alert.Fingerprint] = resolved;
            _groups.Put(resolved, Now);
        }
        await SaveAsync();
        DispatchDue();
        return ToView(incident);
    }

    /// <inheritdoc />
    public Task<SilenceView[]> ListSilencesAsync(string? tenant) =>
        Task.FromResult(_silenceViews.Where(v => Silence.IsVisibleTo(v.Tenant, tenant)).Select(v => v with { State = StateOf(v) }).OrderByDescending(v => v.StartsAt).ToArray());

    /// <inheritdoc />
    public Task<SilenceView?> GetSilenceAsync(string id, string? tenant) =>
        Task.FromResult(_silenceViews.FirstOrDefault(v => v.Id == id && Silence.IsVisibleTo(v.Tenant, tenant)) is { } found ? found with { State = StateOf(found) } : null);

    /// <inheritdoc />
    public async Task<SilenceView> AddSilenceAsync(SilenceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = Now;
        if (request.EndsAt is null)
        {
            throw new ArgumentException("endsAt: is required");
        }
        var view = new SilenceView
        {
            Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
            Matchers = request.Matchers,
            StartsAt = request.StartsAt ?? now,
            EndsAt = request.EndsAt.Value,
            CreatedBy = request.CreatedBy ?? string.Empty,
            Comment = request.Comment ?? string.Empty,
            State = "active",
            Recurrence = request.Recurrence,
            Tenant = request.Tenant,
        };
        Silence silence;
        try
        {
            silence = ToSilence(view);
        }
        catch (FormatException e)
        {
            throw new ArgumentException(e.Message.StartsWith("recurrence", StringComparison.Ordinal) ? e.Message : "matchers: " + e.Message);
        }
        _silences = _silences.With(silence); // throws ArgumentException naming the field
        _silenceViews.Add(view);
        await SaveAsync();
        return view with { State = StateOf(view) };
    }

    /// <inheritdoc />
    public async Task<bool> ExpireSilenceAsync(string id, string? tenant)
    {
        var now = Now;
        if (!_silences.TryExpire(id, now, out var expired, tenant))
        {
            return false;
        }
        _silences = expired;
        var i = _silenceViews.FindIndex(v => v.Id == id);
        _silenceViews[i] = _silenceViews[i] with { EndsAt = now, StartsAt = _silenceViews[i].StartsAt > now ? now : _silenceViews[i].StartsAt };
        await SaveAsync();
        return true;
    }

    /// <inheritdoc />
    public async Task<ReceiverTestResult?> TestReceiverAsync(string receiver)
    {
        if (!runtime.Integrations.TryGetValue(receiver, out var integrations))
        {
            return null;
        }
        var now = Now;
        var alert = new NotificationAlert
        {
            Labels = LabelSet.Of("alertname", "TestNotification", "severity", "info", "receiver", receiver),
            Annotations = LabelSet.Of("summary", $"Test notification to {receiver}: delivery works"),
            StartsAt = now,
        };
        var notification = new Notification
        {
            Receiver = receiver, GroupKey = "{}:{alertname=\"TestNotification\"}", GroupLabels = LabelSet.Of("alertname", "TestNotification"),
            Alerts = [alert], ExternalUrl = runtime.ExternalUrl, Reason = "test", Time = now,
        };
        var results = new List<ReceiverTestIntegration>();
        foreach (var notifier in integrations)
        {
            var r = await notifier.SendAsync(notification, CancellationToken.None);
            results.Add(new ReceiverTestIntegration(notifier.Kind, r.Success, r.Error, r.StatusCode));
        }
        return new ReceiverTestResult { Receiver = receiver, Integrations = [.. results] };
    }

    /// <inheritdoc />
    public async Task TickAsync()
    {
        TimerTick();
        await _dispatcher.WhenIdleAsync();
    }

    /// <summary>The timer step: reload, Alertmanager resend, dispatch of due groups (never waiting for the flushes).</summary>
    private void TimerTick()
    {
        StartReminderRegistration();
        if (runtime.Reload())
        {
            Rebuild();
        }
        var now = Now;
        if (runtime.Alertmanagers.Count > 0 && now - _lastResend >= ResendInterval)
        {
            _lastResend = now;
            StartForward([.. _alerts.Values.Where(a => !a.IsResolved(now))]);
        }
        DispatchDue();
    }

    private void Rebuild()
    {
        _groups = new AggregationGroups(runtime.Config.Route);
        _pipeline = new NotificationPipeline(runtime.Config, runtime.Integrations, _log, () => _silences, runtime.SendAsync, runtime.ExternalUrl);
        var now = Now;
        foreach (var alert in _alerts.Values)
        {
            _groups.Put(alert, now);
        }
    }

    /// <summary>Starts the flushes of the groups due now (each on its own); returns them without waiting.</summary>
    private IReadOnlyList<Task> DispatchDue() => _dispatcher.DispatchDue(_groups, _pipeline, Now);

    /// <summary>
    /// One group's flush is done: notes the deliveries in the incidents' timelines, reschedules the group, drops
    /// resolved alerts no group holds, persists (the log entry of a delivery is stored before it is logged as
    /// delivered), and starts what became due meanwhile (a slot is free).
    /// </summary>
    private async Task FlushedAsync(FlushCompletion done)
    {
        try
        {
            if (done.Error is { } error)
            {
                GrainsLog.FlushFailed(logger, error);
            }
            var delivered = new List<(string Receiver, string Kind, string Group, string Reason)>();
            foreach (var d in done.Outcome?.Deliveries.Where(d => d.Result is not null) ?? [])
            {
                if (d.Result!.Success)
                {
                    delivered.Add((d.Receiver, d.Kind, done.Flush.GroupKey, d.Reason!));
                    foreach (var a in d.Notification?.Alerts ?? [])
                    {
                        if (a.Incident is { } r)
                        {
                            _incidents.Note(r.Id, new TimelineEntry(done.Flush.Time, "notified", $"{d.Receiver} ({d.Kind}): {d.Reason}"));
                        }
                    }
                }
                else
                {
                    GrainsLog.DeliveryFailed(logger, d.Receiver, d.Kind, d.Result.Error ?? "failed");
                }
            }
            done.Groups.Complete(done.Flush, done.Token, done.Delivered, Now);
            // Resolved alerts that no group holds any more are done.
            var held = _groups.Alerts.Select(a => a.Fingerprint).ToHashSet(StringComparer.Ordinal);
            foreach (var fp in _alerts.Where(kv => kv.Value.IsResolved(Now) && !held.Contains(kv.Key)).Select(kv => kv.Key).ToList())
            {
                _alerts.Remove(fp);
            }
            _log.Prune(Now, TimeSpan.FromDays(10));
            _incidents.Prune(Now);
            DispatchDue();
            await SaveAsync();
            // Logged once the notification log that records them is persisted.
            foreach (var (receiver, kind, group, reason) in delivered)
            {
                GrainsLog.Delivered(logger, receiver, kind, group, reason);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GrainsLog.FlushFailed(logger, e);
        }
    }

    /// <summary>
    /// Forwards alerts to the configured Alertmanagers in the background, one post at a time: alerts that change while
    /// a post is running are sent by the next one (the latest state of each), so a slow Alertmanager neither holds an
    /// update nor the notifications it makes due.
    /// </summary>
    private void StartForward(IReadOnlyList<NotificationAlert> alerts)
    {
        if (runtime.Alertmanagers.Count == 0 || alerts.Count == 0)
        {
            return;
        }
        foreach (var alert in alerts)
        {
            _toForward[alert.Fingerprint] = alert;
        }
        if (_forwarding.IsCompleted)
        {
            _forwarding = ForwardLoopAsync();
        }
    }

    private async Task ForwardLoopAsync()
    {
        while (_toForward.Count > 0)
        {
            var batch = _toForward.Values.ToList();
            _toForward.Clear();
            try
            {
                await ForwardAsync(batch, Now);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                GrainsLog.AlertmanagerForwardFailed(logger, e);
            }
        }
    }

    private async Task ForwardAsync(IReadOnlyList<NotificationAlert> alerts, DateTimeOffset now)
    {
        // Firing alerts carry an end 4 resend intervals ahead (Prometheus: "allow two evaluation or send failures").
        var batch = alerts.Select(a => a.IsResolved(now) ? a : a with { EndsAt = now + 4 * ResendInterval }).ToList();
        foreach (var am in runtime.Alertmanagers)
        {
            var result = await runtime.Retry.ExecuteAsync("alertmanager", ct => am.PostAlertsAsync("alertmanager", batch, ct), CancellationToken.None);
            if (!result.Success)
            {
                GrainsLog.DeliveryFailed(logger, "alertmanager", "alertmanager", result.Error ?? "failed");
            }
        }
    }

    /// <summary>
    /// Persists the state, group-committed: a call made while a write is running waits for the next write, which
    /// covers every change made meanwhile; so a burst of updates (every model's window closing at once) costs a few
    /// writes, not one each, and every caller still returns only once its change is stored.
    /// </summary>
    private Task SaveAsync()
    {
        _dirty = true;
        // A running save loop picks the change up; otherwise start one. (Not "??=" with a reset in a finally: a loop
        // that completes synchronously, as a write with nothing changed does, would reset before being assigned and
        // leave a completed task behind, and every later save would return it without writing.)
        return _saving is { IsCompleted: false } ? _saving : _saving = SaveLoopAsync();
    }

    private async Task SaveLoopAsync()
    {
        while (_dirty)
        {
            _dirty = false;
            await WriteAsync();
        }
    }

    private const string IncidentsCollection = "notifier.incidents";
    private const string SilencesCollection = "notifier.silences";
    private const string LogCollection = "notifier.log";
    private const string AlertsCollection = "notifier.alerts";

    /// <summary>Writes the incidents, silences, log entries and held alerts that changed since the last write.</summary>
    private Task<int> WriteAsync()
    {
        CountFiring();
        return _mirror.WriteAsync(
            new(IncidentsCollection, _incidents.Held.Select(i => (i.Id, (object)i)), (_, r) => JsonSerializer.Serialize((Incident)r)),
            new(SilencesCollection, _silenceViews.Select(v => (v.Id, (object)v)), (_, r) => JsonSerializer.Serialize((SilenceView)r)),
            new(LogCollection, _log.Entries().Select(e => (LogId(e.Integration, e.Entry), (object)e.Entry)),
                (id, r) => JsonSerializer.Serialize(InMemoryNotificationLog.ToStored(int.Parse(id.AsSpan(0, id.IndexOf('|', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture), (NotificationLogEntry)r))),
            new(AlertsCollection, _alerts.Select(kv => (kv.Key, (object)kv.Value)), (_, r) => JsonSerializer.Serialize(ToView((NotificationAlert)r))));
    }

    private static string LogId(int integration, NotificationLogEntry entry) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{integration}|{entry.Receiver}|{entry.GroupKey}");

    /// <summary>Publishes the firing alerts by name (<c>monitoring.alerts.firing</c>).</summary>
    private void CountFiring()
    {
        var now = Now;
        GrainsTelemetry.SetFiring(_alerts.Values.Where(a => !a.IsResolved(now)).Select(a => a.Labels["alertname"]));
    }

    private NotificationAlert ToAlert(AlertView view, Incident? incident) => new()
    {
        Labels = LabelSet.From(view.Labels),
        Annotations = LabelSet.From(view.Annotations),
        StartsAt = view.FiredAt ?? view.ActiveAt,
        EndsAt = view.State == "resolved" ? view.ResolvedAt ?? Now : null,
        GeneratorUrl = view.Evidence?.ReportUrl ?? runtime.ExternalUrl + "/api/alerts",
        Evidence = ToEvidence(view.Evidence),
        Incident = incident is null ? null : Ref(incident),
        Flapping = view.Flapping,
    };

    private AlertView ToView(NotificationAlert a) => new()
    {
        Rule = string.Empty,
        Labels = a.Labels.ToDictionary(),
        Annotations = a.Annotations.ToDictionary(),
        State = a.EndsAt is null ? "firing" : "resolved",
        ActiveAt = a.StartsAt,
        FiredAt = a.StartsAt,
        ResolvedAt = a.EndsAt,
        Value = a.Evidence?.Value ?? 0,
        Flapping = a.Flapping,
        Evidence = a.Evidence is { } e ? ModelAlertsGrain.ToView(e) : null,
        Fingerprint = a.Fingerprint,
    };

    private IncidentRef Ref(Incident i) =>
        new(i.Id, i.State, $"{runtime.ExternalUrl}/incidents/{i.Id}", $"{runtime.ExternalUrl}/incidents/{i.Id}/ack");

    private static AlertEvidence? ToEvidence(EvidenceView? e) =>
        e is null ? null : new AlertEvidence(e.Metric, e.Value, e.Operator, e.Threshold, e.WindowStart, e.WindowEnd, e.ReportUrl, e.Details);

    private static string Name(IncidentState s) => s switch
    {
        IncidentState.Triggered => "triggered",
        IncidentState.Acknowledged => "acknowledged",
        _ => "resolved",
    };

    private static IncidentView ToView(Incident i)
    {
        var runbook = i.Annotation("runbook_url");
        return new IncidentView
        {
            Id = i.Id,
            State = Name(i.State),
            Alert = i.Label("alertname"),
            Labels = i.LabelNames.Zip(i.LabelValues).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal),
            Annotations = i.AnnotationNames.Zip(i.AnnotationValues).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal),
            Fingerprint = i.Fingerprint,
            TriggeredAt = i.TriggeredAt,
            AcknowledgedAt = i.AcknowledgedAt,
            AcknowledgedBy = i.AcknowledgedBy,
            ResolvedAt = i.ResolvedAt,
            ResolvedBy = i.ResolvedBy,
            Evidence = i.Evidence is { } e ? ModelAlertsGrain.ToView(e) : null,
            RunbookUrl = runbook.Length > 0 ? runbook : null,
            Flapping = i.Flapping,
            Timeline = [.. i.Timeline.Select(t => new IncidentEventView(t.Time, t.Event, t.Detail))],
        };
    }

    private string StateOf(SilenceView v) => (Now < v.StartsAt ? SilenceState.Pending : Now < v.EndsAt ? SilenceState.Active : SilenceState.Expired) switch
    {
        SilenceState.Pending => "pending",
        SilenceState.Active => "active",
        _ => "expired",
    };

    private static Silence ToSilence(SilenceView v) => new()
    {
        Id = v.Id,
        Matchers = [.. v.Matchers.SelectMany(Matchers.ParseList)],
        StartsAt = v.StartsAt,
        EndsAt = v.EndsAt,
        CreatedBy = v.CreatedBy,
        Comment = v.Comment,
        Schedule = v.Recurrence is { } r ? TimeIntervalSchedule.Parse(r.Times, r.Weekdays, r.DaysOfMonth, r.Months, r.Location) : null,
        Tenant = v.Tenant,
    };
}
