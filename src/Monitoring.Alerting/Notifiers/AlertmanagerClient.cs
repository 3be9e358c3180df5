using System.Text.Json;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Notifiers;

/// <summary>A team's own Alertmanager to hand alerts to.</summary>
/// <param name="BaseUrl">Alertmanager's base URL, e.g. <c>http://alertmanager:9093/</c> (may carry a path prefix).</param>
public sealed record AlertmanagerClientOptions(Uri BaseUrl)
{
    /// <summary>The alerts endpoint under <see cref="BaseUrl"/>.</summary>
    public Uri AlertsUrl => new(BaseUrl.AbsoluteUri.TrimEnd('/') + "/api/v2/alerts");
}

/// <summary>
/// Forwards alerts to an Alertmanager through its API v2 (<c>POST /api/v2/alerts</c>, docs/alerts_api.md): an array of
/// {labels, annotations, startsAt, endsAt, generatorURL}. A resolved alert carries its <c>endsAt</c>; a firing one has
/// <c>endsAt</c> only when its end is known (else Alertmanager resolves it after its resolve_timeout, so firing alerts
/// must be sent again at each flush, which the notification pipeline does). Alertmanager answers 200; 400 and 422 are
/// final, 5xx retryable.
/// </summary>
public sealed class AlertmanagerClient(AlertmanagerClientOptions options, HttpDelivery delivery) : INotifier
{
    /// <inheritdoc />
    public string Kind => "alertmanager";

    /// <summary>Always true: Alertmanager must hear of resolutions, or it keeps the alert until its timeout.</summary>
    public bool SendResolved => true;

    /// <inheritdoc />
    public Task<DeliveryResult> SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return PostAlertsAsync(notification.Receiver, notification.Alerts, cancellationToken);
    }

    /// <summary>Posts <paramref name="alerts"/> as one array.</summary>
    /// <param name="name">A name for logs (the receiver).</param>
    /// <param name="alerts">The alerts, firing and resolved.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public Task<DeliveryResult> PostAlertsAsync(string name, IReadOnlyList<NotificationAlert> alerts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        if (alerts.Count == 0)
        {
            return Task.FromResult(DeliveryResult.Delivered);
        }
        return delivery.PostJsonAsync(new DeliveryTarget(Kind, name, options.AlertsUrl, [], null), Serialize(alerts), cancellationToken);
    }

    /// <summary>The request body for <paramref name="alerts"/>.</summary>
    public static byte[] Serialize(IReadOnlyList<NotificationAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartArray();
            foreach (var alert in alerts)
            {
                w.WriteStartObject();
                WriteLabels(w, "labels", alert.Labels);
                WriteLabels(w, "annotations", alert.Annotations);
                w.WriteString("startsAt", GoTime.Format(alert.StartsAt));
                if (alert.EndsAt is { } end)
                {
                    w.WriteString("endsAt", GoTime.Format(end));
                }
                if (alert.GeneratorUrl.Length > 0)
                {
                    w.WriteString("generatorURL", AlertFacts.PageUrl(alert.GeneratorUrl));
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return stream.ToArray();
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
