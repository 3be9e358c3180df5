using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Monitoring.Abstractions.Events;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Rpc;
using Xunit;

namespace Monitoring.Ingest.Tests.Support;

/// <summary>OTLP/HTTP requests and response checks.</summary>
internal static class HttpOtlp
{
    public const string Protobuf = "application/x-protobuf";
    public const string Json = "application/json";

    public static Task<HttpResponseMessage> PostAsync(
        OtlpTestServer server,
        byte[] body,
        string contentType = Protobuf,
        string? contentEncoding = null,
        string? tenant = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (contentEncoding is not null)
        {
            content.Headers.ContentEncoding.Add(contentEncoding);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, server.LogsUri) { Content = content };
        if (tenant is not null)
        {
            request.Headers.Add("x-monitoring-tenant", tenant);
        }

        return server.Http.SendAsync(request);
    }

    public static Task<HttpResponseMessage> PostAsync(OtlpTestServer server, ExportLogsServiceRequest request, string? tenant = null) =>
        PostAsync(server, request.ToByteArray(), Protobuf, null, tenant);

    public static Task<HttpResponseMessage> PostJsonAsync(OtlpTestServer server, string json) =>
        PostAsync(server, Encoding.UTF8.GetBytes(json), Json);

    /// <summary>Asserts a 200 protobuf answer and returns it.</summary>
    public static async Task<ExportLogsServiceResponse> SuccessAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        Assert.Equal(Protobuf, response.Content.Headers.ContentType?.MediaType);
        return ExportLogsServiceResponse.Parser.ParseFrom(body);
    }

    /// <summary>Asserts the status code and a google.rpc.Status body in the given encoding; returns its message.</summary>
    public static async Task<string> FailureAsync(HttpResponseMessage response, int statusCode, string contentType = Protobuf)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(statusCode, (int)response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        if (contentType == Json)
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.GetProperty("message").GetString()!;
        }

        var status = Status.Parser.ParseFrom(body);
        Assert.False(string.IsNullOrEmpty(status.Message));
        return status.Message;
    }

    /// <summary>A good request whose single record is recognisable by its prediction id.</summary>
    public static ExportLogsServiceRequest Baseline(string predictionId = "baseline-1") =>
        Otlp.Request(Otlp.Prediction("baseline-model", predictionId, 0.5));

    /// <summary>Sends <see cref="Baseline"/> and checks it landed; returns the sink's batches at that point.</summary>
    public static async Task<IReadOnlyList<EventBatch>> SeedAsync(OtlpTestServer server)
    {
        var response = await SuccessAsync(await PostAsync(server, Baseline()));
        Assert.Null(response.PartialSuccess);
        var batches = server.Sink.Batches;
        Assert.Equal("baseline-1", Assert.Single(Assert.Single(batches).Events).PredictionId);
        return batches;
    }

    /// <summary>The sink holds exactly the batches it held before (same objects, same contents).</summary>
    public static void AssertIntact(OtlpTestServer server, IReadOnlyList<EventBatch> before)
    {
        var now = server.Sink.Batches;
        Assert.Equal(before.Count, now.Count);
        for (var i = 0; i < before.Count; i++)
        {
            Assert.Same(before[i], now[i]);
            Assert.Equal(before[i].Events.Select(e => e.PredictionId), now[i].Events.Select(e => e.PredictionId));
        }
    }
}
