using System.Text.Json;
using Monitoring.Alerting.Delivery;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notifiers;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Tests.Support;
using Xunit;

namespace Monitoring.Alerting.Tests.Notifiers;

public sealed class PagerDutyNotifierTests
{
    private const string RoutingKey = "R0UT1NGKEY0123456789abcdefABCDEF";

    private static async Task<(DeliveryResult Result, JsonElement Event)> SendAsync(Notification notification, PagerDutyNotifierOptions? options = null)
    {
        await using var pagerDuty = await FakeReceiver.StartAsync();
        pagerDuty.Respond(202, "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"x\"}");
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true });
        var notifier = new PagerDutyNotifier((options ?? new PagerDutyNotifierOptions(RoutingKey)) with { Url = pagerDuty.Url("/v2/enqueue") }, delivery);
        var result = await notifier.SendAsync(notification, CancellationToken.None);
        var request = Assert.Single(pagerDuty.Requests);
        Assert.Equal("/v2/enqueue", request.Path);
        return (result, JsonDocument.Parse(request.Body).RootElement.Clone());
    }

    [Fact]
    public async Task PagerDuty_FiringGroup_PostsATriggerEventWithPayloadDetailsAndLinks()
    {
        var (result, ev) = await SendAsync(Alerts.Group(Alerts.Drift(severity: "warning"), Alerts.Drift(feature: "income", severity: "critical")));

        Assert.True(result.Success);
        Assert.Equal(202, result.StatusCode);
        Assert.Equal(RoutingKey, ev.GetProperty("routing_key").GetString());
        Assert.Equal("trigger", ev.GetProperty("event_action").GetString());
        Assert.Matches("^[0-9a-f]{64}$", ev.GetProperty("dedup_key").GetString());
        var payload = ev.GetProperty("payload");
        Assert.Equal("[FIRING:2] FeatureDrift (model=fraud-v3): PSI of age above 0.2", payload.GetProperty("summary").GetString());
        Assert.Equal("fraud-v3", payload.GetProperty("source").GetString());
        Assert.Equal("critical", payload.GetProperty("severity").GetString());
        Assert.Equal("2026-12-06T10:00:00Z", payload.GetProperty("timestamp").GetString());
        Assert.Equal("fraud-v3", payload.GetProperty("group").GetString());
        Assert.Equal("FeatureDrift", payload.GetProperty("class").GetString());
        var details = payload.GetProperty("custom_details");
        Assert.Equal(2, details.GetProperty("firing").GetInt32());
        Assert.Equal(2, details.GetProperty("alerts").GetArrayLength());
        var first = details.GetProperty("alerts")[0];
        Assert.Equal("age", first.GetProperty("labels").GetProperty("feature").GetString());
        Assert.Equal("0.3125", first.GetProperty("evidence").GetProperty("value").GetString());
        Assert.Equal("triggered", first.GetProperty("incident").GetProperty("state").GetString());
        Assert.False(details.TryGetProperty("alerts_left_out", out _));
        var links = ev.GetProperty("links").EnumerateArray().Select(l => (l.GetProperty("href").GetString(), l.GetProperty("text").GetString())).ToList();
        Assert.Contains(("https://runbooks.example.com/drift#psi", "Runbook: FeatureDrift"), links);
        Assert.Contains((Alerts.WindowPage, "Window report"), links);
        Assert.DoesNotContain(links, l => l.Item1!.Contains("/api/", StringComparison.Ordinal));
        Assert.Contains(links, l => l.Item2!.StartsWith("Incident inc-", StringComparison.Ordinal));
        Assert.Equal("https://monitoring.example.com/", ev.GetProperty("client_url").GetString());

        // Each firing incident's evidence chart, linking to the incident page, with alt text saying what it shows.
        var images = ev.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(2, images.Count);
        var age = Alerts.Drift(severity: "warning");
        Assert.Equal($"https://monitoring.example.com/incidents/{age.Incident!.Id}/chart.png", images[0].GetProperty("src").GetString());
        Assert.Equal(age.Incident.Url, images[0].GetProperty("href").GetString());
        Assert.Equal("fraud-v3 age: psi over time with the threshold 0.2 and the incident marked", images[0].GetProperty("alt").GetString());
        Assert.EndsWith("/chart.png", images[1].GetProperty("src").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(images[0].GetProperty("src").GetString(), images[1].GetProperty("src").GetString());
    }

    [Fact]
    public void PagerDuty_Images_OnlyOnTrigger_AndOnlyForIncidents()
    {
        var resolve = PagerDutyEvent.Build(Alerts.Group(Alerts.Drift(resolved: true)), new PagerDutyNotifierOptions(RoutingKey));
        Assert.Equal("resolve", resolve["event_action"]!.GetValue<string>());
        Assert.Null(resolve["images"]);

        var ack = PagerDutyEvent.Build(Alerts.Group(Alerts.Drift(incident: IncidentState.Acknowledged)), new PagerDutyNotifierOptions(RoutingKey));
        Assert.Equal("acknowledge", ack["event_action"]!.GetValue<string>());
        Assert.Null(ack["images"]);

        var untracked = PagerDutyEvent.Build(Alerts.Group(Alerts.Drift(incident: null)), new PagerDutyNotifierOptions(RoutingKey));
        Assert.Equal("trigger", untracked["event_action"]!.GetValue<string>());
        Assert.Null(untracked["images"]);

        var many = PagerDutyEvent.Build(Alerts.Group([.. Enumerable.Range(0, 10).Select(i => Alerts.Drift(feature: $"f{i}"))]), new PagerDutyNotifierOptions(RoutingKey));
        Assert.Equal(PagerDutyEvent.MaxImages, many["images"]!.AsArray().Count);
    }

    [Fact]
    public void PagerDuty_EventAction_FollowsTheIncidents()
    {
        Assert.Equal("trigger", PagerDutyEvent.Action(Alerts.Group(Alerts.Drift(incident: IncidentState.Acknowledged), Alerts.Drift(feature: "b"))));
        Assert.Equal("trigger", PagerDutyEvent.Action(Alerts.Group(Alerts.Drift(incident: null))));
        Assert.Equal("acknowledge", PagerDutyEvent.Action(Alerts.Group(
            Alerts.Drift(incident: IncidentState.Acknowledged), Alerts.Drift(feature: "b", incident: IncidentState.Acknowledged),
            Alerts.Drift(feature: "c", resolved: true))));
        Assert.Equal("resolve", PagerDutyEvent.Action(Alerts.Group(Alerts.Drift(resolved: true), Alerts.Drift(feature: "b", resolved: true))));
    }

    [Fact]
    public async Task PagerDuty_AllResolved_SendsResolveWithTheSameDedupKeyAsTheTrigger()
    {
        var (_, trigger) = await SendAsync(Alerts.Group(Alerts.Drift()));
        var (_, resolve) = await SendAsync(Alerts.Group(Alerts.Drift(resolved: true)));

        Assert.Equal("resolve", resolve.GetProperty("event_action").GetString());
        Assert.Equal(trigger.GetProperty("dedup_key").GetString(), resolve.GetProperty("dedup_key").GetString());
        Assert.StartsWith("[RESOLVED] FeatureDrift", resolve.GetProperty("payload").GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PagerDuty_DedupKey_IsStablePerReceiverAndGroup()
    {
        var key = PagerDutyEvent.DedupKey("ml-oncall", "{}:{model=\"m\"}");
        Assert.Equal(key, PagerDutyEvent.DedupKey("ml-oncall", "{}:{model=\"m\"}"));
        Assert.NotEqual(key, PagerDutyEvent.DedupKey("ml-oncall", "{}:{model=\"n\"}"));
        Assert.NotEqual(key, PagerDutyEvent.DedupKey("other", "{}:{model=\"m\"}"));
        Assert.InRange(PagerDutyEvent.DedupKey("r", new string('g', 10_000)).Length, 1, PagerDutyEvent.MaxDedupKeyChars);
    }

    [Theory]
    [InlineData("critical", "critical")]
    [InlineData("page", "critical")]
    [InlineData("P1", "critical")]
    [InlineData("error", "error")]
    [InlineData("warning", "warning")]
    [InlineData("ticket", "warning")]
    [InlineData("info", "info")]
    [InlineData("low", "info")]
    [InlineData("whatever", "error")]
    [InlineData("", "error")]
    [InlineData(null, "error")]
    public void PagerDuty_Severity_MapsLabelValues_DefaultingToError(string? label, string expected)
    {
        Assert.Equal(expected, PagerDutyEvent.MapSeverity(label));
        var alert = Alerts.Drift() with { Labels = LabelSet.Of("alertname", "A", "severity", label ?? "") };
        var ev = PagerDutyEvent.Build(Alerts.Group(alert), new PagerDutyNotifierOptions(RoutingKey));
        Assert.Equal(expected, ev["payload"]!["severity"]!.GetValue<string>());
    }

    [Fact]
    public void PagerDuty_SummaryIsCutTo1024Characters()
    {
        var ev = PagerDutyEvent.Build(Alerts.Group(Alerts.Drift(summary: new string('s', 5000))), new PagerDutyNotifierOptions(RoutingKey));
        var summary = ev["payload"]!["summary"]!.GetValue<string>();
        Assert.Equal(PagerDutyEvent.MaxSummaryChars, summary.Length);
        Assert.EndsWith("…", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PagerDuty_HugeGroup_StaysUnder512KB_AndSaysHowManyAlertsWereLeftOut()
    {
        var alerts = Enumerable.Range(0, 2000).Select(i => Alerts.Drift(feature: $"f{i}", summary: new string('d', 600))).ToList();
        var (result, ev) = await SendAsync(Alerts.Group(alerts));

        Assert.True(result.Success);
        Assert.InRange(JsonSerializer.SerializeToUtf8Bytes(ev).Length, 400_000, PagerDutyEvent.MaxEventBytes);
        var details = ev.GetProperty("payload").GetProperty("custom_details");
        var kept = details.GetProperty("alerts").GetArrayLength();
        var leftOut = details.GetProperty("alerts_left_out").GetInt32();
        Assert.InRange(kept, 100, 1999);
        Assert.Equal(2000, kept + leftOut);
        Assert.Equal($"{leftOut} of 2000 alerts left out to keep the event under 512000 bytes", details.GetProperty("note").GetString());
        Assert.Equal(2000, details.GetProperty("firing").GetInt32());
    }

    [Theory]
    [InlineData(202, false)]
    [InlineData(400, false)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    public async Task PagerDuty_ResponseCodes_AreClassifiedAsTheEventsApiDocuments(int status, bool retryable)
    {
        await using var pagerDuty = await FakeReceiver.StartAsync();
        pagerDuty.Respond(status, status == 400
            ? "{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\"errors\":[\"'payload.severity' is invalid\"]}"
            : "{\"status\":\"x\",\"message\":\"m\"}");
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true });
        var notifier = new PagerDutyNotifier(new PagerDutyNotifierOptions(RoutingKey, pagerDuty.Url("/v2/enqueue")), delivery);

        var result = await notifier.SendAsync(Alerts.Group(Alerts.Drift()), CancellationToken.None);

        Assert.Equal(status == 202, result.Success);
        Assert.Equal(retryable, result.Retryable);
        if (status == 400)
        {
            Assert.Equal("pagerduty: HTTP 400 Event object is invalid; invalid event; 'payload.severity' is invalid", result.Error);
        }
    }

    [Fact]
    public async Task PagerDuty_WithSendResolvedFalse_SendsNoResolve()
    {
        await using var pagerDuty = await FakeReceiver.StartAsync();
        using var delivery = new HttpDelivery(new HttpDeliveryOptions { AllowPrivateTargets = true });
        var notifier = new PagerDutyNotifier(new PagerDutyNotifierOptions(RoutingKey, pagerDuty.Url("/v2/enqueue"), SendResolved: false), delivery);

        var result = await notifier.SendAsync(Alerts.Group(Alerts.Drift(resolved: true)), CancellationToken.None);

        Assert.True(result.Success);
        Assert.Empty(pagerDuty.Requests);
    }

    [Fact]
    public void PagerDuty_Options_DoNotPrintTheRoutingKey()
    {
        Assert.DoesNotContain(RoutingKey, new PagerDutyNotifierOptions(RoutingKey).ToString(), StringComparison.Ordinal);
        Assert.Equal(new Uri("https://events.pagerduty.com/v2/enqueue"), new PagerDutyNotifierOptions(RoutingKey).EffectiveUrl);
    }
}
