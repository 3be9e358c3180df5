using Monitoring.Alerting.Rules;
using Xunit;

namespace Monitoring.Alerting.Tests.Rules;

public sealed class RuleFileParserTests
{
    private const string IssueExample = """
        groups:
          - name: credit-risk
            rules:
              - alert: FeatureDrift
                expr: feature_psi{model="credit-risk", feature=~"income|age"} > 0.2
                for: 2h
                keep_firing_for: 1h
                labels: {severity: page, team: risk}
                annotations:
                  summary: "{{ $labels.feature }} drifted on {{ $labels.model }} (PSI {{ $value }})"
                  runbook_url: "{{ $externalURL }}/runbooks/feature-drift"
        """;

    [Fact]
    public void IssueExample_Parses_WithEveryField()
    {
        var set = RuleFileParser.Parse(IssueExample);
        var rule = Assert.Single(set.Rules);
        Assert.Equal("credit-risk", rule.Group);
        Assert.Equal("FeatureDrift", rule.Name);
        Assert.Equal(TimeSpan.FromHours(2), rule.For);
        Assert.Equal(TimeSpan.FromHours(1), rule.KeepFiringFor);
        Assert.Equal(["severity", "team"], rule.Labels.Select(l => l.Key));
        Assert.Equal(4, rule.Line);
        var term = Assert.IsType<ComparisonTerm>(rule.Expression);
        Assert.Equal("feature_psi", term.Metric.Name);
        Assert.Equal(2, term.Matchers.Count);
        Assert.Equal(0.2, term.Threshold);
    }

    [Theory]
    [InlineData("expr: feature_psy > 0.2", "5:15", "unknown metric \"feature_psy\"")]
    [InlineData("expr: feature_psi{slice_value=\"x\"} > 0.2", "5:15", "has no label \"slice_value\"")]
    [InlineData("expr: feature_psi{feature=~\"(\"} > 0.2", "5:15", "does not compile")]
    [InlineData("expr: feature_psi > abc", "5:15", "\"abc\" is not a number")]
    [InlineData("expr: feature_psi > NaN", "5:15", "\"NaN\" is not a number")]
    [InlineData("expr: feature_psi 0.2", "5:15", "expected a comparison")]
    [InlineData("expr: feature_psi > 0.2\n        for: -5m", "6:14", "expected a number")]
    [InlineData("expr: feature_psi > 0.2\n        for: NaN", "6:14", "expected a number")]
    [InlineData("expr: feature_psi > 0.2\n        keep_firing_for: 5x", "6:26", "unknown unit \"x\"")]
    [InlineData("expr: feature_psi > 0.2\n        fore: 5m", "6:9", "unknown field")]
    [InlineData("expr: feature_psi > 0.2\n        annotations: {runbook_url: \"javascript:alert(1)\"}", "6:36", "is not an http(s) URL")]
    [InlineData("expr: feature_psi > 0.2\n        annotations: {summary: \"{{ $labelz.x }}\"}", "6:32", "unknown operand")]
    [InlineData("expr: feature_psi > 0.2\n        annotations: {summary: \"{{ exec \\\"x\\\" }}\"}", "6:32", "not a function")]
    [InlineData("expr: feature_psi > 0.2\n        labels: {alertname: x}", "6:18", "alertname is set from 'alert'")]
    public void BadRule_IsRejected_WithLineAndReason(string ruleBody, string lineColumn, string reason)
    {
        var yaml = $"""
            groups:
              - name: g
                rules:
                  - alert: A
                    {ruleBody}
            """;
        var e = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse(yaml, "r.yml"));
        var error = Assert.Single(e.Errors);
        Assert.Equal(lineColumn, $"{error.Line}:{error.Column}");
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"r.yml:{lineColumn}: groups[0].rules[0]", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateAlertNamesInAGroup_AreRejected_AndDuplicateGroups()
    {
        const string yaml = """
            groups:
              - name: g
                rules:
                  - alert: A
                    expr: feature_psi > 0.2
                  - alert: A
                    expr: feature_psi > 0.3
              - name: g
                rules: []
            """;
        var e = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse(yaml));
        Assert.Collection(e.Errors,
            a => Assert.Contains("alert name \"A\" is repeated in group \"g\" (first at line 4)", a.Message, StringComparison.Ordinal),
            g => Assert.Contains("group name \"g\" is repeated", g.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void RecordingRules_AreRejected_WithTheReason()
    {
        var e = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse("groups: [{name: g, rules: [{record: x, expr: feature_psi > 1}]}]"));
        Assert.Contains("recording rules are not supported", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AliasBomb_IsRefused_BeforeExpansion()
    {
        var lines = new List<string> { "a0: &a0 [x, x, x, x, x, x, x, x, x, x]" };
        for (var i = 1; i <= 20; i++)
        {
            lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]");
        }
        var e = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse(string.Join("\n", lines)));
        Assert.Contains($"more than {RuleFileParser.MaxAliases} YAML aliases", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FewAliases_AreAllowed()
    {
        const string yaml = """
            groups:
              - name: g
                rules:
                  - alert: A
                    expr: feature_psi > 0.2
                    labels: &common {severity: page}
                  - alert: B
                    expr: prediction_psi > 0.2
                    labels: *common
            """;
        var set = RuleFileParser.Parse(yaml);
        Assert.All(set.Rules, r => Assert.Equal("page", Assert.Single(r.Labels).Value.Source));
    }

    [Fact]
    public void InvalidYaml_ReportsPosition()
    {
        var e = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse("groups:\n  - name: [unclosed\n"));
        var error = Assert.Single(e.Errors);
        Assert.Contains("not valid YAML", error.Message, StringComparison.Ordinal);
        Assert.True(error.Line >= 2);
    }

    [Fact]
    public void EmptyFile_HasNoRules() => Assert.Empty(RuleFileParser.Parse("").Rules);

    [Fact]
    public void Directory_LoadsEveryYamlFile_AndReportsAllErrors()
    {
        var dir = Directory.CreateTempSubdirectory("rules-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "a.yml"), IssueExample);
            File.WriteAllText(Path.Combine(dir.FullName, "b.yaml"), "groups: [{name: h, rules: [{alert: B, expr: window_volume < 10}]}]");
            File.WriteAllText(Path.Combine(dir.FullName, "notes.txt"), "not yaml: [");
            var set = RuleFileParser.LoadPath(dir.FullName);
            Assert.Equal(["FeatureDrift", "B"], set.Rules.Select(r => r.Name));
            File.WriteAllText(Path.Combine(dir.FullName, "c.yml"), "groups: [{name: i, rules: [{alert: C, expr: nope > 1}]}]");
            var e = Assert.Throws<RuleFileException>(() => RuleFileParser.LoadPath(dir.FullName));
            Assert.EndsWith("c.yml", Assert.Single(e.Errors).Source, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Theory]
    [InlineData("https://wiki.example.com/x", true)]
    [InlineData("/runbooks/feature-drift", true)]
    [InlineData("{{ $externalURL }}/runbooks/x", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("JaVaScRiPt:alert(1)", false)]
    [InlineData("//evil.example/x", false)]
    [InlineData("{{ $labels.url }}", false)]
    [InlineData("data:text/html,x", false)]
    public void RunbookUrl_MustBeHttpOrAPath(string url, bool ok) => Assert.Equal(ok, RuleFileParser.RunbookUrlProblem(url) is null);
}

public sealed class ExampleRulesTests
{
    private static string RepoFile(string relative)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Monitoring.sln")))
        {
            dir = dir.Parent;
        }
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("repository root not found"), relative);
    }

    [Fact]
    public void ExampleRules_Load_AndLinkEveryRunbook()
    {
        var set = RuleFileParser.LoadPath(RepoFile("src/Monitoring.Silo/Alerting/example-rules.yml"));
        var runbooks = set.Rules.SelectMany(r => r.Annotations).Where(a => a.Key == "runbook_url").Select(a => a.Value.Source)
            .Concat(set.Slos.SelectMany(s => new[] { s.Page, s.Ticket }).SelectMany(a => a.Annotations).Where(a => a.Key == "runbook_url").Select(a => a.Value))
            .Select(u => u[(u.LastIndexOf('/') + 1)..]).ToHashSet();
        string[] expected =
        [
            "feature-drift", "prediction-drift", "data-quality", "performance-drop", "calibration", "latency-slo",
            "label-agreement-slo", "volume-drop", "ingestion-errors", "rollout-regression",
        ];
        Assert.Equal(expected.Order(), runbooks.Order());
    }
}
