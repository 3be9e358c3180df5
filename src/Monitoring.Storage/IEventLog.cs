using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;

namespace Monitoring.Storage;

/// <summary>What an append did: the records written (with their sequence numbers, in input order) and the duplicates skipped.</summary>
/// <param name="Appended">Records now durable in the log.</param>
/// <param name="Duplicates">Records skipped because (kind, prediction id) was already logged for the model, or repeated in the batch.</param>
public sealed record EventAppendOutcome(IReadOnlyList<LoggedEvent> Appended, int Duplicates);

/// <summary>What a model's events take in the database (an estimate: see <see cref="IEventLog.FootprintAsync"/>).</summary>
/// <param name="Events">Records kept: the span of sequence numbers from the oldest kept record to the newest.</param>
/// <param name="Bytes">Estimated bytes of those records in the table and its indexes.</param>
public sealed record EventLogFootprint(long Events, long Bytes);

/// <summary>
/// The durable, per-model event log. A request is acknowledged only after <see cref="AppendAsync"/> returns:
/// at that point the records survive a process kill. Sequence numbers are strictly increasing per model and never reused.
/// Records are only appended, until <see cref="Compact"/> deletes the old ones a checkpoint covers.
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

    /// <summary>Every model that has logged a record (compaction does not remove a model from the list).</summary>
    Task<IReadOnlyList<ModelKey>> ListModelsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Asks for the model's old records to be deleted in the background, and returns at once: the records with sequence
    /// at most <paramref name="checkpointedSequence"/> (covered by the caller's durable checkpoint, so never replayed)
    /// that were received before <paramref name="deleteReceivedBeforeUnixNano"/> (their event time if logged without a
    /// receive time). Call it after each successful checkpoint with cutoff = now - max(retention, label horizon). A
    /// later call for the same model replaces one not yet started. Appends wait at most for one small delete batch.
    /// A deleted record is gone for <see cref="ReadAsync"/>, <see cref="FindAsync"/> and <see cref="FindManyAsync"/>: a
    /// label for a deleted prediction finds none, and a resent record whose prediction id was deleted is logged again.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="checkpointedSequence">The log position the model's latest durable checkpoint includes.</param>
    /// <param name="deleteReceivedBeforeUnixNano">Records received before this instant (Unix ns) may go.</param>
    void Compact(ModelKey model, long checkpointedSequence, long deleteReceivedBeforeUnixNano);

    /// <summary>
    /// What the model's records take on disk, estimated without reading them all: the records kept (the span of
    /// sequence numbers from the oldest to the newest) times the mean size of the newest 256 (the encoded record,
    /// its keys once in the table and once in the prediction-id index, and a fixed per-row overhead of the backend's
    /// row and index-entry headers). It counts live rows only: not free pages, not page fill, not the WAL.
    /// </summary>
    Task<EventLogFootprint> FootprintAsync(ModelKey model, CancellationToken cancellationToken = default);
}
