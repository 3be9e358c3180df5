using System.Buffers;
using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Abstractions.Events;
using Orleans.Serialization;

namespace Monitoring.Benchmarks;

/// <summary>
/// Issue 10, cluster mode: what it costs to move one OTLP batch of decoded records between silos. In a cluster a batch
/// that arrives at a silo not hosting its model's grain is sent to the one that does as the grain call's argument, a
/// <c>ModelEvent[]</c>, through Orleans' serializer (<see cref="OrleansSerializer"/>); since 2026-12-07 each record goes
/// as its event-log encoding (<see cref="ModelEventSurrogate"/>), before that field by field through the generated
/// serializer (25-40x the encoding's round trip in the same run, docs/bench/batch-transfer.md). <see cref="EventLogCodec"/>
/// is the encoding alone, as one length-prefixed buffer: the floor. Each is a round trip (write, then read back) of 512
/// predictions shaped like the load test's (18 numeric + 2 string features, a score, 3 segments, a prediction id, a
/// version). Op/s = records per second. The buffer sizes are printed in the log at setup.
/// </summary>
public class BatchTransferBenchmarks
{
    private const int Batch = 512;

    private ModelEvent[] _batch = [];
    private Serializer _serializer = null!;
    private ServiceProvider _services = null!;
    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private readonly byte[] _orleansBuffer = new byte[1 << 20];

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        _serializer = _services.GetRequiredService<Serializer>();
        var rng = new Random(BenchData.Seed + 60);
        var now = 1_780_000_000_000_000_000L;
        _batch = Enumerable.Range(0, Batch).Select(i => new ModelEvent
        {
            Kind = EventKind.Prediction,
            EventTimeUnixNano = now + i,
            ReceivedUnixNano = now + i,
            PredictionId = $"req-{Guid.NewGuid():N}",
            ModelVersion = "v7",
            Score = rng.NextDouble(),
            LatencyMs = 5 + (20 * rng.NextDouble()),
            Features = Enumerable.Range(0, 18).Select(f => new FeatureValue($"feature_{f:D2}", Math.Round((rng.NextDouble() * 100) - 20, 3), null))
                .Concat([new FeatureValue("browser", null, $"browser-{rng.Next(6)}"), new FeatureValue("region", null, $"region-{rng.Next(12)}")])
                .ToArray(),
            Segments = [new SegmentValue("country", "US"), new SegmentValue("device", "ios"), new SegmentValue("plan", "pro")],
        }).ToArray();
        Console.WriteLine($"// batch of {Batch}: Orleans {_serializer.SerializeToArray(_batch).Length:N0} bytes, event-log codec {EncodeCodec():N0} bytes");
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    /// <summary>Orleans' generated serializer: what a grain call's <c>ModelEvent[]</c> argument goes through between silos.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int OrleansSerializer()
    {
        // Into a reused buffer, as the silo link writes into pooled buffers (a fresh 320 KB array per call would be a
        // large-object allocation the real path does not make).
        var written = _serializer.Serialize(_batch, _orleansBuffer);
        return _serializer.Deserialize<ModelEvent[]>(new ArraySegment<byte>(_orleansBuffer, 0, written))!.Length;
    }

    /// <summary>The event log's record encoding, length-prefixed records in one buffer, written and read back.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EventLogCodec()
    {
        var length = EncodeCodec();
        var span = _buffer.WrittenSpan[..length];
        var count = BinaryPrimitives.ReadInt32LittleEndian(span);
        var events = new ModelEvent[count];
        var at = 4;
        for (var i = 0; i < count; i++)
        {
            var size = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
            events[i] = ModelEventCodec.Decode(span.Slice(at + 4, size));
            at += 4 + size;
        }

        return events.Length;
    }

    private int EncodeCodec()
    {
        _buffer.ResetWrittenCount();
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), _batch.Length);
        _buffer.Advance(4);
        foreach (var e in _batch)
        {
            var record = ModelEventCodec.Encode(e); // as the event log's append encodes each record
            BinaryPrimitives.WriteInt32LittleEndian(_buffer.GetSpan(4), record.Length);
            _buffer.Advance(4);
            _buffer.Write(record);
        }

        return _buffer.WrittenCount;
    }
}
