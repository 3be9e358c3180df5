using Monitoring.Aggregation;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.References;
using Monitoring.Stats.Drift;
using Monitoring.Aggregation.Reports;
using Monitoring.Aggregation.Schema;
using Monitoring.Aggregation.Windows;
using Monitoring.Storage;

namespace Monitoring.Grains;

/// <summary>
/// One model. <see cref="AppendAsync"/> appends to the durable event log first, then folds the appended records into
/// the open event-time windows and returns (so the receiver acknowledges only durable records). Windows close when
/// their end plus the allowed lateness has passed (processing time from <see cref="TimeProvider"/>), producing a
/// drift and data-quality report and a stored sketch; closed windows roll up into days. The state is checkpointed with
/// the log position it includes; a reactivated grain loads the checkpoint and replays the log after it. Lateness is
/// decided from each record's receive time, so a replay folds exactly as the live path did.
/// </summary>
public sealed class ModelGrain : Grain, IModelGrain
{
    /// <summary>
    /// Separates a prediction id from the revision number in the event-log key of a label correction (the log keeps one
    /// record per (kind, key), so each correction is logged under "{id}\u001F{revision}").
    /// </summary>
    public const char RevisionSeparator = '\u001F';

    /// <summary>Labels waiting for their prediction, per model, at most; beyond this they count as unmatched.</summary>
    public const int MaxPendingLabels = 100_000;

    /// <summary>Records folded per step of a replay (one label lookup query per step).</summary>
    private const int ReplayChunk = 1024;

    /// <summary>Per-window performance sketches kept in memory; older ones are reloaded from the report store when a label needs them.</summary>
    private const int PerformanceCacheSize = 64;

    /// <summary>Checkpoint at least this often while records arrive.</summary>
    public static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(30);

    /// <summary>Checkpoint after this many records even within the interval (bounds replay length).</summary>
    public const int CheckpointEveryRecords = 200_000;

    private static readonly long NanosPerDay = TimeSpan.FromDays(1).Ticks * 100;

    private readonly IPersistentState<ModelState> _state;
    private readonly IEventLog _eventLog;
    private readonly IReportStore _reports;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelGrain> _logger;
    private long _lastCheckpoint;
    private long _recordsSinceCheckpoint;
    private readonly Dictionary<long, PerformanceAccumulator> _performance = [];
    private readonly HashSet<long> _dirtyPerformance = [];
    private ModelKey _key;
    private IGrainTimer? _timer;
    private IReadOnlyDictionary<string, LoggedEvent>? _prefetchedPredictions;
    private readonly WindowFolder _folder = new();
    private readonly Dictionary<(long From, long To), SliceScoreReference?> _sliceReferences = [];
    private readonly Dictionary<int, ReferenceProfile?> _olderReferences = [];

    /// <summary>Creates the grain (activated by Orleans).</summary>
    public ModelGrain(
        [PersistentState("model", "monitoring")] IPersistentState<ModelState> state,
        IEventLog eventLog,
        IReportStore reports,
        TimeProvider time,
        ILogger<ModelGrain> logger)
    {
        _state = state;
        _eventLog = eventLog;
        _reports = reports;
        _time = time;
        _logger = logger;
    }

    private ModelState S => _state.State;

    private long WindowNanos => S.Settings.Window.Ticks * 100;

    private long LatenessNanos => S.Settings.EffectiveLateness.Ticks * 100;

    private long NowNanos => _time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = ModelKey.Parse(this.GetPrimaryKeyString());
        RebuildKernels();
        foreach (var version in S.Open.Values.Select(w => w.ReferenceVersion).Where(v => v != 0 && v != S.Reference?.Version).Distinct())
        {
            if (await ReferenceAsync(version) is { } older)
            {
                _folder.KeepReference(version, older.NumericKernels());
            }
        }
        var replayed = 0;
        var chunk = new List<LoggedEvent>(ReplayChunk);
        await foreach (var logged in _eventLog.ReadAsync(_key, S.AppliedSequence, cancellationToken))
        {
            chunk.Add(logged);
            if (chunk.Count == ReplayChunk)
            {
                await FoldAllAsync(chunk);
                replayed += chunk.Count;
                chunk.Clear();
            }
        }

        await FoldAllAsync(chunk);
        replayed += chunk.Count;

        // Spread the first checkpoint over the interval by model: models activated together (a silo start, a burst of
        // new models) would otherwise all serialize and write their state in the same second, the silo's memory peak.
        _lastCheckpoint = NowNanos - CheckpointPhase(_key.GrainKey);
        GrainsLog.Activated(_logger, _key.GrainKey, S.AppliedSequence, replayed);
        if (_state.RecordExists || S.AppliedSequence > 0)
        {
            EnsureTimer();
            await TickAsync();
        }
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

        var period = TimeSpan.FromTicks(Math.Clamp(S.Settings.Window.Ticks / 10, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));
        _timer = this.RegisterGrainTimer(_ => TickAsync(), new GrainTimerCreationOptions(period, period) { KeepAlive = true });
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync() => Task.FromResult(_state.RecordExists || S.AppliedSequence > 0);

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_state.RecordExists || S.AppliedSequence > 0)
        {
            await CheckpointAsync();
        }
    }

    /// <inheritdoc />
    public async Task<AppendResult> AppendAsync(ModelEvent[] events)
    {
        ArgumentNullException.ThrowIfNull(events);
        EnsureTimer();
        var outcome = await _eventLog.AppendAsync(_key, events);
        await FoldAllAsync(outcome.Appended);

        var duplicates = outcome.Duplicates;
        var corrections = await CorrectionsAsync(events, outcome);
        if (corrections.Count > 0)
        {
            var corrected = await _eventLog.AppendAsync(_key, corrections);
            await FoldAllAsync(corrected.Appended);

            duplicates -= corrected.Appended.Count;
            outcome = new EventAppendOutcome([.. outcome.Appended, .. corrected.Appended], duplicates);
        }

        S.Duplicates += duplicates;
        _recordsSinceCheckpoint += outcome.Appended.Count;
        if (_recordsSinceCheckpoint >= CheckpointEveryRecords || NowNanos - _lastCheckpoint >= CheckpointInterval.Ticks * 100)
        {
            await CheckpointAsync();
        }

        var last = outcome.Appended.Count > 0 ? outcome.Appended[^1].Sequence : 0;
        return new AppendResult(outcome.Appended.Count, outcome.Duplicates, last);
    }

    /// <inheritdoc />
    public Task TickAsync() => CloseDueAsync(LatenessNanos);

    /// <inheritdoc />
    public async Task<int> CloseEndedWindowsAsync()
    {
        var before = S.Open.Count;
        await CloseDueAsync(0);
        return before - S.Open.Count;
    }

    private async Task CloseDueAsync(long lateness)
    {
        var now = NowNanos;
        var closedAny = false;
        // Ordered by start; a window length change can leave a longer window open before shorter ones that ended.
        foreach (var window in S.Open.Values.Where(w => w.End + lateness <= now).ToList())
        {
            await CloseWindowAsync(window);
            S.Open.Remove(window.Start);
            S.LastClosedEnd = Math.Max(S.LastClosedEnd, window.End);
            closedAny = true;
        }

        while (S.Days.Count > 0)
        {
            var (start, day) = S.Days.First();
            if (day.End + LatenessNanos > now)
            {
                break;
            }

            var report = WindowReportBuilder.Build(_key.GrainKey, ReportKinds.Day, day, S.Reference, S.Settings);
            await _reports.SaveAsync(new StoredReport(_key, ReportKinds.Day, day.Start, day.End, JsonSerializer.Serialize(report, WindowReport.JsonOptions)));
            S.Days.Remove(start);
            closedAny = true;
        }

        var horizon = S.Settings.LabelHorizon.Ticks * 100;
        foreach (var (id, waiting) in S.PendingLabels.Where(kv => now - kv.Value.Event.ReceivedUnixNano > horizon).ToList())
        {
            S.PendingLabels.Remove(id);
            S.LabelsUnmatched++;
            closedAny = true;
        }

        if (now - S.LastRetentionSweep > NanosPerDay / 24)
        {
            S.LastRetentionSweep = now;
            await _reports.DeleteEndedBeforeAsync(now - (S.Settings.Retention.Ticks * 100));
        }

        if (closedAny || now - _lastCheckpoint >= CheckpointInterval.Ticks * 100)
        {
            await CheckpointAsync();
        }
    }

    /// <inheritdoc />
    public Task<string> DescribeAsync()
    {
        var doc = new
        {
            model = _key.GrainKey,
            tenant = _key.Tenant,
            model_id = _key.Model,
            settings = SettingsView.From(S.Settings),
            totals = new { predictions = S.Predictions, labels = S.Labels, duplicates = S.Duplicates, late_records = S.LateRecords, log_position = S.AppliedSequence },
            labels = new
            {
                joined = S.LabelsJoined,
                pending = S.PendingLabels.Count,
                unmatched = S.LabelsUnmatched,
                past_horizon = S.LabelsPastHorizon,
                corrected = S.LabelsCorrected,
                horizon_days = S.Settings.LabelHorizon.TotalDays,
                delay_p50_seconds = S.LabelDelaySeconds.Count > 0 ? S.LabelDelaySeconds.ToSketch().Quantile(0.5) : (double?)null,
                delay_p90_seconds = S.LabelDelaySeconds.Count > 0 ? S.LabelDelaySeconds.ToSketch().Quantile(0.9) : (double?)null,
            },
            schema = S.Schema.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new
            {
                name = kv.Key,
                kind = kv.Value.Kind,
                first_seen = WindowReportBuilder.Iso(kv.Value.FirstSeenUnixNano),
                type_mismatches = kv.Value.TypeMismatches,
            }),
            schema_events = S.SchemaEvents.Select(e => new { kind = e.Kind, feature = e.Feature, detail = e.Detail, at = WindowReportBuilder.Iso(e.AtUnixNano) }),
            reference = S.Reference is not { } r ? null : (object)new
            {
                version = r.Version,
                mode = r.Mode.ToString(),
                source = r.Source,
                created = WindowReportBuilder.Iso(r.CreatedUnixNano),
                rows = r.Rows,
                numeric = r.Numeric.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new
                {
                    name = kv.Key,
                    count = kv.Value.Sketch.Count,
                    exact_edges = kv.Value.ExactEdges,
                    edges = kv.Value.Edges,
                    min = kv.Value.Sketch.Min,
                    max = kv.Value.Sketch.Max,
                }),
                categorical = r.Categorical.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new
                {
                    name = kv.Key,
                    count = kv.Value.Count,
                    categories = kv.Value.Counts.Count,
                }),
            },
            open_windows = S.Open.Values.Select(w => new
            {
                start = WindowReportBuilder.Iso(w.Start),
                end = WindowReportBuilder.Iso(w.End),
                closes_at = WindowReportBuilder.Iso(w.End + LatenessNanos),
                predictions = w.Predictions,
                late_records = w.LateRecords,
            }),
            last_closed_window_end = S.LastClosedEnd == 0 ? null : WindowReportBuilder.Iso(S.LastClosedEnd),
        };
        return Task.FromResult(JsonSerializer.Serialize(doc, WindowReport.JsonOptions));
    }

    /// <inheritdoc />
    public async Task ConfigureAsync(ModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(settings));
        }

        // Open windows keep their bounds; windows opened from now on use the new length.
        S.Settings = settings;
        await CheckpointAsync();
    }

    /// <inheritdoc />
    public async Task<ModelSettings> UpdateSettingsAsync(ModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        await ConfigureAsync(settings with { ReferenceMode = S.Settings.ReferenceMode });
        return S.Settings;
    }

    /// <inheritdoc />
    public async Task<string> SetReferenceAsync(ReferenceUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var profile = ReferenceProfile.FromUpload(upload, ++S.ReferenceVersions, NowNanos);
        return await InstallReferenceAsync(profile, ReferenceMode.Uploaded);
    }

    /// <inheritdoc />
    public async Task<string> PinReferenceAsync(long fromUnixNano, long toUnixNano)
    {
        if (toUnixNano <= fromUnixNano)
        {
            throw new ArgumentException("The pinned range must end after it starts.", nameof(toUnixNano));
        }

        var windows = await LoadSketchesAsync(fromUnixNano, toUnixNano);
        if (windows.Count == 0)
        {
            throw new ArgumentException($"No closed window starts in [{WindowReportBuilder.Iso(fromUnixNano)}, {WindowReportBuilder.Iso(toUnixNano)}).", nameof(fromUnixNano));
        }

        var profile = ReferenceProfile.FromWindows(windows, ++S.ReferenceVersions, ReferenceMode.Pinned,
            $"pinned:{WindowReportBuilder.Iso(fromUnixNano)}..{WindowReportBuilder.Iso(toUnixNano)}", NowNanos, fromUnixNano, toUnixNano);
        return await InstallReferenceAsync(profile, ReferenceMode.Pinned);
    }

    /// <inheritdoc />
    public async Task<string> UseDynamicReferenceAsync(ReferenceMode mode, int windows)
    {
        if (mode is not (ReferenceMode.RollingWindows or ReferenceMode.SameWindowLastWeek))
        {
            throw new ArgumentException("Dynamic references are RollingWindows or SameWindowLastWeek.", nameof(mode));
        }

        S.Settings = S.Settings with { ReferenceMode = mode, RollingWindows = windows > 0 ? windows : S.Settings.RollingWindows };
        if (S.Settings.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(windows));
        }

        await ReplaceReferenceAsync(mode == ReferenceMode.RollingWindows ? await RollingReferenceAsync(NowNanos) : null);
        await CheckpointAsync();
        return await DescribeAsync();
    }

    private async Task<string> InstallReferenceAsync(ReferenceProfile profile, ReferenceMode mode)
    {
        await ReplaceReferenceAsync(profile);
        S.Settings = S.Settings with { ReferenceMode = mode };
        GrainsLog.ReferenceSet(_logger, _key.GrainKey, profile.Source, profile.Version);
        await CheckpointAsync();
        return await DescribeAsync();
    }

    private void RebuildKernels() =>
        _folder.UseReference(S.Reference?.Version ?? 0, S.Reference?.NumericKernels(), S.Open.Values.Select(w => w.ReferenceVersion));

    /// <summary>
    /// Labels the log skipped as already logged for their prediction: a repeat with the same value is a duplicate; a
    /// different value is a correction, returned as a record keyed by the next revision so the log keeps it.
    /// </summary>
    private async Task<List<ModelEvent>> CorrectionsAsync(ModelEvent[] events, EventAppendOutcome outcome)
    {
        var corrections = new List<ModelEvent>();
        if (outcome.Duplicates == 0)
        {
            return corrections;
        }

        var appended = outcome.Appended.Where(l => l.Event.Kind == EventKind.Label).Select(l => l.Event.PredictionId).ToHashSet(StringComparer.Ordinal);
        var latest = new Dictionary<string, LabelRevision>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.Kind != EventKind.Label || e.PredictionId is not { } id || appended.Contains(id) || id.Contains(RevisionSeparator, StringComparison.Ordinal))
            {
                continue;
            }

            if (!latest.TryGetValue(id, out var current) && !S.LabelRevisions.TryGetValue(id, out current))
            {
                var original = await _eventLog.FindAsync(_key, EventKind.Label, id);
                if (original is null)
                {
                    continue;
                }

                current = new LabelRevision(0, original.Event.LabelNumber, original.Event.LabelText);
            }

            if (current.Number != e.LabelNumber || !string.Equals(current.Text, e.LabelText, StringComparison.Ordinal))
            {
                var next = new LabelRevision(current.Revision + 1, e.LabelNumber, e.LabelText);
                latest[id] = next;
                corrections.Add(e with { PredictionId = $"{id}{RevisionSeparator}{next.Revision}" });
            }
        }

        return corrections;
    }

    /// <summary>
    /// Applies a logged label correction: the earlier value is taken out of its prediction's window and the new one
    /// folded in (gated by the log sequence like every fold), or the waiting label is replaced if its prediction has not
    /// arrived.
    /// </summary>
    private async Task CorrectAsync(LoggedEvent logged)
    {
        var e = logged.Event;
        var key = e.PredictionId!;
        var cut = key.IndexOf(RevisionSeparator, StringComparison.Ordinal);
        var id = key[..cut];
        var revision = int.Parse(key.AsSpan(cut + 1), System.Globalization.CultureInfo.InvariantCulture);
        var label = e with { PredictionId = id };
        LabelRevision? previous = S.LabelRevisions.GetValueOrDefault(id);
        S.LabelRevisions[id] = new LabelRevision(revision, e.LabelNumber, e.LabelText);
        S.LabelsCorrected++;
        if (S.PendingLabels.TryGetValue(id, out var waiting))
        {
            S.PendingLabels[id] = waiting with { Event = label with { EventTimeUnixNano = waiting.Event.EventTimeUnixNano } };
            return;
        }

        var prediction = await _eventLog.FindAsync(_key, EventKind.Prediction, id);
        var original = previous is null ? await _eventLog.FindAsync(_key, EventKind.Label, id) : null;
        if (prediction is null || (previous is null && original is null))
        {
            return;
        }

        var earlier = previous is null ? original!.Event : label with { LabelNumber = previous.Number, LabelText = previous.Text };
        var firstLabelTime = original?.Event.EventTimeUnixNano ?? (await _eventLog.FindAsync(_key, EventKind.Label, id))?.Event.EventTimeUnixNano ?? e.EventTimeUnixNano;
        if (firstLabelTime - prediction.Event.EventTimeUnixNano > S.Settings.LabelHorizon.Ticks * 100)
        {
            return; // the first label was past the horizon: nothing was folded, so nothing is corrected
        }

        var acc = await PerformanceAsync(WindowStartOf(prediction.Event));
        if (logged.Sequence <= acc.LastSequence)
        {
            return;
        }

        acc.PairDimensionNames ??= TopSegmentDimensions();
        LabelFold.Unfold(prediction.Event, earlier, acc);
        LabelFold.Fold(prediction.Event, label, acc);
        Touch(acc, logged.Sequence);
    }

    /// <summary>
    /// Folds logged records in order, looking up the predictions of all their labels in one batch query first (the
    /// label join's cost is then one query per batch, not per label).
    /// </summary>
    private async Task FoldAllAsync(IReadOnlyList<LoggedEvent> logged)
    {
        var ids = logged
            .Where(l => l.Event.Kind == EventKind.Label && l.Event.PredictionId is { } id && !id.Contains(RevisionSeparator, StringComparison.Ordinal))
            .Select(l => l.Event.PredictionId!)
            .ToList();
        _prefetchedPredictions = ids.Count > 0 ? await _eventLog.FindManyAsync(_key, EventKind.Prediction, ids) : null;
        try
        {
            foreach (var l in logged)
            {
                await FoldAsync(l);
                S.AppliedSequence = Math.Max(S.AppliedSequence, l.Sequence);
            }
        }
        finally
        {
            _prefetchedPredictions = null;
        }
    }

    /// <summary>Folds one logged record: drift windows, then performance (prediction counts, scores, label join).</summary>
    private async Task FoldAsync(LoggedEvent logged)
    {
        var e = logged.Event;
        _folder.Fold(S, e);
        if (e.Kind == EventKind.Prediction)
        {
            var acc = await PerformanceAsync(WindowStartOf(e));
            var fresh = logged.Sequence > acc.LastSequence;
            if (fresh)
            {
                acc.Predictions++;
                acc.PairDimensionNames ??= TopSegmentDimensions(excludeWindow: acc.Start);
                if (e.Score is { } score)
                {
                    acc.AddScore(score);
                    _folder.AddSliceScores(e, score, acc);
                }
            }

            if (e.PredictionId is { } id && S.PendingLabels.Remove(id, out var waiting))
            {
                Join(e, waiting.Event, acc, fresh);
            }

            if (fresh)
            {
                Touch(acc, logged.Sequence);
            }
        }
        else if (e.PredictionId is { } revised && revised.Contains(RevisionSeparator, StringComparison.Ordinal))
        {
            await CorrectAsync(logged);
        }
        else if (e.PredictionId is { } id)
        {
            var prediction = _prefetchedPredictions is { } prefetched
                ? prefetched.GetValueOrDefault(id)
                : await _eventLog.FindAsync(_key, EventKind.Prediction, id);
            if (prediction is not null)
            {
                var acc = await PerformanceAsync(WindowStartOf(prediction.Event));
                var fresh = logged.Sequence > acc.LastSequence;
                Join(prediction.Event, e, acc, fresh);
                if (fresh)
                {
                    Touch(acc, logged.Sequence);
                }
            }
            else if (S.PendingLabels.Count < MaxPendingLabels)
            {
                S.PendingLabels[id] = logged;
            }
            else
            {
                S.LabelsUnmatched++;
            }
        }
    }

    /// <summary>
    /// Folds a label into the performance of its prediction's window (the prediction's event time, not the label's),
    /// unless the label came later than the horizon. The state counters always move (the state is replayed from its own
    /// checkpoint); the window sketch only when <paramref name="fresh"/>, i.e. the record's log sequence is above what the
    /// persisted sketch already holds, so a replay after a crash never counts a join twice.
    /// </summary>
    private void Join(ModelEvent prediction, ModelEvent label, PerformanceAccumulator acc, bool fresh)
    {
        var delay = label.EventTimeUnixNano - prediction.EventTimeUnixNano;
        if (delay > S.Settings.LabelHorizon.Ticks * 100)
        {
            S.LabelsPastHorizon++;
            return;
        }

        S.LabelsJoined++;
        S.LabelDelaySeconds.Add(Math.Max(0, delay) / 1e9, null);
        if (!fresh)
        {
            return;
        }

        acc.Labeled++;
        acc.PairDimensionNames ??= TopSegmentDimensions();
        LabelFold.Fold(prediction, label, acc);
    }

    /// <summary>
    /// The segment dimensions with the most predictions in the open windows and the day roll-ups being filled (ties by
    /// name), at most <see cref="PerformanceAccumulator.PairDimensions"/>: worst-slice pairs are tracked among them only.
    /// A window chooses at its first prediction from the other windows' volume (so its pair slices count every
    /// prediction); the model's very first window has no other window to go by and chooses when its first label joins,
    /// from its own volume (<paramref name="excludeWindow"/> null), and returns null until then.
    /// </summary>
    private List<string>? TopSegmentDimensions(long? excludeWindow = null)
    {
        var volume = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var window in S.Open.Values.Where(w => w.Start != excludeWindow).Concat(S.Days.Values))
        {
            foreach (var (dimension, values) in window.Segments)
            {
                volume[dimension] = volume.GetValueOrDefault(dimension) + values.Count;
            }
        }

        if (excludeWindow is not null && volume.Count == 0)
        {
            return null;
        }

        return volume.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(PerformanceAccumulator.PairDimensions).Select(kv => kv.Key).ToList();
    }

    private void Touch(PerformanceAccumulator acc, long sequence)
    {
        acc.LastSequence = Math.Max(acc.LastSequence, sequence);
        _dirtyPerformance.Add(acc.Start);
    }

    private async Task<PerformanceAccumulator> PerformanceAsync(long windowStart)
    {
        if (_performance.TryGetValue(windowStart, out var acc))
        {
            return acc;
        }

        var stored = await _reports.GetAsync(_key, ReportKinds.PerformanceSketch, windowStart);
        acc = stored is null
            ? new PerformanceAccumulator
            {
                Start = windowStart,
                End = windowStart + WindowNanos,
                ReferenceVersion = S.Open.TryGetValue(windowStart, out var open) ? open.ReferenceVersion : _folder.CurrentReferenceVersion,
            }
            : JsonSerializer.Deserialize<PerformanceAccumulator>(stored.Json, WindowReport.JsonOptions)!;
        _performance[windowStart] = acc;
        return acc;
    }

    /// <summary>Persists changed performance sketches and their reports, then trims the in-memory cache.</summary>
    public async Task FlushPerformanceAsync()
    {
        foreach (var start in _dirtyPerformance.Order().ToList())
        {
            var acc = _performance[start].Freeze();
            await _reports.SaveAsync(new StoredReport(_key, ReportKinds.PerformanceSketch, acc.Start, acc.End, JsonSerializer.Serialize(acc, WindowReport.JsonOptions)));
            var sliceReference = await SliceReferenceAsync(acc);
            await _reports.SaveAsync(new StoredReport(_key, ReportKinds.Performance, acc.Start, acc.End,
                PerformanceReportBuilder.Build(_key.GrainKey, acc, sliceReference, DriftPolicy.Default with { MinimumSampleSize = S.Settings.MinimumSampleSize }, S.Settings.SliceTopValues).ToJsonString()));
            acc.Thaw();
        }

        _dirtyPerformance.Clear();
        foreach (var start in _performance.Keys.OrderDescending().Skip(PerformanceCacheSize).ToList())
        {
            _performance.Remove(start);
        }
    }

    private long WindowStartOf(ModelEvent e)
    {
        var received = e.ReceivedUnixNano > 0 ? e.ReceivedUnixNano : e.EventTimeUnixNano;
        var eventTime = e.EventTimeUnixNano > received + WindowNanos ? received : e.EventTimeUnixNano;
        return eventTime - Mod(eventTime, WindowNanos);
    }

    /// <summary>Folds one appended record into the drift windows (also used by replay: deterministic given the record).</summary>
    private async Task CloseWindowAsync(WindowAccumulator window)
    {
        var reference = await ReferenceOfWindowAsync(window.ReferenceVersion, window.Start);
        var report = WindowReportBuilder.Build(_key.GrainKey, ReportKinds.Window, window, reference, S.Settings);
        await _reports.SaveAsync(new StoredReport(_key, ReportKinds.Window, window.Start, window.End, JsonSerializer.Serialize(report, WindowReport.JsonOptions)));
        await _reports.SaveAsync(new StoredReport(_key, ReportKinds.Sketch, window.Start, window.End, JsonSerializer.Serialize(window, WindowReport.JsonOptions)));
        GrainsLog.WindowClosed(_logger, _key.GrainKey, report.WindowStart, report.Volume, report.DriftedFeatures.Count);

        if (WindowNanos < NanosPerDay)
        {
            var dayStart = window.Start - Mod(window.Start, NanosPerDay);
            if (!S.Days.TryGetValue(dayStart, out var day))
            {
                day = new WindowAccumulator { Start = dayStart, End = dayStart + NanosPerDay };
                S.Days[dayStart] = day;
            }

            day.Merge(window);
        }

        if (S.Settings.ReferenceMode == ReferenceMode.RollingWindows && await RollingReferenceAsync(window.End) is { } rolling)
        {
            await ReplaceReferenceAsync(rolling);
        }
    }

    /// <summary>
    /// The reference a window is judged against: the one in force when it opened (version &gt; 0), wherever it is kept;
    /// for a window that opened without one, the same window a week earlier in seasonal mode, else the reference in force
    /// now. When an older reference is gone (past retention), the current one, by bucket estimate (its version differs).
    /// </summary>
    private async Task<ReferenceProfile?> ReferenceOfWindowAsync(int version, long windowStart)
    {
        if (version != 0)
        {
            return version == S.Reference?.Version ? S.Reference : await ReferenceAsync(version) ?? S.Reference;
        }

        return S.Settings.ReferenceMode == ReferenceMode.SameWindowLastWeek ? await SeasonalReferenceAsync(windowStart) : S.Reference;
    }

    /// <summary>A reference by version: the current one, or an earlier one from the report store (cached).</summary>
    private async Task<ReferenceProfile?> ReferenceAsync(int version)
    {
        if (version == S.Reference?.Version)
        {
            return S.Reference;
        }

        if (!_olderReferences.TryGetValue(version, out var profile))
        {
            var stored = await _reports.GetAsync(_key, ReportKinds.Reference, version);
            profile = stored is null ? null : JsonSerializer.Deserialize<ReferenceProfile>(stored.Json, WindowReport.JsonOptions);
            if (_olderReferences.Count >= 8)
            {
                _olderReferences.Clear();
            }

            _olderReferences[version] = profile;
        }

        return profile;
    }

    /// <summary>
    /// Makes <paramref name="profile"/> the reference new windows open with. The one it replaces is stored (kept a
    /// retention period from now) for the windows still open under it, which keep counting against its edges.
    /// </summary>
    private async Task ReplaceReferenceAsync(ReferenceProfile? profile)
    {
        var now = NowNanos;
        if (S.Reference is { } previous)
        {
            await _reports.SaveAsync(new StoredReport(_key, ReportKinds.Reference, previous.Version, now, JsonSerializer.Serialize(previous, WindowReport.JsonOptions)));
            _olderReferences[previous.Version] = previous;
        }

        S.Reference = profile;
        if (profile is not null)
        {
            await _reports.SaveAsync(new StoredReport(_key, ReportKinds.Reference, profile.Version, now, JsonSerializer.Serialize(profile, WindowReport.JsonOptions)));
        }

        RebuildKernels();
    }

    private async Task<ReferenceProfile?> RollingReferenceAsync(long upToUnixNano)
    {
        var from = upToUnixNano - (S.Settings.RollingWindows * WindowNanos);
        var windows = await LoadSketchesAsync(from, upToUnixNano);
        return windows.Count == 0 ? null : ReferenceProfile.FromWindows(windows, ++S.ReferenceVersions, ReferenceMode.RollingWindows,
            ReferenceProfile.RollingSource(windows.Count), NowNanos, from, upToUnixNano);
    }

    private async Task<ReferenceProfile?> SeasonalReferenceAsync(long windowStart)
    {
        var weekAgo = windowStart - (7 * NanosPerDay);
        var windows = await LoadSketchesAsync(weekAgo, weekAgo + WindowNanos);
        return windows.Count == 0 ? null : ReferenceProfile.FromWindows(windows, 0, ReferenceMode.SameWindowLastWeek,
            "same window one week earlier: " + WindowReportBuilder.Iso(weekAgo), NowNanos, weekAgo, weekAgo + WindowNanos);
    }

    /// <summary>
    /// The per-slice scores a window's slices are compared with: the same slices in the reference the window is judged
    /// against (<see cref="ReferenceOfWindowAsync"/>): the uploaded file's rows, or the windows a pinned, rolling or
    /// seasonal reference was built from (merged from those windows' stored performance sketches; cached per range, as
    /// closed windows' predictions no longer change). Null when there is no reference to compare with.
    /// </summary>
    private async Task<SliceScoreReference?> SliceReferenceAsync(PerformanceAccumulator window)
    {
        if (await ReferenceOfWindowAsync(window.ReferenceVersion, window.Start) is not { } reference)
        {
            return null;
        }

        if (reference.Mode == ReferenceMode.Uploaded)
        {
            return reference.SliceScores.Count > 0 ? new SliceScoreReference(reference.Source, reference.SliceScores) : null;
        }

        var (from, to, source) = (reference.PinnedFromUnixNano, reference.PinnedToUnixNano, reference.Source);
        if (to <= from)
        {
            return null;
        }

        if (_sliceReferences.TryGetValue((from, to), out var cached))
        {
            return cached;
        }

        var merged = new Dictionary<string, Dictionary<string, long[]>>(StringComparer.Ordinal);
        foreach (var stored in await _reports.ListAsync(_key, ReportKinds.PerformanceSketch, from, to))
        {
            // Only the per-slice scores are read from each stored sketch.
            var scores = JsonSerializer.Deserialize<SliceScoresOnly>(stored.Json, WindowReport.JsonOptions)!;
            PerformanceAccumulator.MergeSliceScores(merged, scores.SliceScores);
        }

        var slices = merged.Count == 0 ? null : new SliceScoreReference(source, merged);
        if (to <= S.LastClosedEnd)
        {
            // Closed windows' predictions no longer change. Windows whose labels keep coming each have their own range.
            if (_sliceReferences.Count >= PerformanceCacheSize)
            {
                _sliceReferences.Clear();
            }

            _sliceReferences[(from, to)] = slices;
        }

        return slices;
    }

    private async Task<List<WindowAccumulator>> LoadSketchesAsync(long from, long to)
    {
        var stored = await _reports.ListAsync(_key, ReportKinds.Sketch, from, to);
        return stored.Select(s => JsonSerializer.Deserialize<WindowAccumulator>(s.Json, WindowReport.JsonOptions)!).ToList();
    }

    private async Task CheckpointAsync()
    {
        EnsureTimer();
        try
        {
            // Performance sketches first: they carry the log position they include, so if the state write below is
            // lost, the replay skips what they already hold.
            await FlushPerformanceAsync();
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
    }

    /// <summary>A stable per-model offset in [0, <see cref="CheckpointInterval"/>) (ns): FNV-1a of the key.</summary>
    internal static long CheckpointPhase(string grainKey)
    {
        var hash = 2166136261u;
        foreach (var c in grainKey)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (long)(hash % (ulong)CheckpointInterval.TotalMilliseconds) * 1_000_000;
    }

    /// <summary>The part of a stored performance sketch a slice reference needs.</summary>
    private sealed class SliceScoresOnly
    {
        public Dictionary<string, Dictionary<string, long[]>> SliceScores { get; set; } = new(StringComparer.Ordinal);
    }

    private static long Mod(long x, long m) => ((x % m) + m) % m;
}
