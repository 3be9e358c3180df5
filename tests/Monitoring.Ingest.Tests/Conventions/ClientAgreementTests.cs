using System.Reflection;
using Monitoring.Abstractions.Conventions;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Time;
using Monitoring.Client;
using Monitoring.Ingest.Tests.Support;
using Xunit;

namespace Monitoring.Ingest.Tests.Conventions;

/// <summary>
/// The client library (<see cref="PredictionLogger"/>) writes exactly the names the receiver reads: every field of a
/// prediction and a label sent by the client arrives in the receiver's <see cref="ModelEvent"/>.
/// </summary>
public sealed class ClientAgreementTests : IAsyncLifetime
{
    private static readonly DateTimeOffset EventTime = new DateTimeOffset(2026, 3, 1, 11, 59, 0, 123, TimeSpan.Zero).AddTicks(4567);

    private OtlpTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OtlpTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(OtlpProtocol.Grpc)]
    [InlineData(OtlpProtocol.HttpProtobuf)]
    public void ClientRecords_AreReadFieldForFieldByTheReceiver(OtlpProtocol protocol)
    {
        var options = new PredictionLoggerOptions
        {
            Endpoint = protocol == OtlpProtocol.Grpc ? _server.GrpcEndpoint : _server.HttpEndpoint,
            Protocol = protocol,
            ServiceName = "credit-api",
            Tenant = "acme",
        };
        using (var log = new PredictionLogger(options))
        {
            log.LogPrediction(new Prediction(
                "credit-risk",
                "v3",
                "req-1",
                Score: 0.82,
                Class: "approve",
                Value: 17.5,
                LatencyMs: 12.4,
                Features: new Dictionary<string, object?> { ["age"] = 41, ["income"] = 52_000.0, ["country"] = "DE", ["vip"] = true, ["note"] = null },
                Segments: new Dictionary<string, string> { ["plan"] = "gold" },
                Timestamp: EventTime));
            log.LogLabel("credit-risk", "req-1", 1, EventTime.AddMinutes(5));
            log.LogLabel("credit-risk", "req-2", "churned", EventTime.AddMinutes(6));
        } // disposing waits for the export

        Assert.Equal(3, _server.Sink.EventCount);
        Assert.Equal(3, _server.Totals.RecordsAccepted);
        Assert.Equal(0, _server.Totals.RecordsRejected);
        var events = _server.Sink.EventsOf(new ModelKey("acme", "credit-risk")); // tenant header, model id
        Assert.Equal(3, events.Count);

        var prediction = events[0];
        Assert.Equal(EventKind.Prediction, prediction.Kind); // event_name and ml.event agree
        Assert.Equal("req-1", prediction.PredictionId);
        Assert.Equal("v3", prediction.ModelVersion);
        Assert.Equal(0.82, prediction.Score);
        Assert.Equal("approve", prediction.PredictedClass);
        Assert.Equal(17.5, prediction.PredictedValue);
        Assert.Equal(12.4, prediction.LatencyMs);
        Assert.Equal(
            [
                new FeatureValue("age", 41, null),
                new FeatureValue("income", 52_000.0, null),
                new FeatureValue("country", null, "DE"),
                new FeatureValue("vip", null, "true"),
                new FeatureValue("note", null, null),
            ],
            prediction.Features);
        Assert.Equal([new SegmentValue("plan", "gold")], prediction.Segments);
        Assert.Equal("credit-api", prediction.Source);
        Assert.Equal(UnixNanos.FromDateTimeOffset(EventTime), prediction.EventTimeUnixNano); // to the tick

        var numeric = events[1];
        Assert.Equal(EventKind.Label, numeric.Kind);
        Assert.Equal("req-1", numeric.PredictionId);
        Assert.Equal(1.0, numeric.LabelNumber);
        Assert.Equal(OtlpConventions.DefaultModelVersion, numeric.ModelVersion);

        var text = events[2];
        Assert.Equal(EventKind.Label, text.Kind);
        Assert.Equal("churned", text.LabelText);
    }

    [Fact]
    public void ClientLibrary_CompilesTheSameConventionsFile()
    {
        // The client compiles the same file as an internal class of its own (it must not reference Orleans): the same
        // names and values, not a fork.
        var client = typeof(PredictionLogger).Assembly.GetType("Monitoring.Client.Conventions.OtlpConventions", throwOnError: true)!;
        Assert.False(client.IsPublic);
        Assert.Equal(Constants(typeof(OtlpConventions)), Constants(client));
        Assert.Equal(OtlpConventions.TenantHeader, PredictionLoggerOptions.TenantHeader);
    }

    private static SortedDictionary<string, string> Constants(Type type) =>
        new(type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .ToDictionary(f => f.Name, f => (string)f.GetRawConstantValue()!), StringComparer.Ordinal);
}
