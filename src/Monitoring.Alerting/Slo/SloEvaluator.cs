using System.Globalization;
using Monitoring.Alerting.Time;

namespace Monitoring.Alerting.Slo;

/// <summary>Error ratio and burn rate over one window.</summary>
/// <param name="Window">Window length.</param>
/// <param name="Resolution">Bucket width the window was summed at (its edges are rounded down to it).</param>
/// <param name="Counts">Good and total events in the window.</param>
/// <param name="ErrorRatio">Bad / total; 0 when the window has no events.</param>
/// <param name="BurnRate">Error ratio / error budget: 1 spends exactly the budget over the period.</param>
public sealed record SloWindowStatus(TimeSpan Window, TimeSpan Resolution, SloCounts Counts, double ErrorRatio, double BurnRate)
{
    /// <summary><c>5m</c>, <c>1h</c>, <c>30d</c> (whole days as days, as Sloth names its windows, not Prometheus' <c>4w2d</c>).</summary>
    public string Name => Window.Ticks % TimeSpan.TicksPerDay == 0
        ? $"{Window.Ticks / TimeSpan.TicksPerDay}d"
        : PromDuration.Format(Window);
}

/// <summary>What a condition concluded.</summary>
public enum SloConditionState
{
    /// <summary>At least one of the two burn rates is at or below the factor.</summary>
    Quiet,
    /// <summary>Both burn rates exceed the factor but the long window has fewer than min_events events.</summary>
    Held,
    /// <summary>Both burn rates exceed the factor and the long window has enough events.</summary>
    Firing,
}

/// <summary>One burn-rate condition evaluated.</summary>
/// <param name="Condition">The condition.</param>
/// <param name="Long">The long window.</param>
/// <param name="Short">The short window.</param>
/// <param name="State">Quiet, held or firing.</param>
/// <param name="Explanation">One line saying why, e.g. <c>held: 37 events in the 1h window, fewer than min_events 100</c>.</param>
public sealed record SloConditionStatus(BurnRateCondition Condition, SloWindowStatus Long, SloWindowStatus Short, SloConditionState State, string Explanation);

/// <summary>One of the SLO's alerts evaluated.</summary>
/// <param name="Severity">Page or ticket.</param>
/// <param name="Disabled">True when the alert is switched off: never firing, conditions still shown.</param>
/// <param name="Firing">True when a condition fires and the alert is enabled.</param>
/// <param name="FiredBy">The first firing condition (fastest first), or null.</param>
/// <param name="Conditions">Both conditions of the alert, fastest first.</param>
/// <param name="Reason">The firing condition's explanation, else the first held one's, else a quiet summary.</param>
public sealed record SloAlertDecision(
    SloSeverity Severity, bool Disabled, bool Firing, SloConditionStatus? FiredBy, IReadOnlyList<SloConditionStatus> Conditions, string Reason);

/// <summary>An SLO evaluated at one instant (the figures of Sloth's recording rules, plus the decisions).</summary>
/// <param name="Slo">The SLO's name.</param>
/// <param name="EvaluatedAt">The instant.</param>
/// <param name="Objective">Objective as a ratio (0.999).</param>
/// <param name="ErrorBudget">1 - objective (0.001).</param>
/// <param name="Windows">5m, 30m, 1h, 2h, 6h, 1d, 3d and the period, shortest first.</param>
/// <param name="Period">The period window (also the last of <paramref name="Windows"/>).</param>
/// <param name="ErrorBudgetRemaining">
/// 1 - errors / allowed errors over the period; allowed = budget x the period's events, extrapolated at the observed
/// rate while less than a period has been counted. 1 = untouched, 0 = spent, negative = overspent.
/// </param>
/// <param name="Page">The page decision.</param>
/// <param name="Ticket">The ticket decision.</param>
public sealed record SloStatus(
    string Slo, DateTimeOffset EvaluatedAt, double Objective, double ErrorBudget, IReadOnlyList<SloWindowStatus> Windows,
    SloWindowStatus Period, double ErrorBudgetRemaining, SloAlertDecision Page, SloAlertDecision Ticket)
{
    /// <summary>Events in the period.</summary>
    public long PeriodEvents => Period.Counts.Total;

    /// <summary>The status of a window by length; throws when it was not evaluated.</summary>
    public SloWindowStatus Window(TimeSpan window) =>
        Windows.FirstOrDefault(w => w.Window == window) ?? throw new ArgumentOutOfRangeException(nameof(window), window, "window not evaluated");
}

/// <summary>
/// Multi-window, multi-burn-rate evaluation of an SLO (<see cref="BurnRateWindows"/>). Burn rate = error ratio /
/// (1 - objective). A condition fires when its long AND short burn rates both exceed its factor (strictly) and its long
/// window holds at least min_events events, so three bad requests at night cannot page. An alert fires when either
/// of its conditions fires.
/// </summary>
public static class SloEvaluator
{
    /// <summary>Evaluates <paramref name="spec"/> over <paramref name="counter"/> at <paramref name="now"/>. Does not change the counter.</summary>
    public static SloStatus Evaluate(SloSpec spec, SloCounter counter, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(counter);
        if (counter.Period != spec.Window)
        {
            throw new ArgumentException(
                $"the counter's period {PromDuration.Format(counter.Period)} is not the SLO's window {PromDuration.Format(spec.Window)}", nameof(counter));
        }
        var budget = spec.ErrorBudget;
        var conditions = BurnRateWindows.For(spec.Window);
        var lengths = conditions.SelectMany(c => new[] { c.ShortWindow, c.LongWindow }).Append(spec.Window).Distinct().Order().ToList();
        var windows = lengths.Select(w => Window(counter, w, now, budget)).ToList();
        var byLength = windows.ToDictionary(w => w.Window);
        var period = byLength[spec.Window];

        var evaluated = conditions
            .Select(c => EvaluateCondition(c, byLength[c.LongWindow], byLength[c.ShortWindow], spec.MinEvents))
            .ToList();
        return new SloStatus(
            spec.Name, now, spec.Objective, budget, windows, period, BudgetRemaining(counter, period, now),
            Decide(SloSeverity.Page, spec.Page, evaluated), Decide(SloSeverity.Ticket, spec.Ticket, evaluated));
    }

    /// <summary>
    /// 1 - period burn rate x counted share of the period: the period's allowed errors are budget x its events, and
    /// while the counter has seen less than a period the events of the rest are extrapolated at the observed rate.
    /// A steady burn of 1.0 leaves 50% after 15 of 30 days and 0% after 30.
    /// </summary>
    private static double BudgetRemaining(SloCounter counter, SloWindowStatus period, DateTimeOffset now)
    {
        if (period.Counts.Total == 0)
        {
            return 1;
        }
        var resolution = period.Resolution.Ticks;
        var counted = (now.UtcTicks / resolution - counter.Since.UtcTicks / resolution) * resolution;
        var share = Math.Clamp((double)counted / period.Window.Ticks, (double)resolution / period.Window.Ticks, 1.0);
        return 1 - (period.BurnRate * share);
    }

    private static SloWindowStatus Window(SloCounter counter, TimeSpan window, DateTimeOffset now, double budget)
    {
        var counts = counter.Sum(window, now);
        var ratio = counts.ErrorRatio;
        return new SloWindowStatus(window, counter.ResolutionOf(window), counts, ratio, ratio / budget);
    }

    private static SloConditionStatus EvaluateCondition(BurnRateCondition c, SloWindowStatus longWindow, SloWindowStatus shortWindow, long minEvents)
    {
        var factor = Number(c.Factor);
        if (!(longWindow.BurnRate > c.Factor && shortWindow.BurnRate > c.Factor))
        {
            return new(c, longWindow, shortWindow, SloConditionState.Quiet,
                $"quiet: {longWindow.Name} burn {Number(longWindow.BurnRate)} and {shortWindow.Name} burn {Number(shortWindow.BurnRate)} not both above {factor}");
        }
        if (longWindow.Counts.Total < minEvents)
        {
            return new(c, longWindow, shortWindow, SloConditionState.Held,
                $"held: {longWindow.Counts.Total} events in the {longWindow.Name} window, fewer than min_events {minEvents}");
        }
        return new(c, longWindow, shortWindow, SloConditionState.Firing,
            $"firing: {longWindow.Name} burn {Number(longWindow.BurnRate)} AND {shortWindow.Name} burn {Number(shortWindow.BurnRate)} above {factor}");
    }

    private static SloAlertDecision Decide(SloSeverity severity, SloAlertSpec alert, List<SloConditionStatus> all)
    {
        var mine = all.Where(c => c.Condition.Severity == severity).ToList();
        var fired = mine.FirstOrDefault(c => c.State == SloConditionState.Firing);
        var held = mine.FirstOrDefault(c => c.State == SloConditionState.Held);
        if (alert.Disabled)
        {
            return new(severity, true, false, null, mine, "disabled");
        }
        var reason = fired?.Explanation ?? held?.Explanation ?? string.Join("; ", mine.Select(c => c.Explanation));
        return new(severity, false, fired is not null, fired, mine, reason);
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
