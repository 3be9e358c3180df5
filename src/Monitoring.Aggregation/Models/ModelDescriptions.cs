using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.References;

namespace Monitoring.Aggregation.Models;

/// <summary>Builds a <see cref="ModelDescription"/> from a model's state.</summary>
public static class ModelDescriptions
{
    /// <summary>The description of <paramref name="key"/> as its state stands.</summary>
    public static ModelDescription Build(ModelKey key, ModelState s, long? bytesOnDisk = null)
    {
        var lateness = UnixNanos.FromTimeSpan(s.Settings.EffectiveLateness);
        var delay = s.LabelDelaySeconds.Count > 0 ? s.LabelDelaySeconds.ToSketch() : null;
        return new ModelDescription
        {
            Model = key.GrainKey,
            Tenant = key.Tenant,
            ModelId = key.Model,
            Settings = SettingsView.From(s.Settings),
            Totals = new ModelTotals(s.Predictions, s.Labels, s.Duplicates, s.LateRecords, s.AppliedSequence),
            Labels = new LabelTotals(
                s.LabelsJoined, s.PendingLabels.Count, s.LabelsUnmatched, s.LabelsPastHorizon, s.LabelsCorrected,
                s.Settings.LabelHorizon.TotalDays, delay?.Quantile(0.5), delay?.Quantile(0.9)),
            Schema = s.Schema.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new SchemaEntry(kv.Key, kv.Value.Kind, UnixNanos.ToIso(kv.Value.FirstSeenUnixNano), kv.Value.TypeMismatches))
                .ToArray(),
            SchemaEvents = s.SchemaEvents.Select(e => new SchemaEventView(e.Kind, e.Feature, e.Detail, UnixNanos.ToIso(e.AtUnixNano))).ToArray(),
            Reference = s.Reference is { } r ? Reference(r) : null,
            OpenWindows = s.Open.Values
                .Select(w => new OpenWindowView(UnixNanos.ToIso(w.Start), UnixNanos.ToIso(w.End), UnixNanos.ToIso(w.End + lateness), w.Predictions, w.LateRecords))
                .ToArray(),
            LastClosedWindowEnd = s.LastClosedEnd == 0 ? null : UnixNanos.ToIso(s.LastClosedEnd),
            Storage = bytesOnDisk is { } bytes ? new StorageView(bytes) : null,
            NumericShards = s.NumericShards,
        };
    }

    /// <summary>The view of a reference profile.</summary>
    public static ReferenceView Reference(ReferenceProfile r) => new(
        r.Version,
        r.Mode.ToString(),
        r.Source,
        UnixNanos.ToIso(r.CreatedUnixNano),
        r.Rows,
        r.Numeric.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new NumericReferenceView(kv.Key, kv.Value.Sketch.Count, kv.Value.ExactEdges, kv.Value.Edges, kv.Value.Sketch.Min, kv.Value.Sketch.Max))
            .ToArray(),
        r.Categorical.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => new CategoricalReferenceView(kv.Key, kv.Value.Count, kv.Value.Counts.Count))
            .ToArray());
}
