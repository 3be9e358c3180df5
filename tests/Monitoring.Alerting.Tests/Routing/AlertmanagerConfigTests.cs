using System.Text.Encodings.Web;
using System.Text.Json;
using Monitoring.Alerting.Routing;
using Xunit;

namespace Monitoring.Alerting.Tests.Routing;

public sealed class AlertmanagerConfigTests
{
    private const string Receivers = """
        receivers:
          - name: default
            webhook_configs:
              - url: http://127.0.0.1:9/hook
        """;

    private static AlertmanagerConfigException LoadFails(string yaml, string? baseDirectory = null) =>
        Assert.Throws<AlertmanagerConfigException>(() => AlertmanagerConfig.Load(yaml, baseDirectory));

    [Fact]
    public void Load_RoutingFixture_ReadsGlobalReceiversInhibitRulesAndTimeIntervals()
    {
        var config = AlertmanagerConfig.LoadFile(ConfigFiles.PathOf("routing.yml"));

        Assert.Equal(TimeSpan.FromMinutes(2), config.Global.ResolveTimeout);
        Assert.Equal(GlobalConfig.DefaultPagerDutyUrl, config.Global.PagerDutyUrl);
        Assert.Equal(9, config.Receivers.Count);

        var slackPage = Assert.Single(config.GetReceiver("slack-page").Slack);
        Assert.Equal("https://hooks.slack.example/services/T000/B000/XXXX", slackPage.ApiUrl.Reveal()); // from global
        Assert.Equal("#page", slackPage.Channel);
        Assert.False(slackPage.SendResolved); // Alertmanager's Slack default
        Assert.True(Assert.Single(config.GetReceiver("credit").Slack).SendResolved);

        var pager = Assert.Single(config.GetReceiver("pager").PagerDuty);
        Assert.Equal("0123456789abcdef0123456789abcdef", pager.RoutingKey.Reveal());
        Assert.Equal("error", pager.Severity);
        Assert.True(pager.SendResolved);
        Assert.Equal(new Uri("https://events.pagerduty.com/v2/enqueue"), pager.Url);
        var mlPager = Assert.Single(config.GetReceiver("ml-pager").PagerDuty);
        Assert.Equal("critical", mlPager.Severity);
        Assert.False(mlPager.SendResolved);

        var staging = Assert.Single(config.GetReceiver("credit-eu-staging").Webhooks);
        Assert.Equal(5, staging.MaxAlerts);
        Assert.True(staging.SendResolved);
        Assert.Equal("receivers[5].webhook_configs[0]", staging.Path);

        Assert.Equal(2, config.InhibitRules.Count);
        Assert.Equal(["model", "env"], config.InhibitRules[1].Equal);
        Assert.Equal(["business-hours", "weekends"], config.TimeIntervals.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Load_Timers_DefaultToAlertmanagersAndAreInheritedByChildren()
    {
        var config = AlertmanagerConfig.LoadFile(ConfigFiles.PathOf("routing.yml"));
        var root = config.Route.Options;
        Assert.Equal(TimeSpan.FromSeconds(10), root.GroupWait);
        Assert.Equal(TimeSpan.FromMinutes(5), root.GroupInterval);
        Assert.Equal(TimeSpan.FromHours(4), root.RepeatInterval);

        var credit = config.Route.Routes[2];
        Assert.Equal(TimeSpan.FromHours(1), credit.Options.RepeatInterval);
        var creditProd = credit.Routes[1].Options;
        Assert.Equal(TimeSpan.FromHours(1), creditProd.RepeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), creditProd.GroupWait);
        Assert.Equal(["alertname", "model"], creditProd.GroupBy);
        Assert.Equal(["business-hours"], creditProd.ActiveTimeIntervals);

        var minimal = AlertmanagerConfig.LoadFile(ConfigFiles.PathOf("minimal.yml")).Route.Options;
        Assert.Equal(RouteOptions.DefaultGroupWait, minimal.GroupWait);
        Assert.Equal(RouteOptions.DefaultGroupInterval, minimal.GroupInterval);
        Assert.Equal(RouteOptions.DefaultRepeatInterval, minimal.RepeatInterval);
        Assert.Empty(minimal.GroupBy);
    }

    [Fact]
    public void Load_GroupByEllipsis_GroupsByAllLabels_AndNamedLabelsTurnItOffBelow()
    {
        var config = AlertmanagerConfig.Load($$"""
            route:
              receiver: default
              group_by: ['...']
              routes:
                - matchers: [a=1]
                  group_by: [model]
                - matchers: [a=2]
                  group_by: []
            {{Receivers}}
            """, null);
        Assert.True(config.Route.Options.GroupByAll);
        Assert.False(config.Route.Routes[0].Options.GroupByAll);
        Assert.Equal(["model"], config.Route.Routes[0].Options.GroupBy);
        // As in Alertmanager, an empty group_by names no label and so leaves the inherited setting in place.
        Assert.True(config.Route.Routes[1].Options.GroupByAll);
    }

    [Fact]
    public void Load_TimeIntervalsAreNotInheritedByChildRoutes()
    {
        var config = AlertmanagerConfig.Load($$"""
            route:
              receiver: default
              routes:
                - matchers: [a=1]
                  mute_time_intervals: [never]
                  routes:
                    - matchers: [b=2]
            time_intervals:
              - name: never
                time_intervals: []
            {{Receivers}}
            """, null);
        Assert.Equal(["never"], config.Route.Routes[0].Options.MuteTimeIntervals);
        Assert.Empty(config.Route.Routes[0].Routes[0].Options.MuteTimeIntervals);
    }

    [Fact]
    public void Load_FileSecrets_AreReadRelativeToTheConfigAndTrimmed()
    {
        var config = AlertmanagerConfig.LoadFile(ConfigFiles.PathOf("files.yml"));
        var slack = Assert.Single(config.GetReceiver("slack").Slack);
        Assert.Equal("https://hooks.slack.example/services/FROM/FILE/SECRET", slack.ApiUrl.Reveal());
        Assert.Equal(Path.Combine(ConfigFiles.Directory, "secrets", "slack-url"), slack.ApiUrl.FilePath);
        var pd = Assert.Single(config.GetReceiver("pd").PagerDuty);
        Assert.Equal("filekey0123456789abcdef012345678", pd.RoutingKey.Reveal());
        Assert.Equal(new Uri("https://events.pagerduty.example/v2/enqueue"), pd.Url);
    }

    [Fact]
    public void Load_AbsoluteUrlFile_IsReadFromThatPath()
    {
        var file = Path.Combine(Path.GetTempPath(), $"am-url-{Guid.NewGuid():N}");
        File.WriteAllText(file, "https://hooks.example/absolute\r\n");
        try
        {
            var config = AlertmanagerConfig.Load($$"""
                route:
                  receiver: default
                receivers:
                  - name: default
                    webhook_configs:
                      - url_file: {{file}}
                """, "/nonexistent");
            Assert.Equal("https://hooks.example/absolute", config.GetReceiver("default").Webhooks[0].Url.Reveal());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Secret_ToStringAndJson_NeverShowTheValue()
    {
        var config = AlertmanagerConfig.LoadFile(ConfigFiles.PathOf("routing.yml"));
        var receiver = config.GetReceiver("credit");
        var text = receiver.ToString() + receiver.Slack[0] + config.GetReceiver("pager").PagerDuty[0] + config.GetReceiver("default").Webhooks[0];
        var json = JsonSerializer.Serialize(config.Receivers, new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

        foreach (var shown in new[] { text, json })
        {
            Assert.Contains("<secret>", shown);
            Assert.DoesNotContain("CREDIT", shown);
            Assert.DoesNotContain("0123456789abcdef", shown);
            Assert.DoesNotContain("127.0.0.1", shown);
        }
        Assert.Equal("<secret>", $"{receiver.Slack[0].ApiUrl}");
    }

    [Fact]
    public void Load_BadSecretUrl_ErrorDoesNotEchoTheValue()
    {
        var e = LoadFails("""
            route:
              receiver: default
            receivers:
              - name: default
                slack_configs:
                  - api_url: ftp://hooks.example/T0/SUPERSECRET
            """);
        Assert.Equal("receivers[0].slack_configs[0].api_url", e.FieldPath);
        Assert.Equal(6, e.Line);
        Assert.DoesNotContain("SUPERSECRET", e.Message);
        Assert.Contains("scheme", e.Message);
    }

    [Fact]
    public void Load_BadDuration_NamesFieldPathAndLine()
    {
        var e = LoadFails($$"""
            route:
              receiver: default
              routes:
                - matchers: [a=1]
                - matchers: [a=2]
                  group_wait: 5x
            {{Receivers}}
            """);
        Assert.StartsWith("route.routes[1].group_wait (line 6): not a valid duration \"5x\"", e.Message);
        Assert.Equal(6, e.Line);
    }

    [Theory]
    [InlineData("route:\n  receiver: default\n  group_wiat: 5s\n", "route.group_wiat (line 3): field group_wiat not found in route")]
    [InlineData("route:\n  receiver: default\nrecievers: []\n", "recievers (line 3): field recievers not found in the configuration")]
    [InlineData("route:\n  group_wait: 5s\n", "route.receiver (line 2): root route must specify a default receiver")]
    [InlineData("route:\n  receiver: default\n  matchers: [a=b]\n", "route.matchers (line 3): root route must not have any matchers")]
    [InlineData("route:\n  receiver: default\n  match: {a: b}\n", "route.match (line 3): root route must not have any matchers")]
    [InlineData("route:\n  receiver: default\n  routes:\n    - receiver: nobody\n", "route.routes[0].receiver (line 4): undefined receiver \"nobody\" used in route")]
    [InlineData("route:\n  receiver: default\n  routes:\n    - mute_time_intervals: [x]\n", "route.routes[0].mute_time_intervals[0] (line 4): undefined time interval \"x\" used in route")]
    [InlineData("route:\n  receiver: default\n  mute_time_intervals: [x]\n", "route.mute_time_intervals (line 3): root route must not have any mute time intervals")]
    [InlineData("route:\n  receiver: default\n  routes:\n    - matchers: ['a=~\"(\"']\n", "route.routes[0].matchers[0] (line 4):")]
    [InlineData("route:\n  receiver: default\n  group_by: ['...', model]\n", "route.group_by (line 3): cannot have wildcard group_by")]
    [InlineData("route:\n  receiver: default\n  group_by: [model, model]\n", "route.group_by[1] (line 3): duplicated label \"model\" in group_by")]
    [InlineData("route:\n  receiver: default\n  group_interval: 0s\n", "route.group_interval (line 3): group_interval cannot be zero")]
    [InlineData("route:\n  receiver: default\n  continue: maybe\n", "route.continue (line 3): expected true or false")]
    [InlineData("route:\n  receiver: default\n  routes:\n    - match: {'bad-name': x}\n", "route.routes[0].match.bad-name (line 4): invalid label name \"bad-name\"")]
    public void Load_InvalidRoute_IsRejectedWithPathAndLine(string route, string expectedStart)
    {
        var e = LoadFails(route + Receivers);
        Assert.StartsWith(expectedStart, e.Message);
    }

    [Theory]
    [InlineData("- name: default\n- name: default\n", "receivers[1].name (line 5): notification config name \"default\" is not unique")]
    [InlineData("- webhook_configs: []\n", "receivers[0].name (line 4): missing name in receiver")]
    [InlineData("- name: default\n  webhook_configs:\n    - url: http://a.example/\n      url_file: x\n",
        "receivers[0].webhook_configs[0].url_file (line 7): at most one of url & url_file must be configured")]
    [InlineData("- name: default\n  webhook_configs:\n    - max_alerts: 1\n", "receivers[0].webhook_configs[0] (line 6): one of url or url_file must be configured")]
    [InlineData("- name: default\n  webhook_configs:\n    - url: http://a.example/\n      max_alerts: -1\n",
        "receivers[0].webhook_configs[0].max_alerts (line 7): expected a non-negative integer")]
    [InlineData("- name: default\n  slack_configs:\n    - channel: '#x'\n", "receivers[0].slack_configs[0] (line 6): no global Slack API URL set")]
    [InlineData("- name: default\n  slack_configs:\n    - api_url: http://a.example/\n      api_url_file: f\n",
        "receivers[0].slack_configs[0].api_url_file (line 7): at most one of api_url & api_url_file must be configured")]
    [InlineData("- name: default\n  pagerduty_configs:\n    - severity: info\n", "receivers[0].pagerduty_configs[0] (line 6): missing routing_key or routing_key_file")]
    [InlineData("- name: default\n  pagerduty_configs:\n    - service_key: abc\n", "receivers[0].pagerduty_configs[0].service_key (line 6): PagerDuty Events API v1")]
    [InlineData("- name: default\n  pagerduty_configs:\n    - routing_key_file: missing-file\n", "receivers[0].pagerduty_configs[0].routing_key_file (line 6): cannot read secret file")]
    [InlineData("- name: default\n  webhook_configs:\n    - url: http://a.example/\n      sendresolved: true\n",
        "receivers[0].webhook_configs[0].sendresolved (line 7): field sendresolved not found")]
    public void Load_InvalidReceivers_AreRejectedWithPathAndLine(string receivers, string expectedStart)
    {
        var e = LoadFails("route:\n  receiver: default\nreceivers:\n" + receivers, Path.GetTempPath());
        Assert.StartsWith(expectedStart, e.Message);
    }

    [Theory]
    [InlineData("times: [{start_time: '17:00', end_time: '09:00'}]", "time_intervals[0].time_intervals[0].times[0] (line 5): start time 17:00 must be before end time 09:00")]
    [InlineData("times: [{start_time: '09:00'}]", "time_intervals[0].time_intervals[0].times[0] (line 5): both start_time and end_time must be provided")]
    [InlineData("weekdays: [funday]", "time_intervals[0].time_intervals[0].weekdays[0] (line 5): funday is not a valid weekday")]
    [InlineData("weekdays: ['friday:monday']", "time_intervals[0].time_intervals[0].weekdays[0] (line 5): weekday range")]
    [InlineData("days_of_month: ['-1:5']", "time_intervals[0].time_intervals[0].days_of_month[0] (line 5): days of month \"-1:5\": end day must be negative")]
    [InlineData("days_of_month: ['0']", "time_intervals[0].time_intervals[0].days_of_month[0] (line 5): 0 is not a valid day of the month")]
    [InlineData("months: ['may:march']", "time_intervals[0].time_intervals[0].months[0] (line 5): month range")]
    [InlineData("location: Mars/Olympus", "time_intervals[0].time_intervals[0].location (line 5): unknown time zone \"Mars/Olympus\"")]
    [InlineData("hours: [1]", "time_intervals[0].time_intervals[0].hours (line 5): field hours not found")]
    public void Load_InvalidTimeInterval_IsRejectedWithPathAndLine(string interval, string expectedStart)
    {
        var e = LoadFails($"route:\n  receiver: default\ntime_intervals:\n  - name: t\n    time_intervals: [{{{interval}}}]\n{Receivers}");
        Assert.StartsWith(expectedStart, e.Message);
    }

    [Fact]
    public void Load_DuplicateTimeIntervalAcrossBothSections_IsRejected()
    {
        var e = LoadFails($"route:\n  receiver: default\nmute_time_intervals:\n  - name: t\ntime_intervals:\n  - name: t\n{Receivers}");
        Assert.StartsWith("time_intervals[0].name (line 6): time interval \"t\" is not unique", e.Message);
    }

    [Fact]
    public void Load_MissingRouteOrBadYaml_IsRejected()
    {
        Assert.StartsWith("route: no routes provided", LoadFails(Receivers).Message);
        Assert.Contains("invalid YAML", LoadFails("route: [\n").Message);
        Assert.Contains("(line 3)", LoadFails("route:\n  receiver: [a\n").Message);
    }

    [Fact]
    public void Load_RepeatedKey_IsRejected()
    {
        var e = LoadFails("route:\n  receiver: default\n  receiver: other\n" + Receivers);
        Assert.Contains("invalid YAML", e.Message);
        Assert.Contains("receiver", e.Message);
        Assert.StartsWith("(file) (line 3): invalid YAML: Duplicate", e.Message);
    }

    [Fact]
    public void Load_AlertmanagerFieldsWeDoNotUse_AreAcceptedWithWarnings()
    {
        var config = AlertmanagerConfig.Load("""
            global:
              smtp_smarthost: localhost:25
              http_config:
                follow_redirects: true
            templates: ['/etc/alertmanager/*.tmpl']
            route:
              receiver: default
            receivers:
              - name: default
                email_configs:
                  - to: oncall@example.com
                slack_configs:
                  - api_url: https://hooks.slack.example/x
                    title: '{{ .CommonLabels.alertname }}'
            """, null);
        Assert.Equal(["email_configs"], config.GetReceiver("default").UnsupportedIntegrations);
        Assert.Contains(config.Warnings, w => w.StartsWith("global.smtp_smarthost (line 2)", StringComparison.Ordinal));
        Assert.Contains(config.Warnings, w => w.StartsWith("templates (line 5)", StringComparison.Ordinal));
        Assert.Contains(config.Warnings, w => w.StartsWith("receivers[0].slack_configs[0].title (line 14)", StringComparison.Ordinal));
        Assert.Contains(config.Warnings, w => w.StartsWith("receivers[0].email_configs (line 11)", StringComparison.Ordinal));
    }
}
