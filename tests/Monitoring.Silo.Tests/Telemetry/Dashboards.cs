using System.Text.Json;
using System.Text.RegularExpressions;

namespace Monitoring.Silo.Tests.Telemetry;

/// <summary>The Grafana dashboards under <c>dashboards/</c> and the metric names their PromQL queries use.</summary>
internal static partial class Dashboards
{
    /// <summary>PromQL words that are not metric names when they stand without a following parenthesis.</summary>
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan",
    };

    public static IReadOnlyList<(string File, JsonElement Json)> All() =>
        [.. Directory.GetFiles(Path.Combine(DocumentedMetrics.RepositoryRoot(), "dashboards"), "*.json").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileName(f), JsonDocument.Parse(File.ReadAllText(f)).RootElement.Clone()))];

    /// <summary>Every panel, rows' nested panels included.</summary>
    public static IEnumerable<JsonElement> Panels(JsonElement dashboard)
    {
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            yield return panel;
            if (panel.TryGetProperty("panels", out var nested))
            {
                foreach (var inner in nested.EnumerateArray())
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Every PromQL text of a dashboard: panel targets and query variables.</summary>
    public static IEnumerable<string> Queries(JsonElement dashboard)
    {
        foreach (var panel in Panels(dashboard))
        {
            if (panel.TryGetProperty("targets", out var targets))
            {
                foreach (var t in targets.EnumerateArray())
                {
                    yield return t.GetProperty("expr").GetString()!;
                }
            }
        }

        foreach (var variable in dashboard.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            if (variable.GetProperty("type").GetString() == "query")
            {
                yield return variable.GetProperty("definition").GetString()!;
            }
        }
    }

    /// <summary>
    /// The metric names a query selects: identifiers left once Grafana variables, strings, label matchers, range
    /// selectors and grouping clauses are removed, that are not function calls or PromQL keywords.
    /// <c>label_values(metric, label)</c> counts its metric.
    /// </summary>
    public static IEnumerable<string> MetricNames(string query)
    {
        var text = Variable().Replace(query, " ");
        text = LabelValues().Replace(text, "$1");
        text = QuotedString().Replace(text, " ");
        text = Braces().Replace(text, " ");
        text = Brackets().Replace(text, " ");
        text = Grouping().Replace(text, " ");
        foreach (Match m in Identifier().Matches(text))
        {
            var name = m.Groups[1].Value;
            var isCall = m.Groups[2].Success;
            if (!isCall && !Keywords.Contains(name))
            {
                yield return name;
            }
        }
    }

    [GeneratedRegex(@"\$\{[^}]*\}|\$\w+")]
    private static partial Regex Variable();

    [GeneratedRegex(@"label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)[^)]*\)")]
    private static partial Regex LabelValues();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex QuotedString();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braces();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")]
    private static partial Regex Identifier();
}
