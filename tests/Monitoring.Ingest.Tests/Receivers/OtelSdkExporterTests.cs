using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Time;
using Monitoring.Ingest.Tests.Support;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Resources;
using Xunit;

namespace Monitoring.Ingest.Tests.Receivers;

/// <summary>
/// The OpenTelemetry .NET SDK's OTLP log exporter as the client, over gRPC and http/protobuf. The SDK (1.20) writes
/// <c>EventId.Name</c> to <c>LogRecord.event_name</c>, the key/value pairs of the logged state (an
/// <c>IReadOnlyList&lt;KeyValuePair&lt;string, object?&gt;&gt;</c>, or a message template's placeholders) as attributes
/// with their types (double, long/int, bool, string), and scope key/value pairs as attributes when
/// <c>IncludeScopes</c> is on.
/// </summary>
public sealed class OtelSdkExporterTests : IAsyncLifetime
{
    private OtlpTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OtlpTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(OtlpExportProtocol.Grpc)]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    public void Sdk_exporter_delivers_predictions_and_labels(OtlpExportProtocol protocol)
    {
        var before = DateTimeOffset.UtcNow;
        using (var factory = CreateFactory(protocol))
        {
            var logger = factory.CreateLogger("ml.client");

            // Prediction: event name from EventId.Name, attributes from the state list.
            logger.Log(
                LogLevel.Information,
                new EventId(1, "ml.prediction"),
                new List<KeyValuePair<string, object?>>
                {
                    new("ml.model.id", "fraud"),
                    new("ml.model.version", "v7"),
                    new("ml.prediction.id", "p-1"),
                    new("ml.prediction.score", 0.87),
                    new("ml.prediction.class", "fraud"),
                    new("ml.prediction.latency_ms", 4.5),
                    new("ml.feature.amount", 125.5),
                    new("ml.feature.items", 3),
                    new("ml.feature.country", "DE"),
                    new("ml.feature.is_new", true),
                    new("ml.segment.region", "eu"),
                },
                null,
                static (_, _) => "prediction");

            // Label for it.
            logger.Log(
                LogLevel.Information,
                new EventId(2, "ml.label"),
                new List<KeyValuePair<string, object?>>
                {
                    new("ml.model.id", "fraud"),
                    new("ml.prediction.id", "p-1"),
                    new("ml.label.value", 1),
                },
                null,
                static (_, _) => "label");

            // ml.event attribute instead of an event name, model id from a scope, values from a message template.
            using (logger.BeginScope(new List<KeyValuePair<string, object?>> { new("ml.model.id", "churn") }))
            {
                logger.LogInformation("scored {ml.event} {ml.prediction.id} {ml.prediction.value}", "prediction", "c-9", 0.25);
            }

            // Not an ML record: rejected (partial success), the rest still arrives.
            logger.LogInformation("plain application log");
        }

        var after = DateTimeOffset.UtcNow;
        var sink = _server.Sink;
        var fraud = sink.EventsOf(new ModelKey("acme", "fraud"));
        Assert.Equal(2, fraud.Count);

        var prediction = fraud[0];
        Assert.Equal(EventKind.Prediction, prediction.Kind);
        Assert.Equal("p-1", prediction.PredictionId);
        Assert.Equal("v7", prediction.ModelVersion);
        Assert.Equal(0.87, prediction.Score);
        Assert.Equal("fraud", prediction.PredictedClass);
        Assert.Equal(4.5, prediction.LatencyMs);
        Assert.Equal(
            [
                new FeatureValue("amount", 125.5, null),
                new FeatureValue("items", 3, null),
                new FeatureValue("country", null, "DE"),
                new FeatureValue("is_new", null, "true"),
            ],
            prediction.Features);
        Assert.Equal([new SegmentValue("region", "eu")], prediction.Segments);
        Assert.Equal("checkout-api", prediction.Source);
        Assert.Equal(OtlpTestServer.NowUnixNano, prediction.ReceivedUnixNano);
        Assert.InRange(prediction.EventTimeUnixNano, UnixNanos.FromDateTimeOffset(before), UnixNanos.FromDateTimeOffset(after));

        var label = fraud[1];
        Assert.Equal(EventKind.Label, label.Kind);
        Assert.Equal("p-1", label.PredictionId);
        Assert.Equal(1.0, label.LabelNumber);
        Assert.Equal("unversioned", label.ModelVersion);

        var churn = Assert.Single(sink.EventsOf(new ModelKey("acme", "churn")));
        Assert.Equal(EventKind.Prediction, churn.Kind);
        Assert.Equal("c-9", churn.PredictionId);
        Assert.Equal(0.25, churn.PredictedValue);

        Assert.Equal(3, sink.EventCount);
        Assert.Equal(3, _server.Totals.RecordsAccepted);
        Assert.Equal(1, _server.Totals.RecordsRejected); // the plain application log
    }

    private ILoggerFactory CreateFactory(OtlpExportProtocol protocol)
    {
        var endpoint = protocol == OtlpExportProtocol.Grpc ? _server.GrpcEndpoint : _server.LogsUri;
        return LoggerFactory.Create(builder => builder.AddOpenTelemetry(options =>
        {
            options.IncludeScopes = true;
            options.SetResourceBuilder(ResourceBuilder.CreateEmpty()
                .AddService("checkout-api")
                .AddAttributes([new KeyValuePair<string, object>("ml.tenant", "acme")]));
            options.AddOtlpExporter(exporter =>
            {
                exporter.Endpoint = endpoint;
                exporter.Protocol = protocol;
            });
        }));
    }

}
