using System.Globalization;
using System.Net;
using System.Text;
using Monitoring.Alerting.Tests.Support;
using Monitoring.Client;
using Monitoring.Client.Demo;
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
                    expr: window_volume{model="telemetry-model"} > 0
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

        // One alert, one notification: its first attempt gets the 503 and is retried.
        const int notifications = 1;
        for (var i = 0; i < notifications + 1; i++)
        {
            try
            {
                await Webhook.NextAsync();
            }
            catch (OperationCanceledException e)
            {
                throw new InvalidOperationException(
                    $"{Webhook.Requests.Count} webhook requests of {notifications + 1}:\n{string.Join("\n", Webhook.Requests.Select(r => r.Body[..Math.Min(300, r.Body.Length)]))}\n{Silo.Output}", e);
            }
        }

        OtlpExport = await Otlp.FirstAsync(r =>
        {
            var metrics = OtlpMetricsReceiver.Metrics(r).ToList();
            var names = metrics.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
            var sent = metrics.Where(m => m.Name == "monitoring.notifications").SelectMany(m => m.Sum.DataPoints).Sum(p => p.AsInt);
            return sent == notifications && names.Contains("monitoring.notification.retries")
                && names.Contains("monitoring.model.feature.psi") && names.Contains("monitoring.model.label.coverage");
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

    /// <summary>The demo's models (their traffic comes from the demo generator).</summary>
    public static readonly string[] DemoModels = [DemoTraffic.CreditRiskModel, DemoTraffic.ChurnModel, DemoTraffic.EtaModel];

    /// <summary>Every model the traffic created.</summary>
    public static IEnumerable<string> Models => DemoModels.Append(Model);

    private async Task SendTrafficAsync()
    {
        var rng = new Random(11);
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);
        foreach (var model in Models)
        {
            using var settings = await Api.PutJsonAsync($"/api/models/default/{model}/settings",
                new { window_seconds = 60, allowed_lateness_seconds = 900, minimum_sample_size = 100, rolling_windows = 3 });
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        // Our model: a reference with scores (so slices have prediction drift), then two windows of 300 predictions, the
        // second one's age shifted by 0.8 standard deviations, over OTLP/gRPC.
        var csv = new StringBuilder("age,country,score\n");
        for (var i = 0; i < 2000; i++)
        {
            csv.Append((40 + 10 * Traffic.Gaussian(rng)).ToString("R", CultureInfo.InvariantCulture)).Append(i % 4 == 0 ? ",BR," : ",US,")
                .Append(rng.NextDouble().ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        using (var upload = await Api.Http.PutAsync($"/api/models/default/{Model}/reference?source=train.csv&score_column=score", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")))
        {
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        }

        var predictions = Enumerable.Range(0, 600).Select(i =>
        {
            var shift = i < 300 ? 0 : 8;
            return Traffic.Prediction(Model, $"p{i}", start.AddMilliseconds(i * 200), 40 + shift + 10 * Traffic.Gaussian(rng), i % 4 == 0 ? "BR" : "US", rng.NextDouble());
        }).ToList();
        Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, predictions);
        Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, predictions.Take(5)); // client retries: 5 duplicates
        Traffic.SendLabelsAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, Model,
            predictions.Where((_, i) => i % 3 != 2).Select(p => (p.PredictionId, p.Score > 0.5 ? 1 : 0)));

        // The demo's three models (two classifiers, one regression; credit-risk drifts after 3 minutes): five minutes of
        // their traffic, generated ahead of time and sent over OTLP/HTTP protobuf.
        var demoStart = start.AddMinutes(-3);
        // In 20-second steps, one logger each (disposing it waits for its exports): the SDK's batch queue holds 2,048
        // records and drops what does not fit.
        var generator = new DemoTrafficGenerator(new DemoTrafficOptions { PredictionsPerSecondPerModel = 5, Seed = 7, RunId = "telemetry" }, demoStart);
        for (var step = 1; step <= 15; step++)
        {
            using var demo = Traffic.Logger(Silo.OtlpHttp, OtlpProtocol.HttpProtobuf);
            generator.Advance(TimeSpan.FromSeconds(step * 20 - 0.5), demo); // five whole windows, none begun at 5:00
        }

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

        foreach (var model in Models)
        {
            using var close = await Api.Http.PostAsync($"/api/models/default/{model}/windows/close", null);
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }
    }
}
