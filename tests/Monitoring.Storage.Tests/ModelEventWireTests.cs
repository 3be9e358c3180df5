using Microsoft.Extensions.DependencyInjection;
using Monitoring.Abstractions.Events;
using Monitoring.Storage.Tests.Support;
using Orleans.Serialization;
using Xunit;

namespace Monitoring.Storage.Tests;

/// <summary>
/// Records cross silos in their event-log encoding (<see cref="ModelEventSurrogate"/>): Orleans' serializer, as a silo
/// link uses it, writes that form and reads back every field of a batch, and of the records inside the types that carry
/// them (the logged records of a shard feed).
/// </summary>
public sealed class ModelEventWireTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private Serializer Serializer => _services.GetRequiredService<Serializer>();

    [Fact]
    public void A_batch_round_trips_through_the_Orleans_serializer_in_the_event_log_encoding()
    {
        ModelEvent[] batch =
        [
            TestEvents.Prediction("pred-1", 42) with { PredictedValue = 12.75, LabelNumber = -3, LabelText = "x", RequestId = "req-1", ReceivedUnixNano = 99 },
            TestEvents.Prediction("pred-2", 43),
            new ModelEvent { Kind = EventKind.Label, EventTimeUnixNano = 0 },
        ];

        var bytes = Serializer.SerializeToArray(batch);
        var back = Serializer.Deserialize<ModelEvent[]>(bytes)!;

        Assert.Equal(batch.Length, back.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            TestEvents.AssertSame(batch[i], back[i]);
            Assert.Equal(batch[i].ReceivedUnixNano, back[i].ReceivedUnixNano);
        }

        // The wire holds each record's encoding, not a field-by-field form: the encoded bytes appear verbatim.
        var encoded = ModelEventCodec.Encode(batch[0]);
        Assert.True(bytes.AsSpan().IndexOf(encoded) >= 0);
    }

    [Fact]
    public void A_shard_feed_carries_its_logged_records_intact()
    {
        var feed = new ShardFeed(2, 10, 12, 0, 1, 60_000_000_000, 0,
            [new LoggedEvent(11, TestEvents.Prediction("pred-3", 5)), new LoggedEvent(12, TestEvents.Prediction("pred-4", 6))], 3, 2);

        var back = Serializer.Deserialize<ShardFeed>(Serializer.SerializeToArray(feed))!;

        Assert.Equal(feed with { Predictions = back.Predictions }, back);
        Assert.Equal([11L, 12L], back.Predictions.Select(p => p.Sequence));
        TestEvents.AssertSame(feed.Predictions[1].Event, back.Predictions[1].Event);
    }

    public void Dispose() => _services.Dispose();
}
