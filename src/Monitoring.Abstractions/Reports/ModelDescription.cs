namespace Monitoring.Abstractions.Reports;

/// <summary>A model as it stands: settings, totals, label join, schema, the reference in force and the open windows.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.model-description")]
public sealed record ModelDescription
{
    /// <summary>"tenant/model".</summary>
    [Id(0)] public required string Model { get; init; }
    /// <summary>Tenant.</summary>
    [Id(1)] public required string Tenant { get; init; }
    /// <summary>Model id within the tenant.</summary>
    [Id(2)] public required string ModelId { get; init; }
    /// <summary>Settings in force.</summary>
    [Id(3)] public required SettingsView Settings { get; init; }
    /// <summary>Records accepted, duplicates, late records and the log position the state includes.</summary>
    [Id(4)] public required ModelTotals Totals { get; init; }
    /// <summary>The label join.</summary>
    [Id(5)] public required LabelTotals Labels { get; init; }
    /// <summary>Inferred schema, by feature name.</summary>
    [Id(6)] public SchemaEntry[] Schema { get; init; } = [];
    /// <summary>Recent schema events, oldest first.</summary>
    [Id(7)] public SchemaEventView[] SchemaEvents { get; init; } = [];
    /// <summary>The reference new windows open with, or null.</summary>
    [Id(8)] public ReferenceView? Reference { get; init; }
    /// <summary>Windows still open.</summary>
    [Id(9)] public OpenWindowView[] OpenWindows { get; init; } = [];
    /// <summary>End of the last closed window (ISO 8601), or null.</summary>
    [Id(10)] public string? LastClosedWindowEnd { get; init; }
    /// <summary>What the model takes on disk, when the store can tell.</summary>
    [Id(11)] public StorageView? Storage { get; init; }
    /// <summary>
    /// Shard grains folding this hot model's numeric feature values (0 = none; <c>Monitoring:Sharding</c>): their values
    /// join a window when it closes, so an open window's numeric features count only what the model folded itself.
    /// </summary>
    [Id(12)] public int NumericShards { get; init; }
}

/// <summary>Totals of a model.</summary>
/// <param name="Predictions">Predictions accepted.</param>
/// <param name="Labels">Labels accepted.</param>
/// <param name="Duplicates">Records skipped as duplicates.</param>
/// <param name="LateRecords">Records that arrived after their window closed.</param>
/// <param name="LogPosition">Last event-log sequence folded in.</param>
[GenerateSerializer, Immutable, Alias("monitoring.model-totals")]
public sealed record ModelTotals([property: Id(0)] long Predictions, [property: Id(1)] long Labels, [property: Id(2)] long Duplicates, [property: Id(3)] long LateRecords, [property: Id(4)] long LogPosition);

/// <summary>The label join of a model.</summary>
/// <param name="Joined">Labels joined to their prediction.</param>
/// <param name="Pending">Labels waiting for their prediction.</param>
/// <param name="Unmatched">Labels that never matched within the horizon.</param>
/// <param name="PastHorizon">Labels whose prediction was older than the horizon.</param>
/// <param name="Corrected">Label corrections applied.</param>
/// <param name="HorizonDays">The label horizon.</param>
/// <param name="DelayP50Seconds">Median label delay, when labels joined.</param>
/// <param name="DelayP90Seconds">90th percentile of the label delay.</param>
[GenerateSerializer, Immutable, Alias("monitoring.label-totals")]
public sealed record LabelTotals(
    [property: Id(0)] long Joined, [property: Id(1)] long Pending, [property: Id(2)] long Unmatched, [property: Id(3)] long PastHorizon,
    [property: Id(4)] long Corrected, [property: Id(5)] double HorizonDays, [property: Id(6)] double? DelayP50Seconds, [property: Id(7)] double? DelayP90Seconds);

/// <summary>One inferred feature.</summary>
/// <param name="Name">Feature.</param>
/// <param name="Kind">"numeric" or "categorical".</param>
/// <param name="FirstSeen">When it first arrived (ISO 8601).</param>
/// <param name="TypeMismatches">Values of the other type since.</param>
[GenerateSerializer, Immutable, Alias("monitoring.schema-entry")]
public sealed record SchemaEntry([property: Id(0)] string Name, [property: Id(1)] string Kind, [property: Id(2)] string FirstSeen, [property: Id(3)] long TypeMismatches);

/// <summary>A schema event.</summary>
/// <param name="Kind">"new_feature" or "type_mismatch".</param>
/// <param name="Feature">Feature.</param>
/// <param name="Detail">What happened.</param>
/// <param name="At">When (ISO 8601).</param>
[GenerateSerializer, Immutable, Alias("monitoring.schema-event-view")]
public sealed record SchemaEventView([property: Id(0)] string Kind, [property: Id(1)] string Feature, [property: Id(2)] string Detail, [property: Id(3)] string At);

/// <summary>The reference in force.</summary>
/// <param name="Version">Version.</param>
/// <param name="Mode">How it was chosen.</param>
/// <param name="Source">What it was built from.</param>
/// <param name="Created">When (ISO 8601).</param>
/// <param name="Rows">Rows or predictions it holds.</param>
/// <param name="Numeric">Numeric features: bin edges and range.</param>
/// <param name="Categorical">Categorical features.</param>
[GenerateSerializer, Immutable, Alias("monitoring.reference-view")]
public sealed record ReferenceView(
    [property: Id(0)] int Version, [property: Id(1)] string Mode, [property: Id(2)] string Source, [property: Id(3)] string Created, [property: Id(4)] long Rows,
    [property: Id(5)] NumericReferenceView[] Numeric, [property: Id(6)] CategoricalReferenceView[] Categorical);

/// <summary>A numeric feature of the reference.</summary>
/// <param name="Name">Feature.</param>
/// <param name="Count">Non-null values.</param>
/// <param name="ExactEdges">Whether the edges are exact deciles (uploaded values) or estimated from buckets.</param>
/// <param name="Edges">Inner bin edges.</param>
/// <param name="Min">Minimum.</param>
/// <param name="Max">Maximum.</param>
[GenerateSerializer, Immutable, Alias("monitoring.numeric-reference-view")]
public sealed record NumericReferenceView([property: Id(0)] string Name, [property: Id(1)] long Count, [property: Id(2)] bool ExactEdges, [property: Id(3)] double[] Edges, [property: Id(4)] double Min, [property: Id(5)] double Max);

/// <summary>A categorical feature of the reference.</summary>
/// <param name="Name">Feature.</param>
/// <param name="Count">Non-null values.</param>
/// <param name="Categories">Distinct categories tracked.</param>
[GenerateSerializer, Immutable, Alias("monitoring.categorical-reference-view")]
public sealed record CategoricalReferenceView([property: Id(0)] string Name, [property: Id(1)] long Count, [property: Id(2)] int Categories);

/// <summary>A window still open.</summary>
/// <param name="Start">Start (ISO 8601).</param>
/// <param name="End">End (ISO 8601, exclusive).</param>
/// <param name="ClosesAt">When it closes (end plus allowed lateness).</param>
/// <param name="Predictions">Predictions so far.</param>
/// <param name="LateRecords">Late records counted in it.</param>
[GenerateSerializer, Immutable, Alias("monitoring.open-window-view")]
public sealed record OpenWindowView([property: Id(0)] string Start, [property: Id(1)] string End, [property: Id(2)] string ClosesAt, [property: Id(3)] long Predictions, [property: Id(4)] long LateRecords);

/// <summary>What a model takes on disk.</summary>
/// <param name="BytesOnDisk">Bytes of its events and reports in the store.</param>
[GenerateSerializer, Immutable, Alias("monitoring.storage-view")]
public sealed record StorageView([property: Id(0)] long BytesOnDisk);
