using System.Globalization;
using System.Net;
using System.Text;
using Monitoring.Alerting.Tests.Support;
using Monitoring.Client;
using Xunit;

namespace Monitoring.Silo.Tests.Telemetry;

/// <summary>
/// One real silo with telemetry on (/metrics, and OTLP/HTTP to a local receiver every second), an alert rule that fires
/// on the first window and a webhook receiver whose URL carries a secret, driven once with demo-like traffic: two
/// windows of predictions against an uploaded reference (the second drifted), labels, duplicates, a rejected record,
/// and a notification that needs one retry. The tests read what it exported.
/// </summary>
public sealed class TelemetrySilo : IAsyncLifetime
{
    public const string Model = "telemetry-model";

    /// <summary>Part of the webhook URL: must never appear in what the silo exports.</summary>
    public const string WebhookSecret = "s3cr3t-w3bh00k-t0ken-9f2c";

    public const string Receiver = "team-webhook";

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-telemetry-").FullName;

    public SiloProcess Silo { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    internal OtlpMetricsReceiver Otlp { get; private set; } = null!;

    internal FakeReceiver Webhook { get; private set; } = null!;

    /// <summary>The /metrics scrape taken after the traffic (and after the OTLP exporter had reported the notification).</summary>
    internal PrometheusText Scrape { get; private set; } = null!;

    /// <summary>The first OTLP export that carried the model metrics and the notification counter.</summary>
    internal Otlp.ExportMetricsServiceRequest OtlpExport { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Otlp = await OtlpMetricsReceiver.StartAsync();
        Webhook = await FakeReceiver.StartAsync();
        Webhook.Respond(503, "try again"); // the first delivery fails retryably: one retry is counted
        var rules = Path.Combine(_data, "rules.yml");
        await File.WriteAllTextAsync(rules, """
            groups:
              - name: telemetry
                rules:
                  - alert: TelemetryVolume
                    expr: window_volume > 0
                    labels: {severity: ticket}
                    annotations:
                      summary: "{{ $labels.model }} had predictions"
            """);
        var config = Path.Combine(_data, "alerting.yml");
        await File.WriteAllTextAsync(config, $"""
            route:
              receiver: {Receiver}
              group_by: [alertname, model]
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: {Receiver}
                webhook_configs:
                  - url: {Webhook.Url("hooks/" + WebhookSecret)}
            """);
        Silo = await SiloProcess.StartAsync(Path.Combine(_data, "silo"), environment: new Dictionary<string, string>
        {
            ["Monitoring__Telemetry__OtlpEndpoint"] = Otlp.BaseUrl.ToString(),
            ["Monitoring__Telemetry__OtlpProtocol"] = "http/protobuf",
            ["Monitoring__Telemetry__ExportIntervalSeconds"] = "1",
            ["Monitoring__Alerting__RulesPath"] = rules,
            ["Monitoring__Alerting__ConfigFile"] = config,
            ["Monitoring__Alerting__AllowPrivateTargets"] = "true",
        });
        Api = new ApiClient(Silo.Api);
        await SendTrafficAsync();

        // Delivered after one retry: the 503, then the 200.
        await Webhook.NextAsync();
        await Webhook.NextAsync();
        OtlpExport = await Otlp.FirstAsync(r =>
        {
            var names = OtlpMetricsReceiver.Metrics(r).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
            return names.Contains("monitoring.notifications") && names.Contains("monitoring.model.feature.psi") && names.Contains("monitoring.model.label.coverage");
        });
        Scrape = PrometheusText.Parse(await Api.Http.GetStringAsync("/metrics"));
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        await Silo.DisposeAsync();
        await Otlp.DisposeAsync();
        await Webhook.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private async Task SendTrafficAsync()
    {
        var rng = new Random(11);
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);
        Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, [Traffic.Prediction(Model, "warmup", start.AddMinutes(-5), 40, "US", 0.5)]);
        using (var settings = await Api.PutJsonAsync($"/api/models/default/{Model}/settings", new { window_seconds = 60, allowed_lateness_seconds = 600, minimum_sample_size = 100 }))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        var csv = new StringBuilder("age,country\n");
        for (var i = 0; i < 2000; i++)
        {
            csv.Append((40 + 10 * Traffic.Gaussian(rng)).ToString("R", CultureInfo.InvariantCulture)).Append(i % 4 == 0 ? ",BR\n" : ",US\n");
        }

        using (var upload = await Api.Http.PutAsync($"/api/models/default/{Model}/reference?source=train.csv", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")))
        {
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        }

        // Two windows of 300 predictions; the second one's age shifted by 0.8 standard deviations.
        var predictions = Enumerable.Range(0, 600).Select(i =>
        {
            var shift = i < 300 ? 0 : 8;
            return Traffic.Prediction(Model, $"p{i}", start.AddMilliseconds(i * 200), 40 + shift + 10 * Traffic.Gaussian(rng), i % 4 == 0 ? "BR" : "US", rng.NextDouble());
        }).ToList();
        Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, predictions);
        Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, predictions.Take(5)); // client retries: 5 duplicates
        Traffic.SendLabelsAndAck(Silo.OtlpHttp, OtlpProtocol.HttpProtobuf, Model,
            predictions.Where((_, i) => i % 3 != 2).Select(p => (p.PredictionId!, p.Score > 0.5 ? 1 : 0)).Take(400));

        // One record the conventions reject (score outside [0, 1]), over OTLP/HTTP JSON.
        var bad = $$$"""
            {"resourceLogs":[{"scopeLogs":[{"logRecords":[{"eventName":"ml.prediction","attributes":[
              {"key":"ml.model.id","value":{"stringValue":"{{{Model}}}"}},
              {"key":"ml.prediction.id","value":{"stringValue":"bad-1"}},
              {"key":"ml.prediction.score","value":{"doubleValue":2.0}}]}]}]}]}
            """;
        using var http = new HttpClient();
        using (var response = await http.PostAsync(new Uri(Silo.OtlpHttp, "/v1/logs"), new StringContent(bad, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("outside [0,1]", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var close = await Api.Http.PostAsync($"/api/models/default/{Model}/windows/close", null))
        {
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }
    }
}
