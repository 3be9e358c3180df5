using Microsoft.Extensions.Time.Testing;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Slo;
using Xunit;

namespace Monitoring.Alerting.Tests.Slo;

public sealed class SloEvaluatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static SloSpec Spec(decimal objective = 99.9m, long minEvents = 100) => new()
    {
        Name = "credit-risk-latency",
        Model = Matchers.ParseList("{model=\"credit-risk\"}"),
        ObjectivePercent = objective,
        MinEvents = minEvents,
        Sli = new LatencyIndicator(250),
    };

    [Fact]
    public void SteadyBurnAtTheBudget_BurnsAtOneEverywhere_FiresNothing_AndLeavesHalfTheBudgetAfter15Days()
    {
        // 1,000 events a minute, 1 bad: error ratio 1/1000 in every window, budget 1 - 0.999 = 0.001, burn = 1.0.
        // Page needs > 14.4 / > 6, ticket > 3 / > 1 (strictly): nothing fires, not even the 1x ticket.
        // After 15 of 30 days: period burn 1.0 x counted share 15/30 = 0.5 spent, 50% remaining.
        // (Events: 15 x 1,440 minutes x 1,000 = 21,600,000; errors 21,600; allowed over 30 days at this rate 43,200.)
        var spec = Spec();
        var counter = new SloCounter(spec.Window, T0);
        for (var minute = 0; minute < 15 * 1440; minute++)
        {
            var t = T0 + TimeSpan.FromMinutes(minute);
            counter.Add(t + TimeSpan.FromSeconds(30), 999, 1000, t + TimeSpan.FromSeconds(59));
        }
        var now = T0 + TimeSpan.FromDays(15);

        var status = SloEvaluator.Evaluate(spec, counter, now);

        Assert.Equal(
            ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"],
            status.Windows.Select(w => w.Name));
        Assert.All(status.Windows, w => Assert.Equal(1.0, w.BurnRate));
        Assert.Equal(5_000, status.Window(TimeSpan.FromMinutes(5)).Counts.Total);
        Assert.Equal(21_600_000, status.PeriodEvents);
        Assert.Equal(21_600, status.Period.Counts.Bad);
        Assert.Equal(0.5, status.ErrorBudgetRemaining);
        Assert.False(status.Page.Firing);
        Assert.False(status.Ticket.Firing);
        Assert.All(status.Page.Conditions.Concat(status.Ticket.Conditions), c => Assert.Equal(SloConditionState.Quiet, c.State));
    }

    [Fact]
    public void TwoPercentBurstOf70Minutes_PagesFromMinute44To71_ThroughThe1hAnd5mCondition()
    {
        // 1,000 events a minute; a clean day before; from T0, 70 minutes with 20 bad a minute (2%, burn 20).
        // Evaluated at T0 + m minutes the 1h window is minutes [m-60, m) (edges at whole minutes):
        //   1h burn = 20 m / 60,000 / 0.001 = m / 3 > 14.4  <=>  m > 43.2  ->  first at m = 44 (14.67; m = 43 gives 14.33).
        //   5m burn = 20 for 5 <= m <= 70; after the burst (5m = [m-5, m)) it is 4 x (75 - m) > 14.4 <=> m < 71.4.
        //   So the page fires for m = 44..71 and resolves at 72 (5m burn 12), though the 1h burn is still 19.3.
        //   6h burn peaks at 20 x 70 / 360 = 3.9 < 6, so the 6h/30m condition never fires.
        // Ticket: 1d burn at most 1,400 / 1,440,000 / 0.001 = 0.97 < 3; 3d burn at most 1,400 / 1,510,000 / 0.001 = 0.93 < 1.
        var spec = Spec();
        var time = new FakeTimeProvider(T0 - TimeSpan.FromDays(1));
        var counter = new SloCounter(spec.Window, time.GetUtcNow());
        var firing = new List<int>();
        for (var m = -1440; m < 90; m++)
        {
            var status = SloEvaluator.Evaluate(spec, counter, time.GetUtcNow());
            if (status.Page.Firing)
            {
                firing.Add(m);
                Assert.Equal(TimeSpan.FromHours(1), status.Page.FiredBy!.Condition.LongWindow);
                Assert.StartsWith("firing: 1h burn", status.Page.Reason, StringComparison.Ordinal);
            }
            Assert.False(status.Ticket.Firing);

            time.Advance(TimeSpan.FromSeconds(30));
            var bad = m is >= 0 and < 70 ? 20 : 0;
            counter.Add(time.GetUtcNow(), 1000 - bad, 1000, time.GetUtcNow());
            time.Advance(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(Enumerable.Range(44, 71 - 44 + 1), firing);
    }

    [Fact]
    public void BurstAtMinute44_HasThe1hBurnJustAboveTheFactor()
    {
        // Same stream as above, evaluated once at T0 + 44 min: 880 bad of 60,000 in [T0 - 16m, T0 + 44m).
        var spec = Spec();
        var counter = new SloCounter(spec.Window, T0 - TimeSpan.FromDays(1));
        for (var m = -1440; m < 44; m++)
        {
            var t = T0 + TimeSpan.FromMinutes(m) + TimeSpan.FromSeconds(30);
            counter.Add(t, m >= 0 ? 980 : 1000, 1000, t);
        }

        var status = SloEvaluator.Evaluate(spec, counter, T0 + TimeSpan.FromMinutes(44));

        var hour = status.Window(TimeSpan.FromHours(1));
        Assert.Equal(new SloCounts(60_000 - 880, 60_000), hour.Counts);
        Assert.Equal(880.0 / 60_000 / 0.001, hour.BurnRate, 9);
        Assert.Equal(20.0, status.Window(TimeSpan.FromMinutes(5)).BurnRate, 9);
        Assert.True(status.Page.Firing);
    }

    [Fact]
    public void ThreeBadEventsAtNight_AreHeldByMinEvents()
    {
        // 3 of 3 bad: every window's burn is 1 / 0.001 = 1,000, far above 14.4, but the 1h window has 3 < 100 events.
        var spec = Spec();
        var night = new DateTimeOffset(2026, 11, 2, 3, 0, 0, TimeSpan.Zero);
        var counter = new SloCounter(spec.Window, T0);
        for (var i = 1; i <= 3; i++)
        {
            var t = night + TimeSpan.FromMinutes(i) + TimeSpan.FromSeconds(10);
            counter.Add(t, false, t);
        }
        var now = night + TimeSpan.FromMinutes(5);

        var status = SloEvaluator.Evaluate(spec, counter, now);

        Assert.Equal(1000.0, status.Window(TimeSpan.FromHours(1)).BurnRate);
        Assert.Equal(1000.0, status.Window(TimeSpan.FromMinutes(5)).BurnRate);
        Assert.False(status.Page.Firing);
        Assert.Equal("held: 3 events in the 1h window, fewer than min_events 100", status.Page.Reason);
        Assert.Equal(SloConditionState.Held, status.Page.Conditions[0].State);

        // The same three events with min_events 3 page.
        var eager = SloEvaluator.Evaluate(Spec(minEvents: 3), counter, now);
        Assert.True(eager.Page.Firing);
    }

    [Fact]
    public void DisabledPage_NeverFires_ButShowsItsConditions()
    {
        var spec = Spec(minEvents: 1) with { Page = new SloAlertSpec(true, LabelSet.Empty, LabelSet.Empty) };
        var counter = new SloCounter(spec.Window, T0);
        var t = T0 + TimeSpan.FromMinutes(1);
        counter.Add(t, false, t);

        var status = SloEvaluator.Evaluate(spec, counter, T0 + TimeSpan.FromMinutes(2));

        Assert.False(status.Page.Firing);
        Assert.Equal("disabled", status.Page.Reason);
        Assert.Equal(SloConditionState.Firing, status.Page.Conditions[0].State);
    }

    [Fact]
    public void Overspending_DrivesTheBudgetNegative()
    {
        // 30 days counted, 0.3% errors against 0.1% allowed: burn 3, remaining 1 - 3 = -2.
        var spec = Spec();
        var counter = new SloCounter(spec.Window, T0);
        for (var hour = 0; hour < 30 * 24; hour++)
        {
            var t = T0 + TimeSpan.FromHours(hour) + TimeSpan.FromMinutes(30);
            counter.Add(t, 997, 1000, t);
        }

        var status = SloEvaluator.Evaluate(spec, counter, T0 + TimeSpan.FromDays(30));

        Assert.Equal(-2.0, status.ErrorBudgetRemaining, 9);
    }

    [Fact]
    public void Evaluate_WithACounterOfAnotherPeriod_Throws()
    {
        var counter = new SloCounter(TimeSpan.FromDays(28), T0);

        Assert.Throws<ArgumentException>(() => SloEvaluator.Evaluate(Spec(), counter, T0));
    }
}
