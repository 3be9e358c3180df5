using Monitoring.Abstractions.Time;
using Monitoring.Client.Tests.Support;
using Xunit;

namespace Monitoring.Client.Tests;

/// <summary>End to end over a real socket: what the OpenTelemetry SDK actually puts on the wire for our records.</summary>
public sealed class PredictionLoggerWireTests
{
    private static readonly DateTimeOffset EventTime = new(2025, 3, 4, 5, 6, 7, 123, TimeSpan.Zero);

    private static ulong Nanos(DateTimeOffset t) => (ulong)UnixNanos.FromDateTimeOffset(t);

    private static Prediction CreditRisk(string id, DateTimeOffset? timestamp) => new(
        ModelId: "credit-risk",
        ModelVersion: "v3",
        PredictionId: id,
        Score: 0.8125,
        Class: "1",
        Value: null,
        LatencyMs: 12.5,
        Features: new Dictionary<string, object?>
        {
            ["age"] = 42,
            ["income"] = 55000.0,
            ["whole_double"] = 3.0,
            ["debt_ratio"] = 0.25f,
            ["num_accounts"] = 7L,
            ["country"] = "DE",
            ["is_vip"] = true,
            ["missing"] = null,
            ["nan"] = double.NaN,
        },
        Segments: new Dictionary<string, string> { ["country"] = "DE", ["plan"] = "pro" },
        Timestamp: timestamp);

    private static PredictionLoggerOptions Options(Uri endpoint, OtlpProtocol protocol, string? tenant = "acme") => new()
    {
        Endpoint = endpoint,
        Protocol = protocol,
        ServiceName = "loan-api",
        ServiceVersion = "2.1.0",
        Tenant = tenant,
        ScheduledDelay = TimeSpan.FromMinutes(5), // only ForceFlush exports in these tests
    };

    [Fact]
    public async Task Prediction_over_http_protobuf_arrives_with_event_name_typed_attributes_and_explicit_timestamp()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync();
        using (var logger = new PredictionLogger(Options(receiver.BaseAddress, OtlpProtocol.HttpProtobuf)))
        {
            logger.LogPrediction(CreditRisk("p-1", EventTime));
            Assert.True(logger.ForceFlush(TimeSpan.FromSeconds(30)));
        }

        await receiver.WaitForRecordsAsync(1);
        var export = Assert.Single(receiver.Exports);
        Assert.Equal("/v1/logs", export.Path);
        Assert.Equal("application/x-protobuf", export.ContentType);
        Assert.Equal("acme", export.Tenant);

        var record = Assert.Single(export.Records);
        AssertCreditRiskPrediction(record);
    }

    [Fact]
    public async Task Prediction_over_grpc_arrives_identically()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(http2Only: true);
        using (var logger = new PredictionLogger(Options(receiver.BaseAddress, OtlpProtocol.Grpc)))
        {
            logger.LogPrediction(CreditRisk("p-1", EventTime));
            Assert.True(logger.ForceFlush(TimeSpan.FromSeconds(30)));
        }

        await receiver.WaitForRecordsAsync(1);
        var export = Assert.Single(receiver.Exports);
        Assert.Equal("/opentelemetry.proto.collector.logs.v1.LogsService/Export", export.Path);
        Assert.Equal("acme", export.Tenant);
        AssertCreditRiskPrediction(Assert.Single(export.Records));
    }

    [Fact]
    public async Task Labels_arrive_with_event_name_typed_value_and_default_or_explicit_timestamp()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync();
        var before = DateTimeOffset.UtcNow;
        using (var logger = new PredictionLogger(Options(receiver.BaseAddress, OtlpProtocol.HttpProtobuf, tenant: null)))
        {
            logger.LogLabel("credit-risk", "p-1", 1, EventTime);
            logger.LogLabel("credit-risk", "p-2", true);
            logger.LogLabel("churn", "p-3", "churned", EventTime);
            logger.LogLabel("eta", "p-4", 17.25, EventTime);
            Assert.True(logger.ForceFlush(TimeSpan.FromSeconds(30)));
        }

        var after = DateTimeOffset.UtcNow;
        await receiver.WaitForRecordsAsync(4);
        Assert.All(receiver.Exports, e => Assert.Null(e.Tenant));
        var records = receiver.AllRecords().ToDictionary(r => (string)r["ml.prediction.id"].Value!);
        Assert.Equal(4, records.Count);
        foreach (var record in records.Values)
        {
            Assert.Equal("ml.label", record.EventName);
            Assert.Equal(new AnyValue(AnyKind.String, "label"), record["ml.event"]);
            Assert.Equal(4, record.Attributes.Count);
        }

        Assert.Equal(new AnyValue(AnyKind.String, "credit-risk"), records["p-1"]["ml.model.id"]);
        Assert.Equal(new AnyValue(AnyKind.Double, 1.0), records["p-1"]["ml.label.value"]);
        Assert.Equal(Nanos(EventTime), records["p-1"].TimeUnixNano);
        Assert.Equal(new AnyValue(AnyKind.Double, 1.0), records["p-2"]["ml.label.value"]);
        Assert.InRange(records["p-2"].TimeUnixNano, Nanos(before), Nanos(after));
        Assert.Equal(new AnyValue(AnyKind.String, "churned"), records["p-3"]["ml.label.value"]);
        Assert.Equal(new AnyValue(AnyKind.Double, 17.25), records["p-4"]["ml.label.value"]);
        Assert.Equal(new AnyValue(AnyKind.String, "eta"), records["p-4"]["ml.model.id"]);
    }

    [Fact]
    public async Task Many_predictions_arrive_in_several_batches_each_once_with_its_own_timestamp()
    {
        const int count = 1500;
        await using var receiver = await OtlpTestReceiver.StartAsync();
        using (var logger = new PredictionLogger(Options(receiver.BaseAddress, OtlpProtocol.HttpProtobuf) with { MaxExportBatchSize = 500, MaxQueueSize = 4096 }))
        {
            Parallel.For(0, count, i => logger.LogPrediction(CreditRisk($"p-{i}", EventTime.AddMilliseconds(i))));
            Assert.True(logger.ForceFlush(TimeSpan.FromSeconds(30)));
        }

        await receiver.WaitForRecordsAsync(count);
        Assert.True(receiver.Exports.Count >= 3);
        var records = receiver.AllRecords();
        Assert.Equal(count, records.Count);
        Assert.Equal(count, records.Select(r => r["ml.prediction.id"].Value).Distinct().Count());
        Assert.All(records, r =>
        {
            var i = int.Parse(((string)r["ml.prediction.id"].Value!)[2..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Nanos(EventTime.AddMilliseconds(i)), r.TimeUnixNano);
        });
    }

    [Theory]
    [InlineData("acme-eu_01")]
    [InlineData("acme corp 100%2F = ok")]
    public async Task Tenant_header_arrives_verbatim(string tenant)
    {
        await using var receiver = await OtlpTestReceiver.StartAsync();
        using (var logger = new PredictionLogger(Options(receiver.BaseAddress, OtlpProtocol.HttpProtobuf, tenant)))
        {
            logger.LogLabel("m", "p", 0.0);
            Assert.True(logger.ForceFlush(TimeSpan.FromSeconds(30)));
        }

        await receiver.WaitForRecordsAsync(1);
        Assert.Equal(tenant, Assert.Single(receiver.Exports).Tenant);
    }

    [Fact]
    public async Task A_prediction_with_many_features_arrives_whole()
    {
        var features = Enumerable.Range(0, 300).ToDictionary(i => $"f{i}", i => (object?)(i * 0.5));
        await using var receiver = await OtlpTestReceiver.StartAsync();
        using (var logger = new PredictionLogger(Options(receiver.BaseAddress, OtlpProtocol.HttpProtobuf)))
        {
            logger.LogPrediction(CreditRisk("wide", EventTime) with { Features = features });
            Assert.True(logger.ForceFlush(TimeSpan.FromSeconds(30)));
        }

        await receiver.WaitForRecordsAsync(1);
        var record = Assert.Single(receiver.AllRecords());
        Assert.Equal(0u, record.DroppedAttributesCount);
        Assert.Equal(300, record.Attributes.Count(a => a.Key.StartsWith("ml.feature.", StringComparison.Ordinal)));
        Assert.Equal(new AnyValue(AnyKind.Double, 149.5), record["ml.feature.f299"]);
    }

    private static void AssertCreditRiskPrediction(DecodedLogRecord record)
    {
        Assert.Equal("ml.prediction", record.EventName);
        Assert.Equal(Nanos(EventTime), record.TimeUnixNano);
        Assert.Equal(9, record.SeverityNumber); // INFO
        Assert.Equal("loan-api", record.Resource["service.name"].Value);
        Assert.Equal("2.1.0", record.Resource["service.version"].Value);
        Assert.Equal(PredictionLogger.CategoryName, record.ScopeName);

        Assert.Equal(new AnyValue(AnyKind.String, "prediction"), record["ml.event"]);
        Assert.Equal(new AnyValue(AnyKind.String, "credit-risk"), record["ml.model.id"]);
        Assert.Equal(new AnyValue(AnyKind.String, "v3"), record["ml.model.version"]);
        Assert.Equal(new AnyValue(AnyKind.String, "p-1"), record["ml.prediction.id"]);
        Assert.Equal(new AnyValue(AnyKind.Double, 0.8125), record["ml.prediction.score"]);
        Assert.Equal(new AnyValue(AnyKind.String, "1"), record["ml.prediction.class"]);
        Assert.Equal(new AnyValue(AnyKind.Double, 12.5), record["ml.prediction.latency_ms"]);
        Assert.DoesNotContain(record.Attributes, a => a.Key == "ml.prediction.value");

        Assert.Equal(new AnyValue(AnyKind.Int, 42L), record["ml.feature.age"]);
        Assert.Equal(new AnyValue(AnyKind.Double, 55000.0), record["ml.feature.income"]);
        Assert.Equal(new AnyValue(AnyKind.Double, 3.0), record["ml.feature.whole_double"]);
        Assert.Equal(new AnyValue(AnyKind.Double, 0.25), record["ml.feature.debt_ratio"]);
        Assert.Equal(new AnyValue(AnyKind.Int, 7L), record["ml.feature.num_accounts"]);
        Assert.Equal(new AnyValue(AnyKind.String, "DE"), record["ml.feature.country"]);
        Assert.Equal(new AnyValue(AnyKind.Bool, true), record["ml.feature.is_vip"]);
        Assert.Equal(new AnyValue(AnyKind.String, string.Empty), record["ml.feature.missing"]);
        Assert.Equal(new AnyValue(AnyKind.String, string.Empty), record["ml.feature.nan"]);
        Assert.Equal(new AnyValue(AnyKind.String, "DE"), record["ml.segment.country"]);
        Assert.Equal(new AnyValue(AnyKind.String, "pro"), record["ml.segment.plan"]);

        // Nothing but the ml.* attributes: no event-id attributes, no {OriginalFormat}.
        Assert.All(record.Attributes, a => Assert.StartsWith("ml.", a.Key, StringComparison.Ordinal));
        Assert.Equal(18, record.Attributes.Count);
    }
}
