using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Storage;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Rollouts;
using Monitoring.Aggregation.Sharding;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Stats.Rollouts;
using Monitoring.Aggregation.Reports;
using Monitoring.Aggregation.Telemetry;
using Monitoring.Aggregation.Windows;
using Monitoring.Stats.Drift;

namespace Monitoring.Aggregation.Models;

/// <summary>
/// Everything a model does with its records, without Orleans: folds logged records into the open event-time windows
/// and into their windows' performance (the label join, label corrections), closes windows into reports, keeps the
/// reference each window is judged against, rolls windows up into days, expires waiting labels, sweeps old reports, and
/// describes the model. It works on a <see cref="ModelState"/> it does not own (the host checkpoints it) and reads and
/// writes documents through an <see cref="IModelStore"/>. Not thread-safe: one caller at a time (a grain).
/// </summary>
public sealed class ModelAggregator
{
    /// <summary>
    /// Separates a prediction id from the revision number in the event-log key of a label correction (the log keeps one
    /// record per (kind, key), so each correction is logged under "{id}\u001F{revision}").
    /// </summary>
    public const char RevisionSeparator = '\u001F';

    /// <summary>Labels waiting for their prediction, per model, at most; beyond this they count as unmatched.</summary>
    public const int MaxPendingLabels = 100_000;

    /// <summary>Shadow predictions waiting for another version's prediction of the same request, per model, at most; beyond this they count as unmatched.</summary>
    public const int MaxPendingShadows = 100_000;

    /// <summary>
    /// Joined shadow pairs waiting for their request's label, per model, at most (about 200 bytes each in the
    /// checkpoint); beyond this a pair still counts in the unlabelled shadow comparison but not in the paired tests.
    /// </summary>
    public const int MaxShadowsAwaitingLabel = 100_000;

    /// <summary>How long a shadow prediction waits for its pair (from its arrival) before it counts as unmatched.</summary>
    public static readonly TimeSpan ShadowExpiry = TimeSpan.FromMinutes(10);

    /// <summary>Per-window performance sketches kept in memory; older ones are reloaded from the store when a label needs them.</summary>
    public const int PerformanceCacheSize = 64;

    /// <summary>Older references kept in memory for windows still open under them.</summary>
    private const int OlderReferenceCacheSize = 8;

    /// <summary>How often the report retention sweep runs.</summary>
    private static readonly long RetentionSweepNanos = UnixNanos.PerHour;

    private readonly ModelKey _key;
    private readonly IModelStore _store;
    private readonly TimeProvider _time;
    private readonly WindowFolder _folder = new();
    private readonly Dictionary<long, PerformanceAccumulator> _performance = [];
    private readonly HashSet<long> _dirtyPerformance = [];
    private readonly Dictionary<(long From, long To), SliceScoreReference?> _sliceReferences = [];
    private readonly Dictionary<int, ReferenceProfile?> _olderReferences = [];
    private IReadOnlyDictionary<string, LoggedEvent>? _prefetchedPredictions;
    private IReadOnlyDictionary<string, LoggedEvent>? _prefetchedLabels;
    private readonly HashSet<string> _prefetchedKeys = new(StringComparer.Ordinal);
    private bool _referenceStoredForShards;

    /// <summary>Aggregates <paramref name="state"/> of <paramref name="key"/>.</summary>
    public ModelAggregator(ModelKey key, ModelState state, IModelStore store, TimeProvider time)
    {
        _key = key;
        State = state;
        _store = store;
        _time = time;
    }

    /// <summary>The state folded so far (checkpointed by the host).</summary>
    public ModelState State { get; }

    /// <summary>Event counters of the SLOs that select this model (configured by the host; saved with <see cref="SnapshotSlos"/>).</summary>
    public Slo.SloTracker Slos { get; } = new();

    /// <summary>Copies the SLO counters into <see cref="State"/> for the checkpoint.</summary>
    public void SnapshotSlos() => S.Slos = Slos.Snapshot();

    private ModelState S => State;

    private long WindowNanos => UnixNanos.FromTimeSpan(S.Settings.Window);

    private long LatenessNanos => UnixNanos.FromTimeSpan(S.Settings.EffectiveLateness);

    private long NowNanos => UnixNanos.Now(_time);

    /// <summary>Whether the model exists: records logged, or settings or a reference saved.</summary>
    public bool HasRecords => S.AppliedSequence > 0;

    /// <summary>
    /// Prepares the fold after the state was loaded: the current reference's bin edges, and those of older references
    /// that open windows still count against (read back from the store).
    /// </summary>
    public async Task ActivateAsync()
    {
        RebuildKernels();
        foreach (var version in S.Open.Values.Select(w => w.ReferenceVersion).Where(v => v != 0 && v != S.Reference?.Version).Distinct().ToList())
        {
            if (await ReferenceAsync(version) is { } older)
            {
                _folder.KeepReference(version, older.NumericKernels());
            }
        }
    }

    /// <summary>
    /// Folds logged records in order, looking up the predictions of all their labels in one batch query first (the
    /// label join's cost is then one query per batch, not per label). Deterministic given the records: a replay folds
    /// exactly as the live path did.
    /// </summary>
    public async Task FoldAllAsync(IReadOnlyList<LoggedEvent> logged)
    {
        var ids = logged
            .Where(l => l.Event.Kind == EventKind.Label && l.Event.PredictionId is { } id && !id.Contains(RevisionSeparator, StringComparison.Ordinal))
            .Select(l => l.Event.PredictionId!)
            .ToList();
        // Version siblings look up the first version's prediction and the id's label: in the same batch queries.
        var shared = logged.Where(l => l.Event.Kind == EventKind.Prediction).Select(l => SharedPredictionId(l.Event)).OfType<string>().ToList();
        _prefetchedPredictions = ids.Count + shared.Count > 0 ? await _store.FindManyAsync(EventKind.Prediction, [.. ids.Concat(shared).Distinct(StringComparer.Ordinal)]) : null;
        _prefetchedLabels = shared.Count > 0 ? await _store.FindManyAsync(EventKind.Label, [.. shared.Distinct(StringComparer.Ordinal)]) : null;
        _prefetchedKeys.Clear();
        _prefetchedKeys.UnionWith(shared);
        if (_prefetchedPredictions is { Count: > 0 } predictions && S.ShadowsAwaitingLabel.Count > 0)
        {
            // The siblings a label will join, known from the pairs waiting for these labels.
            var siblingKeys = ids.Select(id => predictions.GetValueOrDefault(id)?.Event).OfType<ModelEvent>()
                .Select(p => S.ShadowsAwaitingLabel.GetValueOrDefault(LinkOf(p.RequestId, p.PredictionId!)))
                .OfType<ShadowAwaitingLabel>().SelectMany(w => w.SiblingKeys).Distinct(StringComparer.Ordinal).ToList();
            if (siblingKeys.Count > 0)
            {
                var siblings = await _store.FindManyAsync(EventKind.Prediction, siblingKeys);
                _prefetchedKeys.UnionWith(siblingKeys);
                _prefetchedPredictions = predictions.Concat(siblings).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            }
        }

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
            _prefetchedLabels = null;
            _prefetchedKeys.Clear();
        }
    }

    /// <summary>
    /// Records the log skipped as already logged (<paramref name="appended"/> holds what it did append) that are not
    /// repeats, returned under a derived key so the log keeps them: a label with a different value than the logged one
    /// is a correction, keyed by the next revision ("{id}\u001F{revision}"); a prediction whose id another version
    /// logged first is that version's shadow sibling (see <see cref="VersionSiblingsAsync"/>). A label repeated with the
    /// same value, or a prediction repeated by the same version, is a duplicate.
    /// </summary>
    public async Task<List<ModelEvent>> CorrectionsAsync(ModelEvent[] events, IReadOnlyList<LoggedEvent> appended, int duplicates)
    {
        var corrections = new List<ModelEvent>();
        if (duplicates == 0)
        {
            return corrections;
        }

        corrections.AddRange(await VersionSiblingsAsync(events, appended));

        var appendedLabels = appended.Where(l => l.Event.Kind == EventKind.Label).Select(l => l.Event.PredictionId).ToHashSet(StringComparer.Ordinal);
        var latest = new Dictionary<string, LabelRevision>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (e.Kind != EventKind.Label || e.PredictionId is not { } id || appendedLabels.Contains(id) || id.Contains(RevisionSeparator, StringComparison.Ordinal))
            {
                continue;
            }

            if (!latest.TryGetValue(id, out var current) && !S.LabelRevisions.TryGetValue(id, out current))
            {
                var original = await _store.FindAsync(EventKind.Label, id);
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
    /// Shadow scoring under a shared <c>ml.prediction.id</c>: predictions the log skipped because another version logged
    /// a prediction with the same id first. Each is returned keyed "{id}\u001F{version}", so the log keeps one record per
    /// (id, version): a client retry of the same version (same id, same version) is still a duplicate, at the first
    /// append or at this one. The first version's record keeps the plain id (labels join it); the fold pairs every
    /// sibling with it (<see cref="FoldSiblingAsync"/>).
    /// </summary>
    private async Task<List<ModelEvent>> VersionSiblingsAsync(ModelEvent[] events, IReadOnlyList<LoggedEvent> appended)
    {
        var siblings = new List<ModelEvent>();
        var appendedPredictions = appended.Where(l => l.Event.Kind == EventKind.Prediction && l.Event.PredictionId is not null)
            .GroupBy(l => l.Event.PredictionId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Event, StringComparer.Ordinal);
        var skipped = events.Where(e => e.Kind == EventKind.Prediction && e.PredictionId is { } id && !id.Contains(RevisionSeparator, StringComparison.Ordinal)
                && !(appendedPredictions.TryGetValue(id, out var logged) && string.Equals(logged.ModelVersion, e.ModelVersion, StringComparison.Ordinal)))
            .ToList();
        if (skipped.Count == 0)
        {
            return siblings;
        }

        var missing = skipped.Select(e => e.PredictionId!).Where(id => !appendedPredictions.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList();
        var found = missing.Count > 0 ? await _store.FindManyAsync(EventKind.Prediction, missing) : new Dictionary<string, LoggedEvent>(StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in skipped)
        {
            var id = e.PredictionId!;
            var first = appendedPredictions.GetValueOrDefault(id) ?? found.GetValueOrDefault(id)?.Event;
            if (first is null || string.Equals(first.ModelVersion, e.ModelVersion, StringComparison.Ordinal))
            {
                continue; // a repeat of the logged record (a retry)
            }

            var key = SiblingKey(id, e.ModelVersion);
            if (keys.Add(key))
            {
                siblings.Add(e with { PredictionId = key });
            }
        }

        return siblings;
    }

    /// <summary>The event-log key of a version sibling: "{id}\u001F{version}".</summary>
    public static string SiblingKey(string predictionId, string version) => $"{predictionId}{RevisionSeparator}{version}";

    /// <summary>The shared prediction id of a version sibling's record ("{id}\u001F{its version}"), else null.</summary>
    private static string? SharedPredictionId(ModelEvent e)
    {
        if (e.PredictionId is not { } key)
        {
            return null;
        }

        var suffix = e.ModelVersion.Length + 1;
        return key.Length > suffix && key[^suffix] == RevisionSeparator && key.AsSpan(key.Length - e.ModelVersion.Length).SequenceEqual(e.ModelVersion)
            ? key[..^suffix]
            : null;
    }

    /// <summary>
    /// Closes every open window whose end plus <paramref name="latenessNanos"/> has passed (ordered by start) and every
    /// day roll-up past its lateness, expires labels that waited past the horizon, and sweeps reports past the
    /// retention once an hour. Returns the window reports it closed and whether anything changed.
    /// </summary>
    public async Task<(IReadOnlyList<WindowReport> Closed, bool Changed)> CloseDueAsync(long latenessNanos)
    {
        var now = NowNanos;
        var closed = new List<WindowReport>();
        var changed = false;
        // Ordered by start; a window length change can leave a longer window open before shorter ones that ended.
        foreach (var window in S.Open.Values.Where(w => w.End + latenessNanos <= now).ToList())
        {
            if (S.ShardsUsed > 0)
            {
                await TakeShardsAsync(window);
            }

            closed.Add(await CloseWindowAsync(window));
            S.Open.Remove(window.Start);
            S.LastClosedEnd = Math.Max(S.LastClosedEnd, window.End);
            changed = true;
        }

        while (S.Days.Count > 0)
        {
            var (start, day) = S.Days.First();
            if (day.End + LatenessNanos > now)
            {
                break;
            }

            var report = WindowReportBuilder.Build(_key.GrainKey, ReportKinds.Day, day, S.Reference, S.Settings);
            await _store.SaveAsync(ReportKinds.Day, day.Start, day.End, JsonSerializer.Serialize(report, ReportJson.Options));
            S.Days.Remove(start);
            changed = true;
        }

        var horizon = UnixNanos.FromTimeSpan(S.Settings.LabelHorizon);
        foreach (var (id, _) in S.PendingLabels.Where(kv => now - kv.Value.Event.ReceivedUnixNano > horizon).ToList())
        {
            S.PendingLabels.Remove(id);
            S.LabelsUnmatched++;
            changed = true;
        }

        var shadowExpiry = UnixNanos.FromTimeSpan(ShadowExpiry);
        foreach (var (request, _) in S.PendingShadows.Where(kv => now - kv.Value.ReceivedUnixNano > shadowExpiry).ToList())
        {
            S.PendingShadows.Remove(request);
            S.ShadowUnmatched++;
            changed = true;
        }

        foreach (var (link, _) in S.ShadowsAwaitingLabel.Where(kv => now - kv.Value.ReceivedUnixNano > horizon).ToList())
        {
            S.ShadowsAwaitingLabel.Remove(link);
            S.ShadowLabelsMissed++;
            changed = true;
        }

        if (now - S.LastRetentionSweep > RetentionSweepNanos)
        {
            S.LastRetentionSweep = now;
            await _store.DeleteEndedBeforeAsync(now - UnixNanos.FromTimeSpan(S.Settings.Retention));
        }

        return (closed, changed);
    }

    /// <summary>
    /// The numeric shards of a hot model (<see cref="ModelState.NumericShards"/>), which a closing window takes its
    /// numeric values from; null when the model never had any.
    /// </summary>
    public INumericShards? Shards { get; set; }

    /// <summary>
    /// Sets how many shards fold this model's numeric values from the next record on (0: the model folds them). While
    /// any are in use the current reference is kept in the store, where shards read its bin edges. A change of the
    /// count first takes back into the open windows what the old shards hold of them (each has read the log up to the
    /// model's position, in its own partition), then begins a new arrangement on new shard grains from that position,
    /// so no record is folded by two arrangements or by none. Returns whether the arrangement changed: the caller then
    /// checkpoints before any record goes to the new one (a replay must not fold again what new shards hold).
    /// </summary>
    public async Task<bool> UseShardsAsync(int shards)
    {
        if (shards == S.NumericShards && (shards == 0 || _referenceStoredForShards))
        {
            return false;
        }

        if (S.ShardsUsed > 0 && S.ShardGeneration == 0)
        {
            S.ShardGeneration = 1; // sharded before arrangements were counted: its shards are the first arrangement's
        }

        var changed = shards != S.NumericShards;
        if (changed)
        {
            if (S.ShardsUsed > 0)
            {
                foreach (var window in S.Open.Values.ToList())
                {
                    await TakeShardsAsync(window);
                }
            }

            S.ShardsUsed = 0;
            if (shards > 0)
            {
                S.ShardGeneration++;
                S.ShardedSince = S.AppliedSequence;
                S.ShardsUsed = shards;
            }
        }

        S.NumericShards = shards;
        if (shards > 0 && S.Reference is { } current)
        {
            await _store.SaveAsync(ReportKinds.Reference, current.Version, long.MaxValue, JsonSerializer.Serialize(current, ReportJson.Options));
        }

        _referenceStoredForShards = shards > 0;
        return changed;
    }

    /// <summary>What the numeric shards need to know of an append that logged <paramref name="appended"/> after <paramref name="previousSequence"/>.</summary>
    public ShardFeed? FeedFor(long previousSequence, IReadOnlyList<LoggedEvent> appended) =>
        S.NumericShards == 0 || appended.Count == 0 ? null : new ShardFeed(
            S.NumericShards, previousSequence, S.AppliedSequence, S.LastClosedEnd, _folder.CurrentReferenceVersion, WindowNanos, LatenessNanos,
            [.. appended.Where(l => l.Event.Kind == EventKind.Prediction)], S.ShardedSince, S.ShardGeneration);

    /// <summary>Merges every shard's values of <paramref name="window"/> into it (all of them, or the close fails and is retried).</summary>
    private async Task TakeShardsAsync(WindowAccumulator window)
    {
        var shards = Shards ?? throw new InvalidOperationException($"Model {_key.GrainKey} has used numeric shards but none are attached.");
        var taken = await Task.WhenAll(Enumerable.Range(0, S.ShardsUsed).Select(k => shards.TakeAsync(k, S.ShardGeneration, window.Start, window.End, S.AppliedSequence)));
        foreach (var shard in taken)
        {
            ShardMerge.Into(window, shard, S.Schema);
        }
    }

    /// <summary>
    /// The receive-time cutoff before which logged records are no longer needed once a checkpoint covers them: the
    /// later of the retention and the label horizon (a label may still look up its prediction, a correction its label).
    /// </summary>
    public long EventLogCutoff() =>
        NowNanos - UnixNanos.FromTimeSpan(S.Settings.Retention > S.Settings.LabelHorizon ? S.Settings.Retention : S.Settings.LabelHorizon);

    /// <summary>The model as it stands.</summary>
    public ModelDescription Describe(long? bytesOnDisk = null) => ModelDescriptions.Build(_key, S, bytesOnDisk);

    /// <summary>The versions seen, newest first, and the shadow pairing counts.</summary>
    public ModelVersions Versions() => new()
    {
        Model = _key.GrainKey,
        Versions = [.. S.Versions.OrderByDescending(kv => kv.Value.LastUnixNano).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new VersionInfo(
            kv.Key, kv.Value.Predictions, UnixNanos.ToIso(kv.Value.FirstUnixNano), UnixNanos.ToIso(kv.Value.LastUnixNano),
            kv.Value.FirstUnixNano, kv.Value.LastUnixNano, kv.Value.WithRequestId))],
        Forgotten = S.VersionsForgotten,
        TrackedSeparately = VersionTracking.Active(S),
        ShadowPairs = S.ShadowPairsJoined,
        ShadowPending = S.PendingShadows.Count,
        ShadowUnmatched = S.ShadowUnmatched,
        ShadowLabeled = S.ShadowPairsLabeled,
        ShadowAwaitingLabel = S.ShadowsAwaitingLabel.Count,
        ShadowLabelsMissed = S.ShadowLabelsMissed,
    };

    /// <summary>
    /// Compares <paramref name="candidate"/> with <paramref name="baseline"/> over the windows starting in [from, to)
    /// (from = <see cref="long.MinValue"/>: from the window the candidate first appeared in; closed windows as stored,
    /// open ones as they stand, performance as of now), without writing anything: each version's
    /// share of every window is merged into one <see cref="VersionSample"/> (a window that held one version only counts
    /// whole for it), the shadow pairs of the two are merged, and <see cref="VersionComparer"/> decides. Null when either
    /// version was never seen (or was forgotten). <paramref name="notBeforeUnixNano"/> bounds the default start from below
    /// (the comparison at each window close reads at most a configured number of windows back, so a long rollout does
    /// not make every close read more).
    /// </summary>
    public async Task<VersionComparisonReport?> CompareVersionsAsync(string baseline, string candidate, long fromUnixNano, long toUnixNano, RolloutGuardrails guardrails,
        long notBeforeUnixNano = long.MinValue)
    {
        if (!S.Versions.ContainsKey(baseline) || !S.Versions.TryGetValue(candidate, out var candidateSeen))
        {
            return null;
        }

        if (fromUnixNano == long.MinValue)
        {
            // By default, the time both have run: from the window the candidate first appeared in.
            fromUnixNano = Math.Max(candidateSeen.FirstUnixNano - Mod(candidateSeen.FirstUnixNano, WindowNanos), notBeforeUnixNano);
        }

        var windows = new SortedDictionary<long, WindowAccumulator>();
        foreach (var w in await LoadSketchesAsync(fromUnixNano, toUnixNano))
        {
            windows[w.Start] = w;
        }

        foreach (var w in S.Open.Values.Where(w => w.Start >= fromUnixNano && w.Start < toUnixNano))
        {
            windows[w.Start] = w;
        }

        var performance = new SortedDictionary<long, PerformanceAccumulator>();
        foreach (var json in await _store.ListAsync(ReportKinds.PerformanceSketch, fromUnixNano, toUnixNano))
        {
            var stored = JsonSerializer.Deserialize<PerformanceAccumulator>(json, ReportJson.Options)!;
            performance[stored.Start] = stored;
        }

        foreach (var (start, acc) in _performance.Where(kv => kv.Key >= fromUnixNano && kv.Key < toUnixNano))
        {
            performance[start] = acc; // in memory: as of now (possibly ahead of the stored copy)
        }

        var b = new VersionSample(baseline);
        var c = new VersionSample(candidate);
        ShadowPairAccumulator? shadow = null;
        PairedLabelSketch? pairedLabels = null;
        foreach (var (start, window) in windows)
        {
            var perf = performance.GetValueOrDefault(start);
            foreach (var (version, sample) in new[] { (baseline, b), (candidate, c) })
            {
                if (VersionShareOf(window, version) is { } share)
                {
                    sample.AddWindow(share);
                }

                if (perf is not null && VersionShareOf(perf, window, version) is { } perfShare)
                {
                    sample.AddPerformance(perfShare);
                }
            }

            if (perf?.ShadowPairsOf(baseline, candidate) is { } pairs)
            {
                shadow ??= new ShadowPairAccumulator(pairs.Threshold, pairs.MaxValuesPerDimension);
                shadow.Merge(pairs);
            }

            if (perf?.PairedLabelsOf(baseline, candidate) is { } labelled)
            {
                pairedLabels ??= new PairedLabelSketch();
                pairedLabels.Merge(labelled);
            }
        }

        var report = VersionComparer.Compare(_key.GrainKey, b, c, guardrails, new ComparisonInputs(Shadow: shadow, PairedLabels: pairedLabels));
        return report with { Published = S.PublishedVerdicts.GetValueOrDefault(PerformanceAccumulator.ShadowKey(baseline, candidate)) };
    }

    /// <summary>
    /// At a window close: moves the pair's published verdict by <paramref name="report"/>'s own (see
    /// <see cref="VerdictHysteresis"/>), keeps it in the state and returns the report carrying it.
    /// </summary>
    public VersionComparisonReport PublishVerdict(VersionComparisonReport report, int closesToChange, long closeEndUnixNano)
    {
        ArgumentNullException.ThrowIfNull(report);
        var key = PerformanceAccumulator.ShadowKey(report.Baseline, report.Candidate);
        var published = VerdictHysteresis.Next(S.PublishedVerdicts.GetValueOrDefault(key), report.Verdict.Decision, closesToChange, closeEndUnixNano);
        S.PublishedVerdicts[key] = published;
        return report with { Published = published };
    }

    /// <summary>A version's share of a window: its own accumulator, or the whole window when that version was its only one.</summary>
    private static WindowAccumulator? VersionShareOf(WindowAccumulator window, string version) =>
        window.ByVersion is { } byVersion ? byVersion.GetValueOrDefault(version)
        : window.Versions.Count == 1 && window.Versions.ContainsKey(version) ? window : null;

    private static PerformanceAccumulator? VersionShareOf(PerformanceAccumulator performance, WindowAccumulator window, string version) =>
        performance.ByVersion is { } byVersion ? byVersion.GetValueOrDefault(version)
        : window.Versions.Count == 1 && window.Versions.ContainsKey(version) ? performance : null;

    /// <summary>Replaces the settings (validated). Open windows keep their bounds; windows opened from now on use the new length.</summary>
    public void Configure(ModelSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(settings));
        }

        S.Settings = settings;
    }

    /// <summary>Sets an uploaded reference.</summary>
    public Task SetReferenceAsync(ReferenceUpload upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var profile = ReferenceProfile.FromUpload(upload, ++S.ReferenceVersions, NowNanos);
        return InstallReferenceAsync(profile, ReferenceMode.Uploaded);
    }

    /// <summary>Pins the reference to the closed windows starting in [from, to).</summary>
    public async Task PinReferenceAsync(long fromUnixNano, long toUnixNano)
    {
        if (toUnixNano <= fromUnixNano)
        {
            throw new ArgumentException("The pinned range must end after it starts.", nameof(toUnixNano));
        }

        var windows = await LoadSketchesAsync(fromUnixNano, toUnixNano);
        if (windows.Count == 0)
        {
            throw new ArgumentException($"No closed window starts in [{UnixNanos.ToIso(fromUnixNano)}, {UnixNanos.ToIso(toUnixNano)}).", nameof(fromUnixNano));
        }

        var profile = ReferenceProfile.FromWindows(windows, ++S.ReferenceVersions, ReferenceMode.Pinned,
            $"pinned:{UnixNanos.ToIso(fromUnixNano)}..{UnixNanos.ToIso(toUnixNano)}", NowNanos, fromUnixNano, toUnixNano);
        await InstallReferenceAsync(profile, ReferenceMode.Pinned);
    }

    /// <summary>Uses a rolling reference (previous N windows; 0 keeps the setting) or the same window one week earlier.</summary>
    public async Task UseDynamicReferenceAsync(ReferenceMode mode, int windows)
    {
        if (mode is not (ReferenceMode.RollingWindows or ReferenceMode.SameWindowLastWeek))
        {
            throw new ArgumentException("Dynamic references are RollingWindows or SameWindowLastWeek.", nameof(mode));
        }

        var settings = S.Settings with { ReferenceMode = mode, RollingWindows = windows > 0 ? windows : S.Settings.RollingWindows };
        if (settings.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(windows));
        }

        S.Settings = settings;
        await ReplaceReferenceAsync(mode == ReferenceMode.RollingWindows ? await RollingReferenceAsync(NowNanos) : null);
    }

    /// <summary>
    /// Persists the performance sketches and reports of windows changed since the last call; trims the cache. Returns
    /// the reports written (oldest first), so the alert rules over performance can be evaluated.
    /// </summary>
    public async Task<IReadOnlyList<PerformanceReport>> FlushPerformanceAsync()
    {
        var written = new List<PerformanceReport>();
        foreach (var start in _dirtyPerformance.Order().ToList())
        {
            var acc = _performance[start].Freeze();
            await _store.SaveAsync(ReportKinds.PerformanceSketch, acc.Start, acc.End, JsonSerializer.Serialize(acc, ReportJson.Options));
            var report = await BuildPerformanceAsync(acc);
            await _store.SaveAsync(ReportKinds.Performance, acc.Start, acc.End, JsonSerializer.Serialize(report, ReportJson.Options));
            written.Add(report);
            acc.Thaw();
        }

        _dirtyPerformance.Clear();
        foreach (var start in _performance.Keys.OrderDescending().Skip(PerformanceCacheSize).ToList())
        {
            _performance.Remove(start);
        }

        return written;
    }

    /// <summary>
    /// The performance reports of the windows starting in [from, to), as of now, without writing anything: windows
    /// changed since the last flush are built from memory, the others read as stored.
    /// </summary>
    public async Task<IReadOnlyList<PerformanceReport>> PerformanceAsync(long fromUnixNano, long toUnixNano)
    {
        var reports = new SortedDictionary<long, PerformanceReport>();
        foreach (var json in await _store.ListAsync(ReportKinds.Performance, fromUnixNano, toUnixNano))
        {
            var stored = JsonSerializer.Deserialize<PerformanceReport>(json, ReportJson.Options)!;
            reports[stored.WindowStartUnixNano] = stored;
        }

        foreach (var start in _dirtyPerformance.Where(s => s >= fromUnixNano && s < toUnixNano))
        {
            var acc = _performance[start];
            reports[start] = await BuildPerformanceAsync(acc.Freeze());
            acc.Thaw();
        }

        return [.. reports.Values];
    }

    private async Task<PerformanceReport> BuildPerformanceAsync(PerformanceAccumulator acc) =>
        PerformanceReportBuilder.Build(_key.GrainKey, acc, await SliceReferenceAsync(acc), DriftPolicy.Default with { MinimumSampleSize = S.Settings.MinimumSampleSize }, S.Settings.SliceTopValues);

    /// <summary>Folds one logged record: drift windows, then performance (prediction counts, scores, label join).</summary>
    private async Task FoldAsync(LoggedEvent logged)
    {
        var e = logged.Event;
        var sharedId = e.Kind == EventKind.Prediction ? SharedPredictionId(e) : null;
        if (sharedId is not null)
        {
            e = e with { PredictionId = sharedId }; // a version sibling counts under the id it shares
        }

        _folder.Fold(S, e);
        if (e.Kind == EventKind.Prediction)
        {
            if (!Slos.IsEmpty)
            {
                Slos.OnPrediction(e, _time.GetUtcNow());
            }
            var acc = await PerformanceAsync(WindowStartOf(e));
            var fresh = logged.Sequence > acc.LastSequence;
            if (fresh)
            {
                // The version's share first: created before the window counts this prediction, a seed copies the window.
                var version = VersionTracking.Active(S) ? VersionShare(e, acc) : null;
                acc.Predictions++;
                if (acc.PairDimensionNames is null && TopSegmentDimensions(excludeWindow: acc.Start) is { } chosen)
                {
                    acc.ChoosePairDimensions(chosen);
                }
                if (e.Score is { } score)
                {
                    acc.AddScore(score);
                    _folder.AddSliceScores(e, score, acc);
                }

                if (version is not null)
                {
                    FoldVersion(e, acc, version);
                }
            }

            if (sharedId is not null)
            {
                await FoldSiblingAsync(logged, e, logged.Event.PredictionId!, acc, fresh);
            }
            else
            {
                double? label = null;
                if (e.PredictionId is { } id && S.PendingLabels.Remove(id, out var waiting) && Join(e, waiting.Event, acc, fresh))
                {
                    label = PairableLabel(waiting.Event);
                }

                if (e.RequestId is { } request && e.Score is not null && VersionTracking.Active(S))
                {
                    await PairShadowAsync(logged, request, label);
                }
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
                : await _store.FindAsync(EventKind.Prediction, id);
            if (prediction is not null)
            {
                var acc = await PerformanceAsync(WindowStartOf(prediction.Event));
                var fresh = logged.Sequence > acc.LastSequence;
                if (Join(prediction.Event, e, acc, fresh))
                {
                    await LabelShadowAsync(prediction.Event, e, logged.Sequence); // before the touch: it gates on the same sequences
                }

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
    /// unless the label came later than the horizon (then false). The state counters always move (the state is replayed from its own
    /// checkpoint); the window sketch only when <paramref name="fresh"/>, i.e. the record's log sequence is above what the
    /// persisted sketch already holds, so a replay after a crash never counts a join twice.
    /// </summary>
    private bool Join(ModelEvent prediction, ModelEvent label, PerformanceAccumulator acc, bool fresh, bool sibling = false)
    {
        var delay = label.EventTimeUnixNano - prediction.EventTimeUnixNano;
        if (delay > UnixNanos.FromTimeSpan(S.Settings.LabelHorizon))
        {
            S.LabelsPastHorizon += sibling ? 0 : 1;
            return false;
        }

        if (!sibling)
        {
            // A label counts once, though it also joins the version siblings of its prediction id.
            S.LabelsJoined++;
            S.LabelDelaySeconds.Add(Math.Max(0, delay) / 1e9, null);
            if (!Slos.IsEmpty)
            {
                Slos.OnLabel(prediction, label, _time.GetUtcNow());
            }
        }

        if (!fresh)
        {
            return true;
        }

        acc.Labeled++;
        if (acc.PairDimensionNames is null)
        {
            acc.ChoosePairDimensions(TopSegmentDimensions()!);
        }
        LabelFold.Fold(prediction, label, acc);
        if (VersionOf(acc, prediction) is { } version)
        {
            version.Labeled++;
            LabelFold.Fold(prediction, label, version);
        }

        return true;
    }

    /// <summary>
    /// The share of the window's performance of a fresh prediction's version (tracking on), created on first use; the
    /// first one is seeded with the window's content if a single version made it. Null past the window's version cap
    /// (the prediction is counted as untracked).
    /// </summary>
    private PerformanceAccumulator? VersionShare(ModelEvent e, PerformanceAccumulator acc)
    {
        var version = acc.ForVersion(e.ModelVersion, acc.ByVersion is null ? OnlyVersionBefore(acc.Start, e.ModelVersion) : null);
        if (version is null)
        {
            acc.UntrackedVersionPredictions++;
        }

        return version;
    }

    /// <summary>Counts a fresh prediction in its version's share of the window's performance.</summary>
    private void FoldVersion(ModelEvent e, PerformanceAccumulator acc, PerformanceAccumulator version)
    {
        version.Predictions++;
        if (version.PairDimensionNames is null && acc.PairDimensionNames is { } pairs)
        {
            version.ChoosePairDimensions(pairs);
        }

        if (e.Score is { } score)
        {
            version.AddScore(score);
            _folder.AddSliceScores(e, score, version);
        }
    }

    /// <summary>
    /// Shadow mode: pairs a scored prediction with another version's prediction of the same request (whichever came
    /// first waits in <see cref="ModelState.PendingShadows"/>, bounded, until <see cref="ShadowExpiry"/>), and folds the
    /// pair into the window of the earlier event time. A request pairs its first two versions; a repeat of the waiting
    /// version is ignored. State counters always move; the window's pairs only for a fresh record (see <see cref="Join"/>).
    /// <paramref name="label"/> is the request's 0/1 label when it joined this prediction as it arrived: with the one a
    /// waiting prediction may carry, a labelled pair feeds the paired tests at once, else it waits for its label
    /// (<see cref="LabelShadowAsync"/>).
    /// </summary>
    private async Task PairShadowAsync(LoggedEvent logged, string request, double? label)
    {
        var e = logged.Event;
        if (!S.PendingShadows.TryGetValue(request, out var first))
        {
            if (S.PendingShadows.Count < MaxPendingShadows)
            {
                S.PendingShadows[request] = new PendingShadow(e.ModelVersion, e.Score, e.PredictedValue, e.PredictedClass, e.Segments, e.EventTimeUnixNano, e.ReceivedUnixNano, label);
            }
            else
            {
                S.ShadowUnmatched++;
            }

            return;
        }

        if (string.Equals(first.Version, e.ModelVersion, StringComparison.Ordinal))
        {
            if (label is not null && first.Label is null)
            {
                S.PendingShadows[request] = first with { Label = label };
            }

            return;
        }

        S.PendingShadows.Remove(request);
        var earlier = first.EventTimeUnixNano <= e.EventTimeUnixNano ? e with { EventTimeUnixNano = first.EventTimeUnixNano, ReceivedUnixNano = first.ReceivedUnixNano } : e;
        await FoldShadowPairAsync(LinkOf(request, null), logged, first.Version, first.Score!.Value, WindowStartOf(earlier), label ?? first.Label, []);
    }

    /// <summary>
    /// Folds a joined shadow pair (first version's score, then the arriving prediction's) into the pair window's
    /// shadow comparison, and its labelled triple into the paired tests when the label is known; otherwise the pair waits
    /// for its label under <paramref name="link"/> (bounded by <see cref="MaxShadowsAwaitingLabel"/>, until the horizon).
    /// </summary>
    private async Task FoldShadowPairAsync(string link, LoggedEvent logged, string firstVersion, double firstScore, long windowStart, double? label, string[] siblingKeys)
    {
        var e = logged.Event;
        S.ShadowPairsJoined++;
        if (label is not null)
        {
            S.ShadowPairsLabeled++;
        }
        else if (S.ShadowsAwaitingLabel.TryGetValue(link, out var waiting))
        {
            // A third version of the request: its label joins it, but the paired tests keep the first two.
            S.ShadowsAwaitingLabel[link] = waiting with { SiblingKeys = [.. waiting.SiblingKeys, .. siblingKeys] };
        }
        else if (S.ShadowsAwaitingLabel.Count < MaxShadowsAwaitingLabel)
        {
            S.ShadowsAwaitingLabel[link] = new ShadowAwaitingLabel(firstVersion, firstScore, e.ModelVersion, e.Score!.Value, windowStart, e.ReceivedUnixNano, siblingKeys);
        }
        else
        {
            S.ShadowLabelsMissed++;
        }

        var acc = await PerformanceAsync(windowStart);
        if (logged.Sequence > acc.LastSequence)
        {
            var slices = e.Segments.Select(s => (s.Name, s.Value)).ToList();
            acc.AddShadowPair(firstVersion, firstScore, e.ModelVersion, e.Score!.Value, slices);
            if (label is { } y)
            {
                acc.AddPairedLabel(firstVersion, firstScore, e.ModelVersion, e.Score!.Value, y);
            }

            Touch(acc, logged.Sequence);
        }
    }

    /// <summary>
    /// A logged record by kind and key for a version sibling or a waiting pair's label: from the batch's prefetch when
    /// the key was asked there (absent = not logged), else from the store.
    /// </summary>
    private async Task<LoggedEvent?> FindAsync(EventKind kind, string key)
    {
        var prefetched = kind == EventKind.Prediction ? _prefetchedPredictions : _prefetchedLabels;
        return prefetched is not null && _prefetchedKeys.Contains(key) ? prefetched.GetValueOrDefault(key) : await _store.FindAsync(kind, key);
    }

    /// <summary>
    /// The key a joined pair waits for its label under: "r\u001F{request id}" for pairs linked by <c>ml.request.id</c>,
    /// "p\u001F{prediction id}" for versions sharing a prediction id (two namespaces: a request id may equal an id).
    /// </summary>
    private static string LinkOf(string? requestId, string? predictionId) =>
        requestId is not null ? $"r{RevisionSeparator}{requestId}" : $"p{RevisionSeparator}{predictionId}";

    /// <summary>A label's 0/1 value for the paired tests, else null.</summary>
    private static double? PairableLabel(ModelEvent label) => LabelFold.BinaryLabel(label) is var y && (y == 0 || y == 1) ? y : null;

    /// <summary>
    /// A label has joined <paramref name="prediction"/>: if the prediction's shadow pair waits for its label (linked by
    /// its <c>ml.request.id</c>, or by its own id when versions share it), the pair's (baseline score, candidate score,
    /// label) feeds the paired tests of the pair's window and the label joins the pair's version siblings; if the pair
    /// is not complete yet, the waiting prediction keeps the label for when it is. Gated by the label's log sequence like
    /// every fold.
    /// </summary>
    private async Task LabelShadowAsync(ModelEvent prediction, ModelEvent label, long sequence)
    {
        if ((prediction.RequestId is null && prediction.PredictionId is null) || PairableLabel(label) is not { } y || !VersionTracking.Active(S))
        {
            return;
        }

        if (S.ShadowsAwaitingLabel.Remove(LinkOf(prediction.RequestId, prediction.PredictionId), out var pair))
        {
            // Every window is gated before any is touched: the pair and its siblings often share one.
            S.ShadowPairsLabeled++;
            var fresh = new List<PerformanceAccumulator>();
            var acc = await PerformanceAsync(pair.WindowStart);
            if (sequence > acc.LastSequence)
            {
                acc.AddPairedLabel(pair.FirstVersion, pair.FirstScore, pair.SecondVersion, pair.SecondScore, y);
                fresh.Add(acc);
            }

            foreach (var key in pair.SiblingKeys)
            {
                if (await FindAsync(EventKind.Prediction, key) is { } sibling)
                {
                    var siblingEvent = sibling.Event with { PredictionId = prediction.PredictionId };
                    var siblingAcc = await PerformanceAsync(WindowStartOf(siblingEvent));
                    var siblingFresh = sequence > siblingAcc.LastSequence;
                    Join(siblingEvent, label, siblingAcc, siblingFresh, sibling: true);
                    if (siblingFresh)
                    {
                        fresh.Add(siblingAcc);
                    }
                }
            }

            foreach (var touched in fresh)
            {
                Touch(touched, sequence);
            }
        }
        else if (prediction.RequestId is { } request && S.PendingShadows.TryGetValue(request, out var pending) && pending.Label is null)
        {
            S.PendingShadows[request] = pending with { Label = y };
        }
    }

    /// <summary>
    /// A version sibling (another version's prediction under an id a first version logged; <paramref name="e"/> carries
    /// the shared id, <paramref name="key"/> is its log key): the label, if already logged, joins it too; and it pairs
    /// with the first version's prediction as a shadow pair linked by the first one's <c>ml.request.id</c>, else the
    /// shared id. A first prediction waiting for a request-id partner is consumed by this pair.
    /// </summary>
    private async Task FoldSiblingAsync(LoggedEvent logged, ModelEvent e, string key, PerformanceAccumulator acc, bool fresh)
    {
        var id = e.PredictionId!;
        if (await FindAsync(EventKind.Prediction, id) is not { } primary)
        {
            return; // the first version's record is gone (compacted): nothing to pair or join with
        }

        double? label = null;
        if (await FindAsync(EventKind.Label, id) is { } logged0 && logged0.Sequence < logged.Sequence)
        {
            var labelEvent = S.LabelRevisions.TryGetValue(id, out var revision)
                ? logged0.Event with { LabelNumber = revision.Number, LabelText = revision.Text }
                : logged0.Event;
            if (Join(e, labelEvent, acc, fresh, sibling: true))
            {
                label = PairableLabel(labelEvent);
            }
        }

        var first = primary.Event;
        if (first.Score is not { } firstScore || e.Score is null || !VersionTracking.Active(S))
        {
            return;
        }

        var link = LinkOf(first.RequestId, id);
        if (first.RequestId is { } request && S.PendingShadows.TryGetValue(request, out var waiting)
            && string.Equals(waiting.Version, first.ModelVersion, StringComparison.Ordinal))
        {
            S.PendingShadows.Remove(request);
        }

        var earlier = first.EventTimeUnixNano <= e.EventTimeUnixNano ? e with { EventTimeUnixNano = first.EventTimeUnixNano, ReceivedUnixNano = first.ReceivedUnixNano } : e;
        await FoldShadowPairAsync(link, logged, first.ModelVersion, firstScore, WindowStartOf(earlier), label, [key]);
    }

    /// <summary>
    /// The single version whose predictions an open window held before <paramref name="current"/>'s prediction just
    /// folded (null when there were none, several, or the window is no longer open).
    /// </summary>
    private string? OnlyVersionBefore(long windowStart, string current)
    {
        if (!S.Open.TryGetValue(windowStart, out var window))
        {
            return null;
        }

        string? only = null;
        foreach (var (version, count) in window.Versions)
        {
            if (count - (version == current ? 1 : 0) > 0)
            {
                if (only is not null)
                {
                    return null;
                }

                only = version;
            }
        }

        return only;
    }

    /// <summary>The tracked version share of <paramref name="acc"/> that <paramref name="prediction"/> belongs to, with its pair dimensions fixed like the window's.</summary>
    private static PerformanceAccumulator? VersionOf(PerformanceAccumulator acc, ModelEvent prediction)
    {
        if (acc.TrackedVersion(prediction.ModelVersion) is not { } version)
        {
            return null;
        }

        if (version.PairDimensionNames is null && acc.PairDimensionNames is { } pairs)
        {
            version.ChoosePairDimensions(pairs);
        }

        return version;
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
        var revision = int.Parse(key.AsSpan(cut + 1), CultureInfo.InvariantCulture);
        var label = e with { PredictionId = id };
        LabelRevision? previous = S.LabelRevisions.GetValueOrDefault(id);
        S.LabelRevisions[id] = new LabelRevision(revision, e.LabelNumber, e.LabelText);
        S.LabelsCorrected++;
        if (S.PendingLabels.TryGetValue(id, out var waiting))
        {
            S.PendingLabels[id] = waiting with { Event = label with { EventTimeUnixNano = waiting.Event.EventTimeUnixNano } };
            return;
        }

        var prediction = await _store.FindAsync(EventKind.Prediction, id);
        var original = previous is null ? await _store.FindAsync(EventKind.Label, id) : null;
        if (prediction is null || (previous is null && original is null))
        {
            return;
        }

        var earlier = previous is null ? original!.Event : label with { LabelNumber = previous.Number, LabelText = previous.Text };
        var firstLabelTime = original?.Event.EventTimeUnixNano ?? (await _store.FindAsync(EventKind.Label, id))?.Event.EventTimeUnixNano ?? e.EventTimeUnixNano;
        if (firstLabelTime - prediction.Event.EventTimeUnixNano > UnixNanos.FromTimeSpan(S.Settings.LabelHorizon))
        {
            return; // the first label was past the horizon: nothing was folded, so nothing is corrected
        }

        var acc = await PerformanceAsync(WindowStartOf(prediction.Event));
        if (logged.Sequence <= acc.LastSequence)
        {
            return;
        }

        if (acc.PairDimensionNames is null)
        {
            acc.ChoosePairDimensions(TopSegmentDimensions()!);
        }
        LabelFold.Unfold(prediction.Event, earlier, acc);
        LabelFold.Fold(prediction.Event, label, acc);
        if (VersionOf(acc, prediction.Event) is { } version)
        {
            LabelFold.Unfold(prediction.Event, earlier, version);
            LabelFold.Fold(prediction.Event, label, version);
        }

        Touch(acc, logged.Sequence);
    }

    /// <summary>
    /// The segment dimensions with the most predictions in the open windows and the day roll-ups being filled (ties by
    /// name), at most <see cref="PerformanceAccumulator.PairDimensions"/>: worst-slice pairs are tracked among them only.
    /// A window chooses at its first prediction from the other windows' volume; the model's very first window has no
    /// other window to go by and chooses when its first label joins, from its own volume (<paramref name="excludeWindow"/>
    /// null; null is returned until then), having counted the predictions of every pair among its first
    /// <see cref="PerformanceAccumulator.ProvisionalPairDimensions"/> dimensions meanwhile: either way a pair slice's
    /// <c>predictions</c> counts every prediction.
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

        var stored = await _store.GetAsync(ReportKinds.PerformanceSketch, windowStart);
        acc = stored is null
            ? new PerformanceAccumulator
            {
                Start = windowStart,
                End = windowStart + WindowNanos,
                ReferenceVersion = S.Open.TryGetValue(windowStart, out var open) ? open.ReferenceVersion : _folder.CurrentReferenceVersion,
            }
            : JsonSerializer.Deserialize<PerformanceAccumulator>(stored, ReportJson.Options)!;
        _performance[windowStart] = acc;
        return acc;
    }

    private long WindowStartOf(ModelEvent e)
    {
        var received = e.ReceivedUnixNano > 0 ? e.ReceivedUnixNano : e.EventTimeUnixNano;
        var eventTime = e.EventTimeUnixNano > received + WindowNanos ? received : e.EventTimeUnixNano;
        return eventTime - Mod(eventTime, WindowNanos);
    }

    /// <summary>Closes one window: its report against the reference it opened with, its stored sketch, the day roll-up, the next rolling reference.</summary>
    private async Task<WindowReport> CloseWindowAsync(WindowAccumulator window)
    {
        var started = Stopwatch.GetTimestamp();
        using var activity = AggregationTelemetry.StartClose();
        activity?.SetTag("monitoring.model", _key.GrainKey);
        activity?.SetTag("monitoring.window.start", UnixNanos.ToIso(window.Start));
        var reference = await ReferenceOfWindowAsync(window.ReferenceVersion, window.Start);
        var report = WindowReportBuilder.Build(_key.GrainKey, ReportKinds.Window, window, reference, S.Settings);
        await _store.SaveAsync(ReportKinds.Window, window.Start, window.End, JsonSerializer.Serialize(report, ReportJson.Options));
        await _store.SaveAsync(ReportKinds.Sketch, window.Start, window.End, JsonSerializer.Serialize(window, ReportJson.Options));

        if (WindowNanos < UnixNanos.PerDay)
        {
            var dayStart = window.Start - Mod(window.Start, UnixNanos.PerDay);
            if (!S.Days.TryGetValue(dayStart, out var day))
            {
                day = new WindowAccumulator { Start = dayStart, End = dayStart + UnixNanos.PerDay };
                S.Days[dayStart] = day;
            }

            day.Merge(window);
        }

        if (S.Settings.ReferenceMode == ReferenceMode.RollingWindows && await RollingReferenceAsync(window.End) is { } rolling)
        {
            await ReplaceReferenceAsync(rolling);
        }

        activity?.SetTag("monitoring.window.volume", report.Volume);
        activity?.SetTag("monitoring.window.drifted_features", report.DriftedFeatures.Length);
        AggregationTelemetry.Closed(started);
        return report;
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

    /// <summary>A reference by version: the current one, or an earlier one from the store (cached).</summary>
    private async Task<ReferenceProfile?> ReferenceAsync(int version)
    {
        if (version == S.Reference?.Version)
        {
            return S.Reference;
        }

        if (!_olderReferences.TryGetValue(version, out var profile))
        {
            var stored = await _store.GetAsync(ReportKinds.Reference, version);
            profile = stored is null ? null : JsonSerializer.Deserialize<ReferenceProfile>(stored, ReportJson.Options);
            if (_olderReferences.Count >= OlderReferenceCacheSize)
            {
                _olderReferences.Clear();
            }

            _olderReferences[version] = profile;
        }

        return profile;
    }

    private async Task InstallReferenceAsync(ReferenceProfile profile, ReferenceMode mode)
    {
        await ReplaceReferenceAsync(profile);
        S.Settings = S.Settings with { ReferenceMode = mode };
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
            await _store.SaveAsync(ReportKinds.Reference, previous.Version, now, JsonSerializer.Serialize(previous, ReportJson.Options));
            _olderReferences[previous.Version] = previous;
        }

        S.Reference = profile;
        if (profile is not null)
        {
            // Kept until replaced while shards read it (a stored reference is otherwise deleted a retention after its end).
            var end = S.NumericShards > 0 ? long.MaxValue : now;
            await _store.SaveAsync(ReportKinds.Reference, profile.Version, end, JsonSerializer.Serialize(profile, ReportJson.Options));
        }

        RebuildKernels();
    }

    private void RebuildKernels() =>
        _folder.UseReference(S.Reference?.Version ?? 0, S.Reference?.NumericKernels(), S.Open.Values.Select(w => w.ReferenceVersion));

    private async Task<ReferenceProfile?> RollingReferenceAsync(long upToUnixNano)
    {
        var from = upToUnixNano - (S.Settings.RollingWindows * WindowNanos);
        var windows = await LoadSketchesAsync(from, upToUnixNano);
        return windows.Count == 0 ? null : ReferenceProfile.FromWindows(windows, ++S.ReferenceVersions, ReferenceMode.RollingWindows,
            ReferenceProfile.RollingSource(windows.Count), NowNanos, from, upToUnixNano);
    }

    private async Task<ReferenceProfile?> SeasonalReferenceAsync(long windowStart)
    {
        var weekAgo = windowStart - (7 * UnixNanos.PerDay);
        var windows = await LoadSketchesAsync(weekAgo, weekAgo + WindowNanos);
        return windows.Count == 0 ? null : ReferenceProfile.FromWindows(windows, 0, ReferenceMode.SameWindowLastWeek,
            SeasonalSource(weekAgo), NowNanos, weekAgo, weekAgo + WindowNanos);
    }

    private static string SeasonalSource(long weekAgo) => "same window one week earlier: " + UnixNanos.ToIso(weekAgo);

    /// <summary>
    /// The per-slice scores a window's slices are compared with: the same slices in the reference the window is judged
    /// against (<see cref="ReferenceOfWindowAsync"/>): the uploaded file's rows, or the windows a pinned, rolling or
    /// seasonal reference was built from (merged from those windows' stored performance sketches; cached per range, as
    /// closed windows' predictions no longer change). Null when there is no reference to compare with.
    /// </summary>
    private async Task<SliceScoreReference?> SliceReferenceAsync(PerformanceAccumulator window)
    {
        long from, to;
        string source;
        if (window.ReferenceVersion == 0 && S.Settings.ReferenceMode == ReferenceMode.SameWindowLastWeek)
        {
            // The seasonal range is known without building the reference (which would load and merge its sketches on
            // every flush of the window).
            from = window.Start - (7 * UnixNanos.PerDay);
            (to, source) = (from + WindowNanos, SeasonalSource(from));
        }
        else if (await ReferenceOfWindowAsync(window.ReferenceVersion, window.Start) is not { } reference)
        {
            return null;
        }
        else if (reference.Mode == ReferenceMode.Uploaded)
        {
            return reference.SliceScores.Count > 0 ? new SliceScoreReference(reference.Source, reference.SliceScores) : null;
        }
        else
        {
            (from, to, source) = (reference.PinnedFromUnixNano, reference.PinnedToUnixNano, reference.Source);
        }

        if (to <= from)
        {
            return null;
        }

        if (_sliceReferences.TryGetValue((from, to), out var cached))
        {
            return cached;
        }

        var merged = new Dictionary<string, Dictionary<string, long[]>>(StringComparer.Ordinal);
        foreach (var json in await _store.ListAsync(ReportKinds.PerformanceSketch, from, to))
        {
            // Only the per-slice scores are read from each stored sketch.
            var scores = JsonSerializer.Deserialize<SliceScoresOnly>(json, ReportJson.Options)!;
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
        var stored = await _store.ListAsync(ReportKinds.Sketch, from, to);
        return stored.Select(json => JsonSerializer.Deserialize<WindowAccumulator>(json, ReportJson.Options)!).ToList();
    }

    /// <summary>The part of a stored performance sketch a slice reference needs.</summary>
    private sealed class SliceScoresOnly
    {
        public Dictionary<string, Dictionary<string, long[]>> SliceScores { get; set; } = new(StringComparer.Ordinal);
    }

    private static long Mod(long x, long m) => ((x % m) + m) % m;
}
