using System.Text;
using System.Text.Json;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Notifiers;

/// <summary>A webhook receiver (Alertmanager's <c>webhook_configs</c> entry).</summary>
/// <param name="Url">Target URL: a secret (it often carries a token).</param>
/// <param name="MaxAlerts">Most alerts per message; 0 sends all (Alertmanager's <c>max_alerts</c>).</param>
/// <param name="SendResolved">Send resolved alerts (Alertmanager's webhook default: true).</param>
public sealed record WebhookNotifierOptions(Uri Url, int MaxAlerts = 0, bool SendResolved = true)
{
    /// <summary>Alertmanager's default <c>send_resolved</c> for webhooks.</summary>
    public const bool DefaultSendResolved = true;

    /// <summary>The URL stays out of <c>ToString()</c>.</summary>
    public override string ToString() => $"WebhookNotifierOptions {{ Url = [redacted], MaxAlerts = {MaxAlerts}, SendResolved = {SendResolved} }}";
}

/// <summary>POSTs Alertmanager's webhook payload, version 4 (<see cref="WebhookPayload"/>).</summary>
public sealed class WebhookNotifier(WebhookNotifierOptions options, HttpDelivery delivery) : INotifier
{
    /// <inheritdoc />
    public string Kind => "webhook";

    /// <inheritdoc />
    public bool SendResolved => options.SendResolved;

    /// <inheritdoc />
    public Task<DeliveryResult> SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var selected = AlertFacts.Selected(notification, options.SendResolved);
        if (selected.Alerts.Count == 0)
        {
            return Task.FromResult(DeliveryResult.Delivered);
        }
        var body = WebhookPayload.Serialize(selected, options.MaxAlerts);
        return delivery.PostJsonAsync(new DeliveryTarget(Kind, notification.Receiver, options.Url, [], null), body, cancellationToken);
    }
}

/// <summary>
/// Alertmanager's webhook message, version 4, field for field (notify/webhook/webhook.go <c>Message</c>, template.Data):
/// <c>receiver</c> (regexp-quoted, as Alertmanager's <c>regexp.QuoteMeta</c> does), <c>status</c>, <c>alerts[]</c>
/// {status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint}, <c>groupLabels</c>, <c>commonLabels</c>,
/// <c>commonAnnotations</c>, <c>externalURL</c>, <c>version</c> "4", <c>groupKey</c>, <c>truncatedAlerts</c>. Times are
/// RFC 3339 as Go writes them; a firing alert without an end has <c>endsAt</c> "0001-01-01T00:00:00Z". With
/// <c>max_alerts</c> the first N alerts are kept and status and common labels are computed over them (as Alertmanager does).
/// </summary>
public static class WebhookPayload
{
    /// <summary>The payload version.</summary>
    public const string Version = "4";

    /// <summary>UTF-8 JSON of the message for <paramref name="notification"/>.</summary>
    public static byte[] Serialize(Notification notification, int maxAlerts)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentOutOfRangeException.ThrowIfNegative(maxAlerts);
        var truncated = 0;
        if (maxAlerts > 0 && notification.Alerts.Count > maxAlerts)
        {
            truncated = notification.Alerts.Count - maxAlerts;
            notification = notification with { Alerts = [.. notification.Alerts.Take(maxAlerts)] };
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("receiver", QuoteMeta(notification.Receiver));
            w.WriteString("status", notification.Status);
            w.WriteStartArray("alerts");
            foreach (var alert in notification.Alerts)
            {
                w.WriteStartObject();
                w.WriteString("status", alert.IsResolved(notification.Time) ? "resolved" : "firing");
                WriteLabels(w, "labels", alert.Labels);
                WriteLabels(w, "annotations", alert.Annotations);
                w.WriteString("startsAt", GoTime.Format(alert.StartsAt));
                w.WriteString("endsAt", GoTime.FormatOrZero(alert.EndsAt));
                w.WriteString("generatorURL", AlertFacts.PageUrl(alert.GeneratorUrl));
                w.WriteString("fingerprint", alert.Fingerprint);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WriteLabels(w, "groupLabels", notification.GroupLabels);
            WriteLabels(w, "commonLabels", notification.CommonLabels);
            WriteLabels(w, "commonAnnotations", notification.CommonAnnotations);
            w.WriteString("externalURL", notification.ExternalUrl);
            w.WriteString("version", Version);
            w.WriteString("groupKey", notification.GroupKey);
            w.WriteNumber("truncatedAlerts", truncated);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    /// <summary>Go's <c>regexp.QuoteMeta</c>: a backslash before each of <c>\.+*?()|[]{}^$</c>.</summary>
    public static string QuoteMeta(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string Special = @"\.+*?()|[]{}^$";
        if (text.AsSpan().IndexOfAny(Special) < 0)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (Special.Contains(c, StringComparison.Ordinal))
            {
                sb.Append('\\');
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static void WriteLabels(Utf8JsonWriter w, string name, LabelSet labels)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in labels)
        {
            w.WriteString(key, value);
        }
        w.WriteEndObject();
    }
}
