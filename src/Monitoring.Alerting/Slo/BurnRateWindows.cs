namespace Monitoring.Alerting.Slo;

/// <summary>
/// One multi-window burn-rate condition: it holds when the burn rate over <see cref="LongWindow"/> AND over
/// <see cref="ShortWindow"/> both exceed <see cref="Factor"/> (and the long window has enough events).
/// </summary>
/// <param name="Severity">The alert the condition belongs to.</param>
/// <param name="LongWindow">The window that shows the budget is really being spent.</param>
/// <param name="ShortWindow">One twelfth of the long window: it shows the burn is still going on, so the alert resets soon after it stops.</param>
/// <param name="BudgetShare">Share of the period's error budget that a burn at <see cref="Factor"/> spends in <see cref="LongWindow"/>.</param>
/// <param name="Factor">Burn-rate threshold = budget share x period / long window.</param>
public sealed record BurnRateCondition(SloSeverity Severity, TimeSpan LongWindow, TimeSpan ShortWindow, decimal BudgetShare, double Factor)
{
    /// <summary>
    /// The lowest objective (percent) at which the factor is reachable: factor x (1 - objective) must not exceed 1,
    /// since even 100% errors burn at only 1 / (1 - objective). 14.4x needs objective &gt; 93.06%.
    /// </summary>
    public decimal MinObjectivePercent => 100m * (1m - (1m / (decimal)Factor));

    /// <summary>True when an error ratio of 1 (every event bad) can exceed the factor for this objective.</summary>
    public bool IsReachable(decimal objectivePercent) => (decimal)Factor * (100m - objectivePercent) / 100m <= 1m;

    /// <summary><c>1h/5m</c>.</summary>
    public string WindowsText => $"{Time.PromDuration.Format(LongWindow)}/{Time.PromDuration.Format(ShortWindow)}";
}

/// <summary>
/// The SRE workbook's multi-window, multi-burn-rate alerts ("Alerting on SLOs", recommended parameters) with Sloth's
/// extra ticket window (sloth internal/alert/windows/google-30d.yaml):
/// <list type="table">
/// <item>page: 1h AND 5m, 2% of the budget (14.4x for 30 days)</item>
/// <item>page: 6h AND 30m, 5% of the budget (6x)</item>
/// <item>ticket: 1d AND 2h, 10% of the budget (3x)</item>
/// <item>ticket: 3d AND 6h, 10% of the budget (1x)</item>
/// </list>
/// For an SLO period other than 30 days the windows stay and the factors scale as Sloth's <c>getBurnRateFactor</c>
/// does: factor = budget share x period / long window, so each condition still means "this share of the period's
/// budget spent within the long window" (28 days: 13.44, 5.6, 2.8, 0.933...). Computed in decimal, so 30 days gives
/// exactly 14.4, 6, 3 and 1.
/// </summary>
public static class BurnRateWindows
{
    /// <summary>The longest alert window; an SLO period must be at least this long.</summary>
    public static readonly TimeSpan LongestWindow = TimeSpan.FromDays(3);

    private static readonly (SloSeverity Severity, TimeSpan Long, decimal Share)[] Shape =
    [
        (SloSeverity.Page, TimeSpan.FromHours(1), 0.02m),
        (SloSeverity.Page, TimeSpan.FromHours(6), 0.05m),
        (SloSeverity.Ticket, TimeSpan.FromDays(1), 0.10m),
        (SloSeverity.Ticket, TimeSpan.FromDays(3), 0.10m),
    ];

    /// <summary>The four conditions for an SLO period, page first, fastest first.</summary>
    public static IReadOnlyList<BurnRateCondition> For(TimeSpan period)
    {
        if (period < LongestWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"an SLO period must be at least {Time.PromDuration.Format(LongestWindow)}");
        }
        var conditions = new BurnRateCondition[Shape.Length];
        for (var i = 0; i < Shape.Length; i++)
        {
            var (severity, longWindow, share) = Shape[i];
            var factor = share * period.Ticks / longWindow.Ticks;
            conditions[i] = new BurnRateCondition(severity, longWindow, longWindow / 12, share, (double)factor);
        }
        return conditions;
    }
}
