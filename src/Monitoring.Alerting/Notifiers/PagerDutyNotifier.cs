using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Notifiers;

/// <summary>A PagerDuty receiver (Alertmanager's <c>pagerduty_configs</c> entry, Events API v2).</summary>
/// <param name="RoutingKey">Integration (routing) key: a secret.</param>
/// <param name="Url">Events endpoint; null for <see cref="DefaultUrl"/>.</param>
/// <param name="Severity">Fixed severity; null to map each notification's <c>severity</c> label.</param>
/// <param name="SendResolved">Send resolve events (Alertmanager's PagerDuty default: true).</param>
/// <param name="Source">Event source; null for the group's common <c>model</c> label, else "monitoring".</param>
public sealed record PagerDutyNotifierOptions(string RoutingKey, Uri? Url = null, string? Severity = null, bool SendResolved = true, string? Source = null)
{
    /// <summary>The Events API v2 endpoint.</summary>
    public static readonly Uri DefaultUrl = new("https://events.pagerduty.com/v2/enqueue");

    /// <summary>Alertmanager's default <c>send_resolved</c> for PagerDuty.</summary>
    public const bool DefaultSendResolved = true;

    /// <summary>The endpoint in use.</summary>
    public Uri EffectiveUrl => Url ?? DefaultUrl;

    /// <summary>The routing key stays out of <c>ToString()</c>.</summary>
    public override string ToString() => $"PagerDutyNotifierOptions {{ Url = {(Url is null ? "default" : "[redacted]")}, RoutingKey = [redacted], Severity = {Severity}, SendResolved = {SendResolved} }}";
}

/// <summary>Sends a notification to PagerDuty as one Events API v2 event per group (<see cref="PagerDutyEvent"/>).</summary>
public sealed class PagerDutyNotifier(PagerDutyNotifierOptions options, HttpDelivery delivery) : INotifier
{
    /// <inheritdoc />
    public string Kind => "pagerduty";

    /// <inheritdoc />
    public bool SendResolved => options.SendResolved;

    /// <inheritdoc />
    public Task<DeliveryResult> SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var selected = AlertFacts.Selected(notification, options.SendResolved);
        if (!selected.Firing.Any() && !options.SendResolved)
        {
            return Task.FromResult(DeliveryResult.Delivered);
        }
        var body = PagerDutyEvent.Serialize(PagerDutyEvent.Build(selected, options));
        var target = new DeliveryTarget(Kind, notification.Receiver, options.EffectiveUrl, [options.RoutingKey], RateLimit.PagerDuty);
        return delivery.PostJsonAsync(target, body, cancellationToken);
    }
}

/// <summary>
/// Builds a PagerDuty Events API v2 event for a group:
/// <list type="bullet">
/// <item><c>event_action</c>: <c>resolve</c> when nothing fires; <c>acknowledge</c> when every firing alert's incident is
/// acknowledged; else <c>trigger</c> (Alertmanager itself never sends <c>acknowledge</c>);</item>
/// <item><c>dedup_key</c>: hex SHA-256 of receiver and group key (64 characters), so trigger, acknowledge and resolve of
/// one group meet in one PagerDuty alert;</item>
/// <item><c>payload</c>: summary (≤ 1024), source, severity (critical|error|warning|info from the most severe
/// <c>severity</c> label, default error), timestamp, component (feature), group (model), class (alert name) and
/// custom_details with the alerts, cut from the end so the whole event stays under 512,000 bytes, saying how many were left out;</item>
/// <item><c>links</c>: runbooks, window pages (HTML, not the JSON report), incidents.</item>
/// <item><c>images</c> (trigger only): each firing incident's evidence chart, <c>{externalURL}/incidents/{id}/chart.png</c>, linking to the incident page.</item>
/// </list>
/// </summary>
public static class PagerDutyEvent
{
    /// <summary>Characters of <c>payload.summary</c>.</summary>
    public const int MaxSummaryChars = 1024;

    /// <summary>Bytes of a whole event (PagerDuty: 512 KB; Alertmanager checks 512,000).</summary>
    public const int MaxEventBytes = 512_000;

    /// <summary>Characters of <c>dedup_key</c>.</summary>
    public const int MaxDedupKeyChars = 255;

    /// <summary>Links per event.</summary>
    public const int MaxLinks = 10;

    /// <summary>Images per trigger event (the evidence charts of the first firing incidents).</summary>
    public const int MaxImages = 3;

    /// <summary>Severity when no label says: PagerDuty's and Alertmanager's default.</summary>
    public const string DefaultSeverity = "error";

    private static readonly string[] SeverityOrder = ["info", "warning", "error", "critical"];

    /// <summary>The event for <paramref name="notification"/> (alerts already filtered for <c>send_resolved</c>).</summary>
    public static JsonObject Build(Notification notification, PagerDutyNotifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(options);
        var firing = notification.Firing.ToList();
        var action = Action(notification);
        var common = notification.CommonLabels;
        var judged = firing.Count > 0 ? firing : notification.Alerts;

        var payload = new JsonObject
        {
            ["summary"] = Summary(notification, firing),
            ["source"] = options.Source ?? (common[AlertFacts.Model] is { Length: > 0 } model ? model : "monitoring"),
            ["severity"] = options.Severity is { } fixedSeverity ? MapSeverity(fixedSeverity) : MostSevere(judged),
            ["timestamp"] = GoTime.Format(notification.Time),
        };
        AddIfAny(payload, "component", common[AlertFacts.Feature]);
        AddIfAny(payload, "group", common[AlertFacts.Model]);
        AddIfAny(payload, "class", common[AlertFacts.AlertName]);

        var message = new JsonObject
        {
            ["routing_key"] = options.RoutingKey,
            ["event_action"] = action,
            ["dedup_key"] = DedupKey(notification.Receiver, notification.GroupKey),
            ["payload"] = payload,
            ["client"] = "Monitoring",
        };
        if (AlertFacts.HttpLink(notification.ExternalUrl) is { } external)
        {
            message["client_url"] = external.AbsoluteUri;
        }
        var links = Links(notification.Alerts);
        if (links.Count > 0)
        {
            message["links"] = links;
        }
        if (action == "trigger" && Images(notification) is { Count: > 0 } images)
        {
            message["images"] = images;
        }
        FitDetails(message, payload, notification);
        return message;
    }

    /// <summary>UTF-8 JSON of an event.</summary>
    public static byte[] Serialize(JsonObject message) => JsonSerializer.SerializeToUtf8Bytes(message);

    /// <summary><c>resolve</c>, <c>acknowledge</c> or <c>trigger</c> (see the type's doc).</summary>
    public static string Action(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var firing = notification.Firing.ToList();
        if (firing.Count == 0)
        {
            return "resolve";
        }
        return firing.All(a => a.Incident is { State: IncidentState.Acknowledged }) ? "acknowledge" : "trigger";
    }

    /// <summary>Hex SHA-256 of receiver and group key: stable, 64 characters (PagerDuty allows 255).</summary>
    public static string DedupKey(string receiver, string groupKey)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        ArgumentNullException.ThrowIfNull(groupKey);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(receiver + "\n" + groupKey));
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// PagerDuty's severity for a label value: critical (critical, page, p1, sev1, fatal, emergency, high), error (error,
    /// p2, sev2, major), warning (warning, warn, ticket, p3, sev3, minor, medium), info (info, p4, p5, low, notice,
    /// none); anything else <see cref="DefaultSeverity"/>.
    /// </summary>
    public static string MapSeverity(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "critical" or "crit" or "page" or "p1" or "sev1" or "fatal" or "emergency" or "high" => "critical",
        "error" or "err" or "p2" or "sev2" or "major" => "error",
        "warning" or "warn" or "ticket" or "p3" or "sev3" or "minor" or "medium" => "warning",
        "info" or "informational" or "p4" or "p5" or "low" or "notice" or "none" => "info",
        _ => DefaultSeverity,
    };

    private static string MostSevere(IEnumerable<NotificationAlert> alerts)
    {
        var best = -1;
        foreach (var alert in alerts)
        {
            best = Math.Max(best, Array.IndexOf(SeverityOrder, MapSeverity(alert.Labels[AlertFacts.Severity])));
        }
        return best < 0 ? DefaultSeverity : SeverityOrder[best];
    }

    private static string Summary(Notification notification, List<NotificationAlert> firing)
    {
        var sb = new StringBuilder(AlertFacts.StatusTag(notification)).Append(' ').Append(AlertFacts.GroupAlertName(notification));
        var context = notification.GroupLabels.Where(p => p.Key != AlertFacts.AlertName).Select(p => $"{p.Key}={p.Value}").ToList();
        if (context.Count > 0)
        {
            sb.Append(" (").Append(string.Join(", ", context)).Append(')');
        }
        var first = (firing.Count > 0 ? firing : notification.Alerts).Select(AlertFacts.SummaryOf).FirstOrDefault(s => s.Length > 0);
        if (first is not null)
        {
            sb.Append(": ").Append(first);
        }
        return AlertFacts.Truncate(AlertFacts.WithoutControlCharacters(sb.ToString()), MaxSummaryChars);
    }

    private static JsonArray Links(IReadOnlyList<NotificationAlert> alerts)
    {
        var links = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alert in alerts)
        {
            var name = alert.Labels[AlertFacts.AlertName];
            Add(alert.Annotations[AlertFacts.RunbookUrl], $"Runbook: {name}");
            Add(AlertFacts.PageUrl(alert.Evidence?.ReportUrl), "Window report");
            Add(alert.Incident?.Url, $"Incident {alert.Incident?.Id}");
        }
        return links;

        void Add(string? url, string text)
        {
            if (links.Count < MaxLinks && AlertFacts.HttpLink(url) is { } uri && seen.Add(uri.AbsoluteUri))
            {
                links.Add(new JsonObject { ["href"] = uri.AbsoluteUri, ["text"] = AlertFacts.Truncate(text, 256) });
            }
        }
    }

    /// <summary>
    /// The evidence charts of the firing alerts with an incident (<c>{externalURL}/incidents/{id}/chart.png</c>, linking to
    /// the incident page), at most <see cref="MaxImages"/>, for a trigger: PagerDuty shows them on the alert.
    /// </summary>
    private static JsonArray Images(Notification notification)
    {
        var images = new JsonArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var alert in notification.Firing)
        {
            if (images.Count == MaxImages)
            {
                break;
            }
            if (AlertFacts.ChartUrl(alert, notification.ExternalUrl) is { } src && seen.Add(src.AbsoluteUri))
            {
                var image = new JsonObject { ["src"] = src.AbsoluteUri };
                if (AlertFacts.HttpLink(alert.Incident?.Url) is { } href)
                {
                    image["href"] = href.AbsoluteUri;
                }
                image["alt"] = AlertFacts.Truncate(AlertFacts.ChartAlt(alert), 256);
                images.Add(image);
            }
        }
        return images;
    }

    /// <summary>Puts as many alerts into custom_details as keep the event under <see cref="MaxEventBytes"/> (binary search on the count).</summary>
    private static void FitDetails(JsonObject message, JsonObject payload, Notification notification)
    {
        var alerts = notification.Alerts.Select(a => AlertDetails(a, notification.Time)).ToList();
        int Size(int count)
        {
            payload["custom_details"] = Details(notification, alerts, count);
            return Serialize(message).Length;
        }
        if (Size(alerts.Count) <= MaxEventBytes)
        {
            return;
        }
        int lo = 0, hi = alerts.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Size(mid) <= MaxEventBytes)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        if (Size(lo) > MaxEventBytes)
        {
            payload["custom_details"] = new JsonObject
            {
                ["error"] = $"custom details left out: the event would be larger than {MaxEventBytes} bytes",
                ["firing"] = notification.Firing.Count(),
                ["resolved"] = notification.Resolved.Count(),
            };
        }
    }

    private static JsonObject Details(Notification notification, List<JsonObject> alerts, int count)
    {
        var details = new JsonObject
        {
            ["firing"] = notification.Firing.Count(),
            ["resolved"] = notification.Resolved.Count(),
            ["group_key"] = notification.GroupKey,
            ["group_labels"] = Labels(notification.GroupLabels),
        };
        if (notification.Reason.Length > 0)
        {
            details["reason"] = notification.Reason;
        }
        if (count < alerts.Count)
        {
            details["alerts_left_out"] = alerts.Count - count;
            details["note"] = $"{alerts.Count - count} of {alerts.Count} alerts left out to keep the event under {MaxEventBytes} bytes";
        }
        details["alerts"] = new JsonArray([.. alerts.Take(count).Select(a => a.DeepClone())]);
        return details;
    }

    private static JsonObject AlertDetails(NotificationAlert alert, DateTimeOffset now)
    {
        var details = new JsonObject
        {
            ["status"] = alert.IsResolved(now) ? "resolved" : "firing",
            ["labels"] = Labels(alert.Labels),
            ["annotations"] = Labels(alert.Annotations),
            ["starts_at"] = GoTime.Format(alert.StartsAt),
            ["fingerprint"] = alert.Fingerprint,
        };
        if (alert.EndsAt is { } end)
        {
            details["ends_at"] = GoTime.Format(end);
        }
        if (alert.Flapping)
        {
            details["flapping"] = true;
        }
        if (alert.Evidence is { } e)
        {
            var evidence = new JsonObject
            {
                ["metric"] = e.Metric,
                ["value"] = AlertFacts.Number(e.Value),
                ["operator"] = e.Operator,
                ["threshold"] = AlertFacts.Number(e.Threshold),
            };
            AddIfAny(evidence, "window_start", e.WindowStart);
            AddIfAny(evidence, "window_end", e.WindowEnd);
            AddIfAny(evidence, "report_url", e.ReportUrl);
            if (e.Details.Count > 0)
            {
                evidence["details"] = new JsonArray([.. e.Details.Select(d => (JsonNode)d)]);
            }
            details["evidence"] = evidence;
        }
        if (alert.Incident is { } incident)
        {
            details["incident"] = new JsonObject
            {
                ["id"] = incident.Id,
                ["state"] = incident.State.ToString().ToLowerInvariant(),
                ["url"] = incident.Url,
            };
        }
        return details;
    }

    private static JsonObject Labels(IEnumerable<KeyValuePair<string, string>> labels)
    {
        var obj = new JsonObject();
        foreach (var (name, value) in labels)
        {
            obj[name] = value;
        }
        return obj;
    }

    private static void AddIfAny(JsonObject obj, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            obj[name] = value;
        }
    }
}
