using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Limits;
using Monitoring.Abstractions.Models;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Logs;
using Monitoring.Ingest.Telemetry;
using Monitoring.Ingest.Tests.Support;
using Xunit;
using static Monitoring.Ingest.Tests.Support.HttpOtlp;
using static Monitoring.Ingest.Tests.Support.Otlp;

namespace Monitoring.Ingest.Tests.Limits;

/// <summary>
/// The original report (issue #10 item 7), through the real OTLP/HTTP receiver: a 10,000-character model id, a
/// 100,000-character feature name and 10,000 features on one record were accepted, and an OTLP/JSON body with invalid
/// UTF-8 was a 500. Each is now a clean per-record rejection (or a 400), counted by reason, with the rest of the request kept.
/// </summary>
public sealed class ReceiverLimitsTests : IAsyncLifetime
{
    private OtlpTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OtlpTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Original_report_records_are_rejected_one_by_one_and_the_valid_ones_kept()
    {
        var manyFeatures = Prediction("wide", "w-1", 0.5, [.. Enumerable.Range(0, 10_000).Select(i => Attr($"ml.feature.f{i}", (double)i))]);
        var request = Request(
            Prediction("ok", "ok-1", 0.1),
            Prediction(new string('m', 10_000), "long-model", 0.2),
            Prediction("ok", "long-feature", 0.3, Attr("ml.feature." + new string('f', 100_000), 1.0)),
            manyFeatures,
            Prediction("ok", "ok-2", 0.4));
        using var rejected = RejectedCounter.Listen();

        var response = await SuccessAsync(await PostAsync(_server, request));

        Assert.Equal(3, response.PartialSuccess.RejectedLogRecords);
        Assert.Equal(
            "record 1: ml.model.id is 10000 characters long, over the limit of 256 (Monitoring:Limits:MaxModelIdLength); "
            + $"record 2: feature name '{new string('f', 64)}...' is 100000 characters long, over the limit of 128 (Monitoring:Limits:MaxNameLength); "
            + "record 3: 10000 ml.feature.* attributes, over the limit of 1000 per record (Monitoring:Limits:MaxFeaturesPerRecord)",
            response.PartialSuccess.ErrorMessage);
        Assert.Equal(["ok-1", "ok-2"], _server.Sink.EventsOf(new ModelKey("default", "ok")).Select(e => e.PredictionId));
        Assert.Single(_server.Sink.Batches);
        Assert.Equal(2, rejected.Of("too_long"));
        Assert.Equal(1, rejected.Of("too_many_features"));
    }

    [Fact]
    public async Task Json_body_with_invalid_utf8_in_a_string_is_a_400_naming_the_problem()
    {
        var json = Encoding.UTF8.GetBytes("""{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"eventName":"ml.prediction","attributes":[{"key":"ml.model.id","value":{"stringValue":"BAD"}}]}]}]}]}""");
        var at = json.AsSpan().IndexOf("BAD"u8);
        json[at] = 0xC3; // a lead byte followed by 'A': not UTF-8
        json[at + 2] = 0xFF; // never valid in UTF-8

        var message = await FailureAsync(await PostAsync(_server, json, Json), 400, Json);

        Assert.Equal(
            "invalid JSON ExportLogsServiceRequest at $.resourceLogs[0].scopeLogs[0].logRecords[0].attributes[0].value.stringValue: invalid UTF-8",
            message);
        Assert.Equal(0, _server.Sink.Calls);
        await SeedAsync(_server); // and the receiver goes on
    }

    [Theory]
    [InlineData("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"BAD\":1}]}]}]}", "invalid UTF-8 in a property name")]
    [InlineData("{\"resourceLogs\":[{\"schemaUrl\":\"BAD\"}]}", "invalid UTF-8")]
    [InlineData("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"traceId\":\"BAD\"}]}]}]}", "invalid UTF-8")]
    public async Task Json_body_with_invalid_utf8_anywhere_is_a_400(string template, string reason)
    {
        var json = Encoding.UTF8.GetBytes(template);
        var at = json.AsSpan().IndexOf("BAD"u8);
        json[at + 1] = 0xFE;

        var message = await FailureAsync(await PostAsync(_server, json, Json), 400, Json);

        Assert.StartsWith("invalid JSON ExportLogsServiceRequest", message, StringComparison.Ordinal);
        Assert.EndsWith(reason, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_body_that_is_not_utf8_at_all_is_a_400()
    {
        var latin1 = Encoding.Latin1.GetBytes("{\"resourceLogs\":[{\"schemaUrl\":\"caf\u00e9\"}]}");

        var message = await FailureAsync(await PostAsync(_server, latin1, Json), 400, Json);

        Assert.StartsWith("invalid JSON ExportLogsServiceRequest", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tenant_header_over_the_limit_is_a_400_naming_the_setting()
    {
        var message = await FailureAsync(await PostAsync(_server, Baseline(), tenant: new string('t', 65)), 400);

        Assert.Equal("x-monitoring-tenant is 65 characters long, over the limit of 64 (Monitoring:Limits:MaxTenantLength)", message);
        Assert.Equal(0, _server.Sink.Calls);
    }

    [Fact]
    public async Task Records_the_grain_refuses_for_a_model_limit_come_back_as_partial_success()
    {
        _server.Sink.Refuse = batch => batch.Model.Model == "full"
            ? ([.. Enumerable.Range(0, batch.Events.Length)], AppendRejection.ModelTenantLimit, "model 'full' would be tenant default's 11th model, over the limit of 10")
            : null;
        var request = Request(
            Prediction("kept", "k-1", 0.1),
            Record("ml.prediction"), // no model: rejected by the receiver
            Prediction("full", "f-1", 0.2),
            Label("full", "f-1", 1),
            Prediction("kept", "k-2", 0.3));
        using var rejected = RejectedCounter.Listen();

        var response = await SuccessAsync(await PostAsync(_server, request));

        Assert.Equal(3, response.PartialSuccess.RejectedLogRecords);
        Assert.Equal(
            "record 1: missing ml.model.id; record 2: model 'full' would be tenant default's 11th model, over the limit of 10 (and 1 more records of this model)",
            response.PartialSuccess.ErrorMessage);
        Assert.Equal(["k-1", "k-2"], _server.Sink.EventsOf(new ModelKey("default", "kept")).Select(e => e.PredictionId));
        Assert.Equal(2, rejected.Of("tenant_model_limit"));
        Assert.Equal(2, _server.Totals.RecordsAccepted);
        Assert.Equal(3, _server.Totals.RecordsRejected);
    }

    [Fact]
    public async Task Limits_are_read_from_configuration()
    {
        await using var server = await OtlpTestServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Monitoring:Limits:MaxModelIdLength"] = "4",
            ["Monitoring:Limits:MaxFeaturesPerRecord"] = "2",
        });
        var request = Request(
            Prediction("abcd", "ok", 0.1, Attr("ml.feature.a", 1.0), Attr("ml.feature.b", 2.0)),
            Prediction("abcde", "long", 0.1),
            Prediction("abcd", "wide", 0.1, Attr("ml.feature.a", 1.0), Attr("ml.feature.b", 2.0), Attr("ml.feature.c", 3.0)));

        var response = await SuccessAsync(await PostAsync(server, request));

        Assert.Equal(2, response.PartialSuccess.RejectedLogRecords);
        Assert.Contains("over the limit of 4 (Monitoring:Limits:MaxModelIdLength)", response.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("3 ml.feature.* attributes, over the limit of 2 per record", response.PartialSuccess.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal("ok", Assert.Single(server.Sink.EventsOf(new ModelKey("default", "abcd"))).PredictionId);
    }

    [Fact]
    public async Task Invalid_limits_fail_at_startup_naming_the_key()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(() => OtlpTestServer.StartAsync(configuration: new Dictionary<string, string?>
        {
            ["Monitoring:Limits:MaxNameLength"] = "0",
        }));

        Assert.Contains("Monitoring:Limits:MaxNameLength must be in [1, 1048576] (got 0).", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The rejected-records counter by reason, read through a real <see cref="MeterListener"/>.</summary>
    private sealed class RejectedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, long> _byReason = new(StringComparer.Ordinal);

        private RejectedCounter()
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == IngestMetrics.MeterName && instrument.Name == "monitoring.records.rejected")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason")
                    {
                        _byReason.AddOrUpdate((string)tag.Value!, value, (_, n) => n + value);
                    }
                }
            });
            _listener.Start();
        }

        public static RejectedCounter Listen() => new();

        public long Of(string reason) => _byReason.GetValueOrDefault(reason);

        public void Dispose() => _listener.Dispose();
    }
}
