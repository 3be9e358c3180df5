using System.Globalization;
using System.Net;
using System.Text;
using Monitoring.Client;
using Xunit;

namespace Monitoring.Silo.Tests.Telemetry;

/// <summary>
/// The model metrics come back with the model, not with the next window: a window is closed (drift against an uploaded
/// reference, labels joined), the silo is killed and started again on the same data, and the restarted silo's
/// <c>/metrics</c> shows every model series it showed before, with the same values, before any new window closes.
/// </summary>
public sealed class ModelMetricsRestartTests : IAsyncLifetime
{
    private const string Model = "restart-metrics";
    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-telemetry-restart-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ModelMetrics_AfterARestart_AreRestoredFromTheLastStoredWindow()
    {
        Dictionary<string, double> before;
        await using (var silo = await SiloProcess.StartAsync(_data))
        {
            using var api = new ApiClient(silo.Api);
            await SendWindowAsync(silo, api);
            before = ModelSeries(PrometheusText.Parse(await api.Http.GetStringAsync("/metrics")));
        }

        // Drift per feature, prediction drift, volume, label coverage, performance and calibration were all there.
        foreach (var name in (string[])["monitoring_model_feature_psi", "monitoring_model_prediction_psi", "monitoring_model_window_predictions",
                     "monitoring_model_label_coverage", "monitoring_model_performance_accuracy", "monitoring_model_calibration_ece"])
        {
            Assert.Contains(before.Keys, k => k.StartsWith(name + "{", StringComparison.Ordinal));
        }

        await using (var restarted = await SiloProcess.StartAsync(_data))
        {
            using var api = new ApiClient(restarted.Api);
            // Reading the model waits for its grain's activation (the silo's start-up activator may be first).
            var model = await api.GetJsonAsync($"/api/models/default/{Model}");
            Assert.Equal(System.Text.Json.JsonValueKind.String, model.GetProperty("last_closed_window_end").ValueKind);
            Assert.Equal(300, before["monitoring_model_window_predictions{model=\"restart-metrics\",tenant=\"default\"}"]);
            var after = ModelSeries(PrometheusText.Parse(await api.Http.GetStringAsync("/metrics")));
            Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
            foreach (var (series, value) in before)
            {
                Assert.True(Math.Abs(after[series] - value) <= 1e-9 * Math.Max(1, Math.Abs(value)), $"{series}: {value} before, {after[series]} after the restart");
            }
        }
    }

    /// <summary>Every monitoring_model_* sample of the model, keyed by name and sorted labels.</summary>
    private static Dictionary<string, double> ModelSeries(PrometheusText scrape) => scrape.Samples
        .Where(s => s.Name.StartsWith("monitoring_model_", StringComparison.Ordinal) && s.Labels.GetValueOrDefault("model") == Model)
        .ToDictionary(
            s => s.Name + "{" + string.Join(",", s.Labels.Where(l => l.Key != "otel_scope_name").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}",
            s => s.Value,
            StringComparer.Ordinal);

    private static async Task SendWindowAsync(SiloProcess silo, ApiClient api)
    {
        var rng = new Random(17);
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);
        Traffic.SendAndAck(silo.OtlpGrpc, OtlpProtocol.Grpc, [Traffic.Prediction(Model, "warmup", start.AddMinutes(-5), 40, "US", 0.5)]);
        using (var settings = await api.PutJsonAsync($"/api/models/default/{Model}/settings", new { window_seconds = 60, allowed_lateness_seconds = 900, minimum_sample_size = 100 }))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        var csv = new StringBuilder("age,country,score\n");
        for (var i = 0; i < 1000; i++)
        {
            csv.Append((40 + 10 * Traffic.Gaussian(rng)).ToString("R", CultureInfo.InvariantCulture)).Append(i % 4 == 0 ? ",BR," : ",US,")
                .Append(rng.NextDouble().ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        using (var upload = await api.Http.PutAsync($"/api/models/default/{Model}/reference?source=train.csv&score_column=score", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")))
        {
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        }

        // One window of 300 predictions with age shifted, two thirds of them labelled.
        var predictions = Enumerable.Range(0, 300)
            .Select(i => Traffic.Prediction(Model, $"p{i}", start.AddMilliseconds(i * 150), 48 + 10 * Traffic.Gaussian(rng), i % 4 == 0 ? "BR" : "US", rng.NextDouble()))
            .ToList();
        Traffic.SendAndAck(silo.OtlpGrpc, OtlpProtocol.Grpc, predictions);
        Traffic.SendLabelsAndAck(silo.OtlpGrpc, OtlpProtocol.Grpc, Model, predictions.Where((_, i) => i % 3 != 2).Select(p => (p.PredictionId, p.Score > 0.5 ? 1 : 0)));
        using var close = await api.Http.PostAsync($"/api/models/default/{Model}/windows/close", null);
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
    }
}
