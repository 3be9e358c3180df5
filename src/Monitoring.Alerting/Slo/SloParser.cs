using System.Globalization;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Rules;
using Monitoring.Alerting.Time;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Alerting.Slo;

/// <summary>A problem in a rule file's <c>slos:</c> part, naming the field and its line.</summary>
/// <param name="Source">The rule file.</param>
/// <param name="Field">Path of the field, e.g. <c>slos[0].objective</c>.</param>
/// <param name="Line">1-based line of the field (of its entry when the field is missing).</param>
/// <param name="Reason">What is wrong, e.g. <c>120 is not a percentage in (0, 100)</c>.</param>
public sealed record SloParseError(string Source, string Field, int Line, string Reason)
{
    /// <summary><c>slos[0].objective (line 5): 120 is not a percentage in (0, 100)</c>.</summary>
    public override string ToString() => $"{Field} (line {Line}): {Reason}";
}

/// <summary>The SLOs that parsed and the errors of those that did not (an SLO with any error is left out whole).</summary>
/// <param name="Slos">Valid SLOs, in file order.</param>
/// <param name="Errors">Errors, in file order.</param>
public sealed record SloParseResult(IReadOnlyList<SloSpec> Slos, IReadOnlyList<SloParseError> Errors);

/// <summary>
/// Reads the <c>slos:</c> part of a rule file (Sloth-shaped; the <c>groups:</c> part beside it is another parser's):
/// <code>
/// slos:
///   - name: credit-risk-latency
///     model: '{model="credit-risk"}'     # matchers over tenant and model
///     objective: 99.5                     # percent, in (0, 100)
///     window: 30d                         # default 30d; at least 3d, whole hours
///     min_events: 100                     # default 100
///     description: ...                    # optional
///     sli:
///       latency: {threshold_ms: 250}      # or label_agreement: {}
///     alerting:                           # optional; each alert defaults to enabled with severity: page|ticket
///       page:   {labels: {severity: page}, annotations: {summary: "...", runbook_url: "..."}}   # or disable: true
///       ticket: {labels: {severity: ticket}, annotations: {...}}
/// </code>
/// Unknown fields are errors. An enabled alert whose burn factor the objective cannot reach (factor x (1 - objective)
/// &gt; 1: even 100% errors stay below it) is an error naming the factor and the lowest objective that works.
/// </summary>
public static class SloParser
{
    private static readonly string[] EntryFields = ["name", "description", "model", "objective", "window", "min_events", "sli", "alerting"];
    private static readonly string[] SliFields = ["latency", "label_agreement"];
    private static readonly string[] AlertingFields = ["page", "ticket"];
    private static readonly string[] AlertFields = ["disable", "labels", "annotations"];
    private static readonly HashSet<string> ModelLabels = new(["tenant", "model"], StringComparer.Ordinal);

    /// <summary>Parses the <c>slos:</c> sequence of a rule file.</summary>
    /// <param name="slos">The sequence node under <c>slos:</c>.</param>
    /// <param name="sourceName">The file name, carried into specs and errors.</param>
    public static SloParseResult Parse(YamlSequenceNode slos, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(slos);
        var specs = new List<SloSpec>();
        var errors = new List<SloParseError>();
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < slos.Children.Count; i++)
        {
            var reader = new EntryReader(sourceName, $"slos[{i}]", errors);
            var spec = reader.Read(slos.Children[i]);
            if (reader.Name is { } name)
            {
                if (names.TryGetValue(name, out var firstLine))
                {
                    reader.Fail($"slos[{i}].name", reader.NameLine, $"duplicate SLO name \"{name}\", first defined at line {firstLine}");
                    spec = null;
                }
                else
                {
                    names[name] = reader.NameLine;
                }
            }
            if (spec is not null && !reader.Failed)
            {
                specs.Add(spec);
            }
        }
        return new SloParseResult(specs, errors);
    }

    /// <summary>
    /// Parses the <c>slos:</c> part of a whole rule file's text; other top-level keys are left to their parsers.
    /// Text that is not YAML gives one error at the line the YAML reader stopped.
    /// </summary>
    public static SloParseResult Parse(string yaml, string sourceName)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(yaml);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            return new SloParseResult([], [new SloParseError(sourceName, "slos", (int)e.Start.Line, $"not valid YAML: {e.Message}")]);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new SloParseResult([], []);
        }
        foreach (var (key, value) in root.Children)
        {
            if (key is YamlScalarNode { Value: "slos" })
            {
                if (value is YamlSequenceNode sequence)
                {
                    return Parse(sequence, sourceName);
                }
                if (value is YamlScalarNode { Value: null or "" })
                {
                    return new SloParseResult([], []);
                }
                return new SloParseResult([], [new SloParseError(sourceName, "slos", Line(value), "expected a list of SLOs")]);
            }
        }
        return new SloParseResult([], []);
    }

    private static int Line(YamlNode node) => (int)node.Start.Line;

    /// <summary>Reads one entry, collecting every error rather than stopping at the first.</summary>
    private sealed class EntryReader(string source, string path, List<SloParseError> errors)
    {
        private int _errorCount;

        public string? Name { get; private set; }

        public int NameLine { get; private set; }

        public bool Failed => _errorCount > 0;

        public void Fail(string field, int line, string reason)
        {
            _errorCount++;
            errors.Add(new SloParseError(source, field, line, reason));
        }

        public SloSpec? Read(YamlNode node)
        {
            if (node is not YamlMappingNode entry)
            {
                Fail(path, Line(node), "expected a mapping with name, model, objective, sli");
                return null;
            }
            var fields = Fields(entry, path, EntryFields);

            if (Require(fields, "name", entry, path) is { } nameNode && Scalar(nameNode, $"{path}.name") is { } name)
            {
                if (string.IsNullOrWhiteSpace(name))
                {
                    Fail($"{path}.name", Line(nameNode), "the name is empty");
                }
                else
                {
                    Name = name;
                    NameLine = Line(nameNode);
                }
            }
            string? description = null;
            if (fields.TryGetValue("description", out var descriptionNode))
            {
                description = Scalar(descriptionNode, $"{path}.description");
            }
            var model = ReadModel(Require(fields, "model", entry, path));
            var objective = ReadObjective(Require(fields, "objective", entry, path));
            var window = fields.TryGetValue("window", out var windowNode) ? ReadWindow(windowNode) : SloSpec.DefaultWindow;
            var minEvents = fields.TryGetValue("min_events", out var minNode) ? ReadMinEvents(minNode) : SloSpec.DefaultMinEvents;
            var sli = ReadSli(Require(fields, "sli", entry, path));
            var (page, ticket) = fields.TryGetValue("alerting", out var alertingNode)
                ? ReadAlerting(alertingNode)
                : (SloAlertSpec.Default(SloSeverity.Page), SloAlertSpec.Default(SloSeverity.Ticket));

            if (objective is { } o && window is { } w && page is not null && ticket is not null && fields.TryGetValue("objective", out var objectiveNode))
            {
                foreach (var condition in BurnRateWindows.For(w))
                {
                    var alert = condition.Severity == SloSeverity.Page ? page : ticket;
                    if (!alert.Disabled && !condition.IsReachable(o))
                    {
                        var alertName = condition.Severity == SloSeverity.Page ? "page" : "ticket";
                        var min = Math.Ceiling(condition.MinObjectivePercent * 100m) / 100m;
                        Fail($"{path}.objective", Line(objectiveNode),
                            $"{Num(o)}% makes the {alertName} alert unreachable: its {condition.WindowsText} burn factor {Num((decimal)condition.Factor)}x " +
                            $"needs an error ratio of {Num((decimal)condition.Factor * (100m - o) / 100m)}, more than 100% errors; " +
                            $"the {Num((decimal)condition.Factor)}x factor needs objective > {Num(min)}% " +
                            $"(raise the objective or set alerting.{alertName}.disable: true)");
                    }
                }
            }

            if (Failed || Name is null || model is null || objective is null || window is null || minEvents is null || sli is null || page is null || ticket is null)
            {
                return null;
            }
            return new SloSpec
            {
                Name = Name,
                Description = description,
                Model = model,
                ObjectivePercent = objective.Value,
                Window = window.Value,
                MinEvents = minEvents.Value,
                Sli = sli,
                Page = page,
                Ticket = ticket,
                Source = source,
                Line = Line(entry),
            };
        }

        private IReadOnlyList<Matcher>? ReadModel(YamlNode? node)
        {
            if (node is null || Scalar(node, $"{path}.model") is not { } text)
            {
                return null;
            }
            try
            {
                var matchers = Matchers.ParseList(text);
                var other = matchers.FirstOrDefault(m => !ModelLabels.Contains(m.Name));
                if (other is not null)
                {
                    Fail($"{path}.model", Line(node), $"matcher {other} is on label \"{other.Name}\"; an SLO selects models by tenant and model only");
                    return null;
                }
                return matchers;
            }
            catch (FormatException e)
            {
                Fail($"{path}.model", Line(node), e.Message);
                return null;
            }
        }

        private decimal? ReadObjective(YamlNode? node)
        {
            if (node is null || Scalar(node, $"{path}.objective") is not { } text)
            {
                return null;
            }
            if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                Fail($"{path}.objective", Line(node), $"\"{text}\" is not a number (write the percentage, e.g. 99.9)");
                return null;
            }
            if (value <= 0m || value >= 100m)
            {
                Fail($"{path}.objective", Line(node), $"{text} is not a percentage in (0, 100)");
                return null;
            }
            return value;
        }

        private TimeSpan? ReadWindow(YamlNode node)
        {
            if (Scalar(node, $"{path}.window") is not { } text)
            {
                return null;
            }
            if (!PromDuration.TryParse(text, out var window, out var error))
            {
                Fail($"{path}.window", Line(node), error);
                return null;
            }
            if (window < BurnRateWindows.LongestWindow)
            {
                Fail($"{path}.window", Line(node),
                    $"{text} is shorter than the longest alert window {PromDuration.Format(BurnRateWindows.LongestWindow)} (ticket 3d/6h)");
                return null;
            }
            if (window.Ticks % SloCounter.PeriodResolution.Ticks != 0)
            {
                Fail($"{path}.window", Line(node), $"{text} is not a whole number of hours");
                return null;
            }
            return window;
        }

        private long? ReadMinEvents(YamlNode node)
        {
            if (Scalar(node, $"{path}.min_events") is not { } text)
            {
                return null;
            }
            if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < 1)
            {
                Fail($"{path}.min_events", Line(node), $"{text} is not a whole number of at least 1");
                return null;
            }
            return value;
        }

        private SloIndicator? ReadSli(YamlNode? node)
        {
            if (node is null || Mapping(node, $"{path}.sli") is not { } sli)
            {
                return null;
            }
            var fields = Fields(sli, $"{path}.sli", SliFields);
            var kinds = SliFields.Where(fields.ContainsKey).ToList();
            if (kinds.Count != 1)
            {
                Fail($"{path}.sli", Line(sli), kinds.Count == 0
                    ? "no SLI kind: give exactly one of latency, label_agreement"
                    : $"both {string.Join(" and ", kinds)} given: give exactly one SLI kind");
                return null;
            }
            if (fields.TryGetValue("latency", out var latencyNode))
            {
                var latencyPath = $"{path}.sli.latency";
                if (Mapping(latencyNode, latencyPath) is not { } latency)
                {
                    return null;
                }
                var latencyFields = Fields(latency, latencyPath, ["threshold_ms"]);
                if (Require(latencyFields, "threshold_ms", latency, latencyPath) is not { } thresholdNode ||
                    Scalar(thresholdNode, $"{latencyPath}.threshold_ms") is not { } text)
                {
                    return null;
                }
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var threshold) || !double.IsFinite(threshold) || threshold <= 0)
                {
                    Fail($"{latencyPath}.threshold_ms", Line(thresholdNode), $"{text} is not a positive number of milliseconds");
                    return null;
                }
                return new LatencyIndicator(threshold);
            }
            var agreementNode = fields["label_agreement"];
            if (agreementNode is YamlScalarNode { Value: null or "" })
            {
                return new LabelAgreementIndicator();
            }
            if (Mapping(agreementNode, $"{path}.sli.label_agreement") is { } agreement)
            {
                Fields(agreement, $"{path}.sli.label_agreement", []);
                return new LabelAgreementIndicator();
            }
            return null;
        }

        private (SloAlertSpec? Page, SloAlertSpec? Ticket) ReadAlerting(YamlNode node)
        {
            var page = SloAlertSpec.Default(SloSeverity.Page);
            var ticket = SloAlertSpec.Default(SloSeverity.Ticket);
            if (Mapping(node, $"{path}.alerting") is not { } alerting)
            {
                return (null, null);
            }
            var fields = Fields(alerting, $"{path}.alerting", AlertingFields);
            return (
                fields.TryGetValue("page", out var p) ? ReadAlert(p, $"{path}.alerting.page", SloSeverity.Page) : page,
                fields.TryGetValue("ticket", out var t) ? ReadAlert(t, $"{path}.alerting.ticket", SloSeverity.Ticket) : ticket);
        }

        private SloAlertSpec? ReadAlert(YamlNode node, string alertPath, SloSeverity severity)
        {
            if (Mapping(node, alertPath) is not { } alert)
            {
                return null;
            }
            var fields = Fields(alert, alertPath, AlertFields);
            var disabled = false;
            if (fields.TryGetValue("disable", out var disableNode) && Scalar(disableNode, $"{alertPath}.disable") is { } disableText)
            {
                if (!bool.TryParse(disableText, out disabled))
                {
                    Fail($"{alertPath}.disable", Line(disableNode), $"\"{disableText}\" is not true or false");
                }
            }
            var labels = fields.TryGetValue("labels", out var labelsNode)
                ? ReadLabels(labelsNode, $"{alertPath}.labels")
                : SloAlertSpec.Default(severity).Labels;
            var annotations = fields.TryGetValue("annotations", out var annotationsNode)
                ? ReadLabels(annotationsNode, $"{alertPath}.annotations")
                : LabelSet.Empty;
            return labels is null || annotations is null ? null : new SloAlertSpec(disabled, labels, annotations);
        }

        private LabelSet? ReadLabels(YamlNode node, string labelsPath)
        {
            if (Mapping(node, labelsPath) is not { } map)
            {
                return null;
            }
            var pairs = new List<KeyValuePair<string, string>>();
            var ok = true;
            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? string.Empty;
                if (!Matcher.IsValidLabelName(name))
                {
                    Fail($"{labelsPath}.{name}", Line(key), $"\"{name}\" is not a valid name: must match [a-zA-Z_][a-zA-Z0-9_]*");
                    ok = false;
                    continue;
                }
                if (Scalar(value, $"{labelsPath}.{name}") is { } text)
                {
                    try
                    {
                        _ = AlertTemplate.Parse(text); // rendered at every evaluation: a template that cannot parse is refused now
                        pairs.Add(new(name, text));
                    }
                    catch (FormatException e)
                    {
                        Fail($"{labelsPath}.{name}", Line(value), e.Message);
                        ok = false;
                    }
                }
                else
                {
                    ok = false;
                }
            }
            return ok ? LabelSet.From(pairs) : null;
        }

        /// <summary>The mapping's fields by name; unknown and repeated fields are errors.</summary>
        private Dictionary<string, YamlNode> Fields(YamlMappingNode map, string mapPath, string[] allowed)
        {
            var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? string.Empty;
                if (!allowed.Contains(name))
                {
                    Fail($"{mapPath}.{name}", Line(key), allowed.Length == 0
                        ? "unknown field; this mapping takes no fields"
                        : $"unknown field; expected one of {string.Join(", ", allowed)}");
                    continue;
                }
                if (!fields.TryAdd(name, value))
                {
                    Fail($"{mapPath}.{name}", Line(key), "field given twice");
                }
            }
            return fields;
        }

        private YamlNode? Require(Dictionary<string, YamlNode> fields, string name, YamlMappingNode map, string mapPath)
        {
            if (fields.TryGetValue(name, out var node))
            {
                return node;
            }
            Fail($"{mapPath}.{name}", Line(map), "required field missing");
            return null;
        }

        private string? Scalar(YamlNode node, string field)
        {
            if (node is not YamlScalarNode scalar)
            {
                Fail(field, Line(node), "expected a single value, not a list or mapping");
                return null;
            }
            if (string.IsNullOrEmpty(scalar.Value))
            {
                Fail(field, Line(node), "no value given");
                return null;
            }
            return scalar.Value;
        }

        private YamlMappingNode? Mapping(YamlNode node, string field)
        {
            if (node is YamlMappingNode map)
            {
                return map;
            }
            Fail(field, Line(node), "expected a mapping");
            return null;
        }
    }

    private static string Num(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
