namespace Monitoring.Abstractions.Totals;

/// <summary>
/// What the grains of this silo have done since it started, for the host's once-a-minute totals line. One instance per
/// silo, registered as a singleton by the host; thread-safe and lock-free, so a grain can count on its hot path.
/// </summary>
public sealed class GrainTotals
{
    private long _windowsClosed;

    /// <summary>Windows closed (reports written) since start, over every model of this silo.</summary>
    public long WindowsClosed => Interlocked.Read(ref _windowsClosed);

    /// <summary>Counts one closed window; call once per window report written.</summary>
    public void WindowClosed() => Interlocked.Increment(ref _windowsClosed);
}
