using System.Text.Json.Serialization;

namespace Monitoring.Abstractions.Alerts;

/// <summary>What an alert fired on (wire form of the alerting project's evidence).</summary>
[GenerateSerializer, Immutable, Alias("monitoring.alert-evidence")]
public sealed record EvidenceView
{
    /// <summary>Metric name.</summary>
    [Id(0)] public required string Metric { get; init; }
    /// <summary>Value at the evaluation.</summary>
    [Id(1)] public double Value { get; init; }
    /// <summary>Comparison.</summary>
    [Id(2)] public required string Operator { get; init; }
    /// <summary>Threshold.</summary>
    [Id(3)] public double Threshold { get; init; }
    /// <summary>Window start (ISO 8601).</summary>
    [Id(4)] public string? WindowStart { get; init; }
    /// <summary>Window end.</summary>
    [Id(5)] public string? WindowEnd { get; init; }
    /// <summary>Report URL.</summary>
    [Id(6)] public string? ReportUrl { get; init; }
    /// <summary>Further evidence lines (worst slices).</summary>
    [Id(7)] public string[] Details { get; init; } = [];
}

/// <summary>One alert of a model's rules: pending or firing (<c>GET /api/alerts</c>), or resolved (to the notifier).</summary>
[GenerateSerializer, Immutable, Alias("monitoring.alert-view")]
public sealed record AlertView
{
    /// <summary>Rule identity (group/name/hash).</summary>
    [Id(0)] public required string Rule { get; init; }
    /// <summary>Labels, <c>alertname</c> included.</summary>
    [Id(1)] public required Dictionary<string, string> Labels { get; init; }
    /// <summary>Annotations after templating.</summary>
    [Id(2)] public Dictionary<string, string> Annotations { get; init; } = [];
    /// <summary><c>pending</c>, <c>firing</c> or <c>resolved</c>.</summary>
    [Id(3)] public required string State { get; init; }
    /// <summary>When the condition started holding.</summary>
    [Id(4)] public DateTimeOffset ActiveAt { get; init; }
    /// <summary>When it fired.</summary>
    [Id(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? FiredAt { get; init; }
    /// <summary>When it resolved.</summary>
    [Id(6), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DateTimeOffset? ResolvedAt { get; init; }
    /// <summary>Value at the last evaluation where the condition held.</summary>
    [Id(7)] public double Value { get; init; }
    /// <summary>Held firing by flap damping.</summary>
    [Id(8)] public bool Flapping { get; init; }
    /// <summary>What it fired on.</summary>
    [Id(9)] public EvidenceView? Evidence { get; init; }
    /// <summary>Alertmanager's fingerprint of the labels.</summary>
    [Id(10)] public required string Fingerprint { get; init; }
}

/// <summary>One entry of an incident's timeline.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.incident-event")]
public sealed record IncidentEventView([property: Id(0)] DateTimeOffset Time, [property: Id(1)] string Event, [property: Id(2)] string Detail);

/// <summary>An incident (<c>GET /api/incidents</c>).</summary>
[GenerateSerializer, Immutable, Alias("monitoring.incident-view")]
public sealed record IncidentView
{
    /// <summary>Id.</summary>
    [Id(0)] public required string Id { get; init; }
    /// <summary><c>triggered</c>, <c>acknowledged</c> or <c>resolved</c>.</summary>
    [Id(1)] public required string State { get; init; }
    /// <summary>Alert name.</summary>
    [Id(2)] public required string Alert { get; init; }
    /// <summary>Alert labels.</summary>
    [Id(3)] public required Dictionary<string, string> Labels { get; init; }
    /// <summary>Annotations.</summary>
    [Id(4)] public Dictionary<string, string> Annotations { get; init; } = [];
    /// <summary>Alert fingerprint.</summary>
    [Id(5)] public required string Fingerprint { get; init; }
    /// <summary>When it fired.</summary>
    [Id(6)] public DateTimeOffset TriggeredAt { get; init; }
    /// <summary>When it was acknowledged.</summary>
    [Id(7)] public DateTimeOffset? AcknowledgedAt { get; init; }
    /// <summary>Who acknowledged it.</summary>
    [Id(8)] public string? AcknowledgedBy { get; init; }
    /// <summary>When it resolved.</summary>
    [Id(9)] public DateTimeOffset? ResolvedAt { get; init; }
    /// <summary>Who resolved it (<c>alert</c> when it resolved by itself).</summary>
    [Id(10)] public string? ResolvedBy { get; init; }
    /// <summary>What it fired on.</summary>
    [Id(11)] public EvidenceView? Evidence { get; init; }
    /// <summary>Runbook link (http(s) or a path on this system), when the rule gives one.</summary>
    [Id(12)] public string? RunbookUrl { get; init; }
    /// <summary>Held firing by flap damping.</summary>
    [Id(13)] public bool Flapping { get; init; }
    /// <summary>Timeline, oldest first.</summary>
    [Id(14)] public IncidentEventView[] Timeline { get; init; } = [];
}

/// <summary>A silence (<c>GET /api/silences</c>).</summary>
[GenerateSerializer, Immutable, Alias("monitoring.silence-view")]
public sealed record SilenceView
{
    /// <summary>Id.</summary>
    [Id(0)] public required string Id { get; init; }
    /// <summary>Matchers as written, e.g. <c>model="credit-risk"</c>.</summary>
    [Id(1)] public required string[] Matchers { get; init; }
    /// <summary>Start.</summary>
    [Id(2)] public DateTimeOffset StartsAt { get; init; }
    /// <summary>End.</summary>
    [Id(3)] public DateTimeOffset EndsAt { get; init; }
    /// <summary>Creator.</summary>
    [Id(4)] public required string CreatedBy { get; init; }
    /// <summary>Comment.</summary>
    [Id(5)] public required string Comment { get; init; }
    /// <summary><c>pending</c>, <c>active</c> or <c>expired</c>.</summary>
    [Id(6)] public required string State { get; init; }
    /// <summary>Recurring schedule (Alertmanager time intervals as YAML-like text), null for a one-off silence.</summary>
    [Id(7)] public RecurrenceRequest? Recurrence { get; init; }
    /// <summary>
    /// The one tenant whose alerts it mutes (the tenant of the key that made it), whatever its matchers say; null for a
    /// silence of every tenant (open mode, an operator key, and silences stored before this field existed).
    /// </summary>
    [Id(8)] public string? Tenant { get; init; }
}

/// <summary>A recurring maintenance window: Alertmanager <c>time_interval</c> fields, in a time zone.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.recurrence")]
public sealed record RecurrenceRequest
{
    /// <summary><c>HH:MM-HH:MM</c> ranges (end exclusive), e.g. <c>02:00-04:00</c>.</summary>
    [Id(0)] public string[] Times { get; init; } = [];
    /// <summary>Weekdays or ranges, e.g. <c>monday:friday</c>, <c>sunday</c> (ranges run within sunday..saturday).</summary>
    [Id(1)] public string[] Weekdays { get; init; } = [];
    /// <summary>Days of month or ranges (negative from month end).</summary>
    [Id(2)] public string[] DaysOfMonth { get; init; } = [];
    /// <summary>Months or ranges (names or numbers).</summary>
    [Id(3)] public string[] Months { get; init; } = [];
    /// <summary>IANA time zone (default UTC).</summary>
    [Id(4)] public string? Location { get; init; }
}

/// <summary>A silence to create (<c>POST /api/silences</c>).</summary>
[GenerateSerializer, Immutable, Alias("monitoring.silence-request")]
public sealed record SilenceRequest
{
    /// <summary>Matchers, e.g. <c>["model=\"credit-risk\"", "severity=~\"page|ticket\""]</c>.</summary>
    [Id(0)] public string[] Matchers { get; init; } = [];
    /// <summary>Start (default now).</summary>
    [Id(1)] public DateTimeOffset? StartsAt { get; init; }
    /// <summary>End (required).</summary>
    [Id(2)] public DateTimeOffset? EndsAt { get; init; }
    /// <summary>Who creates it (required).</summary>
    [Id(3)] public string? CreatedBy { get; init; }
    /// <summary>Why (required).</summary>
    [Id(4)] public string? Comment { get; init; }
    /// <summary>Optional recurrence: mutes only inside the schedule, between start and end.</summary>
    [Id(5)] public RecurrenceRequest? Recurrence { get; init; }
    /// <summary>
    /// The one tenant whose alerts it may mute, or null for every tenant. The silo sets it from the caller's key (a
    /// tenant key's silence is always its tenant's); only open mode and an operator key may choose it.
    /// </summary>
    [Id(6)] public string? Tenant { get; init; }
}

/// <summary>The result of a test notification to a receiver.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.receiver-test")]
public sealed record ReceiverTestResult
{
    /// <summary>Receiver.</summary>
    [Id(0)] public required string Receiver { get; init; }
    /// <summary>Per integration: kind and outcome (no URL, no key).</summary>
    [Id(1)] public required ReceiverTestIntegration[] Integrations { get; init; }
}

/// <summary>One integration's test outcome.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.receiver-test-integration")]
public sealed record ReceiverTestIntegration([property: Id(0)] string Kind, [property: Id(1)] bool Delivered, [property: Id(2)] string? Error, [property: Id(3)] int? StatusCode);

/// <summary>One burn-rate window of an SLO status.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.slo-window")]
public sealed record SloWindowView(
    [property: Id(0)] string Window, [property: Id(1)] long Good, [property: Id(2)] long Total,
    [property: Id(3)] double ErrorRatio, [property: Id(4)] double BurnRate);

/// <summary>One alert decision (page or ticket) of an SLO status.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.slo-decision")]
public sealed record SloDecisionView(
    [property: Id(0)] string Severity, [property: Id(1)] bool Disabled, [property: Id(2)] bool Firing,
    [property: Id(3)] string Reason, [property: Id(4)] double? BurnRate, [property: Id(5)] double? Factor);

/// <summary>An SLO of one model at one instant (<c>GET /api/slos</c>).</summary>
[GenerateSerializer, Immutable, Alias("monitoring.slo-status")]
public sealed record SloStatusView
{
    /// <summary>SLO name.</summary>
    [Id(0)] public required string Slo { get; init; }
    /// <summary>Tenant.</summary>
    [Id(1)] public required string Tenant { get; init; }
    /// <summary>Model.</summary>
    [Id(2)] public required string Model { get; init; }
    /// <summary>When evaluated.</summary>
    [Id(3)] public DateTimeOffset EvaluatedAt { get; init; }
    /// <summary>Objective as a ratio (0.99).</summary>
    [Id(4)] public double Objective { get; init; }
    /// <summary>1 - errors / allowed errors over the period (negative when overspent).</summary>
    [Id(5)] public double ErrorBudgetRemaining { get; init; }
    /// <summary>Events in the period.</summary>
    [Id(6)] public long PeriodEvents { get; init; }
    /// <summary>Burn-rate windows, shortest first, the period last.</summary>
    [Id(7)] public SloWindowView[] Windows { get; init; } = [];
    /// <summary>The page decision.</summary>
    [Id(8)] public required SloDecisionView Page { get; init; }
    /// <summary>The ticket decision.</summary>
    [Id(9)] public required SloDecisionView Ticket { get; init; }
}
