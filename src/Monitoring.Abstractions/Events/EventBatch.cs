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
[GenerateSerializer, Immutable, Alias("monitoring.append-result")]
public sealed record AppendResult([property: Id(0)] int Accepted, [property: Id(1)] int Duplicates, [property: Id(2)] long LastSequence);

/// <summary>A record as stored in the event log, with its per-model sequence number (strictly increasing).</summary>
/// <param name="Sequence">Position in the model's log.</param>
/// <param name="Event">The record.</param>
[GenerateSerializer, Immutable, Alias("monitoring.logged-event")]
public sealed record LoggedEvent([property: Id(0)] long Sequence, [property: Id(1)] ModelEvent Event);
