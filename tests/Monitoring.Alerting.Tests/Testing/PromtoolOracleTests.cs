using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitoring.Alerting.Evaluation;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Rules;
using Monitoring.Alerting.Testing;
using Monitoring.Alerting.Time;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Alerting.Tests.Testing;

/// <summary>
/// Differential test against Debian's Prometheus 2.42 <c>promtool test rules</c> (package prometheus): the shipped
/// example tests are translated into promtool's format (input_series with the same values at the same interval, the
/// same eval_times, the firing expectations only, since promtool asserts nothing else) over a copy of the example rules
/// without the <c>slos</c> section and without annotations (promtool compares every annotation; firing is what we
/// compare). The example rules' <c>and</c>s join metrics with identical label sets, so PromQL evaluates them as we do.
/// A second test compares every evaluation of seeded random windows, with flap damping off (Prometheus has none).
/// </summary>
public sealed class PromtoolOracleTests
{
    private const string Promtool = "/usr/bin/promtool";

    // Rules promtool evaluates as we do: single comparisons, `and` over identical label sets, for and keep_firing_for.
    private const string OracleRules = """
        groups:
          - name: oracle
            rules:
              - alert: PsiHigh
                expr: feature_psi > 0.25
                for: 1h
                labels: {severity: ticket}
              - alert: ManyDrifted
                expr: drifted_features >= 3
                for: 2h
              - alert: AucLow
                expr: performance_auc < 0.6 and label_coverage > 0.1
              - alert: VolumeLow
                expr: window_volume < 10
                keep_firing_for: 1h
              - alert: SliceWorse
                expr: slice_accuracy_delta < -0.1 and slice_significant == 1
                for: 1h
        """;

    [Fact]
    public async Task SeededRandomWindows_FireTheSameAlertsInPromtool_AtEveryEvaluation()
    {
        const int windows = 12;
        const int evaluations = windows + 3; // three more without samples: alerts resolve as series end
        var rules = RuleFileParser.Parse(OracleRules).Rules.ToList();
        var interval = TimeSpan.FromHours(1);
        var cases = Enumerable.Range(1, 8).Select(seed => RandomCase(seed, windows, interval * (evaluations - 1))).ToList();
        var file = new RuleTestFile("oracle.test.yml", [], null, interval, cases) { FlapDamping = FlapDamping.Off };
        var suite = new RuleTestSuite(file, rules, null);

        var sb = new StringBuilder("rule_files: [rules.yml]\nevaluation_interval: 1h\ntests:\n");
        var fired = new HashSet<string>(StringComparer.Ordinal);
        foreach (var test in cases)
        {
            var trace = await RuleTestRunner.TraceAsync(suite, test);
            AppendInputs(sb, test.Name, test.Inputs, interval);
            sb.AppendLine("    alert_rule_test:");
            for (var k = 0; k < evaluations; k++)
            {
                foreach (var rule in rules)
                {
                    var firing = trace.Evaluations[k].Active.Where(a => a.State == AlertState.Firing && a.Labels["alertname"] == rule.Name).Select(a => a.Labels).ToList();
                    fired.UnionWith(firing.Select(l => l["alertname"]));
                    AppendAlertTest(sb, interval * k, rule.Name, firing);
                }
            }
        }
        using var dir = new TestDirectory();
        dir.Write("rules.yml", OracleRules);
        var testFile = dir.Write("promtool.test.yml", sb.ToString());

        var (exit, output) = Run(dir.Path, "test", "rules", testFile);

        Assert.True(exit == 0, $"promtool disagrees with RuleTestRunner on {testFile}:\n{output}");
        Assert.Equal(rules.Select(r => r.Name).Order(StringComparer.Ordinal), fired.Order(StringComparer.Ordinal)); // every rule fired somewhere
    }

    private static RuleTestCase RandomCase(int seed, int windows, TimeSpan lastEvaluation)
    {
        var random = new Random(seed);
        var inputs = new List<InputSeries>();
        void Add(string metric, double[] choices, params string[] labels)
        {
            MetricCatalog.TryGet(metric, out var info);
            var values = Enumerable.Range(0, windows).Select(_ => random.NextDouble() < 0.1 ? (double?)null : choices[random.Next(choices.Length)]).ToArray();
            inputs.Add(new InputSeries(info, LabelSet.Of(labels), values, 0));
        }
        foreach (var model in new[] { "a", "b" })
        {
            foreach (var feature in new[] { "income", "age" })
            {
                Add("feature_psi", [0.1, 0.25, 0.3, 0.5], "tenant", "t", "model", model, "feature", feature);
            }
            Add("drifted_features", [0, 2, 3, 5], "tenant", "t", "model", model);
            Add("performance_auc", [0.5, 0.6, 0.7], "tenant", "t", "model", model);
            Add("label_coverage", [0.05, 0.1, 0.5], "tenant", "t", "model", model);
            Add("window_volume", [5, 10, 50], "tenant", "t", "model", model);
            foreach (var country in new[] { "BR", "DE" })
            {
                Add("slice_accuracy_delta", [-0.2, -0.1, 0], "tenant", "t", "model", model, "slice_dimension", "country", "slice_value", country);
                Add("slice_significant", [0, 1, 1], "tenant", "t", "model", model, "slice_dimension", "country", "slice_value", country);
            }
        }
        // An assertion at the last evaluation makes the trace run that far.
        return new RuleTestCase($"seed {seed}", 0, string.Empty, inputs, [], [new AlertRuleTest(lastEvaluation, "PsiHigh", [], 0)], []);
    }

    private static void AppendInputs(StringBuilder sb, string name, IEnumerable<InputSeries> inputs, TimeSpan interval)
    {
        sb.AppendLine(CultureInfo.InvariantCulture, $"  - name: {Q(name)}").AppendLine(CultureInfo.InvariantCulture, $"    interval: {PromDuration.Format(interval)}").AppendLine("    input_series:");
        foreach (var s in inputs)
        {
            var values = string.Join(' ', s.Values.Select(v => v switch
            {
                null => "_",
                double.PositiveInfinity => "Inf",
                double.NegativeInfinity => "-Inf",
                { } x => x.ToString("R", CultureInfo.InvariantCulture),
            }));
            sb.AppendLine(CultureInfo.InvariantCulture, $"      - series: {Q(s.Metric.Name + s.Labels)}").AppendLine(CultureInfo.InvariantCulture, $"        values: {Q(values)}");
        }
    }

    private static void AppendAlertTest(StringBuilder sb, TimeSpan evalTime, string alertName, IReadOnlyList<LabelSet> firing)
    {
        sb.AppendLine(CultureInfo.InvariantCulture, $"      - eval_time: {PromDuration.Format(evalTime)}")
            .AppendLine(CultureInfo.InvariantCulture, $"        alertname: {alertName}")
            .AppendLine(firing.Count == 0 ? "        exp_alerts: []" : "        exp_alerts:");
        foreach (var labels in firing)
        {
            var pairs = labels.Where(p => p.Key != "alertname").Select(p => $"{Q(p.Key)}: {Q(p.Value)}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"          - exp_labels: {{{string.Join(", ", pairs)}}}");
        }
    }

    [Fact]
    public void ExampleRuleTests_AgreeWithPromtool_OnFiringAlerts()
    {
        var file = RuleTestFile.Load(TestDirectory.Example("example-rules.test.yml"));
        using var dir = new TestDirectory();
        dir.Write("rules.yml", PromtoolRules(TestDirectory.Example("example-rules.yml")));
        var test = dir.Write("promtool.test.yml", Translate(file, dropFirstFiring: false));

        var (exit, output) = Run(dir.Path, "test", "rules", test);

        Assert.True(exit == 0, $"promtool disagrees with `monitoring rules test` on {test}:\n{File.ReadAllText(test)}\n{output}");
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Promtool_FailsTheTranslation_WhenAFiringAlertIsLeftOut()
    {
        // The control: the comparison above could pass vacuously if promtool asserted nothing.
        var file = RuleTestFile.Load(TestDirectory.Example("example-rules.test.yml"));
        using var dir = new TestDirectory();
        dir.Write("rules.yml", PromtoolRules(TestDirectory.Example("example-rules.yml")));
        var test = dir.Write("promtool.test.yml", Translate(file, dropFirstFiring: true));

        var (exit, output) = Run(dir.Path, "test", "rules", test);

        Assert.Equal(1, exit);
        Assert.Contains("FeatureDrift", output, StringComparison.Ordinal);
    }

    private static string PromtoolRules(string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(path)));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        root.Children.Remove(new YamlScalarNode("slos"));
        foreach (YamlMappingNode group in (YamlSequenceNode)root.Children[new YamlScalarNode("groups")])
        {
            foreach (YamlMappingNode rule in (YamlSequenceNode)group.Children[new YamlScalarNode("rules")])
            {
                rule.Children.Remove(new YamlScalarNode("annotations"));
            }
        }
        var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static string Translate(RuleTestFile file, bool dropFirstFiring)
    {
        var interval = PromDuration.Format(file.EvaluationInterval);
        var sb = new StringBuilder().AppendLine("rule_files: [rules.yml]").AppendLine(CultureInfo.InvariantCulture, $"evaluation_interval: {interval}").AppendLine("tests:");
        var dropped = !dropFirstFiring;
        foreach (var test in file.Tests)
        {
            AppendInputs(sb, test.Name, test.Inputs, file.EvaluationInterval);
            sb.AppendLine("    alert_rule_test:");
            foreach (var a in test.AlertTests)
            {
                var firing = a.Expected.Where(e => e.State == ExpectedState.Firing).ToList();
                if (!dropped && firing.Count > 0)
                {
                    firing.RemoveAt(0);
                    dropped = true;
                }
                AppendAlertTest(sb, a.EvalTime, a.AlertName, [.. firing.Select(e => e.Labels)]);
            }
        }
        return sb.ToString();
    }

    // A YAML double-quoted scalar accepts JSON's escapes.
    private static string Q(string s) => JsonSerializer.Serialize(s);

    private static (int ExitCode, string Output) Run(string workingDirectory, params string[] args)
    {
        if (!File.Exists(Promtool))
        {
            Assert.Fail($"{Promtool} is missing: this test compares rule tests with Debian's Prometheus. Run scripts/test.sh, which installs the prometheus package.");
        }
        var start = new ProcessStartInfo(Promtool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(60_000), "promtool did not finish in 60 s");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
