using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;

namespace Monitoring.Storage;

/// <summary>What an append did: the records written (with their sequence numbers, in input order) and the duplicates skipped.</summary>
/// <param name="Appended">Records now durable in the log.</param>
/// <param name="Duplicates">Records skipped because (kind, prediction id) was already logged for the model, or repeated in the batch.</param>
public sealed record EventAppendOutcome(IReadOnlyList<LoggedEvent> Appended, int Duplicates);

/// <summary>
/// The durable, per-model, append-only event log. A request is acknowledged only after <see cref="AppendAsync"/> returns:
/// at that point the records survive a process kill. Sequence numbers are strictly increasing per model.
/// </summary>
public interface IEventLog
{
    /// <summary>
    /// Appends records durably (committed and synced before returning). A record whose prediction id is already logged
    /// for this model with the same kind, or repeats one earlier in the batch, is skipped and counted as a duplicate;
    /// records without a prediction id are always appended.
    /// </summary>
    Task<EventAppendOutcome> AppendAsync(ModelKey model, IReadOnlyList<ModelEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Records of a model with sequence greater than <paramref name="afterSequence"/>, in sequence order.</summary>
    IAsyncEnumerable<LoggedEvent> ReadAsync(ModelKey model, long afterSequence, CancellationToken cancellationToken = default);

    /// <summary>The logged record of a model with this kind and prediction id, or null.</summary>
    Task<LoggedEvent?> FindAsync(ModelKey model, EventKind kind, string predictionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The logged records of a model with this kind for each of <paramref name="predictionIds"/> that has one, keyed by
    /// prediction id: one query per few hundred ids (the label join looks up a whole batch at once).
    /// </summary>
    Task<IReadOnlyDictionary<string, LoggedEvent>> FindManyAsync(ModelKey model, EventKind kind, IReadOnlyCollection<string> predictionIds, CancellationToken cancellationToken = default);

    /// <summary>Every model with at least one logged record.</summary>
    Task<IReadOnlyList<ModelKey>> ListModelsAsync(CancellationToken cancellationToken = default);
}
