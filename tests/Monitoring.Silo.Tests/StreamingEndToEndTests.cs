using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Monitoring.Abstractions.Time;
using Monitoring.Client;
using Monitoring.Stats.Drift;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>
/// A real silo process; the OpenTelemetry .NET SDK's OTLP exporter (grpc and http/protobuf) and raw OTLP/HTTP JSON as
/// clients; the JSON API read back and checked against the statistics core run on the same data.
/// </summary>
public sealed class StreamingEndToEndTests : SiloTest
{
    [Theory]
    [InlineData(OtlpProtocol.Grpc)]
    [InlineData(OtlpProtocol.HttpProtobuf)]
    public async Task OtelSdkExporter_EveryAcknowledgedPredictionIsCountedExactlyOnce(OtlpProtocol protocol)
    {
        var model = $"count-{protocol}".ToLowerInvariant();
        var now = DateTimeOffset.UtcNow;
        var endpoint = protocol == OtlpProtocol.Grpc ? Silo.OtlpGrpc : Silo.OtlpHttp;
        Traffic.SendAndAck(endpoint, protocol, Enumerable.Range(0, 1234).Select(i => Traffic.Prediction(model, $"p{i}", now, 30 + (i % 40), "US", 0.3)));
        Traffic.SendAndAck(endpoint, protocol, Enumerable.Range(1000, 300).Select(i => Traffic.Prediction(model, $"p{i}", now, 30, "US", 0.3)));

        var describe = await Api.GetJsonAsync($"/api/models/default/{model}");
        Assert.Equal(1300, describe.GetProperty("totals").GetProperty("predictions").GetInt64());
        Assert.Equal(234, describe.GetProperty("totals").GetProperty("duplicates").GetInt64());
        var schema = describe.GetProperty("schema").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("kind").GetString());
        Assert.Equal("numeric", schema["age"]);
        Assert.Equal("categorical", schema["country"]);
        Assert.Equal("numeric", schema["ml.prediction.score"]);
    }

    [Fact]
    public async Task OtlpHttpJson_IsAcceptedAndCounted()
    {
        var nanos = UnixNanos.FromDateTimeOffset(DateTimeOffset.UtcNow).ToString(CultureInfo.InvariantCulture);
        var json = $$$"""
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-client"}}]},
          "scopeLogs":[{"logRecords":[
            {"timeUnixNano":"{{{nanos}}}","eventName":"ml.prediction","attributes":[
              {"key":"ml.model.id","value":{"stringValue":"json-model"}},
              {"key":"ml.prediction.id","value":{"stringValue":"j1"}},
              {"key":"ml.prediction.score","value":{"doubleValue":0.25}},
              {"key":"ml.feature.age","value":{"intValue":"41"}}]},
            {"timeUnixNano":"{{{nanos}}}","attributes":[
              {"key":"ml.event","value":{"stringValue":"prediction"}},
              {"key":"ml.model.id","value":{"stringValue":"json-model"}},
              {"key":"ml.prediction.id","value":{"stringValue":"j2"}},
              {"key":"ml.prediction.score","value":{"doubleValue":1.7}}]}]}]}]}
        """;
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(Silo.OtlpHttp, "/v1/logs"), new StringContent(json, Encoding.UTF8, "application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", body.GetProperty("partialSuccess").GetProperty("rejectedLogRecords").ToString()); // int64 as a JSON string (protobuf JSON mapping)
        Assert.Contains("ml.prediction.score", body.GetProperty("partialSuccess").GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await Api.PredictionsAsync("json-model"));
    }

    [Fact]
    public async Task ClosedWindowDrift_MatchesTheStatisticsCoreOnTheSameData()
    {
        const string model = "drift-model";
        var rng = new Random(11);
        var refAges = Enumerable.Range(0, 3000).Select(_ => Math.Round(40 + (10 * Gaussian(rng)), 3)).ToArray();
        var refCountries = Enumerable.Range(0, 3000).Select(i => new[] { "US", "DE", "BR" }[i % 3]).ToArray();
        var curAges = Enumerable.Range(0, 800).Select(_ => Math.Round(47 + (10 * Gaussian(rng)), 3)).ToArray();
        var curCountries = Enumerable.Range(0, 800).Select(i => i % 2 == 0 ? "BR" : "US").ToArray();

        // Register the model with one early record, then give it 60 s windows with 10 minutes of lateness.
        var window = TimeSpan.FromMinutes(1);
        var windowStart = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 2) * window.Ticks, TimeSpan.Zero);
        Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, [Traffic.Prediction(model, "warmup", windowStart.AddMinutes(-5), 40, "US", 0.5)]);
        using (var settings = await Api.PutJsonAsync($"/api/models/default/{model}/settings", new { window_seconds = 60, allowed_lateness_seconds = 600, minimum_sample_size = 100 }))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        var csv = new StringBuilder("age,country\n");
        for (var i = 0; i < refAges.Length; i++)
        {
            csv.Append(refAges[i].ToString("R", CultureInfo.InvariantCulture)).Append(',').Append(refCountries[i]).Append('\n');
        }

        using (var upload = await Api.Http.PutAsync($"/api/models/default/{model}/reference?source=train.csv", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")))
        {
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        }

        Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, Enumerable.Range(0, 800).Select(i => Traffic.Prediction(model, $"d{i}", windowStart.AddMilliseconds(i * 50), curAges[i], curCountries[i], 0.4)));
        var closed = await Api.Http.PostAsync($"/api/models/default/{model}/windows/close", null);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);

        var report = await Api.GetJsonAsync($"/api/models/default/{model}/windows/{windowStart.ToUnixTimeSeconds()}");
        Assert.Equal(800, report.GetProperty("volume").GetInt64());
        var age = report.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "age");
        var exact = NumericDrift.Compute(refAges, curAges);
        Assert.Equal("exact", age.GetProperty("binning").GetString());
        Assert.Equal(exact.Psi, age.GetProperty("psi").GetDouble(), 12);
        Assert.Equal(exact.JensenShannon, age.GetProperty("jensen_shannon").GetDouble(), 12);
        Assert.InRange(exact.Ks.Statistic, age.GetProperty("ks").GetProperty("lower").GetDouble(), age.GetProperty("ks").GetProperty("upper").GetDouble());
        Assert.True(age.GetProperty("drifted").GetBoolean());
        var country = report.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("name").GetString() == "country");
        var exactCountry = CategoricalDrift.Compute(Count(refCountries), Count(curCountries));
        Assert.Equal(exactCountry.Psi, country.GetProperty("psi").GetDouble(), 12);
        Assert.Equal(exactCountry.ChiSquare!.Value.Statistic, country.GetProperty("chi_square").GetProperty("statistic").GetDouble(), 8);

        var series = await Api.GetJsonAsync($"/api/models/default/{model}/features/age/series?metric=psi");
        Assert.Contains(series.GetProperty("points").EnumerateArray(), p => Math.Abs(p.GetProperty("value").GetDouble() - exact.Psi) < 1e-12);
    }

    [Fact]
    public async Task LabelsOverOtlp_JoinAndReportPerformanceOverallAndPerSlice()
    {
        const string model = "perf-model";
        var now = DateTimeOffset.UtcNow;
        var predictions = Enumerable.Range(0, 300).Select(i => Traffic.Prediction(model, $"r{i}", now, 30, i % 3 == 0 ? "BR" : "US", (i % 10) / 10.0)).ToArray();
        Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, predictions);
        Traffic.SendLabelsAndAck(Silo.OtlpHttp, OtlpProtocol.HttpProtobuf, model, Enumerable.Range(0, 300).Select(i => ($"r{i}", i % 2)));

        var overall = await Api.GetJsonAsync($"/api/models/default/{model}/performance/series?metric=accuracy");
        var point = overall.GetProperty("points").EnumerateArray().Single();
        var scores = predictions.Select(p => p.Score!.Value).ToArray();
        var labels = Enumerable.Range(0, 300).Select(i => (double)(i % 2)).ToArray();
        Assert.Equal(Monitoring.Stats.Classification.BinaryClassificationMetrics.Compute(scores, labels).Accuracy, point.GetProperty("value").GetDouble(), 12);
        Assert.Equal(300, point.GetProperty("count").GetInt64());

        var latam = await Api.GetJsonAsync($"/api/models/default/{model}/performance/series?metric=accuracy&slice=region%3Dlatam");
        Assert.Equal(100, latam.GetProperty("points").EnumerateArray().Single().GetProperty("count").GetInt64());

        using var bad = await Api.Http.GetAsync($"/api/models/default/{model}/performance/series?metric=auc&slice=region%3Dlatam");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        // Prediction volume per slice counts every prediction, labelled or not; prediction drift is per slice only.
        var volume = await Api.GetJsonAsync($"/api/models/default/{model}/performance/series?metric=predictions&slice=region%3Dlatam");
        Assert.Equal(100, volume.GetProperty("points").EnumerateArray().Single().GetProperty("value").GetInt64());
        using var wholeModel = await Api.Http.GetAsync($"/api/models/default/{model}/performance/series?metric=prediction_psi");
        Assert.Equal(HttpStatusCode.BadRequest, wholeModel.StatusCode);
        Assert.Contains("per slice", await wholeModel.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_ReportsUnknownModelsAndBadQueriesWithTheReason()
    {
        using var unknown = await Api.Http.GetAsync("/api/models/default/nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("unknown model", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, [Traffic.Prediction("known", "k1", DateTimeOffset.UtcNow, 1, "US", 0.1)]);
        using var badMetric = await Api.Http.GetAsync("/api/models/default/known/features/age/series?metric=bogus");
        Assert.Equal(HttpStatusCode.BadRequest, badMetric.StatusCode);
        Assert.Contains("\"field\":\"metric\"", await badMetric.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var badTime = await Api.Http.GetAsync("/api/models/default/known/windows?from=yesterday-ish");
        Assert.Equal(HttpStatusCode.BadRequest, badTime.StatusCode);
        Assert.Contains("\"field\":\"from\"", await badTime.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheApi_AndTheApiIsNotServedOnTheOtlpPort()
    {
        var doc = await Api.GetJsonAsync("/openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/models", paths);
        Assert.Contains("/api/models/{tenant}/{model}/windows/{start}", paths);
        Assert.Contains("/api/models/{tenant}/{model}/features/{feature}/series", paths);

        using var http = new HttpClient();
        using var onOtlpPort = await http.GetAsync(new Uri(Silo.OtlpHttp, "/api/models"));
        Assert.Equal(HttpStatusCode.NotFound, onOtlpPort.StatusCode);
    }

    private static Dictionary<string, long> Count(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
