using System.Text.Json;
using System.Text.Json.Nodes;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Notifiers;

/// <summary>A Slack receiver (Alertmanager's <c>slack_configs</c> entry, incoming-webhook flavour).</summary>
/// <param name="Url">Incoming-webhook URL (<c>api_url</c>): a secret.</param>
/// <param name="Channel">Channel override, for legacy webhooks that accept one.</param>
/// <param name="Username">Username override, for legacy webhooks that accept one.</param>
/// <param name="SendResolved">Send resolved alerts (Alertmanager's Slack default: false).</param>
public sealed record SlackNotifierOptions(Uri Url, string? Channel = null, string? Username = null, bool SendResolved = false)
{
    /// <summary>Alertmanager's default <c>send_resolved</c> for Slack.</summary>
    public const bool DefaultSendResolved = false;

    /// <summary>The webhook URL stays out of <c>ToString()</c>.</summary>
    public override string ToString() => $"SlackNotifierOptions {{ Url = [redacted], Channel = {Channel}, Username = {Username}, SendResolved = {SendResolved} }}";
}

/// <summary>Sends a notification to a Slack incoming webhook as a Block Kit message (<see cref="SlackMessage"/>).</summary>
public sealed class SlackNotifier(SlackNotifierOptions options, HttpDelivery delivery) : INotifier
{
    /// <inheritdoc />
    public string Kind => "slack";

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
        var body = JsonSerializer.SerializeToUtf8Bytes(SlackMessage.Build(selected, options));
        return delivery.PostJsonAsync(new DeliveryTarget(Kind, notification.Receiver, options.Url, [], RateLimit.Slack), body, cancellationToken);
    }
}

/// <summary>
/// Builds the Slack message: a header "[FIRING:3] FeatureDrift", one section per alert (severity, model, feature,
/// slice, value against threshold, window as fields; summary, evidence lines and links to the HTML pages in the text),
/// "+N more alerts" when the group does not fit, the first firing incident's evidence chart as an <c>image</c> block
/// (<c>{externalURL}/incidents/{id}/chart.png</c>), a context line, and always a <c>text</c> fallback. Links are mrkdwn
/// <c>&lt;url|text&gt;</c>, not URL buttons: a button needs an interactivity endpoint or Slack shows a warning.
/// Every piece of alert text is escaped (<see cref="SlackText"/>) and every Block Kit limit is kept.
/// </summary>
public static class SlackMessage
{
    /// <summary>Blocks per message (Block Kit limit).</summary>
    public const int MaxBlocks = 50;

    /// <summary>Characters of a header's plain text.</summary>
    public const int MaxHeaderChars = 150;

    /// <summary>Characters of a section's text.</summary>
    public const int MaxSectionChars = 3000;

    /// <summary>Fields per section.</summary>
    public const int MaxFields = 10;

    /// <summary>Characters per field.</summary>
    public const int MaxFieldChars = 2000;

    /// <summary>Characters of an image block's <c>image_url</c> (Block Kit limit).</summary>
    public const int MaxImageUrlChars = 3000;

    /// <summary>Characters of an image block's <c>alt_text</c> and <c>title</c> (Block Kit limit).</summary>
    public const int MaxImageTextChars = 2000;

    /// <summary>
    /// Characters of all alert sections together. Not a documented webhook limit: chat.postMessage rejects messages
    /// whose blocks pass about 12,000 characters (<c>msg_blocks_too_long</c>, slackapi/bolt-js #2867), so we stay under.
    /// </summary>
    public const int MaxAlertChars = 11_000;

    /// <summary>Characters of the <c>text</c> fallback (Slack truncates at 40,000; a notification preview shows far fewer).</summary>
    public const int MaxFallbackChars = 3000;

    /// <summary>Builds the message for the alerts of <paramref name="notification"/> (already filtered for <c>send_resolved</c>).</summary>
    public static JsonObject Build(Notification notification, SlackNotifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ArgumentNullException.ThrowIfNull(options);
        var alerts = notification.Alerts.OrderBy(a => a.IsResolved(notification.Time)).ToList();
        var title = $"{AlertFacts.StatusTag(notification)} {AlertFacts.GroupAlertName(notification)}";

        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = PlainText(SlackText.Truncate(SlackText.Escape(AlertFacts.WithoutControlCharacters(title)), MaxHeaderChars)),
            },
        };
        // The evidence chart of the first firing alert with an incident, as an image block Slack fetches from the
        // external URL (so the silo's pages must be reachable from Slack for it to show).
        var chart = alerts.Where(a => !a.IsResolved(notification.Time))
            .Select(a => (Alert: a, Url: AlertFacts.ChartUrl(a, notification.ExternalUrl)))
            .FirstOrDefault(c => c.Url is not null && c.Url.AbsoluteUri.Length <= MaxImageUrlChars);

        // Room for the header, a "+N more" section, the chart and the context block.
        var room = MaxBlocks - 3 - (chart.Url is null ? 0 : 1);
        var used = 0;
        var shown = 0;
        foreach (var alert in alerts)
        {
            var section = AlertSection(alert, notification.Time, out var size);
            if (shown == room || (shown > 0 && used + size > MaxAlertChars))
            {
                break;
            }
            blocks.Add(section);
            used += size;
            shown++;
        }
        if (shown < alerts.Count)
        {
            blocks.Add(MoreSection(notification, alerts, shown));
        }
        if (chart.Url is { } image)
        {
            var alt = AlertFacts.ChartAlt(chart.Alert);
            blocks.Add(new JsonObject
            {
                ["type"] = "image",
                ["image_url"] = image.AbsoluteUri,
                ["alt_text"] = AlertFacts.Truncate(alt, MaxImageTextChars),
                ["title"] = PlainText(AlertFacts.Truncate(SlackText.Escape(alt), MaxImageTextChars)),
            });
        }
        blocks.Add(Context(notification));

        var message = new JsonObject
        {
            ["text"] = Fallback(title, alerts),
        };
        if (!string.IsNullOrEmpty(options.Channel))
        {
            message["channel"] = options.Channel;
        }
        if (!string.IsNullOrEmpty(options.Username))
        {
            message["username"] = options.Username;
        }
        message["blocks"] = blocks;
        return message;
    }

    private static JsonObject AlertSection(NotificationAlert alert, DateTimeOffset now, out int size)
    {
        var resolved = alert.IsResolved(now);
        var name = Esc(alert.Labels[AlertFacts.AlertName]);
        var state = resolved
            ? $"resolved {AlertFacts.Time(alert.EndsAt!.Value)}"
            : $"firing since {AlertFacts.Time(alert.StartsAt)}";
        var lines = new List<string>
        {
            $"{(resolved ? ":white_check_mark:" : ":rotating_light:")} *{(name.Length > 0 ? name : "alert")}* {state}{(alert.Flapping ? " (flapping)" : string.Empty)}",
        };
        var summary = AlertFacts.SummaryOf(alert);
        if (summary.Length > 0)
        {
            lines.Add(Esc(summary));
        }
        if (alert.Evidence is { } evidence)
        {
            lines.AddRange(evidence.Details.Take(5).Select(d => "• " + Esc(d)));
        }
        var links = Links(alert, resolved);
        // Alert text is cut to leave the links whole: half a link would be broken mrkdwn.
        var text = SlackText.Truncate(string.Join("\n", lines), MaxSectionChars - links.Length - 1);
        if (links.Length > 0)
        {
            text += "\n" + links;
        }

        var fields = new JsonArray();
        AddField(fields, "Severity", alert.Labels[AlertFacts.Severity]);
        AddField(fields, "Model", alert.Labels[AlertFacts.Model]);
        AddField(fields, "Feature", alert.Labels[AlertFacts.Feature]);
        AddField(fields, "Slice", alert.Labels[AlertFacts.Slice]);
        if (alert.Evidence is { } e)
        {
            AddField(fields, "Value vs threshold", AlertFacts.Comparison(e));
            AddField(fields, "Window", AlertFacts.Window(e));
        }
        if (alert.Incident is { } incident)
        {
            AddField(fields, "Incident", $"{incident.Id} ({incident.State.ToString().ToLowerInvariant()})");
        }

        size = text.Length + fields.Sum(f => f!["text"]!.GetValue<string>().Length);
        var section = new JsonObject { ["type"] = "section", ["text"] = Mrkdwn(text) };
        if (fields.Count > 0)
        {
            section["fields"] = fields;
        }
        return section;
    }

    private static string Links(NotificationAlert alert, bool resolved)
    {
        var links = new List<string?>
        {
            SlackText.Link(alert.Annotations[AlertFacts.RunbookUrl], "Runbook"),
            SlackText.Link(alert.Incident?.Url, "Incident"),
            resolved || alert.Incident is not { State: IncidentState.Triggered } ? null : SlackText.Link(alert.Incident.AckUrl, "Acknowledge"),
            SlackText.Link(AlertFacts.PageUrl(alert.Evidence?.ReportUrl), "Window report"),
            AlertFacts.PageUrl(alert.GeneratorUrl) == AlertFacts.PageUrl(alert.Evidence?.ReportUrl) ? null : SlackText.Link(AlertFacts.PageUrl(alert.GeneratorUrl), "Source"),
        };
        var joined = string.Empty;
        foreach (var link in links.OfType<string>())
        {
            var next = joined.Length == 0 ? link : joined + " · " + link;
            // Links together take at most half a section; the rest is for the alert text.
            if (next.Length > MaxSectionChars / 2)
            {
                break;
            }
            joined = next;
        }
        return joined;
    }

    private static void AddField(JsonArray fields, string title, string? value)
    {
        if (string.IsNullOrEmpty(value) || fields.Count == MaxFields)
        {
            return;
        }
        var head = $"*{title}*\n";
        fields.Add(Mrkdwn(head + SlackText.Truncate(Esc(value), MaxFieldChars - head.Length)));
    }

    private static JsonObject MoreSection(Notification notification, List<NotificationAlert> alerts, int shown)
    {
        var hidden = alerts.Skip(shown).ToList();
        var firing = hidden.Count(a => !a.IsResolved(notification.Time));
        var text = $"*+{hidden.Count} more alerts* ({firing} firing, {hidden.Count - firing} resolved; {shown} of {alerts.Count} shown).";
        if (SlackText.Link(notification.ExternalUrl, "Open Monitoring") is { } link)
        {
            text += " " + link + " for all of them.";
        }
        return new JsonObject { ["type"] = "section", ["text"] = Mrkdwn(text) };
    }

    private static JsonObject Context(Notification notification)
    {
        var text = $"receiver {Esc(notification.Receiver)} · group {Esc(notification.GroupLabels.ToString())}";
        if (notification.Reason.Length > 0)
        {
            text += $" · {Esc(notification.Reason)}";
        }
        return new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray { Mrkdwn(SlackText.Truncate(text, MaxSectionChars)) },
        };
    }

    private static string Fallback(string title, List<NotificationAlert> alerts)
    {
        var first = alerts.Select(AlertFacts.SummaryOf).FirstOrDefault(s => s.Length > 0);
        var text = first is null ? title : $"{title}: {first}";
        if (alerts.Count > 1)
        {
            text += $" (+{alerts.Count - 1} more)";
        }
        return SlackText.Truncate(Esc(text), MaxFallbackChars);
    }

    private static string Esc(string text) => SlackText.Escape(AlertFacts.WithoutControlCharacters(text, keepNewlines: true));

    private static JsonObject PlainText(string text) => new() { ["type"] = "plain_text", ["text"] = text, ["emoji"] = true };

    private static JsonObject Mrkdwn(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };
}
