using Microsoft.Extensions.Options;

namespace Monitoring.Ingest.Otlp;

/// <summary>
/// Bounds the memory held by export requests between their decoding and their acknowledgement. Each request reserves
/// an estimate of its decoded size (<see cref="EstimateDecodedBytes"/>) before it is decoded and gives it back when it
/// is answered; a reservation that would take the total over <see cref="OtlpReceiverOptions.MaxBufferedBytes"/> is
/// refused (the receivers answer 429 / RESOURCE_EXHAUSTED with a retry hint), except when nothing else is reserved, so
/// a single request larger than the cap is still served alone rather than refused forever.
/// </summary>
internal sealed class OtlpBufferBudget(IOptionsMonitor<OtlpReceiverOptions> options)
{
    /// <summary>
    /// Estimated bytes of managed memory per byte of a protobuf or JSON payload while it is decoded and its records wait
    /// for the durable append: the OTLP object graph (strings as UTF-16, an object per attribute) and the records it
    /// becomes, both alive while it is converted. Measured (GC.GetTotalMemory after a full collection, holding the
    /// decoded request and its converted records; requests of 1,000 predictions with 2 to 42 attributes each): 6.4x to
    /// 8.0x the protobuf payload, 3.1x to 8.3x the JSON payload; 4x, the first estimate, let a cap admit twice the
    /// memory it named.
    /// </summary>
    public const int DecodedBytesPerWireByte = 8;

    private long _reserved;

    /// <summary>Bytes currently reserved.</summary>
    public long Reserved => Interlocked.Read(ref _reserved);

    /// <summary>The reservation for a payload of <paramref name="wireBytes"/> bytes (uncompressed).</summary>
    public static long EstimateDecodedBytes(long wireBytes) => Math.Max(0, wireBytes) * DecodedBytesPerWireByte;

    /// <summary>Reserves <paramref name="bytes"/> if the total stays within the cap (or nothing else is reserved).</summary>
    public bool TryReserve(long bytes)
    {
        var cap = options.CurrentValue.MaxBufferedBytes;
        while (true)
        {
            var current = Interlocked.Read(ref _reserved);
            if (current > 0 && current + bytes > cap)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _reserved, current + bytes, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Gives back a reservation made by <see cref="TryReserve"/>.</summary>
    public void Release(long bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _reserved, -bytes);
        }
    }
}
