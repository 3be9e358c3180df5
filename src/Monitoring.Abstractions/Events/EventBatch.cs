using Monitoring.Abstractions.Models;

namespace Monitoring.Abstractions.Events;

/// <summary>Records of one model from one request, in request order.</summary>
/// <param name="Model">The model they belong to.</param>
/// <param name="Events">The records.</param>
[GenerateSerializer, Immutable, Alias("monitoring.event-batch")]
public sealed record EventBatch([property: Id(0)] ModelKey Model, [property: Id(1)] ModelEvent[] Events);

/// <summary>Outcome of appending a batch: durable once returned.</summary>
/// <param name="Accepted">Records appended to the event log and folded into the windows.</param>
/// <param name="Duplicates">Records skipped because their prediction id was already logged for this model.</param>
/// <param name="LastSequence">Event-log sequence number of the last appended record (0 when none).</param>
/// <param name="Rejections">
/// Records the grain refused, not logged, for breaking a limit that needs the model's state (features per model, models
/// per tenant), one entry per reason; null or empty when none. The receiver reports them as OTLP partial success.
/// </param>
/// <param name="Feed">
/// For a model whose numeric features are folded by shard grains (hot models): the appended predictions the shards
/// fold, and where they sit in the model's log; null otherwise. Not part of the receiver's answer.
/// </param>
[GenerateSerializer, Immutable, Alias("monitoring.append-result")]
public sealed record AppendResult(
    [property: Id(0)] int Accepted,
    [property: Id(1)] int Duplicates,
    [property: Id(2)] long LastSequence,
    [property: Id(3)] AppendRejection[]? Rejections = null,
    [property: Id(4)] ShardFeed? Feed = null);

/// <summary>
/// One append of a sharded model as its numeric shards see it. Appends of one model are serial, so their
/// (<paramref name="PreviousSequence"/>, <paramref name="LastSequence"/>] ranges chain: a shard that misses one (a
/// failed call, a restart) sees the gap and reads it back from the model's log.
/// </summary>
/// <param name="Shards">Shards the model's predictions are spread over (a prediction goes to shard sequence % Shards).</param>
/// <param name="PreviousSequence">The model's last logged sequence before this append.</param>
/// <param name="LastSequence">The model's last logged sequence after it.</param>
/// <param name="ClosedEnd">Windows ending at or before this were closed when the model folded the append (Unix ns).</param>
/// <param name="ReferenceVersion">The reference new windows open with (0 = none).</param>
/// <param name="WindowNanos">Window length (ns).</param>
/// <param name="LatenessNanos">Allowed lateness (ns).</param>
/// <param name="Predictions">The appended predictions (to a shard: its own share).</param>
/// <param name="ShardedSince">The model's log position when it began leaving numeric values to shards (a new shard starts there).</param>
/// <param name="Generation">The model's shard arrangement (<c>ShardKeys</c>): the shard grains this feed goes to.</param>
[GenerateSerializer, Immutable, Alias("monitoring.shard-feed")]
public sealed record ShardFeed(
    [property: Id(0)] int Shards,
    [property: Id(1)] long PreviousSequence,
    [property: Id(2)] long LastSequence,
    [property: Id(3)] long ClosedEnd,
    [property: Id(4)] int ReferenceVersion,
    [property: Id(5)] long WindowNanos,
    [property: Id(6)] long LatenessNanos,
    [property: Id(7)] LoggedEvent[] Predictions,
    [property: Id(8)] long ShardedSince,
    [property: Id(9)] int Generation = 1);

/// <summary>Records of a batch refused for one reason.</summary>
/// <param name="Reason">Metric reason (<see cref="ModelTenantLimit"/> or <see cref="ModelFeatureLimit"/>).</param>
/// <param name="Count">How many records.</param>
/// <param name="Labels">How many of them are labels.</param>
/// <param name="FirstIndex">Position in the batch of the first one.</param>
/// <param name="Message">Why the first one was refused, naming the field and the limit.</param>
[GenerateSerializer, Immutable, Alias("monitoring.append-rejection")]
public sealed record AppendRejection(
    [property: Id(0)] string Reason,
    [property: Id(1)] int Count,
    [property: Id(2)] int Labels,
    [property: Id(3)] int FirstIndex,
    [property: Id(4)] string Message)
{
    /// <summary>Reason of a record bringing a new feature into a model that tracks the most features allowed.</summary>
    public const string ModelFeatureLimit = "model_feature_limit";

    /// <summary>Reason of the records of a new model whose tenant has the most models allowed.</summary>
    public const string ModelTenantLimit = "tenant_model_limit";
}

/// <summary>A record as stored in the event log, with its per-model sequence number (strictly increasing).</summary>
/// <param name="Sequence">Position in the model's log.</param>
/// <param name="Event">The record.</param>
[GenerateSerializer, Immutable, Alias("monitoring.logged-event")]
public sealed record LoggedEvent([property: Id(0)] long Sequence, [property: Id(1)] ModelEvent Event);
