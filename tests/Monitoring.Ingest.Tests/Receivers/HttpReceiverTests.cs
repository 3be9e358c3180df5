using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Tests.Support;
using Xunit;
using static Monitoring.Ingest.Tests.Support.HttpOtlp;
using static Monitoring.Ingest.Tests.Support.Otlp;

namespace Monitoring.Ingest.Tests.Receivers;

/// <summary>OTLP/HTTP <c>POST /v1/logs</c>: success paths and one test per bad-input rule.</summary>
public sealed class HttpReceiverTests : IAsyncLifetime
{
    private OtlpTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OtlpTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Protobuf_request_is_answered_only_after_every_model_batch_is_appended()
    {
        var entered = _server.Sink.HoldAppends();
        var request = Request(Prediction("a", "1", 0.1), Prediction("b", "2", 0.2), Label("a", "1", 1));

        var pending = PostAsync(_server, request);
        await entered;
        Assert.False(pending.IsCompleted);
        _server.Sink.Release();

        var response = await SuccessAsync(await pending);
        Assert.Null(response.PartialSuccess);
        var batches = _server.Sink.Batches.OrderBy(b => b.Model.Model, StringComparer.Ordinal).ToArray();
        Assert.Equal([new ModelKey("default", "a"), new ModelKey("default", "b")], batches.Select(b => b.Model));
        Assert.Equal([EventKind.Prediction, EventKind.Label], batches[0].Events.Select(e => e.Kind));
        Assert.Equal("2", Assert.Single(batches[1].Events).PredictionId);
    }

    [Fact]
    public async Task Gzip_protobuf_request_is_accepted()
    {
        var body = Gzip(Request(Prediction("zipped", "z-1", 0.3)).ToByteArray());
        await SuccessAsync(await PostAsync(_server, body, Protobuf, "gzip"));
        Assert.Equal("z-1", Assert.Single(_server.Sink.EventsOf(new ModelKey("default", "zipped"))).PredictionId);
    }

    [Fact]
    public async Task Empty_request_succeeds_without_touching_the_sink()
    {
        var response = await SuccessAsync(await PostAsync(_server, new ExportLogsServiceRequest()));
        Assert.Null(response.PartialSuccess);
        response = await SuccessAsync(await PostAsync(_server, [], Protobuf));
        Assert.Null(response.PartialSuccess);
        Assert.Equal(0, _server.Sink.Calls);
    }

    [Fact]
    public async Task Rejected_records_give_partial_success_with_count_and_reasons()
    {
        var before = await SeedAsync(_server);
        var request = Request(
            Prediction("m", "ok-1", 0.2),
            Prediction("m", "bad-1", 1.7),
            Record("ml.prediction", Attr("ml.prediction.score", 0.5)),
            Label("m", "ok-1", 0));

        var response = await SuccessAsync(await PostAsync(_server, request));

        Assert.NotNull(response.PartialSuccess);
        Assert.Equal(2, response.PartialSuccess.RejectedLogRecords);
        Assert.Equal("record 1: ml.prediction.score 1.7 outside [0,1]; record 2: missing ml.model.id", response.PartialSuccess.ErrorMessage);
        Assert.Equal(["ok-1", "ok-1"], _server.Sink.EventsOf(new ModelKey("default", "m")).Select(e => e.PredictionId));
        Assert.Same(before[0], _server.Sink.Batches[0]);
    }

    [Fact]
    public async Task Tenant_header_names_the_tenant()
    {
        var request = Request([Attr("ml.tenant", "from-resource")], Prediction("m", "p", 0.5));
        await SuccessAsync(await PostAsync(_server, request, tenant: "from-header"));
        Assert.Equal(new ModelKey("from-header", "m"), Assert.Single(_server.Sink.Batches).Model);
    }

    [Fact]
    public async Task Invalid_tenant_header_is_400()
    {
        var before = await SeedAsync(_server);
        var message = await FailureAsync(await PostAsync(_server, Request(Prediction("m", "p", 0.5)), tenant: "a/b"), 400);
        Assert.Contains("x-monitoring-tenant", message, StringComparison.Ordinal);
        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Hand_written_json_request_is_accepted()
    {
        const string Json = """
            {
              "resourceLogs": [{
                "resource": { "attributes": [
                  { "key": "service.name", "value": { "stringValue": "json-svc" } },
                  { "key": "ml.tenant", "value": { "stringValue": "acme" } } ] },
                "scopeLogs": [{
                  "scope": { "name": "handwritten", "version": "1.0" },
                  "logRecords": [
                    {
                      "timeUnixNano": "1700000000000000001",
                      "observedTimeUnixNano": 1700000000000000002,
                      "severityNumber": 9,
                      "severityText": "INFO",
                      "traceId": "5B8EFFF798038103D269B633813FC60C",
                      "spanId": "eee19b7ec3c1b174",
                      "eventName": "ml.prediction",
                      "body": { "stringValue": "scored" },
                      "attributes": [
                        { "key": "ml.model.id", "value": { "stringValue": "fraud" } },
                        { "key": "ml.prediction.id", "value": { "stringValue": "j-1" } },
                        { "key": "ml.prediction.score", "value": { "doubleValue": 0.75 } },
                        { "key": "ml.feature.items", "value": { "intValue": "12" } },
                        { "key": "ml.feature.age", "value": { "intValue": 41 } },
                        { "key": "ml.feature.ratio", "value": { "doubleValue": "0.5" } },
                        { "key": "ml.feature.vip", "value": { "boolValue": false } },
                        { "key": "ml.feature.blob", "value": {} },
                        { "key": "ml.segment.channel", "value": { "stringValue": "web" } },
                        { "key": "extra", "value": { "kvlistValue": { "values": [
                          { "key": "a", "value": { "arrayValue": { "values": [ { "intValue": "1" }, { "bytesValue": "AQID" } ] } } } ] } } }
                      ],
                      "droppedAttributesCount": 0,
                      "flags": 1,
                      "someFutureField": { "x": [1, 2] }
                    },
                    {
                      "eventName": "ml.label",
                      "attributes": [
                        { "key": "ml.model.id", "value": { "stringValue": "fraud" } },
                        { "key": "ml.prediction.id", "value": { "stringValue": "j-1" } },
                        { "key": "ml.label.value", "value": { "stringValue": "fraud" } }
                      ]
                    }
                  ]
                }]
              }]
            }
            """;

        var response = await PostJsonAsync(_server, Json);

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpOtlp.Json, response.Content.Headers.ContentType?.MediaType);
        using (var document = JsonDocument.Parse(text))
        {
            Assert.False(document.RootElement.TryGetProperty("partialSuccess", out _), text);
        }

        var events = _server.Sink.EventsOf(new ModelKey("acme", "fraud"));
        Assert.Equal(2, events.Count);
        var prediction = events[0];
        Assert.Equal(1_700_000_000_000_000_001, prediction.EventTimeUnixNano);
        Assert.Equal(0.75, prediction.Score);
        Assert.Equal("json-svc", prediction.Source);
        Assert.Equal(
            [
                new FeatureValue("items", 12, null),
                new FeatureValue("age", 41, null),
                new FeatureValue("ratio", 0.5, null),
                new FeatureValue("vip", null, "false"),
                new FeatureValue("blob", null, null),
            ],
            prediction.Features);
        Assert.Equal([new SegmentValue("channel", "web")], prediction.Segments);
        Assert.Equal("fraud", events[1].LabelText);
        Assert.Equal(OtlpTestServer.NowUnixNano, events[1].EventTimeUnixNano);
    }

    [Fact]
    public async Task Json_partial_success_is_answered_in_json()
    {
        const string Json = """
            {"resourceLogs":[{"scopeLogs":[{"logRecords":[
              {"eventName":"ml.prediction","attributes":[{"key":"ml.model.id","value":{"stringValue":"m"}},{"key":"ml.prediction.score","value":{"doubleValue":0.1}}]},
              {"eventName":"ml.prediction","attributes":[{"key":"ml.model.id","value":{"stringValue":"m"}},{"key":"ml.prediction.score","value":{"doubleValue":"NaN"}}]}
            ]}]}]}
            """;

        var response = await PostJsonAsync(_server, Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpOtlp.Json, response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var partial = document.RootElement.GetProperty("partialSuccess");
        Assert.Equal("1", partial.GetProperty("rejectedLogRecords").GetString());
        Assert.Equal("record 1: ml.prediction.score is NaN, not a finite number", partial.GetProperty("errorMessage").GetString());
        Assert.Single(_server.Sink.EventsOf(new ModelKey("default", "m")));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Other_methods_are_405_with_allow_post(string method)
    {
        var before = await SeedAsync(_server);
        using var request = new HttpRequestMessage(new HttpMethod(method), _server.LogsUri);
        var response = await _server.Http.SendAsync(request);

        var message = await FailureAsync(response, 405);
        Assert.Contains(method, message, StringComparison.Ordinal);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        AssertIntact(_server, before);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/grpc")]
    [InlineData("application/protobuf-json")]
    public async Task Unsupported_content_type_is_415(string contentType)
    {
        var before = await SeedAsync(_server);
        var response = await PostAsync(_server, Request(Prediction("m", "p", 0.5)).ToByteArray(), contentType);
        var message = await FailureAsync(response, 415);
        Assert.Contains("Content-Type", message, StringComparison.Ordinal);
        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Json_with_charset_parameter_is_accepted()
    {
        var response = await PostAsync(_server, Encoding.UTF8.GetBytes("{}"), "application/json; charset=utf-8");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("deflate")]
    [InlineData("zstd")]
    public async Task Unsupported_content_encoding_is_415_with_accept_encoding(string encoding)
    {
        var before = await SeedAsync(_server);
        var response = await PostAsync(_server, Request(Prediction("m", "p", 0.5)).ToByteArray(), Protobuf, encoding);
        var message = await FailureAsync(response, 415);
        Assert.Contains("Content-Encoding", message, StringComparison.Ordinal);
        Assert.Contains("gzip", response.Headers.GetValues("Accept-Encoding").Single(), StringComparison.Ordinal);
        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Malformed_protobuf_is_400_with_a_protobuf_status()
    {
        var before = await SeedAsync(_server);
        var response = await PostAsync(_server, [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01], Protobuf);
        var message = await FailureAsync(response, 400);
        Assert.StartsWith("invalid protobuf ExportLogsServiceRequest", message, StringComparison.Ordinal);
        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Malformed_json_is_400_with_a_json_status()
    {
        var before = await SeedAsync(_server);
        var message = await FailureAsync(await PostJsonAsync(_server, "{\"resourceLogs\": [ {"), 400, HttpOtlp.Json);
        Assert.StartsWith("invalid JSON ExportLogsServiceRequest", message, StringComparison.Ordinal);
        AssertIntact(_server, before);
    }

    [Theory]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":true}]}]}]}""", "$.resourceLogs[0].scopeLogs[0].logRecords[0].timeUnixNano")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityNumber":"SEVERITY_NUMBER_INFO"}]}]}]}""", "enums as integers")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"not-hex"}]}]}]}""", "traceId: expected a hex string")]
    [InlineData("""{"resourceLogs":{"scopeLogs":[]}}""", "$.resourceLogs: expected an array")]
    [InlineData("""{"resourceLogs":[{"resource":{"attributes":[{"key":"k","value":{"stringValue":"a","intValue":"1"}}]}}]}""", "more than one value")]
    [InlineData("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"attributes":[{"key":"k","value":{"intValue":"12x"}}]}]}]}]}""", "attributes[0].value.intValue")]
    [InlineData("[]", "expected an object")]
    public async Task Json_with_wrong_field_types_is_400_naming_the_field(string json, string expected)
    {
        var before = await SeedAsync(_server);
        var message = await FailureAsync(await PostJsonAsync(_server, json), 400, HttpOtlp.Json);
        Assert.Contains(expected, message, StringComparison.Ordinal);
        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Corrupt_gzip_is_400()
    {
        var before = await SeedAsync(_server);
        var gzip = Gzip(Request(Prediction("m", "p", 0.5)).ToByteArray());
        gzip[gzip.Length / 2] ^= 0xFF;
        gzip[(gzip.Length / 2) + 1] ^= 0xFF;
        var notGzip = Request(Prediction("m", "p", 0.5)).ToByteArray();

        foreach (var body in new[] { gzip, notGzip })
        {
            var message = await FailureAsync(await PostAsync(_server, body, Protobuf, "gzip"), 400);
            Assert.True(
                message.StartsWith("invalid gzip body", StringComparison.Ordinal) || message.StartsWith("invalid protobuf", StringComparison.Ordinal),
                message);
        }

        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Body_over_20_MiB_is_413()
    {
        var before = await SeedAsync(_server);
        var body = new byte[OtlpReceiverOptions.DefaultMaxHttpBodyBytes + 1];
        var message = await FailureAsync(await PostAsync(_server, body, Protobuf), 413);
        Assert.Contains("20971520 bytes", message, StringComparison.Ordinal);
        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Body_exactly_at_the_limit_is_read()
    {
        await using var server = await OtlpTestServer.StartAsync(o => o.MaxHttpBodyBytes = 4096);
        var request = Request(Prediction("m", "p", 0.5, Attr("ml.feature.pad", new string('x', 200))));
        var bytes = request.ToByteArray();
        var pad = 4096 - bytes.Length;

        // Unknown field 15 (length-delimited) pads the message to exactly the limit.
        var padding = new byte[pad - 3];
        var padded = bytes.Concat(new byte[] { 0x7A, (byte)(0x80 | (padding.Length & 0x7F)), (byte)(padding.Length >> 7) }).Concat(padding).ToArray();
        Assert.Equal(4096, padded.Length);

        await SuccessAsync(await PostAsync(server, padded, Protobuf));
        Assert.Single(server.Sink.Batches);
        await FailureAsync(await PostAsync(server, [.. padded, 0], Protobuf), 413);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_is_413()
    {
        await using var server = await OtlpTestServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Monitoring:Otlp:MaxHttpBodyBytes"] = "65536",
        });
        var before = await SeedAsync(server);
        using var content = new StreamContent(new MemoryStream(new byte[200_000]));
        content.Headers.ContentType = new MediaTypeHeaderValue(Protobuf);
        using var request = new HttpRequestMessage(HttpMethod.Post, server.LogsUri) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var message = await FailureAsync(await server.Http.SendAsync(request), 413);
        Assert.Contains("65536 bytes", message, StringComparison.Ordinal);
        AssertIntact(server, before);
    }

    [Fact]
    public async Task Gzip_expanding_past_the_limit_is_413()
    {
        var before = await SeedAsync(_server);
        var body = Gzip(new byte[OtlpReceiverOptions.DefaultMaxHttpBodyBytes + 1]);
        var message = await FailureAsync(await PostAsync(_server, body, Protobuf, "gzip"), 413);
        Assert.Contains("after decompression", message, StringComparison.Ordinal);
        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Deep_attribute_values_are_400_and_the_limit_itself_is_accepted()
    {
        var before = await SeedAsync(_server);
        foreach (var kvlist in new[] { false, true })
        {
            var atLimit = Request(Prediction("deep", kvlist ? "kv" : "arr", 0.5, Attr("payload", Nested(OtlpReceiverOptions.DefaultMaxAnyValueDepth, kvlist))));
            await SuccessAsync(await PostAsync(_server, atLimit));

            var tooDeep = Request(Prediction("deep", "x", 0.5, Attr("payload", Nested(OtlpReceiverOptions.DefaultMaxAnyValueDepth + 1, kvlist))));
            var message = await FailureAsync(await PostAsync(_server, tooDeep), 400);
            Assert.Contains("deeper than 32", message, StringComparison.Ordinal);
        }

        Assert.Equal(3, _server.Sink.Batches.Count);
        Assert.Same(before[0], _server.Sink.Batches[0]);
    }

    [Fact]
    public async Task Pathologically_deep_protobuf_is_400()
    {
        var before = await SeedAsync(_server);

        // 1000 levels (about 10x the limit): the parser's recursion limit stops it long before the stack would be at risk.
        var request = Request(Prediction("deep", "x", 0.5, Attr("payload", Nested(1000))));
        var message = await FailureAsync(await PostAsync(_server, request.ToByteArray(), Protobuf), 400);
        Assert.Contains("nesting too deep", message, StringComparison.Ordinal);
        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Deep_json_is_400()
    {
        var before = await SeedAsync(_server);

        static string Nest(int depth)
        {
            var value = "{\"stringValue\":\"leaf\"}";
            for (var i = 1; i < depth; i++)
            {
                value = "{\"arrayValue\":{\"values\":[" + value + "]}}";
            }

            return "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"eventName\":\"ml.prediction\",\"attributes\":["
                + "{\"key\":\"ml.model.id\",\"value\":{\"stringValue\":\"deep\"}},{\"key\":\"ml.prediction.score\",\"value\":{\"doubleValue\":0.5}},"
                + "{\"key\":\"payload\",\"value\":" + value + "}]}]}]}]}";
        }

        var accepted = await PostJsonAsync(_server, Nest(32));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        var message = await FailureAsync(await PostJsonAsync(_server, Nest(33)), 400, HttpOtlp.Json);
        Assert.Contains("deeper than 32", message, StringComparison.Ordinal);

        var pathological = new StringBuilder().Insert(0, "[", 100_000).ToString();
        message = await FailureAsync(await PostJsonAsync(_server, pathological), 400, HttpOtlp.Json);
        Assert.Contains("nesting too deep", message, StringComparison.Ordinal);

        Assert.Equal(2, _server.Sink.Batches.Count);
        Assert.Same(before[0], _server.Sink.Batches[0]);
    }

    [Fact]
    public async Task Sink_overload_is_503_with_the_sinks_retry_after()
    {
        var before = await SeedAsync(_server);
        _server.Sink.Mode = SinkMode.Overload;
        _server.Sink.OverloadRetryAfter = TimeSpan.FromSeconds(7);

        var response = await PostAsync(_server, Request(Prediction("m", "p", 0.5)));

        var message = await FailureAsync(response, 503);
        Assert.Contains("overloaded", message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Sink_failure_is_503_never_500()
    {
        var before = await SeedAsync(_server);
        _server.Sink.Mode = SinkMode.Fail;

        var response = await PostAsync(_server, Request(Prediction("m", "p", 0.5), Prediction("n", "q", 0.5)));

        var message = await FailureAsync(response, 503);
        Assert.Contains("unavailable", message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(OtlpReceiverOptions.DefaultRetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        AssertIntact(_server, before);
    }

    [Fact]
    public async Task Requests_over_the_concurrency_limit_are_503_with_retry_after()
    {
        await using var server = await OtlpTestServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Monitoring:Otlp:MaxConcurrentRequests"] = "1",
            ["Monitoring:Otlp:RetryAfterSeconds"] = "3",
        });
        var before = await SeedAsync(server);
        var entered = server.Sink.HoldAppends();
        var first = PostAsync(server, Request(Prediction("m", "held", 0.5)));
        await entered;

        var second = await PostAsync(server, Request(Prediction("m", "refused", 0.5)));
        var message = await FailureAsync(second, 503);
        Assert.Contains("too many concurrent", message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(3), second.Headers.RetryAfter?.Delta);

        server.Sink.Release();
        await SuccessAsync(await first);
        Assert.Equal(["baseline-1", "held"], server.Sink.Batches.SelectMany(b => b.Events).Select(e => e.PredictionId));
        Assert.Same(before[0], server.Sink.Batches[0]);

        // The slot is free again.
        await SuccessAsync(await PostAsync(server, Request(Prediction("m", "after", 0.5))));
    }
}
