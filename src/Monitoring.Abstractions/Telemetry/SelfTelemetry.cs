namespace Monitoring.Abstractions.Telemetry;

/// <summary>
/// Keeps synthetic work out of the silo's own metrics and traces: the start-up warm-up runs real exports through the
/// receiver and real windows through the aggregation to compile them, and none of that happened to any model.
/// Instruments check <see cref="Suppressed"/> (an async-local flag: it covers the code awaited under it, nothing else).
/// </summary>
public static class SelfTelemetry
{
    private static readonly AsyncLocal<bool> SuppressedHere = new();

    /// <summary>True inside a <see cref="Suppress"/> scope.</summary>
    public static bool Suppressed => SuppressedHere.Value;

    /// <summary>Suppresses the system's measurements and spans for the code run until the scope is disposed.</summary>
    public static IDisposable Suppress()
    {
        var previous = SuppressedHere.Value;
        SuppressedHere.Value = true;
        return new Scope(previous);
    }

    private sealed class Scope(bool previous) : IDisposable
    {
        public void Dispose() => SuppressedHere.Value = previous;
    }
}
