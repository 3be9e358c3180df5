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
}

/// <summary>
/// Evaluates the rules of one model when its reports change, keeps its pending and firing alerts durably (a restart
/// neither forgets a pending alert nor fires it early or twice), and hands firing and resolved alerts to the notifier.
/// The evaluation time is the end of the window evaluated (event time), so <c>for: 2h</c> means the condition held in
/// windows spanning two hours, whatever the processing delays. The grain deactivates after each call: it is needed
/// once per window, and 1,000 models' latest reports held between windows cost about 50 MiB.
/// </summary>
public sealed class ModelAlertsGrain(
    [PersistentState("alerts", "monitoring")] IPersistentState<ModelAlertsState> state,
    AlertingRuntime runtime,
    ILogger<ModelAlertsGrain> logger) : Grain, IModelAlertsGrain
{
    /// <summary>Longest the notifier is retried for when its silo is unreachable.</summary>
    internal static readonly TimeSpan NotifierRetryBudget = TimeSpan.FromSeconds(20);

    private ModelKey _key;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = ModelKey.Parse(this.GetPrimaryKeyString());
        GrainsTelemetry.Activated("model_alerts");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        GrainsTelemetry.Deactivated("model_alerts");
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task WindowClosedAsync(WindowReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Granularity != "window")
        {
            return;
        }
        state.State.LatestWindow = JsonSerializer.Serialize(report, ReportJson.Options);
        await EvaluateAsync(MetricSource.Window, UnixNanos.ToDateTimeOffset(report.WindowEndUnixNano));
    }

    /// <inheritdoc />
    public async Task PerformanceChangedAsync(PerformanceReport[] reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
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
    public async Task RolloutsComparedAsync(VersionComparisonReport[] comparisons, WindowReport closed)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        ArgumentNullException.ThrowIfNull(closed);
        state.State.LatestRollouts = JsonSerializer.Serialize(
            new RolloutEvaluation(closed.WindowStart, closed.WindowEnd, closed.WindowStartUnixNano, comparisons), ReportJson.Options);
        await EvaluateAsync(MetricSource.Rollout, UnixNanos.ToDateTimeOffset(closed.WindowEndUnixNano));
    }

    /// <summary>The version comparisons of a window close, as kept between evaluations.</summary>
    private sealed record RolloutEvaluation(string WindowStart, string WindowEnd, long WindowStartUnixNano, VersionComparisonReport[] Comparisons);

    /// <inheritdoc />
    public Task<AlertView[]> GetAlertsAsync()
    {
        DeactivateOnIdle();
        var records = (JsonSerializer.Deserialize<List<AlertRecord>>(state.State.Records) ?? [])
            .Concat(JsonSerializer.Deserialize<List<AlertRecord>>(state.State.SloRecords) ?? []);
        return Task.FromResult(records.Where(r => r.IsActive).Select(r => ToView(r, resolved: false)).ToArray());
    }

    /// <inheritdoc />
    public Task<SloStatusView[]> GetSlosAsync()
    {
        DeactivateOnIdle();
        return Task.FromResult(JsonSerializer.Deserialize<SloStatusView[]>(state.State.SloStatuses, ReportJson.Options) ?? []);
    }

    /// <inheritdoc />
    public async Task SlosEvaluatedAsync(SloStatusView[] statuses)
    {
        ArgumentNullException.ThrowIfNull(statuses);
        DeactivateOnIdle(); // called once a minute at most: the state is read back then, not held in memory meanwhile
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
        await state.WriteStateAsync();
        GrainsLog.AlertsChanged(logger, _key.GrainKey, transitions
            .Where(t => t.Change is AlertChange.Fired or AlertChange.Resolved or AlertChange.StartedFlapping).Select(t => (t.Alert.Labels["alertname"], ChangeName(t.Change), t.Reason)));
        var updates = records.Select(a => ToView(a, resolved: false))
            .Concat(transitions.Where(t => t.Change == AlertChange.Resolved).Select(t => ToView(t.Alert, resolved: true))).ToArray();
        if (updates.Length > 0) // firing ones at every evaluation, as rule alerts: a restarted notifier hears of them again
        {
            await GrainFactory.GetGrain<IAlertNotifierGrain>(0).UpdateAsync(updates);
        }
    }

    private async Task EvaluateAsync(MetricSource changed, DateTimeOffset at)
    {
        // Evaluations come once per window (and per performance change): the state is read back then rather than
        // held in memory for every model between windows.
        DeactivateOnIdle();
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
            await state.WriteStateAsync();
            GrainsLog.AlertsChanged(logger, _key.GrainKey, result.Transitions
                .Where(t => t.Change is AlertChange.Fired or AlertChange.Resolved or AlertChange.StartedFlapping)
                .Select(t => (t.Alert.Labels["alertname"], ChangeName(t.Change), t.Reason)));
            var updates = result.Alerts.Where(a => a.State == AlertState.Firing).Select(a => ToView(a, resolved: false))
                .Concat(result.Transitions.Where(t => t.Change == AlertChange.Resolved).Select(t => ToView(t.Alert, resolved: true)))
                .ToArray();
            if (updates.Length > 0)
            {
                await NotifyAsync(updates);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
            GrainsLog.EvaluationFailed(logger, e, _key.GrainKey);
        }
    }

    /// <summary>
    /// Hands the alerts to the notifier. When its silo has just died, calls fail fast (the connection is refused) until
    /// the cluster declares the silo dead and the notifier reactivates elsewhere, which takes seconds (7-13 s measured in
    /// ClusterFailoverTests); the alerts' state is already stored, so without a retry an alert fired in that gap would
    /// wait for the model's next evaluation. Retries for up to <see cref="NotifierRetryBudget"/> (below the 30 s grain
    /// call timeout of the caller), doubling the wait from 250 ms, on those cluster errors only.
    /// </summary>
    private async Task NotifyAsync(AlertView[] updates)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                await GrainFactory.GetGrain<IAlertNotifierGrain>(0).UpdateAsync(updates);
                return;
            }
            catch (Exception e) when (e is OrleansMessageRejectionException or SiloUnavailableException && waited + delay <= NotifierRetryBudget)
            {
                GrainsLog.NotifierUnreachable(logger, _key.GrainKey, delay.TotalSeconds, e.GetType().Name);
                await Task.Delay(delay); // back-off between calls that failed at once; bounded by the budget
                waited += delay;
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(4).Ticks));
            }
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
