using Monitoring.Alerting.Testing;
using Xunit;

namespace Monitoring.Alerting.Tests.Testing;

/// <summary>Running rule unit tests: alert states per evaluation, and what the notification pipeline delivers.</summary>
public sealed class RuleTestRunnerTests
{
    private const string Rules = """
        groups:
          - name: g
            rules:
              - alert: Drift
                expr: feature_psi > 0.25
                for: 1h
                labels: {severity: ticket}
                annotations:
                  summary: "{{ $labels.feature }} PSI {{ $value }}"
              - alert: LowCoverage
                expr: label_coverage < 0.5
                labels: {severity: page}
        """;

    private const string Alerting = """
        route:
          receiver: team
          group_by: [alertname]
          group_wait: 30s
          group_interval: 5m
          repeat_interval: 1d
        receivers:
          - name: team
        """;

    private static async Task<RuleTestReport> RunAsync(string testYaml)
    {
        using var dir = new TestDirectory();
        dir.Write("rules.yml", Rules);
        dir.Write("alerting.yml", Alerting);
        var file = dir.Write("rules.test.yml", testYaml);
        return await RuleTestRunner.RunAsync(RuleTestRunner.Load(file));
    }

    [Fact]
    public async Task ShippedExampleRules_PassTheirUnitTests()
    {
        var report = await RuleTestRunner.RunAsync(RuleTestRunner.Load(TestDirectory.Example("example-rules.test.yml")));

        Assert.True(report.Passed, string.Join("\n\n", report.Tests.SelectMany(t => t.Failures)));
        Assert.Equal(6, report.Tests.Count);
    }

    [Fact]
    public async Task BrokenExpectation_FailsWithTheTestEvalTimeAlertNameAndExpectedAgainstGot()
    {
        var report = await RunAsync("""
            rule_files: [rules.yml]
            evaluation_interval: 1h
            tests:
              - name: drift fires in the second window
                input_windows:
                  - series: 'feature_psi{tenant="t", model="m", feature="income"}'
                    values: '0.3 0.3'
                alert_rule_test:
                  - eval_time: 0h
                    alertname: Drift
                    exp_alerts:
                      - exp_labels: {tenant: t, model: m, feature: income, severity: ticket}
                        exp_annotations: {summary: income PSI 0.3}
            """);

        var result = Assert.Single(report.Tests);
        Assert.False(result.Passed);
        Assert.Equal(
            """
            test "drift fires in the second window" (line 4), eval_time 0s, alertname Drift (line 9):
              expected:
                firing   {alertname="Drift", feature="income", model="m", severity="ticket", tenant="t"} annotations {summary="income PSI 0.3"}
              got:
                pending  {alertname="Drift", feature="income", model="m", severity="ticket", tenant="t"} annotations {summary="income PSI 0.3"}
            """.ReplaceLineEndings("\n"), Assert.Single(result.Failures).ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task EmptyExpAlerts_MeansNothingPendingEither()
    {
        var report = await RunAsync("""
            rule_files: [rules.yml]
            evaluation_interval: 1h
            tests:
              - input_windows:
                  - series: 'feature_psi{tenant="t", model="m", feature="income"}'
                    values: '0.3'
                alert_rule_test:
                  - eval_time: 0h
                    alertname: Drift
                    exp_alerts: []
            """);

        Assert.Contains("(no pending or firing alerts)", Assert.Single(Assert.Single(report.Tests).Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EvaluationsContinuePastTheInputs_SoAnEndedSeriesResolves()
    {
        var report = await RunAsync("""
            rule_files: [rules.yml]
            evaluation_interval: 1h
            tests:
              - input_windows:
                  - series: 'feature_psi{tenant="t", model="m", feature="income"}'
                    values: '0.3 0.3'
                  - series: 'label_coverage{tenant="t", model="m"}'
                    values: '0.2 _ 0.2'
                alert_rule_test:
                  - eval_time: 1h59m
                    alertname: Drift
                    exp_alerts:
                      - exp_labels: {tenant: t, model: m, feature: income, severity: ticket}
                  - eval_time: 2h
                    alertname: Drift
                    exp_alerts:
                      - exp_labels: {tenant: t, model: m, feature: income, severity: ticket}
                        exp_state: resolved
                  - eval_time: 1h
                    alertname: LowCoverage
                    exp_alerts: []
                  - eval_time: 2h
                    alertname: LowCoverage
                    exp_alerts:
                      - exp_labels: {tenant: t, model: m, severity: page}
            """);

        Assert.True(report.Passed, string.Join("\n\n", report.Tests.SelectMany(t => t.Failures)));
    }

    [Fact]
    public async Task Models_AreEvaluatedSeparately_AndNotificationsComeInDeliveryOrder()
    {
        var report = await RunAsync("""
            rule_files: [rules.yml]
            alertmanager_config: alerting.yml
            evaluation_interval: 1h
            tests:
              - input_windows:
                  - series: 'label_coverage{tenant="t", model="a"}'
                    values: '0.2 0.2 0.9'
                  - series: 'label_coverage{tenant="t", model="b"}'
                    values: '0.9 0.2 0.2'
                notification_test:
                  - eval_time: 2h10m
                    exp_notifications:
                      - {receiver: team, group_labels: {alertname: LowCoverage}, reason: first notification, time: 30s, alerts: [{model: a}]}
                      - {receiver: team, group_labels: {alertname: LowCoverage}, reason: new alerts added, time: 1h30s, alerts: [{model: a}, {model: b}]}
                      - {receiver: team, group_labels: {alertname: LowCoverage}, reason: some alerts resolved, time: 2h30s, alerts: [{model: b}, {model: a, status: resolved}]}
            """);

        Assert.True(report.Passed, string.Join("\n\n", report.Tests.SelectMany(t => t.Failures)));
    }

    [Fact]
    public async Task WrongNotification_FailsNamingTheFirstDifference_WithBothLists()
    {
        var report = await RunAsync("""
            rule_files: [rules.yml]
            alertmanager_config: alerting.yml
            evaluation_interval: 1h
            tests:
              - name: coverage
                input_windows:
                  - series: 'label_coverage{tenant="t", model="a"}'
                    values: '0.2'
                notification_test:
                  - eval_time: 1h
                    exp_notifications:
                      - {receiver: team, group_labels: {alertname: LowCoverage}, alerts: [{model: b}]}
            """);

        var failure = Assert.Single(Assert.Single(report.Tests).Failures);
        Assert.StartsWith("test \"coverage\" (line 5), eval_time 1h, notifications (line 10): #1 differs in alerts", failure, StringComparison.Ordinal);
        Assert.Contains("#1 team {alertname=\"LowCoverage\"}: firing {model=\"b\"}", failure, StringComparison.Ordinal);
        Assert.Contains("#1 at 30s team {alertname=\"LowCoverage\"} \"first notification\": firing {alertname=\"LowCoverage\", model=\"a\"}", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReceiverWhoseIntegrationsSendNoResolved_IsNotToldOfTheResolve()
    {
        using var dir = new TestDirectory();
        dir.Write("rules.yml", Rules);
        dir.Write("alerting.yml", """
            route: {receiver: chat, group_by: [alertname], group_wait: 30s, group_interval: 5m}
            receivers:
              - name: chat
                slack_configs: [{api_url: "https://hooks.slack.com/services/T0/B0/x"}]
            """);
        var file = dir.Write("rules.test.yml", """
            rule_files: [rules.yml]
            alertmanager_config: alerting.yml
            evaluation_interval: 1h
            tests:
              - input_windows:
                  - series: 'label_coverage{tenant="t", model="a"}'
                    values: '0.2 0.9'
                notification_test:
                  - eval_time: 3h
                    exp_notifications:
                      - {receiver: chat, group_labels: {alertname: LowCoverage}, reason: first notification, time: 30s, alerts: [{model: a}]}
            """);

        var report = await RuleTestRunner.RunAsync(RuleTestRunner.Load(file));

        Assert.True(report.Passed, string.Join("\n\n", report.Tests.SelectMany(t => t.Failures)));
    }
}
