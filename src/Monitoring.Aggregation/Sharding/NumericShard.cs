using Monitoring.Abstractions.Events;
using Monitoring.Aggregation.Windows;

namespace Monitoring.Aggregation.Sharding;

/// <summary>
/// The fold of one numeric shard of a hot model (issue 10): the values of the model's numeric features for the
/// predictions whose log sequence is <c>sequence % shards == index</c>, into per-window, per-version
/// <see cref="NumericAccumulator"/>s binned against the window's reference, exactly as the model would have folded
/// them. The model logs every record and folds everything else; at a window's close it takes each shard's window and
/// merges it (<see cref="ShardMerge"/>). The shard learns what it folds from <see cref="ShardFeed"/>s, one per append
/// of the model; appends chain by log sequence, so a shard that missed one (a failed call, a restart after its last
/// checkpoint) reads the gap back from the model's log (<see cref="Gaps"/>, <see cref="FoldLogged"/>) before it
/// hands a window over. A window's late decision is the model's: a value is folded only into a window that was open
/// when the model folded the record.
/// </summary>
public sealed class NumericShard(int index, ShardState state)
{
    /// <summary>Windows handed over kept for a model that asks again after a crash.</summary>
    public const int TakenKept = 8;

    private static readonly Dictionary<string, NumericAccumulator.Kernels> NoKernels = new(StringComparer.Ordinal);

    /// <summary>Whether the shard has heard from its model yet (a new one has nothing to read back).</summary>
    public bool Started => State.Shards > 0;

    /// <summary>This shard's index.</summary>
    public int Index { get; } = index;

    /// <summary>The checkpoint.</summary>
    public ShardState State { get; } = state;

    /// <summary>Whether the shard folds this record when the model has <paramref name="shards"/> shards.</summary>
    public static bool IsMine(long sequence, int shards, int index) => shards > 0 && sequence % shards == index;

    /// <summary>The reference versions a feed's folding needs kernels for.</summary>
    public IEnumerable<int> ReferenceVersionsFor(ShardFeed feed) =>
        State.Windows.Values.Select(w => w.ReferenceVersion).Append(feed.ReferenceVersion).Where(v => v != 0).Distinct();

    /// <summary>
    /// Folds one feed (its <see cref="ShardFeed.Predictions"/> are this shard's share). A feed already covered by the
    /// watermark is ignored; one whose predecessor is missing is folded and parked until the gap is read back.
    /// </summary>
    public void Feed(ShardFeed feed, Func<int, Dictionary<string, NumericAccumulator.Kernels>?> kernels)
    {
        ArgumentNullException.ThrowIfNull(feed);
        if (State.Shards == 0 && State.Watermark == 0)
        {
            State.Watermark = feed.ShardedSince; // a new shard: what the model logged before is not its business
        }

        Hear(feed.Shards, feed.ReferenceVersion, feed.WindowNanos, feed.LatenessNanos);
        if (feed.LastSequence <= State.Watermark || State.Parked.Any(p => p.Last == feed.LastSequence))
        {
            return; // delivered twice, or read back from the log already
        }

        foreach (var logged in feed.Predictions)
        {
            if (logged.Sequence > State.Watermark)
            {
                Fold(logged.Event, feed.ClosedEnd, kernels);
            }
        }

        if (feed.PreviousSequence <= State.Watermark)
        {
            State.Watermark = feed.LastSequence;
            Absorb();
        }
        else
        {
            Park(new ShardRange(feed.PreviousSequence, feed.LastSequence));
        }
    }

    private void Park(ShardRange range)
    {
        if (State.Parked.Count > 0 && State.Parked[^1].Last == range.Previous)
        {
            State.Parked[^1] = State.Parked[^1] with { Last = range.Last }; // contiguous with the newest: one range
            return;
        }

        State.Parked.Add(range);
        State.Parked.Sort((a, b) => a.Previous.CompareTo(b.Previous));
    }

    /// <summary>
    /// The ranges of the model's log up to <paramref name="target"/> this shard has not folded: (watermark, first parked
    /// start], between parked ranges, and after the last one up to the target. Empty when none.
    /// </summary>
    public List<ShardRange> Gaps(long target)
    {
        var gaps = new List<ShardRange>();
        var from = State.Watermark;
        foreach (var parked in State.Parked)
        {
            if (from >= target)
            {
                break;
            }

            if (parked.Previous > from)
            {
                gaps.Add(new ShardRange(from, Math.Min(parked.Previous, target)));
            }

            from = Math.Max(from, parked.Last);
        }

        if (from < target)
        {
            gaps.Add(new ShardRange(from, target));
        }

        return gaps;
    }

    /// <summary>
    /// Folds a record read back from the model's log inside a gap (the caller reads each gap's records in order and
    /// calls <see cref="GapRead"/> after each gap).
    /// </summary>
    public void FoldLogged(LoggedEvent logged, Func<int, Dictionary<string, NumericAccumulator.Kernels>?> kernels)
    {
        if (logged.Event.Kind == EventKind.Prediction && IsMine(logged.Sequence, State.Shards, Index))
        {
            Fold(logged.Event, State.ClosedEnd, kernels);
        }
    }

    /// <summary>Marks a gap read back: everything up to its end is folded.</summary>
    public void GapRead(ShardRange gap)
    {
        ArgumentNullException.ThrowIfNull(gap);
        if (gap.Previous <= State.Watermark)
        {
            State.Watermark = Math.Max(State.Watermark, gap.Last);
            Absorb();
        }
        else
        {
            Park(gap);
            Absorb();
        }
    }

    /// <summary>
    /// Hands over the window [start, end) (after the caller read back every gap up to the model's applied sequence):
    /// the values folded for it, empty if none. The window is closed from now on; it is kept a while in case the same
    /// model asks again, as one that crashed before storing its close does.
    /// </summary>
    public ShardWindow Take(long start, long end)
    {
        var taken = State.Taken.GetValueOrDefault(start) ?? new ShardWindow { Start = start, End = end };
        if (State.Windows.Remove(start, out var open))
        {
            if (taken.Values == 0 && taken.ByVersion.Count == 0)
            {
                taken = open;
            }
            else
            {
                taken.Merge(open);
            }
        }

        State.Taken[start] = taken;
        while (State.Taken.Count > TakenKept)
        {
            State.Taken.Remove(State.Taken.Keys.First());
        }

        State.ClosedEnd = Math.Max(State.ClosedEnd, end);
        foreach (var stale in State.Windows.Values.Where(w => w.End <= State.ClosedEnd).ToList())
        {
            State.LateValues += stale.Values; // a window the model closed without it (a restart in between)
            State.Windows.Remove(stale.Start);
        }

        return taken;
    }

    /// <summary>Takes what the model says it is (it is the one that knows); kept in the checkpoint.</summary>
    public void Hear(int shards, int referenceVersion, long windowNanos, long latenessNanos)
    {
        State.Shards = shards;
        State.ReferenceVersion = referenceVersion;
        State.WindowNanos = windowNanos;
        State.LatenessNanos = latenessNanos;
    }

    private void Absorb()
    {
        while (State.Parked.Count > 0 && State.Parked[0].Previous <= State.Watermark)
        {
            State.Watermark = Math.Max(State.Watermark, State.Parked[0].Last);
            State.Parked.RemoveAt(0);
        }
    }

    /// <summary>The model's window assignment (<see cref="WindowFolder.Fold"/>): event time, clock skew, lateness.</summary>
    private void Fold(ModelEvent e, long closedEnd, Func<int, Dictionary<string, NumericAccumulator.Kernels>?> kernels)
    {
        var windowNanos = State.WindowNanos;
        if (windowNanos <= 0)
        {
            return;
        }

        var received = e.ReceivedUnixNano > 0 ? e.ReceivedUnixNano : e.EventTimeUnixNano;
        var eventTime = e.EventTimeUnixNano > received + windowNanos ? received : e.EventTimeUnixNano;
        var start = eventTime - ((eventTime % windowNanos) + windowNanos) % windowNanos;
        var end = start + windowNanos;
        var values = e.Features.Count(f => f.Number is not null && f.Text is null);
        if (end <= Math.Max(closedEnd, State.ClosedEnd) || end + State.LatenessNanos <= received)
        {
            State.LateValues += values;
            return;
        }

        if (!State.Windows.TryGetValue(start, out var window))
        {
            window = new ShardWindow { Start = start, End = end, ReferenceVersion = State.ReferenceVersion };
            State.Windows[start] = window;
        }

        if (!window.ByVersion.TryGetValue(e.ModelVersion, out var features))
        {
            features = new Dictionary<string, NumericAccumulator>(StringComparer.Ordinal);
            window.ByVersion[e.ModelVersion] = features;
        }

        var bound = window.ReferenceVersion == 0 ? NoKernels : kernels(window.ReferenceVersion) ?? NoKernels;
        foreach (var f in e.Features)
        {
            if (f.Number is not { } value || f.Text is not null)
            {
                continue; // nulls and strings stay with the model (null counts, type mismatches)
            }

            if (!features.TryGetValue(f.Name, out var acc))
            {
                acc = new NumericAccumulator();
                if (bound.TryGetValue(f.Name, out var k))
                {
                    acc.BindReference(k);
                }

                features[f.Name] = acc;
            }

            acc.Add(value, bound.GetValueOrDefault(f.Name));
        }

        window.Values += values;
    }
}
