using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;

namespace Monitoring.Storage.Events;

/// <summary>One record on its way into the log: encoded by the caller, numbered by the writer.</summary>
internal sealed class PendingRow(string modelKey, ModelEvent modelEvent, byte[] payload)
{
    /// <summary>The model's key text (<see cref="ModelKey.GrainKey"/>).</summary>
    public string ModelKey { get; } = modelKey;

    /// <summary>The record.</summary>
    public ModelEvent Event { get; } = modelEvent;

    /// <summary>The encoded record.</summary>
    public byte[] Payload { get; } = payload;

    /// <summary>The <c>received_time</c> column: when the record arrived (its event time if the arrival is unknown).</summary>
    public long ReceivedTime { get; } = modelEvent.ReceivedUnixNano > 0 ? modelEvent.ReceivedUnixNano : modelEvent.EventTimeUnixNano;

    /// <summary>Set by the writer: the assigned sequence number, or 0 when the record was already logged.</summary>
    public long Sequence { get; set; }

    /// <summary>Set by the group-commit loop: repeats a record of an earlier request in the same group.</summary>
    public bool DuplicateInGroup { get; set; }
}

/// <summary>One <see cref="IEventLog.AppendAsync"/> call waiting in the group-commit queue.</summary>
internal sealed class PendingAppend
{
    private readonly TaskCompletionSource<EventAppendOutcome> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PendingAppend(ModelKey model, PendingRow[] rows, int duplicatesInBatch)
    {
        Model = model;
        Rows = rows;
        DuplicatesInBatch = duplicatesInBatch;
    }

    /// <summary>The model.</summary>
    public ModelKey Model { get; }

    /// <summary>The records that are not repeats within the request, in input order.</summary>
    public PendingRow[] Rows { get; }

    /// <summary>Records skipped because they repeat an earlier (kind, prediction id) of the same request.</summary>
    public int DuplicatesInBatch { get; }

    /// <summary>Completes when the rows are durable (or the write failed).</summary>
    public Task<EventAppendOutcome> Completion => _completion.Task;

    /// <summary>Encodes the records and drops repeats of (kind, prediction id) within the request.</summary>
    public static PendingAppend Create(ModelKey model, IReadOnlyList<ModelEvent> events)
    {
        var keyText = model.GrainKey;
        var rows = new List<PendingRow>(events.Count);
        HashSet<(EventKind, string)>? seen = null;
        var duplicates = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var modelEvent = events[i] ?? throw new ArgumentException($"Record {i} is null.", nameof(events));
            if (modelEvent.PredictionId is { } predictionId)
            {
                seen ??= new HashSet<(EventKind, string)>(events.Count);
                if (!seen.Add((modelEvent.Kind, predictionId)))
                {
                    duplicates++;
                    continue;
                }
            }

            rows.Add(new PendingRow(keyText, modelEvent, ModelEventCodec.Encode(modelEvent)));
        }

        return new PendingAppend(model, [.. rows], duplicates);
    }

    /// <summary>Clears what an earlier, failed attempt set on the rows.</summary>
    public void ResetRows()
    {
        foreach (var row in Rows)
        {
            row.Sequence = 0;
            row.DuplicateInGroup = false;
        }
    }

    /// <summary>Completes the caller with the rows' outcome.</summary>
    public void Complete()
    {
        var appended = new List<LoggedEvent>(Rows.Length);
        var duplicates = DuplicatesInBatch;
        foreach (var row in Rows)
        {
            if (row.Sequence > 0)
            {
                appended.Add(new LoggedEvent(row.Sequence, row.Event));
            }
            else
            {
                duplicates++;
            }
        }

        _completion.TrySetResult(new EventAppendOutcome(appended, duplicates));
    }

    /// <summary>Fails the caller.</summary>
    public void Fail(Exception exception) => _completion.TrySetException(exception);

    /// <summary>Cancels the caller (the writer stopped before the request was written).</summary>
    public void Cancel() => _completion.TrySetCanceled();
}

/// <summary>Writes one group of rows in one transaction (backend specific).</summary>
internal interface IEventBatchWriter : IAsyncDisposable
{
    /// <summary>
    /// Writes rows in one durable transaction. The rows are distinct in (model, kind, prediction id); for each the writer
    /// sets <see cref="PendingRow.Sequence"/> to the assigned number (strictly increasing per model, in list order) or
    /// leaves it 0 when the model already has a logged record with the same kind and prediction id.
    /// </summary>
    Task WriteAsync(IReadOnlyList<PendingRow> rows, CancellationToken cancellationToken);
}
