using System.Net;
using Monitoring.Client;
using Xunit;

namespace Monitoring.Silo.Tests.Telemetry;

/// <summary>The model metrics' cardinality cap in a real silo: beyond it series are dropped, model-level ones kept first, and counted.</summary>
public sealed class ModelSeriesCapTests : IAsyncLifetime
{
    private const int Cap = 12;
    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-telemetry-cap-").FullName;
    private SiloProcess _silo = null!;
    private ApiClient _api = null!;

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartAsync(_data, environment: new Dictionary<string, string>
        {
            ["Monitoring__Telemetry__MaxModelSeries"] = $"{Cap}",
        });
        _api = new ApiClient(_silo.Api);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _silo.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task ModelSeries_BeyondTheCap_AreDroppedAndCounted_ModelLevelFirst()
    {
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);
        var rng = new Random(3);
        var models = new[] { "cap-a", "cap-b" };
        foreach (var model in models)
        {
            Traffic.SendAndAck(_silo.OtlpGrpc, OtlpProtocol.Grpc, [Traffic.Prediction(model, "warmup", start.AddMinutes(-5), 40, "US", 0.5)]);
            using var settings = await _api.PutJsonAsync($"/api/models/default/{model}/settings", new { window_seconds = 60, allowed_lateness_seconds = 600 });
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
            Traffic.SendAndAck(_silo.OtlpGrpc, OtlpProtocol.Grpc, Enumerable.Range(0, 200).Select(i =>
                Traffic.Prediction(model, $"p{i}", start.AddMilliseconds(i * 250), 40 + 10 * Traffic.Gaussian(rng), i % 2 == 0 ? "US" : "BR", rng.NextDouble())));
            using var close = await _api.Http.PostAsync($"/api/models/default/{model}/windows/close", null);
            Assert.Equal(HttpStatusCode.OK, close.StatusCode);
        }

        var scrape = PrometheusText.Parse(await _api.Http.GetStringAsync("/metrics"));
        var series = scrape.Samples.Where(s => s.Name.StartsWith("monitoring_model_", StringComparison.Ordinal)).ToList();
        Assert.Equal(Cap, series.Count);
        Assert.Equal(Cap, scrape.Samples.Single(s => s.Name == "monitoring_telemetry_series").Value);
        var dropped = scrape.Samples.Single(s => s.Name == "monitoring_telemetry_series_dropped_total").Value;
        Assert.True(dropped > 0, "dropped series counted");

        // The first model's model-level series (volume, drifted features...) made it; the cap stopped the rest.
        Assert.Contains(series, s => s.Name == "monitoring_model_window_predictions" && s.Labels["model"] == "cap-a");
    }

    [Fact]
    public async Task BadTelemetryConfiguration_StopsTheSilo_NamingTheField()
    {
        var data = Directory.CreateTempSubdirectory("monitoring-telemetry-bad-").FullName;
        try
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(data, environment: new Dictionary<string, string>
            {
                ["Monitoring__Telemetry__OtlpEndpoint"] = "collector:4317",
            }));
            Assert.Contains("Monitoring:Telemetry: OtlpEndpoint: must be an absolute http or https URL", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
