using Monitoring.Alerting.Labels;

namespace Monitoring.Alerting.Notify;

/// <summary>Lifecycle of an incident (one per alert fingerprint).</summary>
public enum IncidentState
{
    /// <summary>Firing and nobody has acknowledged it.</summary>
    Triggered,
    /// <summary>Someone took it: no repeat notifications; PagerDuty receives <c>acknowledge</c>.</summary>
    Acknowledged,
    /// <summary>The alert resolved, or someone resolved it by hand.</summary>
    Resolved,
}

/// <summary>The incident an alert belongs to, with the links a notification shows.</summary>
/// <param name="Id">Incident id (stable, URL-safe).</param>
/// <param name="State">State when the notification was made.</param>
/// <param name="Url">Absolute URL of the incident page.</param>
/// <param name="AckUrl">Absolute URL that acknowledges it (a page with a form; GET never changes state).</param>
public sealed record IncidentRef(string Id, IncidentState State, string Url, string AckUrl);

/// <summary>What an alert fired on: the value, the threshold it crossed and the window it was judged in.</summary>
/// <param name="Metric">Metric name, e.g. <c>feature_psi</c>.</param>
/// <param name="Value">Value at the evaluation.</param>
/// <param name="Operator">Comparison, e.g. <c>&gt;</c>.</param>
/// <param name="Threshold">The number it was compared with.</param>
/// <param name="WindowStart">Start of the window evaluated (ISO 8601), when the metric belongs to a window.</param>
/// <param name="WindowEnd">End of that window.</param>
/// <param name="ReportUrl">Absolute URL of the window's report.</param>
/// <param name="Details">Further evidence lines (e.g. the worst slices), already formatted, at most a few.</param>
public sealed record AlertEvidence(
    string Metric, double Value, string Operator, double Threshold,
    string? WindowStart, string? WindowEnd, string? ReportUrl, IReadOnlyList<string> Details);

/// <summary>
/// One alert as the notification pipeline sees it, shaped like Alertmanager's: labels identify it (the fingerprint is
/// the label set's), annotations describe it.
/// </summary>
public sealed record NotificationAlert
{
    /// <summary>Identifying labels, including <c>alertname</c>.</summary>
    public required LabelSet Labels { get; init; }

    /// <summary>Annotations after templating (<c>summary</c>, <c>description</c>, <c>runbook_url</c>, ...).</summary>
    public LabelSet Annotations { get; init; } = LabelSet.Empty;

    /// <summary>When the alert started firing.</summary>
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>When it resolved; null while firing.</summary>
    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>Link back to what produced it (the rule or the window report).</summary>
    public string GeneratorUrl { get; init; } = string.Empty;

    /// <summary>The value and threshold it fired on, when known.</summary>
    public AlertEvidence? Evidence { get; init; }

    /// <summary>The incident, when incidents are tracked for it.</summary>
    public IncidentRef? Incident { get; init; }

    /// <summary>True when the alert is marked flapping (held firing by flap damping).</summary>
    public bool Flapping { get; init; }

    /// <summary>Resolved when <see cref="EndsAt"/> is set and not after <paramref name="now"/>.</summary>
    public bool IsResolved(DateTimeOffset now) => EndsAt is { } end && end <= now;

    /// <summary>Alertmanager's fingerprint of the labels (16 hex digits).</summary>
    public string Fingerprint => Labels.FingerprintHex;
}

/// <summary>
/// One notification for one receiver: an aggregation group's alerts at one flush, as Alertmanager hands them to an
/// integration.
/// </summary>
public sealed record Notification
{
    /// <summary>Receiver name from the configuration.</summary>
    public required string Receiver { get; init; }

    /// <summary>Alertmanager's group key: the route's path of matchers and the group labels, e.g. <c>{}:{model="m"}</c>.</summary>
    public required string GroupKey { get; init; }

    /// <summary>Labels the group was formed by (<c>group_by</c>).</summary>
    public required LabelSet GroupLabels { get; init; }

    /// <summary>The group's alerts at the flush, firing and resolved.</summary>
    public required IReadOnlyList<NotificationAlert> Alerts { get; init; }

    /// <summary>Base URL of this system, for links (<c>Monitoring:Host:ExternalUrl</c>).</summary>
    public required string ExternalUrl { get; init; }

    /// <summary>Why it is sent (Alertmanager's dedup reasons: "first notification", "new alerts added", ...).</summary>
    public string Reason { get; init; } = string.Empty;

    /// <summary>When the flush happened.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Firing alerts at <see cref="Time"/>.</summary>
    public IEnumerable<NotificationAlert> Firing => Alerts.Where(a => !a.IsResolved(Time));

    /// <summary>Resolved alerts at <see cref="Time"/>.</summary>
    public IEnumerable<NotificationAlert> Resolved => Alerts.Where(a => a.IsResolved(Time));

    /// <summary>"firing" when any alert fires, else "resolved" (Alertmanager's group status).</summary>
    public string Status => Firing.Any() ? "firing" : "resolved";

    /// <summary>Labels every alert has with the same value.</summary>
    public LabelSet CommonLabels => Common(Alerts.Select(a => a.Labels));

    /// <summary>Annotations every alert has with the same value.</summary>
    public LabelSet CommonAnnotations => Common(Alerts.Select(a => a.Annotations));

    private static LabelSet Common(IEnumerable<LabelSet> sets)
    {
        LabelSet? common = null;
        foreach (var set in sets)
        {
            common = common is null ? set : LabelSet.From(common.Where(p => set.TryGetValue(p.Key, out var v) && v == p.Value));
        }
        return common ?? LabelSet.Empty;
    }
}

/// <summary>The outcome of one delivery attempt.</summary>
/// <param name="Success">Delivered (2xx, or the receiver's own success signal).</param>
/// <param name="Retryable">A failure worth retrying (5xx, 429, timeout, connection error).</param>
/// <param name="RetryAfter">The receiver's <c>Retry-After</c>, when it sent one.</param>
/// <param name="Error">What went wrong, without any secret (no URL, no key), e.g. "HTTP 503".</param>
/// <param name="StatusCode">HTTP status, when there was a response.</param>
public sealed record DeliveryResult(bool Success, bool Retryable, TimeSpan? RetryAfter, string? Error, int? StatusCode)
{
    /// <summary>Delivered.</summary>
    public static readonly DeliveryResult Delivered = new(true, false, null, null, null);
}

/// <summary>One receiver integration (a Slack webhook, a PagerDuty routing key, a webhook URL, ...).</summary>
public interface INotifier
{
    /// <summary>Integration kind: <c>slack</c>, <c>pagerduty</c>, <c>webhook</c>, <c>console</c>.</summary>
    string Kind { get; }

    /// <summary>Whether resolved notifications are sent (<c>send_resolved</c>).</summary>
    bool SendResolved { get; }

    /// <summary>Sends one notification once (no retry; the pipeline's retry stage retries).</summary>
    Task<DeliveryResult> SendAsync(Notification notification, CancellationToken cancellationToken);
}
