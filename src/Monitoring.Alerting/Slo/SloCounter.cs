namespace Monitoring.Alerting.Slo;

/// <summary>Good and total events in a window.</summary>
/// <param name="Good">Good events.</param>
/// <param name="Total">All events (good + bad).</param>
public readonly record struct SloCounts(long Good, long Total)
{
    /// <summary>Bad events.</summary>
    public long Bad => Total - Good;

    /// <summary>Bad / total; 0 for an empty window (no events, no errors).</summary>
    public double ErrorRatio => Total == 0 ? 0 : (double)Bad / Total;
}

/// <summary>One ring of buckets as plain data.</summary>
/// <param name="ResolutionTicks">Bucket width in ticks.</param>
/// <param name="Head">Index (UTC ticks / resolution) of the newest bucket the ring holds.</param>
/// <param name="Good">Good counts, slot = bucket index mod length.</param>
/// <param name="Total">Total counts, same slots.</param>
public sealed record SloCounterTierState(long ResolutionTicks, long Head, long[] Good, long[] Total);

/// <summary>A <see cref="SloCounter"/> as plain data, for a grain to persist.</summary>
/// <param name="PeriodTicks">The SLO period in ticks.</param>
/// <param name="SinceUtcTicks">When counting started (UTC ticks).</param>
/// <param name="Tiers">The rings, finest first.</param>
public sealed record SloCounterState(long PeriodTicks, long SinceUtcTicks, SloCounterTierState[] Tiers);

/// <summary>
/// Good/total event counts of one SLO for one model, by EVENT time, in fixed buckets kept in three rings:
/// <list type="table">
/// <item>1-minute buckets over the last 6 hours: windows 5m, 30m, 1h, 2h, 6h</item>
/// <item>10-minute buckets over the last 3 days: windows 1d, 3d</item>
/// <item>1-hour buckets over the SLO period: the period itself</item>
/// </list>
/// Every event is added to each ring that still holds its bucket. A window of length w evaluated at <c>now</c> is
/// [floor(now) - w, floor(now)), floor = the start of now's bucket in the ring that serves the window: it is exactly w
/// long but both edges are rounded down to a bucket, so it lags now by less than one bucket (1 minute for 5m..6h,
/// 10 minutes for 1d and 3d, 1 hour for the period) and events of the unfinished bucket count from its end on.
/// Events older than the period window's start are ignored; events later than <c>now</c> (clock skew) count in now's bucket.
/// <para>
/// Cost: 30 days hold 361 + 433 + 721 buckets of two longs, 24 KB per SLO and model. Adding is O(1) amortised
/// (advancing the head clears the buckets that elapsed, at most one ring's length); a window sum is O(buckets in it),
/// at most 721. A late event is added to its old bucket like any other. Not thread-safe: one owner (a grain) at a time.
/// </para>
/// </summary>
public sealed class SloCounter
{
    /// <summary>The rings: (bucket width, span). The period ring is added by the constructor.</summary>
    public static readonly IReadOnlyList<(TimeSpan Resolution, TimeSpan Span)> FineTiers =
    [
        (TimeSpan.FromMinutes(1), TimeSpan.FromHours(6)),
        (TimeSpan.FromMinutes(10), TimeSpan.FromDays(3)),
    ];

    /// <summary>Bucket width of the ring that spans the whole period; a period must be a whole number of these.</summary>
    public static readonly TimeSpan PeriodResolution = TimeSpan.FromHours(1);

    private readonly Tier[] _tiers;

    /// <summary>An empty counter for an SLO period, counting from <paramref name="since"/>.</summary>
    /// <param name="period">The SLO window: at least 3 days and a whole number of hours.</param>
    /// <param name="since">When counting starts; the budget extrapolates the period from here until a full period has passed.</param>
    public SloCounter(TimeSpan period, DateTimeOffset since)
    {
        if (period < BurnRateWindows.LongestWindow || period.Ticks % PeriodResolution.Ticks != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "an SLO period must be at least 3 days and a whole number of hours");
        }
        Period = period;
        Since = since;
        var sinceTicks = since.UtcTicks;
        _tiers =
        [
            .. FineTiers.Select(t => new Tier(t.Resolution.Ticks, (int)(t.Span.Ticks / t.Resolution.Ticks) + 1, sinceTicks)),
            new Tier(PeriodResolution.Ticks, (int)(period.Ticks / PeriodResolution.Ticks) + 1, sinceTicks),
        ];
    }

    private SloCounter(TimeSpan period, DateTimeOffset since, Tier[] tiers)
    {
        Period = period;
        Since = since;
        _tiers = tiers;
    }

    /// <summary>The SLO period.</summary>
    public TimeSpan Period { get; }

    /// <summary>When counting started.</summary>
    public DateTimeOffset Since { get; }

    /// <summary>Counts one event. False when it is older than the period window and was ignored.</summary>
    public bool Add(DateTimeOffset eventTime, bool good, DateTimeOffset now) => Add(eventTime, good ? 1 : 0, 1, now);

    /// <summary>
    /// Counts <paramref name="total"/> events at one event time, <paramref name="good"/> of them good.
    /// False when the time is older than the period window (ignored).
    /// </summary>
    public bool Add(DateTimeOffset eventTime, long good, long total, DateTimeOffset now)
    {
        if (total < 0 || good < 0 || good > total)
        {
            throw new ArgumentOutOfRangeException(nameof(good), $"need 0 <= good <= total, got {good} of {total}");
        }
        Advance(now);
        var ticks = Math.Min(eventTime.UtcTicks, now.UtcTicks);
        var counted = false;
        foreach (var tier in _tiers)
        {
            counted = tier.Add(ticks, good, total);
        }
        return counted;
    }

    /// <summary>Moves the head to <paramref name="now"/>, clearing the buckets that left the rings. Never moves back.</summary>
    public void Advance(DateTimeOffset now)
    {
        foreach (var tier in _tiers)
        {
            tier.Advance(now.UtcTicks);
        }
    }

    /// <summary>The bucket width that serves a window (the finest ring that spans it and divides it).</summary>
    public TimeSpan ResolutionOf(TimeSpan window) => TimeSpan.FromTicks(TierFor(window).ResolutionTicks);

    /// <summary>
    /// Counts in the window [floor(now) - window, floor(now)), floor rounding down to the serving ring's bucket. Does not
    /// change the counter; a window reaching before what the rings hold counts only what they hold.
    /// </summary>
    public SloCounts Sum(TimeSpan window, DateTimeOffset now)
    {
        var tier = TierFor(window);
        var end = Math.DivRem(now.UtcTicks, tier.ResolutionTicks).Quotient;
        return tier.Sum(end - (window.Ticks / tier.ResolutionTicks), end);
    }

    /// <summary>The state as plain data (copies).</summary>
    public SloCounterState ToState() => new(
        Period.Ticks,
        Since.UtcTicks,
        [.. _tiers.Select(t => new SloCounterTierState(t.ResolutionTicks, t.Head, [.. t.Good], [.. t.Total]))]);

    /// <summary>Rebuilds a counter from <see cref="ToState"/>; throws <see cref="ArgumentException"/> when the state does not fit the layout.</summary>
    public static SloCounter FromState(SloCounterState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var period = TimeSpan.FromTicks(state.PeriodTicks);
        var since = new DateTimeOffset(state.SinceUtcTicks, TimeSpan.Zero);
        var expected = new SloCounter(period, since);
        if (state.Tiers.Length != expected._tiers.Length)
        {
            throw new ArgumentException($"expected {expected._tiers.Length} tiers, got {state.Tiers.Length}", nameof(state));
        }
        var tiers = new Tier[state.Tiers.Length];
        for (var i = 0; i < tiers.Length; i++)
        {
            var s = state.Tiers[i];
            var e = expected._tiers[i];
            if (s.ResolutionTicks != e.ResolutionTicks || s.Good.Length != e.Good.Length || s.Total.Length != e.Total.Length)
            {
                throw new ArgumentException($"tier {i} does not match the layout for a {Time.PromDuration.Format(period)} period", nameof(state));
            }
            tiers[i] = new Tier(s.ResolutionTicks, s.Head, [.. s.Good], [.. s.Total]);
        }
        return new SloCounter(period, since, tiers);
    }

    private Tier TierFor(TimeSpan window)
    {
        if (window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "a window must be positive");
        }
        foreach (var tier in _tiers)
        {
            if (window.Ticks % tier.ResolutionTicks == 0 && window.Ticks / tier.ResolutionTicks < tier.Good.Length)
            {
                return tier;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(window), window, "no ring of this counter serves the window (too long, or not a whole number of buckets)");
    }

    /// <summary>A ring of buckets indexed by absolute bucket number (UTC ticks / resolution); holds (Head - length, Head].</summary>
    private sealed class Tier
    {
        public Tier(long resolutionTicks, int length, long startTicks)
            : this(resolutionTicks, startTicks / resolutionTicks, new long[length], new long[length])
        {
        }

        public Tier(long resolutionTicks, long head, long[] good, long[] total)
        {
            ResolutionTicks = resolutionTicks;
            Head = head;
            Good = good;
            Total = total;
        }

        public long ResolutionTicks { get; }

        public long Head { get; private set; }

        public long[] Good { get; }

        public long[] Total { get; }

        public void Advance(long nowTicks)
        {
            var index = nowTicks / ResolutionTicks;
            if (index <= Head)
            {
                return;
            }
            var clear = Math.Min(index - Head, Good.Length);
            for (var k = index - clear + 1; k <= index; k++)
            {
                var slot = Slot(k);
                Good[slot] = 0;
                Total[slot] = 0;
            }
            Head = index;
        }

        public bool Add(long ticks, long good, long total)
        {
            var index = ticks / ResolutionTicks;
            if (index <= Head - Good.Length)
            {
                return false;
            }
            var slot = Slot(index);
            Good[slot] += good;
            Total[slot] += total;
            return true;
        }

        /// <summary>Sum over bucket indexes [from, to), clipped to what the ring holds.</summary>
        public SloCounts Sum(long from, long to)
        {
            var lo = Math.Max(from, Head - Good.Length + 1);
            var hi = Math.Min(to - 1, Head);
            long good = 0, total = 0;
            for (var k = lo; k <= hi; k++)
            {
                var slot = Slot(k);
                good += Good[slot];
                total += Total[slot];
            }
            return new SloCounts(good, total);
        }

        private int Slot(long index) => (int)(index % Good.Length);
    }
}
