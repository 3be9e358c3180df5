using System.Text.Json;
using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Abstractions.Time;
using Monitoring.Alerting.Evaluation;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Slo;
using Monitoring.Grains.Telemetry;
using Orleans.Runtime;

namespace Monitoring.Grains.Alerting;

/// <summary>Persisted alert state of one model (JSON of plain records, so rule changes never break the stored form).</summary>
[GenerateSerializer]
public sealed class ModelAlertsState
{
    /// <summary>The model's alert records (<see cref="AlertRecord"/>[] as JSON).</summary>
    [Id(0)] public string Records { get; set; } = "[]";

    /// <summary>The latest closed window's report (JSON), for rules that also read window metrics.</summary>
    [Id(1)] public string? LatestWindow { get; set; }

    /// <summary>The latest closed window's performance report (JSON).</summary>
    [Id(2)] public string? LatestPerformance { get; set; }

    /// <summary>The version comparisons evaluated at the latest window close (JSON), for the rollout metrics.</summary>
    [Id(5)] public string? LatestRollouts { get; set; }

    /// <summary>Firing SLO alerts (<see cref="AlertRecord"/>[] as JSON).</summary>
    [Id(3)] public string SloRecords { get; set; } = "[]";

    /// <summary>The latest SLO statuses (<see cref="SloStatusView"/>[] as JSON).</summary>
    [Id(4)] public string SloStatuses { get; set; } = "[]";

    /// <summary>
    /// Alert updates (<see cref="AlertView"/>[] as JSON, in order) decided but not yet taken by the notifier: stored in
    /// the same write as the alert records, so an update is never lost between its decision and its hand-over.
    /// </summary>
    [Id(6)] public string Handover { get; set; } = "[]";
}

/// <summary>
/// Evaluates the rules of one model when its reports change, keeps its pending and firing alerts durably (a restart
/// neither forgets a pending alert nor fires it early or twice), and hands firing and resolved alerts to the notifier.
/// The evaluation time is the end of the window evaluated (event time), so <c>for: 2h</c> means the condition held in
/// windows spanning two hours, whatever the processing delays.
/// <para>
/// The hand-over never holds the caller (the model grain's window close, hence its ingest): the updates are stored with
/// the alert records in one write, the call returns, and the grain hands them to the notifier in the background, in
/// order, one call at a time, retrying (from 250 ms, doubling up to 30 s) until the notifier takes them, e.g. after its
/// silo died and it reactivated elsewhere. Only then are they removed from the stored list; a grain that dies first
/// hands them over again when it is next activated (the notifier ignores a repeated update: dedup by its log).
/// </para>
/// The grain deactivates once a call is done and nothing is left to hand over: it is needed once per window, and 1,000
/// models' latest reports held between windows cost about 50 MiB.
/// </summary>
public sealed class ModelAlertsGrain(
    [PersistentState("alerts", "monitoring")] IPersistentState<ModelAlertsState> state,
    AlertingRuntime runtime,
    ILogger<ModelAlertsGrain> logger) : Grain, IModelAlertsGrain
{
    /// <summary>First wait after a failed hand-over; later ones double.</summary>
    internal static readonly TimeSpan HandoverFirstRetry = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest wait between two hand-over attempts.</summary>
    internal static readonly TimeSpan HandoverMaxRetry = TimeSpan.FromSeconds(30);

    private ModelKey _key;

    /// <summary>Updates not yet taken by the notifier, oldest first (what <see cref="ModelAlertsState.Handover"/> stores).</summary>
    private List<AlertView> _handover = [];

    /// <summary>How many of the first <see cref="_handover"/> entries the running hand-over call carries.</summary>
    private int _sending;

    /// <summary>One state write at a time: the background hand-over and the calls both write.</summary>
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    private Task _handing = Task.CompletedTask;
    private int _calls;
    private bool _deactivating;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = ModelKey.Parse(this.GetPrimaryKeyString());
        GrainsTelemetry.Activated("model_alerts");
        _handover = JsonSerializer.Deserialize<List<AlertView>>(state.State.Handover, ReportJson.Options) ?? [];
        StartHandover(); // left by an activation that died before the notifier took them
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating = true;
        GrainsTelemetry.Deactivated("model_alerts");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task WindowClosedAsync(WindowReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return CallAsync(async () =>
        {
            if (report.Granularity != "window")
            {
                return;
            }
            state.State.LatestWindow = JsonSerializer.Serialize(report, ReportJson.Options);
            await EvaluateAsync(MetricSource.Window, UnixNanos.ToDateTimeOffset(report.WindowEndUnixNano));
        });
    }

    /// <inheritdoc />
    public Task PerformanceChangedAsync(PerformanceReport[] reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        return CallAsync(() => PerformanceChangedCoreAsync(reports));
    }

    private async Task PerformanceChangedCoreAsync(PerformanceReport[] reports)
    {
        var current = state.State.LatestPerformance is { } json ? JsonSerializer.Deserialize<PerformanceReport>(json, ReportJson.Options) : null;
        var closedBefore = state.State.LatestWindow is { } w ? JsonSerializer.Deserialize<WindowReport>(w, ReportJson.Options)!.WindowEndUnixNano : 0;
        // The newest window that has closed (open windows are still filling) and is not older than the one in force.
        var newest = reports.Where(r => r.WindowStartUnixNano < closedBefore && r.WindowStartUnixNano >= (current?.WindowStartUnixNano ?? long.MinValue))
            .MaxBy(r => r.WindowStartUnixNano);
        if (newest is null)
        {
            return;
        }
        state.State.LatestPerformance = JsonSerializer.Serialize(newest, ReportJson.Options);
        var end = DateTimeOffset.Parse(newest.WindowEnd, System.Globalization.CultureInfo.InvariantCulture);
        await EvaluateAsync(MetricSource.Performance, end);
    }

    /// <inheritdoc />
    public Task RolloutsComparedAsync(VersionComparisonReport[] comparisons, WindowReport closed)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        ArgumentNullException.ThrowIfNull(closed);
        return CallAsync(async () =>
        {
            state.State.LatestRollouts = JsonSerializer.Serialize(
                new RolloutEvaluation(closed.WindowStart, closed.WindowEnd, closed.WindowStartUnixNano, comparisons), ReportJson.Options);
            await EvaluateAsync(MetricSource.Rollout, UnixNanos.ToDateTimeOffset(closed.WindowEndUnixNano));
        });
    }

    /// <summary>
    /// Runs a call that changes the state, with the state to itself (the background hand-over writes the state too,
    /// between calls), then deactivates when nothing is left to hand over: evaluations come once per window (and per
    /// performance change), so the state is read back then rather than held in memory for every model between windows.
    /// </summary>
    private async Task CallAsync(Func<Task> body)
    {
        _calls++;
        await _writeGate.WaitAsync();
        try
        {
            await body();
        }
        finally
        {
            _writeGate.Release();
            _calls--;
            IdleIfDone();
        }
    }

    /// <summary>The version comparisons of a window close, as kept between evaluations.</summary>
    private sealed record RolloutEvaluation(string WindowStart, string WindowEnd, long WindowStartUnixNano, VersionComparisonReport[] Comparisons);

    /// <inheritdoc />
    public Task<AlertView[]> GetAlertsAsync()
    {
        IdleIfDone();
        var records = (JsonSerializer.Deserialize<List<AlertRecord>>(state.State.Records) ?? [])
            .Concat(JsonSerializer.Deserialize<List<AlertRecord>>(state.State.SloRecords) ?? []);
        return Task.FromResult(records.Where(r => r.IsActive).Select(r => ToView(r, resolved: false)).ToArray());
    }

    /// <inheritdoc />
    public Task<SloStatusView[]> GetSlosAsync()
    {
        IdleIfDone();
        return Task.FromResult(JsonSerializer.Deserialize<SloStatusView[]>(state.State.SloStatuses, ReportJson.Options) ?? []);
    }

    /// <inheritdoc />
    public Task SlosEvaluatedAsync(SloStatusView[] statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        // Called once a minute at most: the state is read back then, not held in memory meanwhile.
        return CallAsync(async () =>
        {
            state.State.SloStatuses = JsonSerializer.Serialize(statuses, ReportJson.Options);
            var previous = JsonSerializer.Deserialize<List<AlertRecord>>(state.State.SloRecords) ?? [];
            if (statuses.Length == 0 && previous.Count == 0)
            {
                return;
            }
            var specs = runtime.Rules.Slos.ToDictionary(s => s.Name, StringComparer.Ordinal);
            var records = new List<AlertRecord>();
            var transitions = new List<AlertTransition>();
            foreach (var status in statuses)
            {
                if (specs.TryGetValue(status.Slo, out var spec))
                {
                    var (r, t) = SloAlerts.Evaluate(spec, status, previous, status.EvaluatedAt, runtime.ExternalUrl);
                    records.AddRange(r);
                    transitions.AddRange(t);
                }
            }
            // SLOs gone from the rules (or no longer selecting this model): their firing alerts resolve.
            var evaluated = statuses.Select(s => s.Slo).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in previous.Where(p => p.IsActive && !evaluated.Contains(p.Labels["slo"])))
            {
                transitions.Add(new AlertTransition(AlertChange.Resolved, gone with { State = AlertState.Inactive, ResolvedAt = statuses.FirstOrDefault()?.EvaluatedAt ?? gone.ActiveAt }, "SLO removed"));
            }
            state.State.SloRecords = JsonSerializer.Serialize(records);
            // Firing ones at every evaluation, as rule alerts: a restarted notifier hears of them again.
            var updates = records.Select(a => ToView(a, resolved: false))
                .Concat(transitions.Where(t => t.Change == AlertChange.Resolved).Select(t => ToView(t.Alert, resolved: true))).ToArray();
            await WriteWithHandoverAsync(updates);
            GrainsLog.AlertsChanged(logger, _key.GrainKey, transitions
                .Where(t => t.Change is AlertChange.Fired or AlertChange.Resolved or AlertChange.StartedFlapping).Select(t => (t.Alert.Labels["alertname"], ChangeName(t.Change), t.Reason)));
        });
    }

    private async Task EvaluateAsync(MetricSource changed, DateTimeOffset at)
    {
        var evaluator = runtime.Evaluator;
        var previous = JsonSerializer.Deserialize<List<AlertRecord>>(state.State.Records) ?? [];
        if (previous.Count == 0 && evaluator.RulesFor(_key.Tenant, _key.Model).Count == 0)
        {
            return; // no rule concerns this model: nothing to evaluate or store
        }
        using var activity = GrainsTelemetry.Source.StartActivity("rule evaluation");
        activity?.SetTag("monitoring.model", _key.GrainKey);
        activity?.SetTag("monitoring.rule.source", SourceName(changed));
        try
        {
            var latest = new Dictionary<MetricSource, SampleSet>();
            if (state.State.LatestWindow is { } window)
            {
                latest[MetricSource.Window] = ReportMetrics.FromWindow(JsonSerializer.Deserialize<WindowReport>(window, ReportJson.Options)!);
            }
            if (state.State.LatestPerformance is { } performance)
            {
                latest[MetricSource.Performance] = ReportMetrics.FromPerformance(JsonSerializer.Deserialize<PerformanceReport>(performance, ReportJson.Options)!);
            }
            if (state.State.LatestRollouts is { } rollouts)
            {
                var r = JsonSerializer.Deserialize<RolloutEvaluation>(rollouts, ReportJson.Options)!;
                latest[MetricSource.Rollout] = ReportMetrics.FromRollouts(_key.GrainKey, r.WindowStart, r.WindowEnd, r.WindowStartUnixNano, r.Comparisons);
            }
            var result = evaluator.Evaluate(_key.Tenant, _key.Model, latest, changed, at, previous);
            runtime.Record(result.Health, at);
            var failed = result.Health.Count(h => h.Error is not null);
            GrainsTelemetry.RulesEvaluated(SourceName(changed), result.Health.Count - failed, failed);
            activity?.SetTag("monitoring.rule.evaluations", result.Health.Count);
            activity?.SetTag("monitoring.alert.transitions", result.Transitions.Count);
            state.State.Records = JsonSerializer.Serialize(result.Alerts);
            var updates = result.Alerts.Where(a => a.State == AlertState.Firing).Select(a => ToView(a, resolved: false))
                .Concat(result.Transitions.Where(t => t.Change == AlertChange.Resolved).Select(t => ToView(t.Alert, resolved: true)))
                .ToArray();
            await WriteWithHandoverAsync(updates);
            GrainsLog.AlertsChanged(logger, _key.GrainKey, result.Transitions
                .Where(t => t.Change is AlertChange.Fired or AlertChange.Resolved or AlertChange.StartedFlapping)
                .Select(t => (t.Alert.Labels["alertname"], ChangeName(t.Change), t.Reason)));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
            GrainsLog.EvaluationFailed(logger, e, _key.GrainKey);
        }
    }

    /// <summary>
    /// Writes the state with <paramref name="updates"/> added to the hand-over list, in one write (the records and the
    /// updates they imply are stored together or not at all), then starts the hand-over without waiting for it. An
    /// update replaces an earlier one of the same alert in the same state that is not yet being sent (a firing alert is
    /// re-sent at every evaluation; only its latest view matters); the order of an alert's changes is kept. Called
    /// within <see cref="CallAsync"/>.
    /// </summary>
    private async Task WriteWithHandoverAsync(AlertView[] updates)
    {
        var before = _handover;
        try
        {
            if (updates.Length > 0)
            {
                var next = new List<AlertView>(_handover);
                foreach (var update in updates)
                {
                    var last = next.FindLastIndex(v => v.Fingerprint == update.Fingerprint);
                    if (last >= _sending && next[last].State == update.State)
                    {
                        next.RemoveAt(last);
                    }
                    next.Add(update);
                }
                _handover = next;
            }
            state.State.Handover = JsonSerializer.Serialize(_handover, ReportJson.Options);
            await state.WriteStateAsync();
        }
        catch
        {
            _handover = before; // not stored: the caller's evaluation failed, and so did its updates
            throw;
        }
        StartHandover(); // its first step waits for the call to end (the gate)
    }

    /// <summary>Starts the background hand-over unless it runs or there is nothing to hand over.</summary>
    private void StartHandover()
    {
        if (_handover.Count > 0 && _handing.IsCompleted && !_deactivating)
        {
            _handing = HandOverAsync();
        }
    }

    /// <summary>Deactivates once the running call is done, when nothing is left to hand over.</summary>
    private void IdleIfDone()
    {
        if (_handover.Count == 0 && _handing.IsCompleted)
        {
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// Hands the stored updates to the notifier, oldest first, one call at a time, until none is left. A failure (the
    /// notifier's silo died: calls fail until the cluster declares it dead and the notifier reactivates elsewhere, 7-13 s
    /// measured in ClusterFailoverTests; or its store failed) keeps them and retries after a wait that doubles.
    /// </summary>
    private async Task HandOverAsync()
    {
        var delay = HandoverFirstRetry;
        while (!_deactivating)
        {
            AlertView[] batch;
            await _writeGate.WaitAsync(); // a call's write in progress: its updates are sent once stored
            try
            {
                batch = [.. _handover];
                _sending = batch.Length;
            }
            finally
            {
                _writeGate.Release();
            }
            if (batch.Length == 0)
            {
                break;
            }
            try
            {
                await GrainFactory.GetGrain<IAlertNotifierGrain>(0).UpdateAsync(batch);
            }
            catch (Exception e)
            {
                _sending = 0;
                if (_deactivating)
                {
                    break; // stored: the next activation hands them over
                }
                GrainsLog.NotifierUnreachable(logger, _key.GrainKey, batch.Length, delay.TotalSeconds, e.GetType().Name);
                await Task.Delay(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, HandoverMaxRetry.Ticks));
                continue;
            }
            delay = HandoverFirstRetry;
            await _writeGate.WaitAsync();
            try
            {
                _handover = _handover.Skip(batch.Length).ToList();
                _sending = 0;
                if (!_deactivating)
                {
                    state.State.Handover = JsonSerializer.Serialize(_handover, ReportJson.Options);
                    await state.WriteStateAsync();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                GrainsLog.HandoverWriteFailed(logger, e, _key.GrainKey);
            }
            finally
            {
                _writeGate.Release();
            }
        }
        if (_calls == 0 && !_deactivating)
        {
            DeactivateOnIdle();
        }
    }

    private static string ChangeName(AlertChange change) => change switch
    {
        AlertChange.Fired => "fired",
        AlertChange.Resolved => "resolved",
        AlertChange.StartedFlapping => "started flapping",
        _ => change.ToString().ToLowerInvariant(),
    };

    private static string SourceName(MetricSource source) => MetricCatalog.SourceName(source);

    internal static AlertView ToView(AlertRecord record, bool resolved) => new()
    {
        Rule = record.RuleKey,
        Labels = record.Labels.ToDictionary(),
        Annotations = record.Annotations.ToDictionary(),
        State = resolved ? "resolved" : record.State == AlertState.Firing ? "firing" : "pending",
        ActiveAt = record.ActiveAt,
        FiredAt = record.FiredAt,
        ResolvedAt = resolved ? record.ResolvedAt : null,
        Value = record.Value,
        Flapping = record.Flapping,
        Evidence = record.Evidence is { } e ? ToView(e) : null,
        Fingerprint = record.Fingerprint,
    };

    internal static EvidenceView ToView(AlertEvidence e) => new()
    {
        Metric = e.Metric,
        Value = e.Value,
        Operator = e.Operator,
        Threshold = e.Threshold,
        WindowStart = e.WindowStart,
        WindowEnd = e.WindowEnd,
        ReportUrl = e.ReportUrl,
        Details = [.. e.Details],
    };
}
