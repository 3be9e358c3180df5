using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Slo;
using Monitoring.Alerting.Time;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Alerting.Rules;

/// <summary>Rule files loaded together: their alert rule groups and the SLOs beside them.</summary>
/// <param name="Groups">Rule groups of every file, in file order.</param>
/// <param name="Slos">SLOs of every file, in file order (names unique across the files).</param>
/// <param name="Files">The files read.</param>
public sealed record RuleSet(IReadOnlyList<RuleGroup> Groups, IReadOnlyList<SloSpec> Slos, IReadOnlyList<string> Files)
{
    /// <summary>No rules.</summary>
    public static readonly RuleSet Empty = new([], [], []);

    /// <summary>Every alerting rule.</summary>
    public IEnumerable<AlertRule> Rules => Groups.SelectMany(g => g.Rules);
}

/// <summary>
/// Reads Prometheus-shaped rule files (<c>groups[].rules[]</c> with <c>alert</c>, <c>expr</c>, <c>for</c>,
/// <c>keep_firing_for</c>, <c>labels</c>, <c>annotations</c>), collecting every error with its line instead of stopping
/// at the first. Rejects what Prometheus' loader rejects (unknown fields, bad durations, duplicate groups, recording
/// rules here), plus: unknown metrics and labels, duplicate alert names in a group, templates that do not parse,
/// <c>runbook_url</c> that is neither http(s) nor a relative path, regexes over the size limit, and YAML aliases beyond
/// <see cref="MaxAliases"/> (so a small file cannot expand into a huge one) and collections nested deeper than
/// <see cref="MaxNesting"/>.
/// </summary>
public static class RuleFileParser
{
    /// <summary>Most YAML aliases (<c>*anchor</c>) one file may use.</summary>
    public const int MaxAliases = 64;

    /// <summary>
    /// Deepest nesting of YAML collections read. A rule file needs 6 levels; the limit is checked on the event stream
    /// before the document is loaded, because loading recurses once per level and would overflow the stack.
    /// </summary>
    public const int MaxNesting = 64;

    /// <summary>Largest rule file read (bytes).</summary>
    public const int MaxFileBytes = 4 * 1024 * 1024;

    private static readonly string[] GroupFields = ["name", "interval", "limit", "rules"];
    private static readonly string[] RuleFields = ["alert", "expr", "for", "keep_firing_for", "labels", "annotations"];

    /// <summary>Loads a file, or every <c>*.yml</c> / <c>*.yaml</c> file of a directory (not recursive, in name order).</summary>
    /// <exception cref="RuleFileException">Any file has errors (all are listed).</exception>
    public static RuleSet LoadPath(string path)
    {
        string[] files;
        if (Directory.Exists(path))
        {
            files = [.. Directory.EnumerateFiles(path).Where(f => f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)];
        }
        else if (File.Exists(path))
        {
            files = [path];
        }
        else
        {
            throw new RuleFileException([new RuleFileError(path, 0, 0, string.Empty, "no such file or directory")]);
        }
        var errors = new List<RuleFileError>();
        var groups = new List<RuleGroup>();
        var slos = new List<SloSpec>();
        foreach (var file in files)
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes)
            {
                errors.Add(new RuleFileError(file, 0, 0, string.Empty, $"file is {info.Length} bytes, over the limit of {MaxFileBytes}"));
                continue;
            }
            var (g, s, e) = ParseText(File.ReadAllText(file), file);
            groups.AddRange(g);
            foreach (var slo in s)
            {
                if (slos.FirstOrDefault(x => x.Name == slo.Name) is { } first)
                {
                    errors.Add(new RuleFileError(file, slo.Line, 1, "slos", $"SLO name \"{slo.Name}\" is already used in {first.Source}:{first.Line}"));
                    continue;
                }
                slos.Add(slo);
            }
            errors.AddRange(e);
        }
        if (errors.Count > 0)
        {
            throw new RuleFileException(errors);
        }
        return new RuleSet(groups, slos, files);
    }

    /// <summary>Parses one file's text; throws <see cref="RuleFileException"/> with every error.</summary>
    public static RuleSet Parse(string yaml, string source = "rules.yml")
    {
        var (groups, slos, errors) = ParseText(yaml, source);
        if (errors.Count > 0)
        {
            throw new RuleFileException(errors);
        }
        return new RuleSet(groups, slos, [source]);
    }

    /// <summary>Parses one file's text, returning what parsed and every error (for linting).</summary>
    public static (List<RuleGroup> Groups, List<SloSpec> Slos, List<RuleFileError> Errors) ParseText(string yaml, string source)
    {
        var ctx = new Context(source);
        var groups = new List<RuleGroup>();
        var slos = new List<SloSpec>();
        YamlNode? root;
        try
        {
            CheckAliasesAndNesting(yaml, ctx);
            if (ctx.Errors.Count > 0)
            {
                return (groups, slos, ctx.Errors);
            }
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count > 1)
            {
                ctx.Add(stream.Documents[1].RootNode, string.Empty, "a rule file holds one YAML document");
            }
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            ctx.Errors.Add(new RuleFileError(source, (int)e.Start.Line, (int)e.Start.Column, string.Empty, "not valid YAML: " + InnerMessage(e)));
            return (groups, slos, ctx.Errors);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18.1 throws these instead of a YamlException on some malformed input: its scanner on an unclosed
            // flow collection (": [\ns"), its loader on an alias where it expects a node it can represent.
            ctx.Errors.Add(new RuleFileError(source, 0, 0, string.Empty, "not valid YAML: the YAML reader gave up (an unclosed [ or {, or a misplaced *alias)"));
            return (groups, slos, ctx.Errors);
        }
        if (root is null || root is YamlScalarNode { Value: null or "" })
        {
            return (groups, slos, ctx.Errors); // an empty file has no rules, as in Prometheus
        }
        if (root is not YamlMappingNode top)
        {
            ctx.Add(root, string.Empty, "expected a mapping with 'groups' (and optionally 'slos')");
            return (groups, slos, ctx.Errors);
        }
        foreach (var (key, value) in top.Children)
        {
            var name = (key as YamlScalarNode)?.Value;
            switch (name)
            {
                case "groups":
                    if (value is YamlSequenceNode seq)
                    {
                        var names = new HashSet<string>(StringComparer.Ordinal);
                        for (var i = 0; i < seq.Children.Count; i++)
                        {
                            if (ParseGroup(seq.Children[i], $"groups[{i}]", ctx) is { } g)
                            {
                                if (!names.Add(g.Name))
                                {
                                    ctx.Add(seq.Children[i], $"groups[{i}].name", $"group name \"{g.Name}\" is repeated in this file");
                                }
                                groups.Add(g);
                            }
                        }
                    }
                    else if (!IsNull(value))
                    {
                        ctx.Add(value, "groups", "expected a list of groups");
                    }
                    break;
                case "slos":
                    if (value is YamlSequenceNode sloSeq)
                    {
                        var parsed = SloParser.Parse(sloSeq, source);
                        slos.AddRange(parsed.Slos);
                        ctx.Errors.AddRange(parsed.Errors.Select(e => new RuleFileError(source, e.Line, 1, e.Field, e.Reason)));
                    }
                    else if (!IsNull(value))
                    {
                        ctx.Add(value, "slos", "expected a list of SLOs");
                    }
                    break;
                default:
                    ctx.Add(key, name ?? string.Empty, key is YamlScalarNode
                        ? "unknown field (a rule file has 'groups' and 'slos')"
                        : "expected a field name, not a list or mapping as key (a rule file has 'groups' and 'slos')");
                    break;
            }
        }
        return (groups, slos, ctx.Errors);
    }

    private static RuleGroup? ParseGroup(YamlNode node, string path, Context ctx)
    {
        if (node is not YamlMappingNode map)
        {
            ctx.Add(node, path, "expected a mapping with 'name' and 'rules'");
            return null;
        }
        RejectUnknown(map, path, GroupFields, ctx);
        var name = Scalar(map, "name", path, ctx, required: true);
        if (name is null)
        {
            return null;
        }
        var limit = 0;
        if (Child(map, "limit") is { } limitNode)
        {
            if (limitNode is not YamlScalarNode { Value: { } lv } || !int.TryParse(lv, out limit) || limit < 0)
            {
                ctx.Add(limitNode, path + ".limit", "expected a whole number >= 0");
                limit = 0;
            }
        }
        if (Child(map, "interval") is YamlScalarNode intervalNode && !PromDuration.TryParse(intervalNode.Value, out _, out var intervalError))
        {
            ctx.Add(intervalNode, path + ".interval", intervalError);
        }
        var rules = new List<AlertRule>();
        if (Child(map, "rules") is { } rulesNode)
        {
            if (rulesNode is YamlSequenceNode seq)
            {
                var alertNames = new Dictionary<string, int>(StringComparer.Ordinal);
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    var rulePath = $"{path}.rules[{i}]";
                    if (ParseRule(seq.Children[i], rulePath, name, limit, ctx) is { } rule)
                    {
                        if (alertNames.TryGetValue(rule.Name, out var first))
                        {
                            ctx.Add(seq.Children[i], rulePath + ".alert", $"alert name \"{rule.Name}\" is repeated in group \"{name}\" (first at line {first})");
                            continue;
                        }
                        alertNames[rule.Name] = rule.Line;
                        rules.Add(rule);
                    }
                }
            }
            else if (!IsNull(rulesNode))
            {
                ctx.Add(rulesNode, path + ".rules", "expected a list of rules");
            }
        }
        return new RuleGroup(name, rules, ctx.Source);
    }

    private static AlertRule? ParseRule(YamlNode node, string path, string group, int limit, Context ctx)
    {
        if (node is not YamlMappingNode map)
        {
            ctx.Add(node, path, "expected a mapping with 'alert' and 'expr'");
            return null;
        }
        if (Child(map, "record") is { } record)
        {
            ctx.Add(record, path + ".record", "recording rules are not supported: every metric is computed by the system (see `monitoring rules metrics`)");
            return null;
        }
        var errorsBefore = ctx.Errors.Count;
        RejectUnknown(map, path, RuleFields, ctx);
        var name = Scalar(map, "alert", path, ctx, required: true);
        if (name is not null && !IsMetricName(name))
        {
            ctx.Add(Child(map, "alert")!, path + ".alert", $"invalid alert name \"{name}\": must match [a-zA-Z_:][a-zA-Z0-9_:]*");
        }
        var exprText = Scalar(map, "expr", path, ctx, required: true);
        RuleExpression? expr = null;
        if (exprText is not null)
        {
            try
            {
                expr = RuleExpression.Parse(exprText);
            }
            catch (FormatException e)
            {
                ctx.Add(Child(map, "expr")!, path + ".expr", e.Message);
            }
        }
        var forDuration = Duration(map, "for", path, ctx);
        var keepFiring = Duration(map, "keep_firing_for", path, ctx);
        var labels = Templates(map, "labels", path, ctx, checkNames: true);
        var annotations = Templates(map, "annotations", path, ctx, checkNames: false);
        foreach (var (key, template) in annotations)
        {
            if (key == "runbook_url" && RunbookUrlProblem(template.Source) is { } problem)
            {
                var annotationNode = ((YamlMappingNode)Child(map, "annotations")!).Children[new YamlScalarNode(key)];
                ctx.Add(annotationNode, path + ".annotations.runbook_url", problem);
            }
        }
        if (ctx.Errors.Count > errorsBefore || name is null || expr is null)
        {
            return null;
        }
        return new AlertRule
        {
            Group = group,
            Name = name,
            Expression = expr,
            ExpressionText = exprText!,
            For = forDuration,
            KeepFiringFor = keepFiring,
            Labels = labels,
            Annotations = annotations,
            Limit = limit,
            Source = ctx.Source,
            Line = (int)map.Start.Line,
        };
    }

    /// <summary>
    /// Why a runbook URL template is not acceptable, or null: it must start with <c>{{ $externalURL }}</c>,
    /// <c>http://</c>, <c>https://</c> or <c>/</c> (a path on this system), so no <c>javascript:</c> or other scheme.
    /// </summary>
    public static string? RunbookUrlProblem(string template)
    {
        var t = template.TrimStart();
        if (t.StartsWith("{{", StringComparison.Ordinal))
        {
            var close = t.IndexOf("}}", StringComparison.Ordinal);
            var action = close < 0 ? t : t[2..close];
            action = action.Trim().Trim('-').Trim();
            return action is "$externalURL" or ".ExternalURL"
                ? null
                : "runbook_url must start with {{ $externalURL }}, http://, https:// or / (a template that computes the scheme cannot be checked)";
        }
        if (t.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || t.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ||
            (t.StartsWith('/') && !t.StartsWith("//", StringComparison.Ordinal)))
        {
            return null;
        }
        return $"runbook_url \"{Truncate(template)}\" is not an http(s) URL or a path starting with /";
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "...";

    private static IReadOnlyList<KeyValuePair<string, AlertTemplate>> Templates(YamlMappingNode map, string field, string path, Context ctx, bool checkNames)
    {
        var node = Child(map, field);
        if (node is null || IsNull(node))
        {
            return [];
        }
        if (node is not YamlMappingNode m)
        {
            ctx.Add(node, $"{path}.{field}", "expected a mapping of names to strings");
            return [];
        }
        var result = new List<KeyValuePair<string, AlertTemplate>>();
        foreach (var (k, v) in m.Children)
        {
            if (k is not YamlScalarNode { Value: var keyValue })
            {
                ctx.Add(k, $"{path}.{field}", $"expected {(checkNames ? "a label" : "an annotation")} name, not a list or mapping as key");
                continue;
            }
            var key = keyValue ?? string.Empty;
            var fieldPath = $"{path}.{field}.{key}";
            if (!Matcher.IsValidLabelName(key))
            {
                ctx.Add(k, fieldPath, $"invalid {(checkNames ? "label" : "annotation")} name \"{key}\": must match [a-zA-Z_][a-zA-Z0-9_]*");
                continue;
            }
            if (checkNames && key == "alertname")
            {
                ctx.Add(k, fieldPath, "alertname is set from 'alert'");
                continue;
            }
            if (v is not YamlScalarNode { Value: { } text })
            {
                ctx.Add(v, fieldPath, "expected a string");
                continue;
            }
            try
            {
                result.Add(new(key, AlertTemplate.Parse(text)));
            }
            catch (FormatException e)
            {
                ctx.Add(v, fieldPath, e.Message);
            }
        }
        return result;
    }

    private static TimeSpan Duration(YamlMappingNode map, string field, string path, Context ctx)
    {
        if (Child(map, field) is not { } node || IsNull(node))
        {
            return TimeSpan.Zero;
        }
        if (node is not YamlScalarNode { Value: { } text })
        {
            ctx.Add(node, $"{path}.{field}", "expected a duration such as 5m or 1h30m");
            return TimeSpan.Zero;
        }
        if (!PromDuration.TryParse(text, out var d, out var error))
        {
            ctx.Add(node, $"{path}.{field}", error);
            return TimeSpan.Zero;
        }
        return d;
    }

    private static string? Scalar(YamlMappingNode map, string field, string path, Context ctx, bool required)
    {
        var node = Child(map, field);
        if (node is null || IsNull(node))
        {
            if (required)
            {
                ctx.Add(map, $"{path}.{field}", "is required");
            }
            return null;
        }
        if (node is not YamlScalarNode { Value: { } value } || value.Trim().Length == 0)
        {
            ctx.Add(node, $"{path}.{field}", "expected a non-empty string");
            return null;
        }
        return value;
    }

    private static void RejectUnknown(YamlMappingNode map, string path, string[] known, Context ctx)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                ctx.Add(key, $"{path}.{name}", $"unknown field (known: {string.Join(", ", known)})");
            }
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string name) =>
        map.Children.TryGetValue(new YamlScalarNode(name), out var node) ? node : null;

    private static bool IsNull(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    private static bool IsMetricName(string s) =>
        s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] is '_' or ':') && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');

    private static void CheckAliasesAndNesting(string yaml, Context ctx)
    {
        var parser = new Parser(new StringReader(yaml));
        var aliases = 0;
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case AnchorAlias alias when ++aliases > MaxAliases:
                        ctx.Errors.Add(new RuleFileError(ctx.Source, (int)alias.Start.Line, (int)alias.Start.Column, string.Empty,
                            $"more than {MaxAliases} YAML aliases: refused (anchors and aliases are allowed within that budget)"));
                        return;
                    case MappingStart or SequenceStart when ++depth > MaxNesting:
                        ctx.Errors.Add(new RuleFileError(ctx.Source, (int)parser.Current.Start.Line, (int)parser.Current.Start.Column, string.Empty,
                            $"YAML nested more than {MaxNesting} levels deep: refused"));
                        return;
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (YamlException)
        {
            // Reported with its position by the loader.
        }
    }

    private static string InnerMessage(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e.Message;
    }

    private sealed class Context(string source)
    {
        public string Source { get; } = source;

        public List<RuleFileError> Errors { get; } = [];

        public void Add(YamlNode node, string field, string message) =>
            Errors.Add(new RuleFileError(Source, (int)node.Start.Line, (int)node.Start.Column, field, message));
    }
}
