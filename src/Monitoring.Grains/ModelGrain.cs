using System.Text.Json;
using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Limits;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Abstractions.Time;
using Monitoring.Abstractions.Totals;
using Monitoring.Aggregation;
using Monitoring.Aggregation.Limits;
using Monitoring.Aggregation.Models;
using Monitoring.Aggregation.Reports;
using Monitoring.Grains.Alerting;
using Monitoring.Grains.Limits;
using Monitoring.Grains.Rollouts;
using Monitoring.Grains.Sharding;
using Monitoring.Grains.Telemetry;
using Monitoring.Storage;

namespace Monitoring.Grains;

/// <summary>
/// Hosts one model's state. <see cref="AppendAsync"/> appends to the durable event log first, then hands the appended
/// records to the <see cref="ModelAggregator"/> and returns (so the receiver acknowledges only durable records). A timer
/// closes windows whose end plus the allowed lateness has passed (processing time from <see cref="TimeProvider"/>). The
/// state is checkpointed with the log position it includes; a reactivated grain loads the checkpoint and replays the log
/// after it, and once a checkpoint is written, log records older than the retention and the label horizon are deleted in
/// the background. What the records mean (windows, references, the label join, reports) is the aggregator's business.
/// A model with records also has a persistent <see cref="ReminderName"/> reminder: if its silo dies or the cluster
/// restarts, the reminder reactivates it (on whichever silo owns it now), which restarts the timer, so windows keep
/// closing and SLOs keep being evaluated without traffic and without anything waking every model at start.
/// </summary>
public sealed class ModelGrain : Grain, IModelGrain, IRemindable
{
    /// <summary>The reminder that wakes a model with records (its tick closes due windows and restarts the timer).</summary>
    public const string ReminderName = "window-close";

    /// <summary>
    /// Period of <see cref="ReminderName"/>: Orleans' minimum reminder period. A live activation's timer does the work;
    /// the reminder only matters after the activation is gone, so this bounds how late a window closes after a failover.
    /// </summary>
    public static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    /// <summary>Checkpoint at least this often while records arrive.</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(30);

    /// <summary>Closed windows kept for a later hand-over to the alert grain when it cannot be reached (the newest).</summary>
    private const int AlertsBehindKept = 16;

    /// <summary>Closed windows not yet handed to the alert grain (in memory: a restart drops them).</summary>
    private List<WindowReport> _alertsBehind = [];

    /// <summary>Checkpoint after this many records even within the interval (bounds replay length).</summary>
    public const int CheckpointEveryRecords = 200_000;

    private static readonly LimitsOptions DefaultLimits = new();

    /// <summary>Records folded per step of a replay (one label lookup query per step).</summary>
    private const int ReplayChunk = 1024;

    private readonly IPersistentState<ModelState> _state;
    private readonly IEventLog _eventLog;
    private readonly IReportStore _reports;
    private readonly TimeProvider _time;
    private readonly GrainTotals _totals;
    private readonly ILogger<ModelGrain> _logger;
    private readonly TenantModelLimitLog _tenantModelLimitLog;
    private ModelKey _key;
    private ModelAggregator _model = null!;
    private SloHost _slos = null!;
    private IGrainTimer? _timer;
    private bool _reminderKnown;
    private long _reminderRetryAt;
    private Task? _reminderRegistration;
    private long _lastCheckpoint;
    private long _recordsSinceCheckpoint;
    private ModelMetrics? _metrics;
    private bool _untrusted; // an append failed part-way: never checkpoint this activation's state

    /// <summary>Window lengths before the last closed window's end searched for its report when restoring the model metrics.</summary>
    private const int RestoreWindows = 4;

    /// <summary>Creates the grain (activated by Orleans).</summary>
    public ModelGrain(
        [PersistentState("model", "monitoring")] IPersistentState<ModelState> state,
        IEventLog eventLog,
        IReportStore reports,
        TimeProvider time,
        GrainTotals totals,
        TenantModelLimitLog tenantModelLimitLog,
        ILogger<ModelGrain> logger)
    {
        _tenantModelLimitLog = tenantModelLimitLog;
        _state = state;
        _eventLog = eventLog;
        _reports = reports;
        _time = time;
        _totals = totals;
        _logger = logger;
    }

    private long NowNanos => UnixNanos.Now(_time);

    private bool Exists => _state.RecordExists || _model.HasRecords;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = ModelKey.Parse(this.GetPrimaryKeyString());
        _metrics = ServiceProvider.GetService(typeof(ModelMetrics)) as ModelMetrics;
        GrainsTelemetry.Activated("model");
        _model = new ModelAggregator(_key, _state.State, new ModelStore(_key, _eventLog, _reports), _time);
        await _model.ActivateAsync();
        _slos = new SloHost(_key, _model, ServiceProvider.GetService(typeof(AlertingRuntime)) as AlertingRuntime, _time);
        _slos.Configure(); // before the replay, which counts the SLO events after the checkpoint
        var replayed = 0;
        var chunk = new List<LoggedEvent>(ReplayChunk);
        await foreach (var logged in _eventLog.ReadAsync(_key, _state.State.AppliedSequence, cancellationToken))
        {
            chunk.Add(logged);
            if (chunk.Count == ReplayChunk)
            {
                await _model.FoldAllAsync(chunk);
                replayed += chunk.Count;
                chunk.Clear();
            }
        }

        await _model.FoldAllAsync(chunk);
        replayed += chunk.Count;

        // Spread the first checkpoint over the interval by model: models activated together (a silo start, a burst of
        // new models) would otherwise all serialize and write their state in the same second, the silo's memory peak.
        _model.Shards = new ShardGrains(GrainFactory, _key);
        if (Exists && await _model.UseShardsAsync(ShardsOfThisModel()))
        {
            await CheckpointAsync(); // a new shard arrangement is durable before any record goes to it
        }

        _lastCheckpoint = NowNanos - CheckpointPhase(_key.GrainKey);
        GrainsLog.Activated(_logger, _key.GrainKey, _state.State.AppliedSequence, replayed);
        await RestoreMetricsAsync(cancellationToken);
        GrainsTelemetry.LabelsChanged(0, 0, 0, _state.State.PendingLabels.Count);
        if (Exists)
        {
            EnsureTimer();
            StartReminderRegistration();
            await TickAsync();
        }
    }

    /// <inheritdoc />
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }

        // If this reminder caused the activation, the activation ticked already; a second tick closes nothing twice.
        if (Exists)
        {
            EnsureTimer();
            await TickAsync();
        }
    }

    /// <summary>
    /// Registers <see cref="ReminderName"/> unless it exists (one read per activation; one write per model, ever), due
    /// at a per-model phase of the period so the models of a restarted cluster wake spread over a minute, not at once.
    /// In the background: appends never wait for it (right after a silo dies the reminder service may take a response
    /// timeout to answer). A failure is logged and retried by an append half a minute later; the timer runs meanwhile.
    /// </summary>
    private void StartReminderRegistration()
    {
        if (_reminderKnown || NowNanos < _reminderRetryAt || _reminderRegistration is { IsCompleted: false })
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
                var phase = TimeSpan.FromTicks(ReminderPhaseTicks(_key.GrainKey));
                await this.RegisterOrUpdateReminder(ReminderName, phase, ReminderPeriod);
            }

            _reminderKnown = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _reminderRetryAt = NowNanos + UnixNanos.FromTimeSpan(CheckpointInterval); // not on every append meanwhile
            GrainsLog.ReminderFailed(_logger, e, _key.GrainKey);
        }
    }

    /// <summary>A stable per-model offset in [1 s, 1 s + <see cref="ReminderPeriod"/>) (ticks): FNV-1a of the key.</summary>
    internal static long ReminderPhaseTicks(string grainKey) =>
        TimeSpan.TicksPerSecond + ((long)(Fnv1a(grainKey) % (ulong)ReminderPeriod.TotalMilliseconds) * TimeSpan.TicksPerMillisecond);

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            if (Exists && !_untrusted)
            {
                await CheckpointAsync();
            }
        }
        finally
        {
            GrainsTelemetry.Deactivated("model");
            GrainsTelemetry.LabelsChanged(0, 0, 0, -_state.State.PendingLabels.Count);
            _metrics?.Remove(_key.GrainKey);
        }
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync() => Task.FromResult(Exists);

    /// <inheritdoc />
    public async Task<AppendResult> AppendAsync(ModelEvent[] events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var limits = ServiceProvider.GetService(typeof(LimitsOptions)) as LimitsOptions ?? DefaultLimits;
        if (!Exists && events.Length > 0
            && !await GrainFactory.GetGrain<ITenantModelsGrain>(_key.Tenant).TryAddModelAsync(_key.Model, limits.MaxModelsPerTenant))
        {
            return RefusedAsNewModel(events, limits.MaxModelsPerTenant);
        }

        var (admitted, refused) = FeatureAdmission.Admit(events, _state.State.Schema, limits.MaxFeaturesPerModel, _key.Model);
        AppendRejection[]? rejections = refused is null ? null : [refused];
        if (admitted.Length == 0)
        {
            return new AppendResult(0, 0, 0, rejections);
        }

        events = admitted;
        try
        {
            return await AppendAndFoldAsync(events, rejections);
        }
        catch (Exception e)
        {
            // The store failed part-way (e.g. PostgreSQL down): records may be in the log but not folded, or folded but
            // not checkpointed. The in-memory copy is no longer trustworthy, so the next call gets a fresh activation,
            // which loads the checkpoint and replays the log after it (a retried batch is then a duplicate, counted once).
            GrainsLog.AppendFailedDeactivating(_logger, e, _key.GrainKey);
            _untrusted = true;
            DeactivateOnIdle();
            throw;
        }
    }

    private async Task<AppendResult> AppendAndFoldAsync(ModelEvent[] events, AppendRejection[]? rejections)
    {
        EnsureTimer();
        StartReminderRegistration();
        if (await _model.UseShardsAsync(ShardsOfThisModel()))
        {
            await CheckpointAsync(); // a new shard arrangement is durable before any record goes to it
        }

        var labelsBefore = LabelCounts();
        var previousSequence = _state.State.AppliedSequence;
        var outcome = await _eventLog.AppendAsync(_key, events);
        await _model.FoldAllAsync(outcome.Appended);

        var duplicates = outcome.Duplicates;
        var corrections = await _model.CorrectionsAsync(events, outcome.Appended, outcome.Duplicates);
        if (corrections.Count > 0)
        {
            var corrected = await _eventLog.AppendAsync(_key, corrections);
            await _model.FoldAllAsync(corrected.Appended);
            duplicates -= corrected.Appended.Count;
            outcome = new EventAppendOutcome([.. outcome.Appended, .. corrected.Appended], duplicates);
        }

        _state.State.Duplicates += duplicates;
        GrainsTelemetry.DuplicatesSkipped(duplicates);
        CountLabels(labelsBefore);
        _recordsSinceCheckpoint += outcome.Appended.Count;
        if (_recordsSinceCheckpoint >= CheckpointEveryRecords || CheckpointDue())
        {
            await CheckpointAsync();
        }

        var last = outcome.Appended.Count > 0 ? outcome.Appended[^1].Sequence : 0;
        return new AppendResult(outcome.Appended.Count, outcome.Duplicates, last, rejections, _model.FeedFor(previousSequence, outcome.Appended));
    }

    /// <summary>Shards configured for this model (<see cref="ShardingOptions"/>; 0 when none or not configured).</summary>
    private int ShardsOfThisModel() => (ServiceProvider.GetService(typeof(ShardingOptions)) as ShardingOptions)?.ShardsOf(_key.GrainKey) ?? 0;

    /// <summary>The whole batch of a model its tenant has no room for: nothing is logged, so the model stays unknown.</summary>
    private AppendResult RefusedAsNewModel(ModelEvent[] events, int maxModels)
    {
        var labels = events.Count(e => e.Kind == EventKind.Label);
        var model = _key.Model.Length <= 64 ? _key.Model : _key.Model[..64] + "...";
        var message = $"model '{model}' would be a new model of tenant '{_key.Tenant}', which has {maxModels} models, the limit ({LimitsOptions.Key(nameof(LimitsOptions.MaxModelsPerTenant))})";
        _tenantModelLimitLog.Refused(_logger, _key.Tenant, maxModels, events.Length);
        return new AppendResult(0, 0, 0, [new AppendRejection(AppendRejection.ModelTenantLimit, events.Length, labels, 0, message)]);
    }

    /// <inheritdoc />
    public async Task TickAsync()
    {
        await CloseDueAsync(UnixNanos.FromTimeSpan(_state.State.Settings.EffectiveLateness));
        await _slos.TickAsync(GrainFactory, _logger);
    }

    /// <inheritdoc />
    public async Task<int> CloseEndedWindowsAsync() => await CloseDueAsync(0);

    /// <inheritdoc />
    public async Task FlushPerformanceAsync()
    {
        var performance = await _model.FlushPerformanceAsync();
        _metrics?.PerformanceChanged(performance);
        await AlertForwarder.PerformanceChangedAsync(GrainFactory, ServiceProvider, _key, performance, _logger);
    }

    /// <inheritdoc />
    public async Task<PerformanceReport[]> GetPerformanceAsync(long fromUnixNano, long toUnixNano) =>
        [.. await _model.PerformanceAsync(fromUnixNano, toUnixNano)];

    /// <inheritdoc />
    public Task<ModelVersions> GetVersionsAsync() => Task.FromResult(_model.Versions());

    /// <inheritdoc />
    public Task<VersionComparisonReport?> CompareVersionsAsync(string baseline, string candidate, long fromUnixNano, long toUnixNano, RolloutGuardrails guardrails) =>
        _model.CompareVersionsAsync(baseline, candidate, fromUnixNano, toUnixNano, guardrails);

    /// <inheritdoc />
    public async Task<ModelDescription> DescribeAsync()
    {
        var events = await _eventLog.FootprintAsync(_key);
        var reports = await _reports.BytesOnDiskAsync(_key);
        return _model.Describe(events.Bytes + reports);
    }

    /// <inheritdoc />
    public async Task ConfigureAsync(ModelSettings settings)
    {
        _model.Configure(settings);
        await CheckpointAsync();
    }

    /// <inheritdoc />
    public async Task<ModelSettings> UpdateSettingsAsync(ModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await ConfigureAsync(settings with { ReferenceMode = _state.State.Settings.ReferenceMode });
        return _state.State.Settings;
    }

    /// <inheritdoc />
    public async Task<ModelDescription> SetReferenceAsync(ReferenceUpload upload)
    {
        await _model.SetReferenceAsync(upload);
        return await ReferenceChangedAsync();
    }

    /// <inheritdoc />
    public async Task<ModelDescription> PinReferenceAsync(long fromUnixNano, long toUnixNano)
    {
        await _model.PinReferenceAsync(fromUnixNano, toUnixNano);
        return await ReferenceChangedAsync();
    }

    /// <inheritdoc />
    public async Task<ModelDescription> UseDynamicReferenceAsync(ReferenceMode mode, int windows)
    {
        await _model.UseDynamicReferenceAsync(mode, windows);
        return await ReferenceChangedAsync();
    }

    private async Task<ModelDescription> ReferenceChangedAsync()
    {
        if (_state.State.Reference is { } reference)
        {
            GrainsLog.ReferenceSet(_logger, _key.GrainKey, reference.Source, reference.Version);
        }

        await CheckpointAsync();
        return await DescribeAsync();
    }

    /// <summary>
    /// Publishes the model metrics of the newest closed window (its stored window report and the performance reports of
    /// the windows before it), which otherwise only a window closing publishes: after a silo restart or a reactivation
    /// the gauges would be empty until the next window closed. A failed read is logged and leaves them empty.
    /// </summary>
    private async Task RestoreMetricsAsync(CancellationToken cancellationToken)
    {
        var lastEnd = _state.State.LastClosedEnd;
        if (_metrics is null || lastEnd == 0)
        {
            return;
        }

        try
        {
            // A few window lengths back: a window of an earlier, longer length may be the newest closed one.
            var from = lastEnd - (RestoreWindows * UnixNanos.FromTimeSpan(_state.State.Settings.Window));
            var stored = await _reports.ListAsync(_key, ReportKinds.Window, from, lastEnd, cancellationToken);
            if (stored.Count > 0 && JsonSerializer.Deserialize<WindowReport>(stored[^1].Json, ReportJson.Options) is { } report)
            {
                _metrics.WindowClosed(report);
            }

            _metrics.PerformanceChanged(await _model.PerformanceAsync(from, lastEnd));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GrainsLog.MetricsRestoreFailed(_logger, e, _key.GrainKey);
        }
    }

    private async Task<int> CloseDueAsync(long latenessNanos)
    {
        var labelsBefore = LabelCounts();
        var (closed, changed) = await _model.CloseDueAsync(latenessNanos);
        CountLabels(labelsBefore);
        foreach (var report in closed)
        {
            GrainsLog.WindowClosed(_logger, _key.GrainKey, report.WindowStart, report.Volume, report.DriftedFeatures.Length);
            _totals.WindowClosed();
            _metrics?.WindowClosed(report);
        }

        // Windows whose evaluation failed earlier go first, then these; what fails again waits for the next tick.
        var toAlerts = _alertsBehind.Count == 0 ? closed : [.. _alertsBehind, .. closed];
        _alertsBehind = [.. (await AlertForwarder.WindowsClosedAsync(GrainFactory, ServiceProvider, _key, toAlerts, _logger)).TakeLast(AlertsBehindKept)];
        if (closed.Count > 0 && await CompareRolloutsAsync(closed[^1]) is { Length: > 0 } comparisons)
        {
            var last = closed[^1];
            _metrics?.RolloutsCompared(_key.GrainKey, Monitoring.Alerting.Metrics.ReportMetrics.FromRollouts(_key.GrainKey, last.WindowStart, last.WindowEnd, last.WindowStartUnixNano, comparisons));
            await AlertForwarder.RolloutsComparedAsync(GrainFactory, ServiceProvider, _key, comparisons, last, _logger);
        }
        if (changed || CheckpointDue())
        {
            await CheckpointAsync();
        }

        return closed.Count;
    }

    /// <summary>
    /// The version comparisons the rollout metrics are read from at a window's close: the pairs configured for this model
    /// (<c>Monitoring:Rollouts:Comparisons</c>), else the two versions with the most predictions in the closed window (the
    /// one seen first as baseline), each over the windows since its candidate appeared. None without alerting.
    /// </summary>
    private async Task<VersionComparisonReport[]> CompareRolloutsAsync(WindowReport closed)
    {
        if (ServiceProvider.GetService(typeof(AlertingRuntime)) is null && _metrics is null)
        {
            return [];
        }

        var options = ServiceProvider.GetService(typeof(RolloutOptions)) as RolloutOptions ?? new RolloutOptions();
        var pairs = options.Comparisons.Where(c => c.Model == _key.GrainKey).Select(c => (c.Baseline, c.Candidate)).ToList();
        if (pairs.Count == 0 && closed.Versions.Count >= 2)
        {
            var busiest = closed.Versions.OrderByDescending(v => v.Value).ThenBy(v => v.Key, StringComparer.Ordinal).Take(2)
                .Select(v => v.Key).OrderBy(v => _state.State.Versions.TryGetValue(v, out var seen) ? seen.FirstUnixNano : long.MaxValue).ThenBy(v => v, StringComparer.Ordinal).ToList();
            pairs.Add((busiest[0], busiest[1]));
        }

        var reports = new List<VersionComparisonReport>();
        foreach (var (baseline, candidate) in pairs)
        {
            try
            {
                var notBefore = closed.WindowEndUnixNano - ((long)options.WindowsAtClose * (closed.WindowEndUnixNano - closed.WindowStartUnixNano));
                if (await _model.CompareVersionsAsync(baseline, candidate, long.MinValue, closed.WindowEndUnixNano, options.GuardrailsOf(_key), notBefore) is { } report)
                {
                    reports.Add(_model.PublishVerdict(report, options.ClosesToChangeVerdict, closed.WindowEndUnixNano));
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                GrainsLog.EvaluationFailed(_logger, e, _key.GrainKey); // the window closed either way; the next close retries
            }
        }

        return [.. reports];
    }

    /// <summary>
    /// Starts the window-closing timer (kept alive: a model with open windows must not be deactivated). A grain activated
    /// only to be asked about a model that does not exist gets no timer, so it can be collected when idle.
    /// </summary>
    private void EnsureTimer()
    {
        if (_timer is not null)
        {
            return;
        }

        var period = TimeSpan.FromTicks(Math.Clamp(_state.State.Settings.Window.Ticks / 10, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));
        _timer = this.RegisterGrainTimer(_ => TickAsync(), new GrainTimerCreationOptions(period, period) { KeepAlive = true });
    }

    private bool CheckpointDue() => NowNanos - _lastCheckpoint >= UnixNanos.FromTimeSpan(CheckpointInterval);

    private async Task CheckpointAsync()
    {
        EnsureTimer();
        IReadOnlyList<PerformanceReport> performance;
        try
        {
            // Performance sketches first: they carry the log position they include, so if the state write below is
            // lost, the replay skips what they already hold.
            performance = await _model.FlushPerformanceAsync();
            _model.SnapshotSlos();
            await _state.WriteStateAsync();
            _lastCheckpoint = NowNanos;
            _recordsSinceCheckpoint = 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The in-memory copy may no longer match storage: drop the activation; the next call reloads and replays.
            GrainsLog.CheckpointFailed(_logger, e, _key.GrainKey);
            DeactivateOnIdle();
            throw;
        }

        // The checkpoint now covers everything up to AppliedSequence: older records past the retention and the label
        // horizon can go (in the background; appends are not blocked).
        _eventLog.Compact(_key, _state.State.AppliedSequence, _model.EventLogCutoff());
        _metrics?.PerformanceChanged(performance);
        await AlertForwarder.PerformanceChangedAsync(GrainFactory, ServiceProvider, _key, performance, _logger);
    }

    private (long Joined, long Unmatched, long PastHorizon, int Pending) LabelCounts()
    {
        var s = _state.State;
        return (s.LabelsJoined, s.LabelsUnmatched, s.LabelsPastHorizon, s.PendingLabels.Count);
    }

    /// <summary>Label join outcomes since <paramref name="before"/> (counted live, never during a replay).</summary>
    private void CountLabels((long Joined, long Unmatched, long PastHorizon, int Pending) before)
    {
        var now = LabelCounts();
        GrainsTelemetry.LabelsChanged(now.Joined - before.Joined, now.Unmatched - before.Unmatched, now.PastHorizon - before.PastHorizon, now.Pending - before.Pending);
    }

    /// <summary>A stable per-model offset in [0, <see cref="CheckpointInterval"/>) (ns): FNV-1a of the key.</summary>
    internal static long CheckpointPhase(string grainKey) =>
        (long)(Fnv1a(grainKey) % (ulong)CheckpointInterval.TotalMilliseconds) * UnixNanos.PerMillisecond;

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
