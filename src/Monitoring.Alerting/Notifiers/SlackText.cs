using System.Text;

namespace Monitoring.Alerting.Notifiers;

/// <summary>
/// Slack mrkdwn for text we do not control. Slack reads <c>&lt;...&gt;</c> as links and mentions
/// (<c>&lt;!channel&gt;</c>, <c>&lt;@U123&gt;</c>, <c>&lt;http://x|y&gt;</c>) and wants exactly <c>&amp;</c>, <c>&lt;</c>
/// and <c>&gt;</c> escaped as HTML entities (api.slack.com "Formatting text for app surfaces": escaping text).
/// </summary>
public static class SlackText
{
    /// <summary>Escapes &amp;, &lt; and &gt; so the text can neither link, mention nor ping.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny('&', '<', '>') < 0)
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            _ = c switch
            {
                '&' => sb.Append("&amp;"),
                '<' => sb.Append("&lt;"),
                '>' => sb.Append("&gt;"),
                _ => sb.Append(c),
            };
        }
        return sb.ToString();
    }

    /// <summary>
    /// A mrkdwn link <c>&lt;url|label&gt;</c> for an http(s) URL (see <see cref="AlertFacts.HttpLink"/>), else null. The
    /// URL is percent-encoded by <see cref="Uri"/>, its <c>|</c> encoded too, its <c>&amp;</c> escaped; the label escaped.
    /// </summary>
    public static string? Link(string? url, string label)
    {
        if (AlertFacts.HttpLink(url) is not { } uri)
        {
            return null;
        }
        var href = uri.AbsoluteUri.Replace("|", "%7C", StringComparison.Ordinal);
        return $"<{Escape(href)}|{Escape(label.Replace("|", "/", StringComparison.Ordinal))}>";
    }

    /// <summary>
    /// Cuts escaped mrkdwn to <paramref name="max"/> characters without leaving half an entity (<c>&amp;am</c>) behind.
    /// </summary>
    public static string Truncate(string escaped, int max)
    {
        var cut = AlertFacts.Truncate(escaped, max);
        if (cut.Length == escaped.Length)
        {
            return cut;
        }
        var body = cut.AsSpan(0, cut.Length - 1);
        var amp = body.LastIndexOf('&');
        if (amp >= 0 && body[amp..].IndexOf(';') < 0)
        {
            return string.Concat(body[..amp], "…");
        }
        return cut;
    }
}
