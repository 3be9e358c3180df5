using System.Text.Json;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notifiers;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Tests.Support;
using Xunit;

namespace Monitoring.Alerting.Tests.Notifiers;

public sealed class WebhookNotifierTests
{
    private static async Task<JsonElement> SendAsync(Notification notification, int maxAlerts = 0)
    {
        await using var hook = await FakeReceiver.StartAsync();
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true });
        var notifier = new WebhookNotifier(new WebhookNotifierOptions(hook.Url("/alerts?token=secret"), maxAlerts), delivery);
        var result = await notifier.SendAsync(notification, CancellationToken.None);
        Assert.True(result.Success);
        return JsonDocument.Parse(Assert.Single(hook.Requests).Body).RootElement.Clone();
    }

    [Fact]
    public async Task Webhook_Payload_IsAlertmanagersVersion4_FieldForField()
    {
        var firing = Alerts.Drift();
        var resolved = Alerts.Drift(feature: "income", resolved: true, summary: "PSI of income above 0.2") with { StartsAt = Alerts.Now.AddMinutes(-30).AddMilliseconds(250) };
        var body = await SendAsync(Alerts.Group([firing, resolved], receiver: "team.ml (pager)"));

        Assert.Equal(
            ["receiver", "status", "alerts", "groupLabels", "commonLabels", "commonAnnotations", "externalURL", "version", "groupKey", "truncatedAlerts"],
            body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(@"team\.ml \(pager\)", body.GetProperty("receiver").GetString());
        Assert.Equal("firing", body.GetProperty("status").GetString());
        Assert.Equal("4", body.GetProperty("version").GetString());
        Assert.Equal("{}:{model=\"fraud-v3\"}", body.GetProperty("groupKey").GetString());
        Assert.Equal(0, body.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("https://monitoring.example.com/", body.GetProperty("externalURL").GetString());
        Assert.Equal("{\"model\":\"fraud-v3\"}", body.GetProperty("groupLabels").GetRawText());
        Assert.Equal(
            "{\"alertname\":\"FeatureDrift\",\"model\":\"fraud-v3\",\"severity\":\"warning\",\"slice\":\"country=DE\"}",
            body.GetProperty("commonLabels").GetRawText());
        Assert.Equal(["runbook_url"], body.GetProperty("commonAnnotations").EnumerateObject().Select(p => p.Name));

        var alerts = body.GetProperty("alerts").EnumerateArray().ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Equal(["status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint"], alerts[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("firing", alerts[0].GetProperty("status").GetString());
        Assert.Equal("2026-12-06T09:30:00Z", alerts[0].GetProperty("startsAt").GetString());
        Assert.Equal("0001-01-01T00:00:00Z", alerts[0].GetProperty("endsAt").GetString());
        Assert.Equal(firing.Labels.FingerprintHex, alerts[0].GetProperty("fingerprint").GetString());
        Assert.Matches("^[0-9a-f]{16}$", alerts[0].GetProperty("fingerprint").GetString());
        // The window's HTML page, not the JSON report the rule engine recorded.
        Assert.Equal(Alerts.WindowPage, alerts[0].GetProperty("generatorURL").GetString());
        Assert.Equal("resolved", alerts[1].GetProperty("status").GetString());
        Assert.Equal("2026-12-06T09:30:00.25Z", alerts[1].GetProperty("startsAt").GetString());
        Assert.Equal("2026-12-06T09:59:00Z", alerts[1].GetProperty("endsAt").GetString());
        // Label names in Go's map order (sorted).
        Assert.Equal(["alertname", "feature", "model", "severity", "slice"], alerts[0].GetProperty("labels").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Webhook_MaxAlerts_KeepsTheFirstN_CountsTheRest_AndComputesCommonLabelsOverTheKeptOnes()
    {
        var body = await SendAsync(Alerts.Group(Alerts.Drift(feature: "a"), Alerts.Drift(feature: "b"), Alerts.Drift(feature: "c")), maxAlerts: 1);

        Assert.Equal(1, body.GetProperty("alerts").GetArrayLength());
        Assert.Equal(2, body.GetProperty("truncatedAlerts").GetInt32());
        Assert.Equal("a", body.GetProperty("commonLabels").GetProperty("feature").GetString());
    }

    [Fact]
    public async Task Webhook_MaxAlertsZero_SendsAll()
    {
        var body = await SendAsync(Alerts.Group([.. Enumerable.Range(0, 30).Select(i => Alerts.Drift(feature: $"f{i}"))]), maxAlerts: 0);

        Assert.Equal(30, body.GetProperty("alerts").GetArrayLength());
        Assert.Equal(0, body.GetProperty("truncatedAlerts").GetInt32());
        Assert.False(body.GetProperty("commonLabels").TryGetProperty("feature", out _));
    }

    [Fact]
    public async Task Webhook_AllResolved_HasStatusResolved()
    {
        var body = await SendAsync(Alerts.Group(Alerts.Drift(resolved: true)));
        Assert.Equal("resolved", body.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("2026-12-06T10:00:00+00:00", "2026-12-06T10:00:00Z")]
    [InlineData("2026-12-06T12:00:00+02:00", "2026-12-06T10:00:00Z")]
    [InlineData("2026-12-06T10:00:00.1230000+00:00", "2026-12-06T10:00:00.123Z")]
    [InlineData("2026-12-06T10:00:00.0000001+00:00", "2026-12-06T10:00:00.0000001Z")]
    public void GoTime_FormatsLikeGosRfc3339Nano(string input, string expected)
    {
        Assert.Equal(expected, GoTime.Format(DateTimeOffset.Parse(input, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("plain-name_1", "plain-name_1")]
    [InlineData(@"a.b+c*d?e(f)g|h[i]j{k}l^m$n\o", @"a\.b\+c\*d\?e\(f\)g\|h\[i\]j\{k\}l\^m\$n\\o")]
    public void Webhook_Receiver_IsQuotedAsGoRegexpQuoteMetaDoes(string name, string expected)
    {
        Assert.Equal(expected, WebhookPayload.QuoteMeta(name));
    }
}

public sealed class AlertmanagerClientTests
{
    [Fact]
    public async Task AlertmanagerClient_PostsApiV2Alerts_ResolvedOnesWithEndsAt()
    {
        await using var am = await FakeReceiver.StartAsync();
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true });
        var client = new AlertmanagerClient(new AlertmanagerClientOptions(am.Url("/am/")), delivery);

        var result = await client.SendAsync(Alerts.Group(Alerts.Drift(), Alerts.Drift(feature: "income", resolved: true)), CancellationToken.None);

        Assert.True(result.Success);
        var request = Assert.Single(am.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/am/api/v2/alerts", request.Path);
        var alerts = JsonDocument.Parse(request.Body).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, alerts.Count);
        Assert.Equal(["labels", "annotations", "startsAt", "generatorURL"], alerts[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("FeatureDrift", alerts[0].GetProperty("labels").GetProperty("alertname").GetString());
        Assert.Equal("PSI of age above 0.2", alerts[0].GetProperty("annotations").GetProperty("summary").GetString());
        Assert.Equal("2026-12-06T09:30:00Z", alerts[0].GetProperty("startsAt").GetString());
        Assert.Equal(["labels", "annotations", "startsAt", "endsAt", "generatorURL"], alerts[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-12-06T09:59:00Z", alerts[1].GetProperty("endsAt").GetString());
    }

    [Fact]
    public async Task AlertmanagerClient_Rejection422_IsNotRetryable_But500Is()
    {
        await using var am = await FakeReceiver.StartAsync();
        am.Respond(422, "{\"code\":602,\"message\":\"0.labels in body is required\"}").Respond(500, "boom");
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true });
        var client = new AlertmanagerClient(new AlertmanagerClientOptions(am.BaseUrl), delivery);

        var rejected = await client.PostAlertsAsync("team-am", [Alerts.Drift()], CancellationToken.None);
        var failed = await client.PostAlertsAsync("team-am", [Alerts.Drift()], CancellationToken.None);

        Assert.False(rejected.Retryable);
        Assert.Equal("alertmanager: HTTP 422 0.labels in body is required", rejected.Error);
        Assert.True(failed.Retryable);
        Assert.Equal("alertmanager: HTTP 500 boom", failed.Error);
    }
}

public sealed class ConsoleNotifierTests
{
    [Fact]
    public async Task Console_WritesStatusAlertValueWindowSummaryAndRunbook()
    {
        using var writer = new StringWriter();
        var notifier = new ConsoleNotifier(writer);

        var result = await notifier.SendAsync(Alerts.Group(Alerts.Drift(), Alerts.Drift(feature: "income", resolved: true)), CancellationToken.None);

        Assert.True(result.Success);
        var lines = writer.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("[FIRING:1] FeatureDrift  receiver=ml-oncall  group={model=\"fraud-v3\"}", lines[0]);
        Assert.Equal("  - FIRING   FeatureDrift  since 2026-12-06 09:30 UTC", lines[1]);
        Assert.Equal("      labels: feature=age model=fraud-v3 severity=warning slice=country=DE", lines[2]);
        Assert.Equal("      value:  psi 0.3125 > 0.2  window 2026-12-06T09:00:00Z – 2026-12-06T10:00:00Z", lines[3]);
        Assert.Contains("      summary: PSI of age above 0.2", lines);
        Assert.Contains("      runbook: https://runbooks.example.com/drift#psi", lines);
        Assert.Contains(lines, l => l.StartsWith("      ack:", StringComparison.Ordinal));
        Assert.Contains("  - RESOLVED FeatureDrift  resolved 2026-12-06 09:59 UTC", lines);
    }

    [Fact]
    public async Task Console_OnALogger_LogsOneEntryPerNotification_AndSkipsResolvedWhenAsked()
    {
        var logger = new CapturingLogger();
        var notifier = new ConsoleNotifier(logger, sendResolved: false);

        await notifier.SendAsync(Alerts.Group(Alerts.Drift()), CancellationToken.None);
        await notifier.SendAsync(Alerts.Group(Alerts.Drift(resolved: true)), CancellationToken.None);

        var entry = Assert.Single(logger.Entries);
        Assert.Contains("5200 [FIRING:1] FeatureDrift", entry, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_ReplacesControlCharacters_SoLabelsCannotDriveTheTerminal()
    {
        using var writer = new StringWriter();
        var notifier = new ConsoleNotifier(writer);
        var alert = Alerts.Drift(feature: "age\u001b[2J\u001b[31m", summary: "line\rover\u0007");

        await notifier.SendAsync(Alerts.Group(alert), CancellationToken.None);

        Assert.DoesNotContain('\u001b', writer.ToString());
        Assert.DoesNotContain('\r', writer.ToString());
        Assert.DoesNotContain('\u0007', writer.ToString());
        Assert.Contains("feature=age [2J [31m", writer.ToString(), StringComparison.Ordinal);
    }
}
