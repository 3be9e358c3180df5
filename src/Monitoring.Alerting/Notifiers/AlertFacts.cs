using System.Globalization;
using System.Text;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Notifiers;

/// <summary>
/// The label and annotation names notifiers read, and the small formatting rules they share (numbers, times, links,
/// truncation), so every integration shows an alert the same way.
/// </summary>
public static class AlertFacts
{
    /// <summary>Label naming the rule.</summary>
    public const string AlertName = "alertname";

    /// <summary>Label with the severity (<c>critical</c>, <c>error</c>, <c>warning</c>, <c>info</c>, <c>page</c>, <c>ticket</c> ...).</summary>
    public const string Severity = "severity";

    /// <summary>Label with the model id.</summary>
    public const string Model = "model";

    /// <summary>Label with the feature a drift or quality rule judged.</summary>
    public const string Feature = "feature";

    /// <summary>Label with the slice (<c>country=DE</c>).</summary>
    public const string Slice = "slice";

    /// <summary>Annotation with a one-line summary.</summary>
    public const string Summary = "summary";

    /// <summary>Annotation with a longer description.</summary>
    public const string Description = "description";

    /// <summary>Annotation with the runbook link (the Prometheus convention).</summary>
    public const string RunbookUrl = "runbook_url";

    /// <summary>Longest URL a notifier links to; a longer one is not linked (Slack allows 3000 in buttons, we stay well under).</summary>
    public const int MaxLinkLength = 2000;

    /// <summary>The summary annotation, else the description, else empty.</summary>
    public static string SummaryOf(NotificationAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var summary = alert.Annotations[Summary];
        return summary.Length > 0 ? summary : alert.Annotations[Description];
    }

    /// <summary>The group's alert name: the common <c>alertname</c>, else the distinct names joined.</summary>
    public static string GroupAlertName(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var names = notification.Alerts.Select(a => a.Labels[AlertName]).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return names.Count switch
        {
            0 => "alert",
            1 => names[0],
            <= 3 => string.Join(", ", names),
            _ => $"{names[0]}, {names[1]} and {names.Count - 2} more",
        };
    }

    /// <summary>Alertmanager's title prefix: <c>[FIRING:3]</c> or <c>[RESOLVED]</c>.</summary>
    public static string StatusTag(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var firing = notification.Firing.Count();
        return firing > 0 ? $"[FIRING:{firing.ToString(CultureInfo.InvariantCulture)}]" : "[RESOLVED]";
    }

    /// <summary>The alerts a notifier sends: all of them, or only the firing ones when <paramref name="sendResolved"/> is false (as Alertmanager's retry stage filters).</summary>
    public static Notification Selected(Notification notification, bool sendResolved)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return sendResolved ? notification : notification with { Alerts = [.. notification.Firing] };
    }

    /// <summary>An absolute http(s) URL no longer than <see cref="MaxLinkLength"/>, else null (never link anything else).</summary>
    public static Uri? HttpLink(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxLinkLength ||
            !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }
        return uri;
    }

    /// <summary>Path of an incident's evidence chart (PNG) under the external URL; the silo serves it (src/Monitoring.Silo/Pages).</summary>
    public const string IncidentChartPath = "/incidents/{0}/chart.png";

    /// <summary>
    /// The HTML page a person reads for a JSON API URL the rule engine recorded: <c>{external}/api/models/{t}/{m}/windows/{start}</c>
    /// (or its <c>/performance</c>) becomes the window page <c>{external}/models/{t}/{m}/windows/{start}</c>, and
    /// <c>{external}/api/alerts</c> the rules page <c>{external}/rules</c> (which lists what fires), and a rollout alert's
    /// <c>{external}/api/models/{t}/{m}/versions</c> the versions page. The evidence's
    /// <c>report_url</c> in the webhook payload and the API keep the JSON URL; links people click use this. Any other
    /// URL is returned as it is; null stays null.
    /// </summary>
    public static string? PageUrl(string? reportUrl)
    {
        if (string.IsNullOrEmpty(reportUrl))
        {
            return reportUrl;
        }

        if (reportUrl.EndsWith("/api/alerts", StringComparison.Ordinal))
        {
            return reportUrl[..^"/api/alerts".Length] + "/rules";
        }

        const string api = "/api/models/";
        var at = reportUrl.IndexOf(api, StringComparison.Ordinal);
        if (at < 0 || reportUrl.IndexOfAny(['?', '#']) >= 0)
        {
            return reportUrl;
        }

        // {tenant}/{model}/windows/{start}[/performance], each segment escaped (a model id's '/' is %2F).
        var parts = reportUrl[(at + api.Length)..].Split('/');
        if (parts.Length == 3 && parts[2] == "versions" && parts[0].Length > 0 && parts[1].Length > 0)
        {
            return $"{reportUrl[..at]}/models/{parts[0]}/{parts[1]}/versions"; // a rollout alert: the versions page
        }

        if (parts.Length is not (4 or 5) || parts[2] != "windows" || (parts.Length == 5 && parts[4] != "performance") || parts.Take(4).Any(p => p.Length == 0))
        {
            return reportUrl;
        }

        return $"{reportUrl[..at]}/models/{parts[0]}/{parts[1]}/windows/{parts[3]}";
    }

    /// <summary>
    /// The URL of the alert's evidence chart, <c>{externalURL}/incidents/{id}/chart.png</c> (the metric over time with its
    /// threshold and the incident marked), for notifications that show images; null without an incident or an http(s)
    /// external URL.
    /// </summary>
    public static Uri? ChartUrl(NotificationAlert alert, string externalUrl)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return alert.Incident is { } incident && HttpLink(externalUrl) is not null
            ? HttpLink(externalUrl.TrimEnd('/') + string.Format(CultureInfo.InvariantCulture, IncidentChartPath, Uri.EscapeDataString(incident.Id)))
            : null;
    }

    /// <summary>Alt text of an alert's evidence chart: what it shows, in words (no secret: labels and the metric only).</summary>
    public static string ChartAlt(NotificationAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var subject = alert.Labels[Feature] is { Length: > 0 } f ? $"{alert.Labels[Model]} {f}" : alert.Labels[Slice] is { Length: > 0 } sl ? $"{alert.Labels[Model]} {sl}" : alert.Labels[Model];
        var what = alert.Evidence is { } e ? $"{e.Metric} over time with the threshold {Number(e.Threshold)} and the incident marked" : "the alert's metric over time";
        return Truncate(WithoutControlCharacters($"{subject}: {what}".Trim()), 1000);
    }

    /// <summary>A value as people read it: up to 4 decimals, scientific only for very small or large magnitudes.</summary>
    public static string Number(double value)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }
        var magnitude = Math.Abs(value);
        return magnitude == 0 || (magnitude >= 1e-3 && magnitude < 1e7)
            ? value.ToString("0.####", CultureInfo.InvariantCulture)
            : value.ToString("0.###E+0", CultureInfo.InvariantCulture);
    }

    /// <summary>"psi 0.31 &gt; 0.2" from the evidence.</summary>
    public static string Comparison(AlertEvidence evidence)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        return $"{evidence.Metric} {Number(evidence.Value)} {evidence.Operator} {Number(evidence.Threshold)}";
    }

    /// <summary>The evaluated window, "start – end", or null when the evidence has none.</summary>
    public static string? Window(AlertEvidence? evidence) => evidence switch
    {
        { WindowStart: { Length: > 0 } start, WindowEnd: { Length: > 0 } end } => $"{start} – {end}",
        { WindowStart: { Length: > 0 } start } => $"from {start}",
        { WindowEnd: { Length: > 0 } end } => $"until {end}",
        _ => null,
    };

    /// <summary>A time as "2026-12-06 10:00 UTC".</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="max"/> UTF-16 units, ending in "…", never splitting a surrogate pair.</summary>
    public static string Truncate(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length <= max)
        {
            return text;
        }
        if (max <= 0)
        {
            return string.Empty;
        }
        var cut = max - 1;
        if (cut > 0 && char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }
        return string.Concat(text.AsSpan(0, cut), "…");
    }

    /// <summary>Replaces control characters (terminal escapes, bells, carriage returns) with spaces; keeps line feeds when asked.</summary>
    public static string WithoutControlCharacters(string text, bool keepNewlines = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            sb.Append(char.IsControl(c) && !(keepNewlines && c == '\n') ? ' ' : c);
        }
        return sb.ToString();
    }
}
