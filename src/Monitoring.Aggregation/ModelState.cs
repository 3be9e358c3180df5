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
}

/// <summary>The current value of a corrected label.</summary>
/// <param name="Revision">1 for the first correction, then 2, ...</param>
/// <param name="Number">Numeric label.</param>
/// <param name="Text">Text label.</param>
[GenerateSerializer, Immutable, Alias("monitoring.label-revision")]
public sealed record LabelRevision([property: Id(0)] int Revision, [property: Id(1)] double? Number, [property: Id(2)] string? Text);
