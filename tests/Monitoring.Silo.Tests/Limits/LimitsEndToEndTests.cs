using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Monitoring.Silo.Tests.Telemetry;
using Xunit;

namespace Monitoring.Silo.Tests.Limits;

/// <summary>
/// The original report of issue #10 item 7 against the real silo process over OTLP/HTTP JSON: a 10,000-character model
/// id, a 100,000-character feature name, 10,000 features on one record and a new model past the tenant's limit are
/// rejected one by one (partial success naming each limit) while the valid records of the same request are stored; a
/// body with invalid UTF-8 is a 400; the silo stays up and counts the rejections by reason in its metrics.
/// </summary>
public sealed class LimitsEndToEndTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-limits-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Oversized_records_are_rejected_one_by_one_the_rest_stored_and_the_silo_stays_up()
    {
        await using var silo = await SiloProcess.StartAsync(_data, environment: new Dictionary<string, string>
        {
            ["Monitoring__Limits__MaxModelsPerTenant"] = "2",
        });
        using var http = new HttpClient { BaseAddress = silo.OtlpHttp };
        using var api = new ApiClient(silo.Api);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

        string Prediction(string model, string id, params string[] features) =>
            "{\"timeUnixNano\":\"" + now.ToString(CultureInfo.InvariantCulture) + "\",\"eventName\":\"ml.prediction\",\"attributes\":["
            + "{\"key\":\"ml.model.id\",\"value\":{\"stringValue\":\"" + model + "\"}},"
            + "{\"key\":\"ml.prediction.id\",\"value\":{\"stringValue\":\"" + id + "\"}},"
            + "{\"key\":\"ml.prediction.score\",\"value\":{\"doubleValue\":0.4}}"
            + string.Concat(features.Select(f => "," + f)) + "]}";
        string Feature(string name, double value) =>
            "{\"key\":\"ml.feature." + name + "\",\"value\":{\"doubleValue\":" + value.ToString(CultureInfo.InvariantCulture) + "}}";
        string Body(params string[] logRecords) =>
            "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"limits-e2e\"}}]},"
            + "\"scopeLogs\":[{\"logRecords\":[" + string.Join(",", logRecords) + "]}]}]}";

        // The tenant's two models (its limit here) exist before: models of one request are appended concurrently, so which
        // of several new models would get the last slot is not defined.
        using (var first = await http.PostAsync("/v1/logs", Json(Encoding.UTF8.GetBytes(Body(Prediction("credit", "ok-0"), Prediction("churn", "ok-2"))))))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        var records = new[]
        {
            Prediction("credit", "ok-1", Feature("age", 41)),
            Prediction(new string('m', 10_000), "long-model"),
            Prediction("credit", "long-feature", Feature(new string('f', 100_000), 1)),
            Prediction("credit", "wide", [.. Enumerable.Range(0, 10_000).Select(i => Feature($"f{i}", i))]),
            Prediction("third-model", "over-tenant-limit"),
            Prediction("credit", "ok-3", Feature("age", 52)),
        };
        var body = Body(records);

        using var response = await http.PostAsync("/v1/logs", Json(Encoding.UTF8.GetBytes(body)));

        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, answer);
        using var json = JsonDocument.Parse(answer);
        var partial = json.RootElement.GetProperty("partialSuccess");
        Assert.True(partial.GetProperty("rejectedLogRecords").ToString() == "4", answer.Length > 3000 ? answer[..3000] : answer);
        Assert.Equal(
            "record 1: ml.model.id is 10000 characters long, over the limit of 256 (Monitoring:Limits:MaxModelIdLength); "
            + $"record 2: feature name '{new string('f', 64)}...' is 100000 characters long, over the limit of 128 (Monitoring:Limits:MaxNameLength); "
            + "record 3: 10000 ml.feature.* attributes, over the limit of 1000 per record (Monitoring:Limits:MaxFeaturesPerRecord); "
            + "record 4: model 'third-model' would be a new model of tenant 'default', which has 2 models, the limit (Monitoring:Limits:MaxModelsPerTenant)",
            partial.GetProperty("errorMessage").GetString());
        Assert.Equal(3, await api.PredictionsAsync("credit"));
        Assert.Equal(1, await api.PredictionsAsync("churn"));
        using (var unknown = await api.Http.GetAsync("/api/models/default/third-model"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        // Invalid UTF-8 in a JSON string: 400 naming the field, not a 500; nothing of that request is stored.
        var bad = Encoding.UTF8.GetBytes(Body(Prediction("credit", "XX")));
        var at = bad.AsSpan().IndexOf("XX"u8);
        bad[at] = 0xC3;
        bad[at + 1] = 0x28;
        using var refused = await http.PostAsync("/v1/logs", Json(bad));
        var refusal = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.EndsWith(".attributes[1].value.stringValue: invalid UTF-8", JsonDocument.Parse(refusal).RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);

        // The silo is up and took nothing from the refused request; the rejections are in its metrics by reason.
        using var after = await http.PostAsync("/v1/logs", Json(Encoding.UTF8.GetBytes(Body(Prediction("credit", "ok-4", Feature("age", 33))))));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(4, await api.PredictionsAsync("credit"));
        var scrape = PrometheusText.Parse(await api.Http.GetStringAsync("/metrics"));
        double Rejected(string reason) => scrape.Samples
            .Where(m => m.Name == "monitoring_records_rejected_total" && m.Labels.GetValueOrDefault("reason") == reason && m.Labels.GetValueOrDefault("protocol") == "http/json")
            .Sum(m => m.Value);
        Assert.Equal((2, 1, 1), (Rejected("too_long"), Rejected("too_many_features"), Rejected("tenant_model_limit")));
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}
