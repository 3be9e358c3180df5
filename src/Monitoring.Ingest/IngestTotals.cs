namespace Monitoring.Ingest;

/// <summary>
/// Records the receivers have answered for since start (a singleton registered by
/// <see cref="OtlpReceiverExtensions.AddOtlpReceivers"/>; thread-safe). Requests refused whole (malformed, too large,
/// overloaded, sink unavailable) count in neither total: their client sends them again, or never.
/// </summary>
public sealed class IngestTotals
{
    private long _accepted;
    private long _rejected;

    /// <summary>Records appended durably and acknowledged (duplicates the event log skipped included).</summary>
    public long RecordsAccepted => Interlocked.Read(ref _accepted);

    /// <summary>Records refused one by one for breaking the conventions (partial success).</summary>
    public long RecordsRejected => Interlocked.Read(ref _rejected);

    /// <summary>Counts one answered export (the receivers call this once per successful export).</summary>
    public void Add(int accepted, int rejected)
    {
        Interlocked.Add(ref _accepted, accepted);
        Interlocked.Add(ref _rejected, rejected);
    }
}
