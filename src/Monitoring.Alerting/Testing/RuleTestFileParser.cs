using Monitoring.Alerting.Evaluation;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Rules;
using Monitoring.Alerting.Silences;
using Monitoring.Alerting.Time;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Alerting.Testing;

/// <summary>
/// Reads a rule test file with YamlDotNet's representation model, collecting every error with its line (unknown
/// fields, bad durations, unknown metrics and labels in series, bad value notation, bad matchers) instead of stopping
/// at the first.
/// </summary>
internal sealed class RuleTestFileParser(string source, string baseDirectory)
{
    private static readonly string[] TopFields = ["rule_files", "alertmanager_config", "evaluation_interval", "flap_damping", "tests"];
    private static readonly string[] FlapFields = ["evaluations", "max_changes"];
    private static readonly string[] TestFields = ["name", "external_url", "input_windows", "silences", "alert_rule_test", "notification_test"];
    private static readonly string[] SeriesFields = ["series", "values"];
    private static readonly string[] SilenceFields = ["matchers", "starts_at", "ends_at", "comment"];
    private static readonly string[] AlertTestFields = ["eval_time", "alertname", "exp_alerts"];
    private static readonly string[] ExpAlertFields = ["exp_labels", "exp_annotations", "exp_state"];
    private static readonly string[] NotificationTestFields = ["eval_time", "exp_notifications"];
    private static readonly string[] ExpNotificationFields = ["receiver", "group_labels", "reason", "time", "alerts"];

    private readonly List<RuleFileError> _errors = [];

    public RuleTestFile Parse(string yaml)
    {
        YamlNode? root = null;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        }
        catch (YamlException e)
        {
            _errors.Add(new RuleFileError(source, (int)e.Start.Line, (int)e.Start.Column, string.Empty, "not valid YAML: " + (e.InnerException ?? e).Message));
            throw new RuleFileException(_errors);
        }
        if (root is not YamlMappingNode top)
        {
            _errors.Add(new RuleFileError(source, root is null ? 0 : (int)root.Start.Line, 1, string.Empty, "expected a mapping with 'rule_files' and 'tests'"));
            throw new RuleFileException(_errors);
        }
        RejectUnknown(top, string.Empty, TopFields);

        var ruleFiles = new List<string>();
        switch (Child(top, "rule_files"))
        {
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    if (NonEmpty(seq.Children[i], $"rule_files[{i}]") is { } f)
                    {
                        var full = Path.GetFullPath(Path.Combine(baseDirectory, f));
                        if (!File.Exists(full) && !Directory.Exists(full))
                        {
                            Add(seq.Children[i], $"rule_files[{i}]", $"no such file: {full}");
                        }
                        ruleFiles.Add(full);
                    }
                }
                break;
            case null:
                _errors.Add(new RuleFileError(source, (int)top.Start.Line, 1, "rule_files", "is required"));
                break;
            case var other:
                Add(other, "rule_files", "expected a list of rule files");
                break;
        }
        string? config = null;
        if (Child(top, "alertmanager_config") is { } configNode && NonEmpty(configNode, "alertmanager_config") is { } c)
        {
            config = Path.GetFullPath(Path.Combine(baseDirectory, c));
            if (!File.Exists(config))
            {
                Add(configNode, "alertmanager_config", $"no such file: {config}");
            }
        }
        var interval = RuleTestFile.DefaultEvaluationInterval;
        if (Child(top, "evaluation_interval") is { } intervalNode && Duration(intervalNode, "evaluation_interval") is { } d)
        {
            if (d <= TimeSpan.Zero)
            {
                Add(intervalNode, "evaluation_interval", "must be greater than 0");
            }
            else
            {
                interval = d;
            }
        }
        var flap = new FlapDamping();
        if (Child(top, "flap_damping") is { } flapNode)
        {
            if (flapNode is YamlMappingNode flapMap)
            {
                RejectUnknown(flapMap, "flap_damping", FlapFields);
                var evaluations = Integer(Child(flapMap, "evaluations"), "flap_damping.evaluations", 0, 64) ?? FlapDamping.DefaultEvaluations;
                var maxChanges = Integer(Child(flapMap, "max_changes"), "flap_damping.max_changes", 0, 64) ?? FlapDamping.DefaultMaxChanges;
                flap = evaluations == 0 ? FlapDamping.Off : new FlapDamping(evaluations, maxChanges);
            }
            else
            {
                Add(flapNode, "flap_damping", "expected a mapping with 'evaluations' (0 = off) and 'max_changes'");
            }
        }
        var tests = new List<RuleTestCase>();
        switch (Child(top, "tests"))
        {
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    if (ParseTest(seq.Children[i], $"tests[{i}]", config is not null) is { } t)
                    {
                        tests.Add(t);
                    }
                }
                break;
            case null:
                break;
            case var other:
                Add(other, "tests", "expected a list of tests");
                break;
        }
        if (_errors.Count > 0)
        {
            throw new RuleFileException(_errors);
        }
        return new RuleTestFile(source, ruleFiles, config, interval, tests) { FlapDamping = flap };
    }

    private RuleTestCase? ParseTest(YamlNode node, string path, bool hasConfig)
    {
        if (node is not YamlMappingNode map)
        {
            Add(node, path, "expected a mapping with 'input_windows' and 'alert_rule_test'");
            return null;
        }
        RejectUnknown(map, path, TestFields);
        var name = Child(map, "name") is { } n ? NonEmpty(n, path + ".name") ?? string.Empty : $"{path} (line {map.Start.Line})";
        var externalUrl = Child(map, "external_url") is YamlScalarNode { Value: { } u } ? u : string.Empty;

        var inputs = new List<InputSeries>();
        foreach (var (item, itemPath) in Items(map, "input_windows", path))
        {
            if (ParseSeries(item, itemPath) is { } s)
            {
                inputs.Add(s);
            }
        }
        var duplicates = inputs.GroupBy(s => (s.Metric.Name, s.Labels)).Where(g => g.Count() > 1);
        foreach (var g in duplicates)
        {
            _errors.Add(new RuleFileError(source, g.ElementAt(1).Line, 1, path + ".input_windows",
                $"series {g.Key.Name}{g.Key.Labels} is given twice (first at line {g.First().Line})"));
        }

        var silences = new List<Silence>();
        foreach (var (item, itemPath) in Items(map, "silences", path))
        {
            if (ParseSilence(item, itemPath, silences.Count) is { } s)
            {
                silences.Add(s);
            }
        }

        var alertTests = new List<AlertRuleTest>();
        foreach (var (item, itemPath) in Items(map, "alert_rule_test", path))
        {
            if (ParseAlertTest(item, itemPath) is { } t)
            {
                alertTests.Add(t);
            }
        }

        var notificationTests = new List<NotificationTest>();
        foreach (var (item, itemPath) in Items(map, "notification_test", path))
        {
            if (!hasConfig)
            {
                Add(item, itemPath, "notification tests need 'alertmanager_config' at the top of the file");
                continue;
            }
            if (ParseNotificationTest(item, itemPath) is { } t)
            {
                notificationTests.Add(t);
            }
        }
        return new RuleTestCase(name, (int)map.Start.Line, externalUrl, inputs, silences, alertTests, notificationTests);
    }

    private InputSeries? ParseSeries(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Add(node, path, "expected a mapping with 'series' and 'values'");
            return null;
        }
        RejectUnknown(map, path, SeriesFields);
        var seriesNode = Child(map, "series");
        var text = seriesNode is null ? Missing(map, path + ".series") : NonEmpty(seriesNode, path + ".series");
        var valuesNode = Child(map, "values");
        var valuesText = valuesNode is null ? Missing(map, path + ".values") : NonEmpty(valuesNode, path + ".values");
        if (text is null || valuesText is null)
        {
            return null;
        }
        var brace = text.IndexOf('{', StringComparison.Ordinal);
        var name = (brace < 0 ? text : text[..brace]).Trim();
        if (!MetricCatalog.TryGet(name, out var metric))
        {
            Add(seriesNode!, path + ".series", $"unknown metric \"{name}\" (`monitoring rules metrics` lists them)");
            return null;
        }
        IReadOnlyList<Matcher> matchers;
        try
        {
            matchers = brace < 0 ? [] : Matchers.ParseList(text[brace..]);
        }
        catch (FormatException e)
        {
            Add(seriesNode!, path + ".series", e.Message);
            return null;
        }
        var ok = true;
        foreach (var m in matchers)
        {
            if (m.Type != MatcherType.Equal)
            {
                Add(seriesNode!, path + ".series", $"label {m.Name} must be given with = (a series has values, not matchers)");
                ok = false;
            }
            else if (!metric.Labels.Contains(m.Name, StringComparer.Ordinal))
            {
                Add(seriesNode!, path + ".series", $"metric \"{name}\" has no label \"{m.Name}\" (its labels: {string.Join(", ", metric.Labels)})");
                ok = false;
            }
        }
        var labels = LabelSet.From(matchers.Select(m => new KeyValuePair<string, string>(m.Name, m.Value)));
        var missing = metric.Labels.Where(l => !labels.Contains(l)).ToList();
        if (ok && missing.Count > 0)
        {
            Add(seriesNode!, path + ".series", $"metric \"{name}\" needs the labels {string.Join(", ", missing)} (its series always carry {string.Join(", ", metric.Labels)})");
            ok = false;
        }
        double?[] values;
        try
        {
            values = SeriesValues.Expand(valuesText);
        }
        catch (FormatException e)
        {
            Add(valuesNode!, path + ".values", e.Message);
            return null;
        }
        return ok ? new InputSeries(metric, labels, values, (int)map.Start.Line) : null;
    }

    private Silence? ParseSilence(YamlNode node, string path, int index)
    {
        if (node is not YamlMappingNode map)
        {
            Add(node, path, "expected a mapping with 'matchers', 'starts_at' and 'ends_at'");
            return null;
        }
        RejectUnknown(map, path, SilenceFields);
        var matchers = new List<Matcher>();
        var ok = true;
        foreach (var (item, itemPath) in Items(map, "matchers", path))
        {
            try
            {
                matchers.AddRange(Matchers.ParseList(NonEmpty(item, itemPath) ?? throw new FormatException("empty matcher")));
            }
            catch (FormatException e)
            {
                Add(item, itemPath, e.Message);
                ok = false;
            }
        }
        var starts = Child(map, "starts_at") is { } s ? Duration(s, path + ".starts_at") : TimeSpan.Zero;
        var ends = Child(map, "ends_at") is { } endsNode ? Duration(endsNode, path + ".ends_at") : MissingDuration(map, path + ".ends_at");
        if (!ok || starts is null || ends is null)
        {
            return null;
        }
        var silence = new Silence
        {
            Id = $"test-silence-{index}",
            Matchers = matchers,
            StartsAt = RuleTestRunner.Start + starts.Value,
            EndsAt = RuleTestRunner.Start + ends.Value,
            CreatedBy = "monitoring rules test",
            Comment = Child(map, "comment") is YamlScalarNode { Value: { Length: > 0 } c } ? c : path,
        };
        if (silence.Problem() is { } problem)
        {
            Add(map, path, problem);
            return null;
        }
        return silence;
    }

    private AlertRuleTest? ParseAlertTest(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Add(node, path, "expected a mapping with 'eval_time', 'alertname' and 'exp_alerts'");
            return null;
        }
        RejectUnknown(map, path, AlertTestFields);
        var evalTime = EvalTime(map, path);
        var alertName = Child(map, "alertname") is { } a ? NonEmpty(a, path + ".alertname") : Missing(map, path + ".alertname");
        var expected = new List<ExpectedAlert>();
        foreach (var (item, itemPath) in Items(map, "exp_alerts", path))
        {
            if (item is not YamlMappingNode exp)
            {
                Add(item, itemPath, "expected a mapping with 'exp_labels'");
                continue;
            }
            RejectUnknown(exp, itemPath, ExpAlertFields);
            var labels = Map(Child(exp, "exp_labels"), itemPath + ".exp_labels");
            var annotations = Map(Child(exp, "exp_annotations"), itemPath + ".exp_annotations");
            var state = ExpectedState.Firing;
            if (Child(exp, "exp_state") is { } stateNode)
            {
                switch ((stateNode as YamlScalarNode)?.Value)
                {
                    case "pending": state = ExpectedState.Pending; break;
                    case "firing": state = ExpectedState.Firing; break;
                    case "resolved": state = ExpectedState.Resolved; break;
                    default: Add(stateNode, itemPath + ".exp_state", "expected pending, firing or resolved"); break;
                }
            }
            if (alertName is not null && labels.TryGetValue("alertname", out var given) && given != alertName)
            {
                Add(exp, itemPath + ".exp_labels.alertname", $"is \"{given}\" but the test asserts \"{alertName}\"");
            }
            expected.Add(new ExpectedAlert(alertName is null ? labels : labels.With("alertname", alertName), annotations, state));
        }
        return evalTime is null || alertName is null ? null : new AlertRuleTest(evalTime.Value, alertName, expected, (int)map.Start.Line);
    }

    private NotificationTest? ParseNotificationTest(YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Add(node, path, "expected a mapping with 'eval_time' and 'exp_notifications'");
            return null;
        }
        RejectUnknown(map, path, NotificationTestFields);
        var evalTime = EvalTime(map, path);
        var expected = new List<ExpectedNotification>();
        foreach (var (item, itemPath) in Items(map, "exp_notifications", path))
        {
            if (item is not YamlMappingNode exp)
            {
                Add(item, itemPath, "expected a mapping with 'receiver', 'group_labels' and 'alerts'");
                continue;
            }
            RejectUnknown(exp, itemPath, ExpNotificationFields);
            var receiver = Child(exp, "receiver") is { } r ? NonEmpty(r, itemPath + ".receiver") : Missing(exp, itemPath + ".receiver");
            var groupLabels = Map(Child(exp, "group_labels"), itemPath + ".group_labels");
            var reason = Child(exp, "reason") is { } reasonNode ? NonEmpty(reasonNode, itemPath + ".reason") : null;
            var time = Child(exp, "time") is { } timeNode ? Duration(timeNode, itemPath + ".time") : null;
            var alerts = new List<ExpectedNotificationAlert>();
            foreach (var (alertNode, alertPath) in Items(exp, "alerts", itemPath))
            {
                var labels = Map(alertNode, alertPath);
                var resolved = false;
                if (labels.TryGetValue("status", out var status))
                {
                    if (status is not ("firing" or "resolved"))
                    {
                        Add(alertNode, alertPath + ".status", "expected firing or resolved");
                    }
                    resolved = status == "resolved";
                    labels = labels.Without(["status"]);
                }
                alerts.Add(new ExpectedNotificationAlert(labels, resolved));
            }
            if (receiver is not null)
            {
                expected.Add(new ExpectedNotification(receiver, groupLabels, reason, time, alerts));
            }
        }
        return evalTime is null ? null : new NotificationTest(evalTime.Value, expected, (int)map.Start.Line);
    }

    private TimeSpan? EvalTime(YamlMappingNode map, string path)
    {
        if (Child(map, "eval_time") is not { } node)
        {
            Missing(map, path + ".eval_time");
            return null;
        }
        return Duration(node, path + ".eval_time");
    }

    private IEnumerable<(YamlNode Node, string Path)> Items(YamlMappingNode map, string field, string path)
    {
        switch (Child(map, field))
        {
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    yield return (seq.Children[i], $"{path}.{field}[{i}]");
                }
                break;
            case null:
                break;
            case YamlScalarNode s when IsNull(s):
                break;
            case var other:
                Add(other, $"{path}.{field}", "expected a list");
                break;
        }
    }

    private LabelSet Map(YamlNode? node, string path)
    {
        if (node is null || (node is YamlScalarNode s && IsNull(s)))
        {
            return LabelSet.Empty;
        }
        if (node is not YamlMappingNode map)
        {
            Add(node, path, "expected a mapping of names to values");
            return LabelSet.Empty;
        }
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!Matcher.IsValidLabelName(name))
            {
                Add(key, $"{path}.{name}", "invalid label name");
            }
            else if (value is not YamlScalarNode { Value: { } v })
            {
                Add(value, $"{path}.{name}", "expected a string");
            }
            else
            {
                pairs.Add(new(name, v));
            }
        }
        return LabelSet.From(pairs);
    }

    private TimeSpan? Duration(YamlNode node, string path)
    {
        if (node is not YamlScalarNode { Value: { } text })
        {
            Add(node, path, "expected a duration such as 90m or 2h");
            return null;
        }
        if (!PromDuration.TryParse(text, out var d, out var error))
        {
            Add(node, path, error);
            return null;
        }
        return d;
    }

    private string? NonEmpty(YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } v } && v.Trim().Length > 0)
        {
            return v;
        }
        Add(node, path, "expected a non-empty string");
        return null;
    }

    private string? Missing(YamlMappingNode map, string path)
    {
        _errors.Add(new RuleFileError(source, (int)map.Start.Line, (int)map.Start.Column, path, "is required"));
        return null;
    }

    private int? Integer(YamlNode? node, string path, int min, int max)
    {
        if (node is null)
        {
            return null;
        }
        if (node is YamlScalarNode { Value: { } text } && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }
        Add(node, path, $"expected a whole number from {min} to {max}");
        return null;
    }

    private TimeSpan? MissingDuration(YamlMappingNode map, string path)
    {
        Missing(map, path);
        return null;
    }

    private void RejectUnknown(YamlMappingNode map, string path, string[] known)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                Add(key, path.Length == 0 ? name : $"{path}.{name}", $"unknown field (known: {string.Join(", ", known)})");
            }
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string name) =>
        map.Children.TryGetValue(new YamlScalarNode(name), out var node) ? node : null;

    private static bool IsNull(YamlScalarNode node) => node.Style == ScalarStyle.Plain && node.Value is null or "" or "~" or "null";

    private void Add(YamlNode node, string field, string message) =>
        _errors.Add(new RuleFileError(source, (int)node.Start.Line, (int)node.Start.Column, field, message));
}
