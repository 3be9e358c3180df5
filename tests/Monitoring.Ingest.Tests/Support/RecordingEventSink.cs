using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;

namespace Monitoring.Ingest.Tests.Support;

/// <summary>What the sink does with the next appends.</summary>
internal enum SinkMode
{
    Accept,
    Overload,
    Fail,
}

/// <summary>
/// A real in-memory sink: records every appended batch (thread-safe), assigns per-model sequence numbers, and can be told
/// to throw <see cref="SinkOverloadedException"/>, to fail, or to hold appends until released.
/// </summary>
internal sealed class RecordingEventSink : IEventSink
{
    private readonly Lock _lock = new();
    private readonly List<EventBatch> _batches = [];
    private readonly Dictionary<ModelKey, long> _sequences = [];
    private TaskCompletionSource _entered = NewSignal();
    private TaskCompletionSource? _gate;

    public SinkMode Mode { get; set; } = SinkMode.Accept;

    public TimeSpan OverloadRetryAfter { get; set; } = TimeSpan.FromSeconds(7);

    /// <summary>
    /// Plays a grain enforcing a model limit: given a batch, the positions it refuses and why (reason, message); the rest
    /// is kept and the refusal comes back in <see cref="AppendResult.Rejections"/>.
    /// </summary>
    public Func<EventBatch, (int[] Positions, string Reason, string Message)?>? Refuse { get; set; }

    /// <summary>Appends that reached the sink (whatever the mode).</summary>
    public int Calls { get; private set; }

    public IReadOnlyList<EventBatch> Batches
    {
        get
        {
            lock (_lock)
            {
                return [.. _batches];
            }
        }
    }

    public IReadOnlyList<ModelEvent> EventsOf(ModelKey key)
    {
        lock (_lock)
        {
            return [.. _batches.Where(b => b.Model == key).SelectMany(b => b.Events)];
        }
    }

    public int EventCount
    {
        get
        {
            lock (_lock)
            {
                return _batches.Sum(b => b.Events.Length);
            }
        }
    }

    /// <summary>Makes appends wait until <see cref="Release"/>; returns a task completing when the next append arrives.</summary>
    public Task HoldAppends()
    {
        lock (_lock)
        {
            _gate = NewSignal();
            _entered = NewSignal();
            return _entered.Task;
        }
    }

    public void Release()
    {
        TaskCompletionSource? gate;
        lock (_lock)
        {
            gate = _gate;
            _gate = null;
        }

        gate?.TrySetResult();
    }

    public async Task<AppendResult> AppendAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Task? wait;
        lock (_lock)
        {
            Calls++;
            _entered.TrySetResult();
            wait = _gate?.Task;
        }

        if (wait is not null)
        {
            await wait.WaitAsync(cancellationToken);
        }

        switch (Mode)
        {
            case SinkMode.Overload:
                throw new SinkOverloadedException("test sink overloaded", OverloadRetryAfter);
            case SinkMode.Fail:
                throw new InvalidOperationException("test sink failure");
            default:
                break;
        }

        AppendRejection[]? rejections = null;
        if (Refuse?.Invoke(batch) is { Positions.Length: > 0 } refused)
        {
            var labels = refused.Positions.Count(p => batch.Events[p].Kind == EventKind.Label);
            rejections = [new AppendRejection(refused.Reason, refused.Positions.Length, labels, refused.Positions[0], refused.Message)];
            batch = batch with { Events = [.. batch.Events.Where((_, i) => !refused.Positions.Contains(i))] };
        }

        lock (_lock)
        {
            _batches.Add(batch);
            _sequences.TryGetValue(batch.Model, out var sequence);
            sequence += batch.Events.Length;
            _sequences[batch.Model] = sequence;
            return new AppendResult(batch.Events.Length, 0, sequence, rejections);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
