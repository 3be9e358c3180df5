using Monitoring.Alerting.Routing;

namespace Monitoring.Alerting.Pipeline;

/// <summary>One group's flush, done: what the pipeline did, or the exception it threw.</summary>
/// <param name="Groups">The groups the flush was taken from (a configuration reload may have replaced them since).</param>
/// <param name="Flush">The flush.</param>
/// <param name="Token">The token <see cref="AggregationGroups.Due(DateTimeOffset)"/> gave it, for <see cref="AggregationGroups.Complete"/>.</param>
/// <param name="Outcome">What the pipeline did, or null when it threw.</param>
/// <param name="Error">What it threw, or null.</param>
public sealed record FlushCompletion(AggregationGroups Groups, GroupFlush Flush, long Token, FlushOutcome? Outcome, Exception? Error)
{
    /// <summary>True when every integration delivered what was due (false when the flush threw).</summary>
    public bool Delivered => Outcome?.Delivered == true;
}

/// <summary>
/// Runs each due group's flush on its own, as Alertmanager runs a pipeline per aggregation group: a receiver that
/// hangs (10 s per attempt, retried for minutes) holds only its own groups, never another group's notifications.
/// At most <see cref="MaxInFlight"/> flushes run at once (the rest stay due and start as slots free up), and a group
/// never has two flushes running (the groups keep an in-flight group out of <c>Due</c> until its flush completes,
/// and a key still in flight is left out even across a configuration reload), so a group's resolve cannot overtake
/// its firing notification. One owner: call it, and let the flushes' continuations run, on one logical thread (a
/// grain's scheduler), as for <see cref="AggregationGroups"/>.
/// </summary>
public sealed class FlushDispatcher
{
    /// <summary>
    /// Default most flushes in flight: enough for every receiver of a typical configuration to be waiting on a dead
    /// target at once while the others still deliver, few enough that a storm of groups does not open hundreds of
    /// connections at once.
    /// </summary>
    public const int DefaultMaxInFlight = 32;

    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);
    private readonly Func<FlushCompletion, Task> _completed;
    private bool _dispatching;
    private bool _again;
    private int _running;
    private TaskCompletionSource? _idle;

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="maxInFlight">Most flushes running at once (at least 1).</param>
    /// <param name="completed">
    /// Called after each flush, once its group is free again: the owner completes it on <see cref="FlushCompletion.Groups"/>,
    /// persists what was delivered, and may dispatch again.
    /// </param>
    public FlushDispatcher(int maxInFlight, Func<FlushCompletion, Task> completed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentNullException.ThrowIfNull(completed);
        MaxInFlight = maxInFlight;
        _completed = completed;
    }

    /// <summary>Most flushes running at once.</summary>
    public int MaxInFlight { get; }

    /// <summary>Flushes running now.</summary>
    public int InFlight => _busy.Count;

    /// <summary>
    /// Completes once no flush is running, nor a completion callback (and whatever those started): on demand, "every
    /// due delivery done". One that waits on a receiver that never answers holds it; the dispatch itself never waits.
    /// </summary>
    public Task WhenIdleAsync() =>
        _running == 0 ? Task.CompletedTask : (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// Starts the flushes due at <paramref name="now"/>, as many as there are free slots, each with the inhibitor over
    /// the alerts held now; returns them (each completes after its completion callback), without waiting for them.
    /// A call made from a completion callback while a dispatch is running is folded into the running one.
    /// </summary>
    public IReadOnlyList<Task> DispatchDue(AggregationGroups groups, NotificationPipeline pipeline, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(pipeline);
        if (_dispatching)
        {
            _again = true; // a flush that completed at once asks again: the running dispatch loops
            return [];
        }
        _dispatching = true;
        var started = new List<Task>();
        try
        {
            do
            {
                _again = false;
                var free = MaxInFlight - _busy.Count;
                if (free <= 0 || groups.NextFlush is not { } next || next > now)
                {
                    break;
                }
                var due = groups.Due(now, free, _busy);
                if (due.Count == 0)
                {
                    break;
                }
                var inhibitor = pipeline.Inhibition(groups.Alerts, now);
                foreach (var (flush, _) in due)
                {
                    _busy.Add(flush.GroupKey); // before any starts: one that completes at once frees only its own key
                    _running++;
                }
                foreach (var (flush, token) in due)
                {
                    started.Add(RunAsync(groups, pipeline, flush, token, inhibitor));
                }
            }
            while (_again);
        }
        finally
        {
            _dispatching = false;
        }
        return started;
    }

    private async Task RunAsync(AggregationGroups groups, NotificationPipeline pipeline, GroupFlush flush, long token, Inhibitor? inhibitor)
    {
        FlushOutcome? outcome = null;
        Exception? error = null;
        try
        {
            outcome = await pipeline.FlushAsync(flush, inhibitor, CancellationToken.None);
        }
        catch (Exception e)
        {
            error = e; // reported to the owner, who reschedules the group: a flush never leaves its group stuck in flight
        }
        finally
        {
            _busy.Remove(flush.GroupKey);
        }
        try
        {
            await _completed(new FlushCompletion(groups, flush, token, outcome, error));
        }
        finally
        {
            if (--_running == 0 && _idle is { } idle)
            {
                _idle = null;
                idle.TrySetResult();
            }
        }
    }
}
