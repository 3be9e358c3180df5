namespace Monitoring.Alerting.Routing;

/// <summary>
/// A named receiver: the integrations notified for a route. Plain data for the notifiers; Alertmanager's templated
/// text fields (title, text, description ...) are not kept, since our notifiers format their own messages.
/// </summary>
/// <param name="Name">Unique name routes refer to.</param>
/// <param name="Slack">slack_configs entries.</param>
/// <param name="PagerDuty">pagerduty_configs entries.</param>
/// <param name="Webhooks">webhook_configs entries.</param>
/// <param name="UnsupportedIntegrations">
/// Other Alertmanager integrations present in the file (e.g. <c>email_configs</c>) that nothing here sends to; the host
/// should warn about them. A receiver with none of the three lists above is valid (it drops notifications, as in
/// Alertmanager).
/// </param>
/// <param name="Path">Where it is in the file, e.g. <c>receivers[2]</c>.</param>
public sealed record Receiver(
    string Name,
    IReadOnlyList<SlackReceiverConfig> Slack,
    IReadOnlyList<PagerDutyReceiverConfig> PagerDuty,
    IReadOnlyList<WebhookReceiverConfig> Webhooks,
    IReadOnlyList<string> UnsupportedIntegrations,
    string Path);

/// <summary>One Slack incoming webhook (<c>slack_configs</c> entry).</summary>
/// <param name="ApiUrl">The incoming-webhook URL: api_url, the contents of api_url_file, or the global slack_api_url(_file).</param>
/// <param name="Channel">Channel override (<c>#alerts</c>), or null for the webhook's own channel.</param>
/// <param name="Username">Username override, or null.</param>
/// <param name="SendResolved">Whether resolved notifications are sent; Alertmanager's default for Slack is false.</param>
/// <param name="Path">Where it is in the file, e.g. <c>receivers[0].slack_configs[0]</c>.</param>
public sealed record SlackReceiverConfig(Secret ApiUrl, string? Channel, string? Username, bool SendResolved, string Path)
{
    /// <summary>Alertmanager's default send_resolved for Slack.</summary>
    public const bool DefaultSendResolved = false;
}

/// <summary>One PagerDuty Events API v2 integration (<c>pagerduty_configs</c> entry).</summary>
/// <param name="RoutingKey">The integration key: routing_key or the contents of routing_key_file.</param>
/// <param name="Url">Events API URL: url, else the global pagerduty_url (default https://events.pagerduty.com/v2/enqueue).</param>
/// <param name="Severity">Event severity (critical, error, warning, info); Alertmanager's default is <c>error</c>.</param>
/// <param name="SendResolved">Whether resolve events are sent; default true.</param>
/// <param name="Path">Where it is in the file.</param>
public sealed record PagerDutyReceiverConfig(Secret RoutingKey, Uri Url, string Severity, bool SendResolved, string Path)
{
    /// <summary>Default severity.</summary>
    public const string DefaultSeverity = "error";

    /// <summary>Alertmanager's default send_resolved for PagerDuty.</summary>
    public const bool DefaultSendResolved = true;
}

/// <summary>One webhook (<c>webhook_configs</c> entry) receiving Alertmanager's webhook payload (version 4).</summary>
/// <param name="Url">Endpoint: url or the contents of url_file (an http or https URL).</param>
/// <param name="MaxAlerts">Most alerts per payload; 0 = all.</param>
/// <param name="Timeout">Per-request timeout (Alertmanager 0.28+ <c>timeout</c>), or null for the default.</param>
/// <param name="SendResolved">Whether resolved notifications are sent; default true.</param>
/// <param name="Path">Where it is in the file.</param>
public sealed record WebhookReceiverConfig(Secret Url, int MaxAlerts, TimeSpan? Timeout, bool SendResolved, string Path)
{
    /// <summary>Alertmanager's default send_resolved for webhooks.</summary>
    public const bool DefaultSendResolved = true;
}
