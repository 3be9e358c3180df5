using System.Text.Json;
using CsCheck;
using Monitoring.Alerting.Slo;
using Xunit;

namespace Monitoring.Alerting.Tests.Slo;

public sealed class SloCounterTests
{
    private static readonly TimeSpan Period = TimeSpan.FromDays(30);
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan[] Windows =
    [
        TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2),
        TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(3), Period,
    ];

    [Fact]
    public void Resolution_IsOneMinuteUpTo6Hours_TenMinutesUpTo3Days_OneHourForThePeriod()
    {
        var counter = new SloCounter(Period, Start);

        Assert.Equal(
            [1, 1, 1, 1, 1, 10, 10, 60],
            Windows.Select(w => (int)counter.ResolutionOf(w).TotalMinutes));
    }

    [Fact]
    public void LateEvent_LandsInItsEventTimeBucket()
    {
        // A prediction at 10:07:30 whose label joins at 12:00:30 counts at 10:07:30, in the minute [10:07, 10:08).
        var counter = new SloCounter(Period, Start);
        var now = At("2026-11-10T12:00:30");
        counter.Add(now, true, now);

        Assert.True(counter.Add(At("2026-11-10T10:07:30"), false, now));

        Assert.Equal(new SloCounts(0, 1), counter.Sum(TimeSpan.FromMinutes(1), At("2026-11-10T10:08:00")));
        Assert.Equal(new SloCounts(0, 0), counter.Sum(TimeSpan.FromMinutes(1), At("2026-11-10T10:07:00")));
        Assert.Equal(new SloCounts(0, 0), counter.Sum(TimeSpan.FromMinutes(1), At("2026-11-10T10:09:00")));
        // At 12:01: the 1h window [11:01, 12:01) misses it, the 6h window [06:01, 12:01) has it, with the 12:00:30 event.
        var later = At("2026-11-10T12:01:00");
        Assert.Equal(new SloCounts(1, 1), counter.Sum(TimeSpan.FromHours(1), later));
        Assert.Equal(new SloCounts(1, 2), counter.Sum(TimeSpan.FromHours(6), later));
    }

    [Fact]
    public void LateEvent_OlderThanSixHours_CountsInTheDayAndPeriodRingsOnly()
    {
        var counter = new SloCounter(Period, Start);
        var now = At("2026-11-10T12:00:00");

        Assert.True(counter.Add(now - TimeSpan.FromDays(2), false, now));

        Assert.Equal(0, counter.Sum(TimeSpan.FromHours(6), now).Total);
        Assert.Equal(0, counter.Sum(TimeSpan.FromDays(1), now).Total);
        Assert.Equal(new SloCounts(0, 1), counter.Sum(TimeSpan.FromDays(3), now));
        Assert.Equal(new SloCounts(0, 1), counter.Sum(Period, now));
    }

    [Fact]
    public void EventOlderThanThePeriodWindow_IsDropped()
    {
        // now 12:30; the period window is [12:00 - 30d, 12:00) (its edges round down to the hour).
        var counter = new SloCounter(Period, Start);
        var now = At("2026-12-10T12:30:00");
        var windowStart = At("2026-11-10T12:00:00");

        Assert.False(counter.Add(windowStart - TimeSpan.FromTicks(1), false, now));
        Assert.False(counter.Add(now - TimeSpan.FromDays(31), false, now));
        Assert.True(counter.Add(windowStart, true, now));
        Assert.True(counter.Add(now - Period, true, now));

        Assert.Equal(new SloCounts(2, 2), counter.Sum(Period, now));
    }

    [Fact]
    public void EventFromTheFuture_CountsInNowsBucket()
    {
        var counter = new SloCounter(Period, Start);
        var now = At("2026-11-10T12:00:10");

        counter.Add(now + TimeSpan.FromMinutes(10), true, now);

        Assert.Equal(new SloCounts(1, 1), counter.Sum(TimeSpan.FromMinutes(1), At("2026-11-10T12:01:00")));
        Assert.Equal(0, counter.Sum(TimeSpan.FromMinutes(1), At("2026-11-10T12:11:00")).Total);
    }

    [Fact]
    public void Advance_PastThePeriod_ClearsEverything()
    {
        var counter = new SloCounter(Period, Start);
        var now = At("2026-11-10T12:00:00");
        counter.Add(now, 5, 10, now);

        var much = now + TimeSpan.FromDays(45);
        counter.Advance(much);

        Assert.All(Windows, w => Assert.Equal(0, counter.Sum(w, much).Total));
        // The ring no longer holds the event's hour, even for a window that would reach back to it.
        Assert.Equal(0, counter.Sum(Period, now + TimeSpan.FromHours(1)).Total);
    }

    [Fact]
    public void State_RoundTripsThroughJson()
    {
        var counter = new SloCounter(Period, Start);
        var now = At("2026-11-10T12:00:00");
        for (var i = 0; i < 500; i++)
        {
            counter.Add(now - TimeSpan.FromMinutes(i * 17), i % 3 == 0 ? 0 : 2, 2, now);
        }

        var json = JsonSerializer.Serialize(counter.ToState());
        var copy = SloCounter.FromState(JsonSerializer.Deserialize<SloCounterState>(json)!);

        Assert.Equal(counter.Since, copy.Since);
        Assert.All(Windows, w => Assert.Equal(counter.Sum(w, now), copy.Sum(w, now)));
        Assert.NotEqual(0, copy.Sum(Period, now).Total);
        // The copy goes on counting in the same buckets, independent of the original.
        var later = now + TimeSpan.FromMinutes(3);
        copy.Add(later, false, later);
        Assert.Equal(counter.Sum(TimeSpan.FromMinutes(5), later + TimeSpan.FromMinutes(1)).Total + 1, copy.Sum(TimeSpan.FromMinutes(5), later + TimeSpan.FromMinutes(1)).Total);
    }

    [Fact]
    public void FromState_OfAnotherLayout_Throws()
    {
        var state = new SloCounter(Period, Start).ToState();
        var wrong = state with { PeriodTicks = TimeSpan.FromDays(28).Ticks };

        Assert.Throws<ArgumentException>(() => SloCounter.FromState(wrong));
    }

    [Fact]
    public void WindowSums_EqualANaiveSum_OverRandomEventStreams()
    {
        // Each step moves now forward by 0..3h (sometimes by up to 3 days, so the period ring wraps and drops) and adds
        // a batch at an event time from 32 days before now to 10 minutes after it (late, dropped and future events).
        // The naive model keeps every batch at min(event time, now) and sums [floor(t) - w, floor(t)) directly.
        var step = Gen.Select(
            Gen.Int[0, 20].SelectMany(kind => kind == 0 ? Gen.Int[0, 3 * 86_400] : Gen.Int[0, 3 * 3_600]),
            Gen.Int[0, 9].SelectMany(kind => kind switch
            {
                0 => Gen.Int[-32 * 86_400, 0],
                1 => Gen.Int[0, 600],
                _ => Gen.Int[-7 * 3_600, 0],
            }),
            Gen.Int[0, 5],
            Gen.Int[0, 5]);
        var gen = Gen.Select(step.Array[1, 120], Gen.Int[-4 * 86_400, 7_200], Gen.Bool);

        gen.Sample((steps, evalOffsetSeconds, roundTrip) =>
        {
            var counter = new SloCounter(Period, Start);
            var events = new List<(long Ticks, long Good, long Total)>();
            var now = Start;
            for (var i = 0; i < steps.Length; i++)
            {
                var (advance, offset, good, bad) = steps[i];
                now += TimeSpan.FromSeconds(advance);
                var eventTime = now + TimeSpan.FromSeconds(offset);
                counter.Add(eventTime, good, good + bad, now);
                events.Add((Math.Min(eventTime.UtcTicks, now.UtcTicks), good, good + bad));
                if (roundTrip && i == steps.Length / 2)
                {
                    counter = SloCounter.FromState(counter.ToState());
                }
            }
            // Evaluating before now (negative offsets) reaches buckets the rings no longer hold: those count nothing.
            foreach (var at in new[] { now, now + TimeSpan.FromSeconds(evalOffsetSeconds) })
            {
                foreach (var w in Windows)
                {
                    var res = counter.ResolutionOf(w).Ticks;
                    var span = res == TimeSpan.TicksPerMinute ? TimeSpan.FromHours(6) : res == 10 * TimeSpan.TicksPerMinute ? TimeSpan.FromDays(3) : Period;
                    var held = (now.UtcTicks / res - span.Ticks / res) * res;
                    var end = at.UtcTicks / res * res;
                    var start = Math.Max(end - w.Ticks, held);
                    var inWindow = events.Where(e => e.Ticks >= start && e.Ticks < end).ToList();
                    var expected = new SloCounts(inWindow.Sum(e => e.Good), inWindow.Sum(e => e.Total));
                    if (counter.Sum(w, at) != expected)
                    {
                        throw new InvalidOperationException($"window {w} at {at:O}: counter {counter.Sum(w, at)}, naive {expected}");
                    }
                }
            }
        }, iter: 300);
    }

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso + "Z", System.Globalization.CultureInfo.InvariantCulture);
}
