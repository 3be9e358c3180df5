using Monitoring.Alerting.Evaluation;
using Monitoring.Alerting.Rules;
using Monitoring.Alerting.Testing;
using Xunit;

namespace Monitoring.Alerting.Tests.Testing;

/// <summary>Loading rule test files: every error with its line, field and reason.</summary>
public sealed class RuleTestFileTests
{
    private const string Rules = """
        groups:
          - name: drift
            rules:
              - alert: Drift
                expr: feature_psi > 0.25
        """;

    private static IReadOnlyList<RuleFileError> Errors(string testYaml, string? alerting = null)
    {
        using var dir = new TestDirectory();
        dir.Write("rules.yml", Rules);
        if (alerting is not null)
        {
            dir.Write("alerting.yml", alerting);
        }
        var file = dir.Write("rules.test.yml", testYaml);
        return Assert.Throws<RuleFileException>(() => RuleTestRunner.Load(file)).Errors;
    }

    [Fact]
    public void UnknownMetric_InASeries_IsAnErrorAtItsLine()
    {
        var errors = Errors("""
            rule_files: [rules.yml]
            tests:
              - input_windows:
                  - series: 'feature_psy{tenant="t", model="m", feature="f"}'
                    values: '1'
            """);
        var error = Assert.Single(errors);
        Assert.Equal(4, error.Line);
        Assert.Equal("tests[0].input_windows[0].series", error.Field);
        Assert.Contains("unknown metric \"feature_psy\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownAndMissingLabels_AreErrorsNamingTheMetricsLabels()
    {
        var errors = Errors("""
            rule_files: [rules.yml]
            tests:
              - input_windows:
                  - series: 'feature_psi{tenant="t", model="m", feature="f", zone="eu"}'
                    values: '1'
                  - series: 'feature_psi{tenant="t", model="m"}'
                    values: '1'
            """);
        Assert.Equal([4, 6], errors.Select(e => e.Line));
        Assert.Contains("has no label \"zone\" (its labels: tenant, model, feature)", errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("needs the labels feature", errors[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryError_IsReported_NotJustTheFirst()
    {
        var errors = Errors("""
            rule_files: [rules.yml]
            evaluation_interval: 1 hour
            tests:
              - name: t
                input_windows:
                  - series: 'feature_psi{tenant="t", model="m", feature="f"}'
                    values: '1 2x'
                alert_rule_test:
                  - eval_time: 2h
                    alertname: Drift
                    exp_alerts:
                      - exp_labels: {feature: f}
                        exp_state: gone
                notification_test:
                  - eval_time: 2h
                    exp_notifications: []
                surprise: 1
            """);
        Assert.Equal(
            ["evaluation_interval", "tests[0].surprise", "tests[0].input_windows[0].values", "tests[0].alert_rule_test[0].exp_alerts[0].exp_state", "tests[0].notification_test[0]"],
            errors.Select(e => e.Field));
        Assert.Equal([2, 17, 7, 13, 15], errors.Select(e => e.Line));
    }

    [Fact]
    public void AlertNameWithoutARule_IsAnError_SoATypoCannotPassAsNoAlerts()
    {
        var errors = Errors("""
            rule_files: [rules.yml]
            tests:
              - alert_rule_test:
                  - eval_time: 0s
                    alertname: Drfit
                    exp_alerts: []
            """);
        var error = Assert.Single(errors);
        Assert.Equal(4, error.Line);
        Assert.Contains("no rule in the rule files is named \"Drfit\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownReceiver_AndBadRuleFile_AreErrors()
    {
        Assert.Contains("no receiver named \"pager\"", Assert.Single(Errors("""
            rule_files: [rules.yml]
            alertmanager_config: alerting.yml
            tests:
              - notification_test:
                  - eval_time: 1h
                    exp_notifications:
                      - {receiver: pager, group_labels: {}, alerts: []}
            """, "route: {receiver: team}\nreceivers: [{name: team}]\n")).Message, StringComparison.Ordinal);

        var missing = Assert.Single(Errors("rule_files: [nope.yml]\ntests: []\n"));
        Assert.Equal("rule_files[0]", missing.Field);
        Assert.Contains("no such file", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidFile_ParsesInputsAndExpectations()
    {
        using var dir = new TestDirectory();
        dir.Write("rules.yml", Rules);
        var file = RuleTestFile.Parse("""
            rule_files: [rules.yml]
            evaluation_interval: 1h
            tests:
              - name: drift
                input_windows:
                  - series: 'feature_psi{tenant="t", model="m", feature="f"}'
                    values: '0+0.1x3 _'
                alert_rule_test:
                  - eval_time: 3h
                    alertname: Drift
                    exp_alerts:
                      - exp_labels: {tenant: t, model: m, feature: f}
                        exp_state: pending
            """, "rules.test.yml", dir.Path);
        Assert.Equal(TimeSpan.FromHours(1), file.EvaluationInterval);
        var test = Assert.Single(file.Tests);
        Assert.Equal(5, Assert.Single(test.Inputs).Values.Count);
        Assert.Null(test.Inputs[0].Values[4]);
        var expected = Assert.Single(Assert.Single(test.AlertTests).Expected);
        Assert.Equal("Drift", expected.Labels["alertname"]);
        Assert.Equal(ExpectedState.Pending, expected.State);
    }

    [Fact]
    public void FlapDamping_DefaultsToTheSilos_AndCanBeTurnedOff()
    {
        using var dir = new TestDirectory();
        dir.Write("rules.yml", Rules);
        Assert.Equal(new FlapDamping(), RuleTestFile.Parse("rule_files: [rules.yml]\n", "t.yml", dir.Path).FlapDamping);
        Assert.Equal(FlapDamping.Off, RuleTestFile.Parse("rule_files: [rules.yml]\nflap_damping: {evaluations: 0}\n", "t.yml", dir.Path).FlapDamping);
        Assert.Equal(new FlapDamping(10, 2), RuleTestFile.Parse("rule_files: [rules.yml]\nflap_damping: {evaluations: 10, max_changes: 2}\n", "t.yml", dir.Path).FlapDamping);

        var error = Assert.Single(Errors("rule_files: [rules.yml]\nflap_damping: {evaluations: 65}\n"));
        Assert.Equal("flap_damping.evaluations", error.Field);
        Assert.Equal(2, error.Line);
    }
}
