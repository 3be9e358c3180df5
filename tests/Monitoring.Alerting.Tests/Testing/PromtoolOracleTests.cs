using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
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
/// </summary>
public sealed class PromtoolOracleTests
{
    private const string Promtool = "/usr/bin/promtool";

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
            sb.AppendLine(CultureInfo.InvariantCulture, $"  - name: {Q(test.Name)}").AppendLine(CultureInfo.InvariantCulture, $"    interval: {interval}").AppendLine("    input_series:");
            foreach (var s in test.Inputs)
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
            sb.AppendLine("    alert_rule_test:");
            foreach (var a in test.AlertTests)
            {
                var firing = a.Expected.Where(e => e.State == ExpectedState.Firing).ToList();
                if (!dropped && firing.Count > 0)
                {
                    firing.RemoveAt(0);
                    dropped = true;
                }
                sb.AppendLine(CultureInfo.InvariantCulture, $"      - eval_time: {PromDuration.Format(a.EvalTime)}")
                    .AppendLine(CultureInfo.InvariantCulture, $"        alertname: {a.AlertName}")
                    .AppendLine(firing.Count == 0 ? "        exp_alerts: []" : "        exp_alerts:");
                foreach (var e in firing)
                {
                    var labels = e.Labels.Where(p => p.Key != "alertname").Select(p => $"{Q(p.Key)}: {Q(p.Value)}");
                    sb.AppendLine(CultureInfo.InvariantCulture, $"          - exp_labels: {{{string.Join(", ", labels)}}}");
                }
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
