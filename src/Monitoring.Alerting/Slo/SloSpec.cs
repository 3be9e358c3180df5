using Monitoring.Alerting.Labels;

namespace Monitoring.Alerting.Slo;

/// <summary>The two alerts an SLO raises: a page for fast burns, a ticket for slow ones (Sloth's page/ticket).</summary>
public enum SloSeverity
{
    /// <summary>Fast burn: someone should look now.</summary>
    Page,
    /// <summary>Slow burn: the budget runs out within the period if nothing changes.</summary>
    Ticket,
}

/// <summary>How an event is judged good or bad. Exactly one kind per SLO.</summary>
public abstract record SloIndicator
{
    /// <summary>The kind as written in a rule file (<c>latency</c>, <c>label_agreement</c>).</summary>
    public abstract string Kind { get; }
}

/// <summary>Good = a prediction served within <see cref="ThresholdMs"/> (<c>ml.prediction.latency_ms &lt;= threshold</c>).</summary>
/// <param name="ThresholdMs">Latency threshold in milliseconds, positive and finite.</param>
public sealed record LatencyIndicator(double ThresholdMs) : SloIndicator
{
    /// <inheritdoc />
    public override string Kind => "latency";

    /// <summary>True when a prediction with this latency is a good event (inclusive threshold).</summary>
    public bool IsGood(double latencyMs) => latencyMs <= ThresholdMs;
}

/// <summary>
/// Good = a labelled prediction whose prediction agrees with its label. Only labelled predictions are events, and each
/// is counted when its label joins, at the prediction's event time (so it lands late, in an old bucket).
/// </summary>
public sealed record LabelAgreementIndicator : SloIndicator
{
    /// <inheritdoc />
    public override string Kind => "label_agreement";
}

/// <summary>One of an SLO's two alerts as configured.</summary>
/// <param name="Disabled">True when the alert is switched off (<c>disable: true</c>); its conditions are still reported.</param>
/// <param name="Labels">Labels the alert carries (e.g. <c>severity</c>), on top of <c>slo</c> and the model's.</param>
/// <param name="Annotations">Annotations (<c>summary</c>, <c>runbook_url</c>, ...).</param>
public sealed record SloAlertSpec(bool Disabled, LabelSet Labels, LabelSet Annotations)
{
    /// <summary>An enabled alert with only a <c>severity</c> label (the default when a rule file says nothing).</summary>
    public static SloAlertSpec Default(SloSeverity severity) =>
        new(false, LabelSet.Of("severity", severity == SloSeverity.Page ? "page" : "ticket"), LabelSet.Empty);
}

/// <summary>
/// A service level objective over a model's predictions (one <c>slos:</c> entry of a rule file, Sloth-shaped):
/// at least <see cref="ObjectivePercent"/> percent of events in every rolling <see cref="Window"/> are good.
/// </summary>
public sealed record SloSpec
{
    /// <summary>SLO window when a rule file does not give one (Sloth's and the SRE workbook's 30 days).</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(30);

    /// <summary>Events the long window of a condition needs before that condition may fire.</summary>
    public const long DefaultMinEvents = 100;

    /// <summary>Unique name within the rule files (<c>credit-risk-latency</c>).</summary>
    public required string Name { get; init; }

    /// <summary>
    /// Which models the SLO applies to: matchers over the <c>tenant</c> and <c>model</c> labels (an empty list matches
    /// every model). Each matching model keeps its own counter and is judged alone.
    /// </summary>
    public required IReadOnlyList<Matcher> Model { get; init; }

    /// <summary>Objective in percent, in (0, 100), e.g. 99.9. Kept as a decimal so that the budget is exact.</summary>
    public required decimal ObjectivePercent { get; init; }

    /// <summary>The rolling SLO period (at least 3 days, a whole number of hours).</summary>
    public TimeSpan Window { get; init; } = DefaultWindow;

    /// <summary>Minimum events in a condition's long window for it to fire (at least 1).</summary>
    public long MinEvents { get; init; } = DefaultMinEvents;

    /// <summary>How events are judged.</summary>
    public required SloIndicator Sli { get; init; }

    /// <summary>The fast-burn alert.</summary>
    public SloAlertSpec Page { get; init; } = SloAlertSpec.Default(SloSeverity.Page);

    /// <summary>The slow-burn alert.</summary>
    public SloAlertSpec Ticket { get; init; } = SloAlertSpec.Default(SloSeverity.Ticket);

    /// <summary>Free text from the rule file, if any.</summary>
    public string? Description { get; init; }

    /// <summary>The rule file it came from (empty when built in code).</summary>
    public string Source { get; init; } = string.Empty;

    /// <summary>1-based line of the entry in <see cref="Source"/> (0 when built in code).</summary>
    public int Line { get; init; }

    /// <summary>The objective as a ratio (99.9 -> 0.999).</summary>
    public double Objective => (double)(ObjectivePercent / 100m);

    /// <summary>
    /// The error budget 1 - objective as a ratio (99.9 -> 0.001), computed in decimal so that it is the double nearest
    /// the exact budget (Sloth's float arithmetic prints 0.0009999999999999432).
    /// </summary>
    public double ErrorBudget => (double)((100m - ObjectivePercent) / 100m);

    /// <summary>The alert of a severity.</summary>
    public SloAlertSpec Alert(SloSeverity severity) => severity == SloSeverity.Page ? Page : Ticket;
}
