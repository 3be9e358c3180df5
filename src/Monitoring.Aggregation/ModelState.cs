using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Schema;
using Monitoring.Aggregation.Windows;

namespace Monitoring.Aggregation;

/// <summary>A model grain's checkpoint: everything folded up to <see cref="AppliedSequence"/> of the event log.</summary>
[GenerateSerializer, Alias("monitoring.model-state")]
public sealed class ModelState
{
    /// <summary>Last event-log sequence folded into this state; replay starts after it.</summary>
    [Id(0)] public long AppliedSequence { get; set; }
    /// <summary>Settings.</summary>
    [Id(1)] public ModelSettings Settings { get; set; } = new();
    /// <summary>Inferred schema per feature.</summary>
    [Id(2)] public Dictionary<string, FeatureSchema> Schema { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The reference in force, or null.</summary>
    [Id(3)] public ReferenceProfile? Reference { get; set; }
    /// <summary>Open windows by start.</summary>
    [Id(4)] public SortedDictionary<long, WindowAccumulator> Open { get; set; } = [];
    /// <summary>Day roll-ups being filled, by day start.</summary>
    [Id(5)] public SortedDictionary<long, WindowAccumulator> Days { get; set; } = [];
    /// <summary>Windows ending at or before this are closed (Unix ns).</summary>
    [Id(6)] public long LastClosedEnd { get; set; }
    /// <summary>Predictions accepted in all.</summary>
    [Id(7)] public long Predictions { get; set; }
    /// <summary>Labels accepted in all.</summary>
    [Id(8)] public long Labels { get; set; }
    /// <summary>Records skipped as duplicates (same prediction id).</summary>
    [Id(9)] public long Duplicates { get; set; }
    /// <summary>Records that arrived after their window closed.</summary>
    [Id(10)] public long LateRecords { get; set; }
    /// <summary>Last reference version handed out.</summary>
    [Id(11)] public int ReferenceVersions { get; set; }
    /// <summary>Recent schema events (newest last, at most 100).</summary>
    [Id(12)] public List<SchemaEvent> SchemaEvents { get; set; } = [];
    /// <summary>Last time the retention sweep ran (Unix ns).</summary>
    [Id(13)] public long LastRetentionSweep { get; set; }
    /// <summary>Labels that arrived before their prediction, by prediction id (bounded; expire after the horizon).</summary>
    [Id(14)] public Dictionary<string, LoggedEvent> PendingLabels { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Labels joined to their prediction.</summary>
    [Id(15)] public long LabelsJoined { get; set; }
    /// <summary>Labels that never matched a prediction within the horizon (or found the pending queue full).</summary>
    [Id(16)] public long LabelsUnmatched { get; set; }
    /// <summary>Labels whose prediction was older than the horizon.</summary>
    [Id(17)] public long LabelsPastHorizon { get; set; }
    /// <summary>Label delay (label time minus prediction time) in seconds.</summary>
    [Id(18)] public NumericAccumulator LabelDelaySeconds { get; set; } = new();
    /// <summary>Latest value of every label that was corrected after it was first sent, by prediction id.</summary>
    [Id(19)] public Dictionary<string, LabelRevision> LabelRevisions { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Label corrections applied.</summary>
    [Id(20)] public long LabelsCorrected { get; set; }
    /// <summary>SLO event counters by SLO name, as of <see cref="AppliedSequence"/> (written at each checkpoint).</summary>
    [Id(21)] public Dictionary<string, Slo.SloCounterSnapshot> Slos { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Model versions seen (at most <see cref="VersionTracking.MaxVersionsPerModel"/>), by version.</summary>
    [Id(22)] public Dictionary<string, VersionSeen> Versions { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Versions dropped from <see cref="Versions"/> to keep it bounded (last seen longest ago first).</summary>
    [Id(23)] public long VersionsForgotten { get; set; }
    /// <summary>
    /// Event time (Unix ns) of the first prediction of the model's second version: from then on windows track versions
    /// separately (0 = one version so far).
    /// </summary>
    [Id(24)] public long VersionTrackingSince { get; set; }
    /// <summary>Shadow predictions waiting for another version's prediction of the same request, by request id (bounded; expire).</summary>
    [Id(25)] public Dictionary<string, PendingShadow> PendingShadows { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Shadow pairs joined (two versions' predictions of one request).</summary>
    [Id(26)] public long ShadowPairsJoined { get; set; }
    /// <summary>Shadow predictions that expired unpaired, or found the pending buffer full.</summary>
    [Id(27)] public long ShadowUnmatched { get; set; }
    /// <summary>
    /// Shadow pairs joined and waiting for their request's label, by link key ("r\u001F" + the <c>ml.request.id</c>, or
    /// "p\u001F" + the <c>ml.prediction.id</c> the versions share): when it joins, the pair's (baseline, candidate, label) feeds the
    /// paired tests. Bounded by <c>ModelAggregator.MaxShadowsAwaitingLabel</c>; entries expire at the label horizon.
    /// </summary>
    [Id(28)] public Dictionary<string, ShadowAwaitingLabel> ShadowsAwaitingLabel { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Labelled shadow pairs folded into the paired tests.</summary>
    [Id(29)] public long ShadowPairsLabeled { get; set; }
    /// <summary>Shadow pairs that could not wait for their label (the buffer was full) or waited past the label horizon.</summary>
    [Id(30)] public long ShadowLabelsMissed { get; set; }
    /// <summary>The verdict published at window closes per compared pair, by "{baseline}\u001F{candidate}" (hysteresis).</summary>
    [Id(31)] public Dictionary<string, Abstractions.Rollouts.PublishedVerdict> PublishedVerdicts { get; set; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Shard grains that fold the values of this model's numeric features (0 = the model folds them itself): the model
    /// still logs every record and folds everything else, including the features' schema, nulls and type mismatches.
    /// </summary>
    [Id(32)] public int NumericShards { get; set; }
    /// <summary>
    /// Shards of the current generation that may hold numeric values of open windows: a window closing takes its
    /// numeric sketches from each of them (0 once a model that stopped using shards has taken back what they held).
    /// </summary>
    [Id(33)] public int ShardsUsed { get; set; }
    /// <summary>The log position when the model last began leaving numeric values to shards.</summary>
    [Id(34)] public long ShardedSince { get; set; }
    /// <summary>
    /// Shard arrangements begun so far (a change of the shard count begins a new one, on new shard grains, after the
    /// open windows took back what the old ones held); 0 on a model that never had shards, or sharded before it was kept.
    /// </summary>
    [Id(35)] public int ShardGeneration { get; set; }
}

/// <summary>A joined shadow pair waiting for its request's label.</summary>
/// <param name="FirstVersion">The version whose prediction arrived first.</param>
/// <param name="FirstScore">Its score.</param>
/// <param name="SecondVersion">The other version.</param>
/// <param name="SecondScore">Its score.</param>
/// <param name="WindowStart">The window the pair was folded into (the earlier event time's).</param>
/// <param name="ReceivedUnixNano">When the pair joined (expiry runs from it).</param>
/// <param name="SiblingKeys">
/// Event-log keys of the predictions logged under a shared <c>ml.prediction.id</c> by another version than the first
/// (<c>"{id}\u001F{version}"</c>): the request's label also joins them. Empty for pairs linked by <c>ml.request.id</c>
/// (each version's prediction has its own id and its own label).
/// </param>
[GenerateSerializer, Immutable, Alias("monitoring.shadow-awaiting-label")]
public sealed record ShadowAwaitingLabel(
    [property: Id(0)] string FirstVersion,
    [property: Id(1)] double FirstScore,
    [property: Id(2)] string SecondVersion,
    [property: Id(3)] double SecondScore,
    [property: Id(4)] long WindowStart,
    [property: Id(5)] long ReceivedUnixNano,
    [property: Id(6)] string[] SiblingKeys);

/// <summary>
/// A prediction with a request id waiting for another version's prediction of the same request: what the pair needs
/// (version, score, segments, event and arrival time).
/// </summary>
/// <param name="Version">Model version.</param>
/// <param name="Score">Binary score, if any.</param>
/// <param name="Value">Regression value, if any.</param>
/// <param name="Class">Predicted class, if any.</param>
/// <param name="Segments">Slice dimensions.</param>
/// <param name="EventTimeUnixNano">Event time.</param>
/// <param name="ReceivedUnixNano">Arrival (expiry runs from it).</param>
/// <param name="Label">The request's 0/1 label when it joined this prediction before the other version's arrived.</param>
[GenerateSerializer, Immutable, Alias("monitoring.pending-shadow")]
public sealed record PendingShadow(
    [property: Id(0)] string Version,
    [property: Id(1)] double? Score,
    [property: Id(2)] double? Value,
    [property: Id(3)] string? Class,
    [property: Id(4)] SegmentValue[] Segments,
    [property: Id(5)] long EventTimeUnixNano,
    [property: Id(6)] long ReceivedUnixNano,
    [property: Id(7)] double? Label = null);

/// <summary>The current value of a corrected label.</summary>
/// <param name="Revision">1 for the first correction, then 2, ...</param>
/// <param name="Number">Numeric label.</param>
/// <param name="Text">Text label.</param>
[GenerateSerializer, Immutable, Alias("monitoring.label-revision")]
public sealed record LabelRevision([property: Id(0)] int Revision, [property: Id(1)] double? Number, [property: Id(2)] string? Text);
