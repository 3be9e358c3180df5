using System.Text;
using Monitoring.Silo.Auth;

namespace Monitoring.Silo.Telemetry;

/// <summary>
/// Cuts a <c>/metrics</c> scrape down to one tenant for a key bound to that tenant: only the samples whose <c>tenant</c>
/// label is the caller's tenant are kept; process-wide samples without a <c>tenant</c> label (ingest totals, latencies,
/// runtime, <c>target_info</c>) are operator data and dropped too. Works on parsed lines of the Prometheus text format
/// 0.0.4 and OpenMetrics 1.0 (both of which the exporter may answer): a sample's label set is parsed with its escapes,
/// so a <c>tenant="..."</c> inside another label's value is not mistaken for the label; a line that does not parse is
/// dropped (fail closed). A family's <c>#&#160;HELP</c>, <c>#&#160;TYPE</c> and <c>#&#160;UNIT</c> lines are kept only
/// when at least one of its samples is; <c>#&#160;EOF</c> is kept.
/// </summary>
internal static class TenantMetricsFilter
{
    /// <summary>The label that names a series' tenant.</summary>
    public const string TenantLabel = "tenant";

    /// <summary>The lines of <paramref name="exposition"/> that <paramref name="tenant"/> may see, in order.</summary>
    public static string Filter(string exposition, string tenant)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        ArgumentNullException.ThrowIfNull(tenant);
        var output = new StringBuilder(exposition.Length / 4);
        var header = new List<string>();
        var kept = new List<string>();
        var sampled = false;

        void Flush()
        {
            if (kept.Count > 0)
            {
                foreach (var line in header)
                {
                    output.Append(line).Append('\n');
                }

                foreach (var line in kept)
                {
                    output.Append(line).Append('\n');
                }
            }

            header.Clear();
            kept.Clear();
            sampled = false;
        }

        foreach (var raw in exposition.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                if (line == "# EOF")
                {
                    Flush();
                    output.Append(line).Append('\n');
                }
                else if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal) || line.StartsWith("# UNIT ", StringComparison.Ordinal))
                {
                    if (sampled)
                    {
                        Flush(); // a new family begins
                    }

                    header.Add(line);
                }

                continue; // other comments carry nothing a tenant needs
            }

            sampled = true;
            if (TryReadLabel(line, TenantLabel, out var value) && string.Equals(value, tenant, StringComparison.Ordinal))
            {
                kept.Add(line);
            }
        }

        Flush();
        return output.ToString();
    }

    /// <summary>The response of <c>/metrics</c> for a caller bound to one tenant, filtered; unchanged for open mode and operator keys.</summary>
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (Caller.TenantOf(context) is not { } tenant)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        var filtered = Encoding.UTF8.GetBytes(context.Response.StatusCode == StatusCodes.Status200OK ? Filter(body, tenant) : string.Empty);
        context.Response.ContentLength = filtered.Length;
        await original.WriteAsync(filtered, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads label <paramref name="name"/> of a sample line (<c>metric{a="x",b="y"} 1</c>, or OpenMetrics' quoted form
    /// <c>{"metric.name","a"="x"} 1</c>); false when the line has no such label or its label set does not parse.
    /// </summary>
    internal static bool TryReadLabel(string line, string name, out string value)
    {
        value = string.Empty;
        var i = line.AsSpan().IndexOfAny('{', ' ');
        if (i < 0 || line[i] != '{')
        {
            return false; // no labels
        }

        i++;
        var found = false;
        while (true)
        {
            i = SkipSpaces(line, i);
            if (i >= line.Length)
            {
                return false;
            }

            if (line[i] == '}')
            {
                return found;
            }

            // A label name: bare, or quoted (OpenMetrics 2 / Prometheus 3 UTF-8 names; a quoted string alone is the metric name).
            string label;
            if (line[i] == '"')
            {
                if (!TryReadQuoted(line, ref i, out label))
                {
                    return false;
                }
            }
            else
            {
                var start = i;
                while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_' || line[i] == ':'))
                {
                    i++;
                }

                if (i == start)
                {
                    return false;
                }

                label = line[start..i];
            }

            i = SkipSpaces(line, i);
            if (i < line.Length && line[i] == '=')
            {
                i = SkipSpaces(line, i + 1);
                if (i >= line.Length || line[i] != '"' || !TryReadQuoted(line, ref i, out var text))
                {
                    return false;
                }

                if (string.Equals(label, name, StringComparison.Ordinal))
                {
                    if (found)
                    {
                        return false; // a label twice: not a valid sample, so not trusted
                    }

                    found = true;
                    value = text;
                }
            }

            i = SkipSpaces(line, i);
            if (i < line.Length && line[i] == ',')
            {
                i++;
            }
            else if (i >= line.Length || line[i] != '}')
            {
                return false;
            }
        }
    }

    /// <summary>Reads a double-quoted string at <paramref name="i"/> (escapes <c>\\</c>, <c>\"</c>, <c>\n</c>) and moves past it.</summary>
    private static bool TryReadQuoted(string line, ref int i, out string text)
    {
        text = string.Empty;
        var builder = new StringBuilder();
        for (var j = i + 1; j < line.Length; j++)
        {
            var c = line[j];
            if (c == '"')
            {
                text = builder.ToString();
                i = j + 1;
                return true;
            }

            if (c == '\\')
            {
                if (++j >= line.Length)
                {
                    return false;
                }

                builder.Append(line[j] switch { 'n' => '\n', var e => e });
                continue;
            }

            builder.Append(c);
        }

        return false;
    }

    private static int SkipSpaces(string line, int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }

        return i;
    }
}
