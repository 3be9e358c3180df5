using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Monitoring.Alerting.Tests.Support;
using Monitoring.Client;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>
/// The whole alerting path in a real silo: a rule file and an Alertmanager-schema configuration, drifted traffic through
/// the OpenTelemetry SDK exporter, real HTTP listeners on 127.0.0.1 standing in for Slack and PagerDuty.
/// </summary>
public sealed class AlertingEndToEndTests : IAsyncLifetime
{
    private const string Model = "alerting-model";
    private const string RoutingKey = "R0UT1NGKEY0123456789abcdef012345";

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-alerting-").FullName;
    private FakeReceiver _slack = null!;
    private FakeReceiver _pagerDuty = null!;
    private SiloProcess _silo = null!;
    private ApiClient _api = null!;

    public async Task InitializeAsync()
    {
        _slack = await FakeReceiver.StartAsync();
        _pagerDuty = await FakeReceiver.StartAsync();
        var rules = Path.Combine(_data, "rules.yml");
        await File.WriteAllTextAsync(rules, """
            groups:
              - name: e2e
                rules:
                  - alert: FeatureDrift
                    expr: feature_psi{feature="age"} > 0.2
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.feature }} drifted on {{ $labels.model }} (PSI {{ $value | printf \"%.3f\" }})"
                      runbook_url: "{{ $externalURL }}/runbooks/feature-drift"
            """);
        var config = Path.Combine(_data, "alerting.yml");
        await File.WriteAllTextAsync(Path.Combine(_data, "pd-key"), RoutingKey + "\n");
        await File.WriteAllTextAsync(config, $"""
            route:
              receiver: team
              group_by: [alertname, model]
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: team
                slack_configs:
                  - api_url: {_slack.Url("services/T000/B000/XXXX")}
                    send_resolved: true
                pagerduty_configs:
                  - routing_key_file: pd-key
                    url: {_pagerDuty.Url("v2/enqueue")}
            """);
        _silo = await SiloProcess.StartAsync(Path.Combine(_data, "silo"), environment: new Dictionary<string, string>
        {
            ["Monitoring__Alerting__RulesPath"] = rules,
            ["Monitoring__Alerting__ConfigFile"] = config,
            ["Monitoring__Alerting__AllowPrivateTargets"] = "true",
            ["Monitoring__Host__ExternalUrl"] = "http://monitoring.example:8080",
        });
        _api = new ApiClient(_silo.Api);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _silo.DisposeAsync();
        await _slack.DisposeAsync();
        await _pagerDuty.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task DriftedWindow_NotifiesSlackAndPagerDutyOnce_AckSendsAcknowledge_RecoverySendsResolve()
    {
        var rng = new Random(5);
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);
        await DriftAlerting.ConfigureModelAsync(_api, Model, rng, referenceRows: 3000, withCountry: true);

        // Window 1: age shifted by 0.8 standard deviations (PSI well above 0.2).
        Traffic.SendAndAck(_silo.OtlpGrpc, OtlpProtocol.Grpc,
            Enumerable.Range(0, 800).Select(i => Traffic.Prediction(Model, $"a{i}", start.AddMilliseconds(i * 50), 48 + 10 * Traffic.Gaussian(rng), "US", 0.4)));
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.PostAsync($"/api/models/default/{Model}/windows/close", null)).StatusCode);

        var slack = await _slack.NextAsync();
        var pd = await _pagerDuty.NextAsync();
        Assert.Equal("/services/T000/B000/XXXX", slack.Path);
        var slackJson = JsonDocument.Parse(slack.Body).RootElement;
        Assert.Contains("FeatureDrift", slackJson.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains("http://monitoring.example:8080/runbooks/feature-drift", slack.Body, StringComparison.Ordinal);
        var pdJson = JsonDocument.Parse(pd.Body).RootElement;
        Assert.Equal("trigger", pdJson.GetProperty("event_action").GetString());
        Assert.Equal(RoutingKey, pdJson.GetProperty("routing_key").GetString());
        var dedupKey = pdJson.GetProperty("dedup_key").GetString();
        Assert.Contains(pdJson.GetProperty("links").EnumerateArray(), l => l.GetProperty("href").GetString() == "http://monitoring.example:8080/runbooks/feature-drift");

        // The value in the message is the window's PSI, as the report says.
        var report = await _api.GetJsonAsync($"/api/models/default/{Model}/windows/{start.ToUnixTimeSeconds()}");
        var psi = report.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "age").GetProperty("psi").GetDouble();
        Assert.True(psi > 0.2, $"psi {psi}");
        var summary = pdJson.GetProperty("payload").GetProperty("summary").GetString()!;
        Assert.True(summary.Contains(psi.ToString("F3", CultureInfo.InvariantCulture), StringComparison.Ordinal), $"PSI {psi:R} not in the summary: {summary}");

        var incidents = await _api.GetJsonAsync("/api/incidents?state=triggered");
        var incident = Assert.Single(incidents.EnumerateArray().ToList());
        var id = incident.GetProperty("id").GetString()!;
        Assert.Equal("http://monitoring.example:8080/runbooks/feature-drift", incident.GetProperty("runbook_url").GetString());

        // Acknowledge: PagerDuty gets acknowledge with the same dedup_key.
        using (var ack = await _api.Http.PostAsJsonAsync($"/api/incidents/{id}/ack", new { by = "alice" }))
        {
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
            Assert.Equal("acknowledged", (await ack.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        }
        var pdAck = JsonDocument.Parse((await _pagerDuty.NextAsync()).Body).RootElement;
        Assert.Equal("acknowledge", pdAck.GetProperty("event_action").GetString());
        Assert.Equal(dedupKey, pdAck.GetProperty("dedup_key").GetString());
        await _slack.NextAsync(); // Slack hears of the acknowledgement once

        // Window 2: back to the reference distribution: the alert resolves and both receivers get the resolve.
        Traffic.SendAndAck(_silo.OtlpGrpc, OtlpProtocol.Grpc,
            Enumerable.Range(0, 800).Select(i => Traffic.Prediction(Model, $"b{i}", start.AddMinutes(1).AddMilliseconds(i * 50), 40 + 10 * Traffic.Gaussian(rng), "US", 0.4)));
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.PostAsync($"/api/models/default/{Model}/windows/close", null)).StatusCode);
        var pdResolve = JsonDocument.Parse((await _pagerDuty.NextAsync()).Body).RootElement;
        Assert.Equal("resolve", pdResolve.GetProperty("event_action").GetString());
        Assert.Equal(dedupKey, pdResolve.GetProperty("dedup_key").GetString());
        var slackResolve = await _slack.NextAsync();
        Assert.Contains("RESOLVED", slackResolve.Body.ToUpperInvariant(), StringComparison.Ordinal);

        var resolved = await _api.GetJsonAsync($"/api/incidents/{id}");
        Assert.Equal("resolved", resolved.GetProperty("state").GetString());
        Assert.Equal("alice", resolved.GetProperty("acknowledged_by").GetString());
        Assert.Equal(3, _pagerDuty.Requests.Count); // trigger, acknowledge, resolve: exactly one of each
        Assert.Equal(3, _slack.Requests.Count);

        // Secrets never leave: not in the API, not in the silo's log.
        foreach (var path in new[] { "/api/incidents", "/api/rules", $"/api/incidents/{id}", $"/incidents/{id}", $"/incidents/{id}/ack", "/api/alerts" })
        {
            var body = await _api.Http.GetStringAsync(path);
            Assert.DoesNotContain(RoutingKey, body, StringComparison.Ordinal);
            Assert.DoesNotContain("B000/XXXX", body, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(RoutingKey, _silo.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("B000/XXXX", _silo.Output, StringComparison.Ordinal);
    }

}
