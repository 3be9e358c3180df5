namespace Monitoring.Abstractions.Telemetry;

/// <summary>What a throttled log line stood for since the previous line of its key: the events not logged, and their sum.</summary>
/// <param name="Events">Calls of <see cref="LogThrottle.TryLog"/> that were not logged.</param>
/// <param name="Amount">The sum of their amounts (records, bytes, ...).</param>
public readonly record struct SuppressedSince(long Events, long Amount);

/// <summary>
/// Rate-limits a log line that a client can trigger (a refusal per request), so a client cannot flood the log: at most
/// one line per key (a tenant, a transport) per <see cref="Interval"/>, on a <see cref="TimeProvider"/>. The calls in
/// between are counted, and the next line that is logged reports them (<see cref="SuppressedSince"/>). At most
/// <see cref="MaxKeys"/> keys are tracked (one more while the <see cref="OverflowKey"/> is in use): when full, keys
/// whose last line is older than the interval are forgotten (with what they had counted), and if none is, new keys
/// share <see cref="OverflowKey"/>, which is never forgotten. Thread-safe.
/// </summary>
public sealed class LogThrottle
{
    /// <summary>Default <see cref="Interval"/>: one line per key per minute.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    /// <summary>Default <see cref="MaxKeys"/>.</summary>
    public const int DefaultMaxKeys = 1024;

    /// <summary>The key shared by new keys while <see cref="MaxKeys"/> recent keys are tracked.</summary>
    public const string OverflowKey = "(other)";

    private readonly TimeProvider _time;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates a throttle.</summary>
    public LogThrottle(TimeProvider time, TimeSpan? interval = null, int maxKeys = DefaultMaxKeys)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        _time = time;
        Interval = interval ?? DefaultInterval;
        MaxKeys = maxKeys;
    }

    /// <summary>Least time between two lines of one key.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Most keys tracked at once.</summary>
    public int MaxKeys { get; }

    /// <summary>
    /// Records one event of <paramref name="key"/> worth <paramref name="amount"/>; true when it is to be logged now, with
    /// what was not logged since the key's previous line in <paramref name="suppressed"/> (zero for a key's first line).
    /// </summary>
    public bool TryLog(string key, long amount, out SuppressedSince suppressed)
    {
        ArgumentNullException.ThrowIfNull(key);
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_entries.Count >= MaxKeys && !_entries.ContainsKey(key))
            {
                foreach (var (old, entry) in _entries)
                {
                    if (old != OverflowKey && _time.GetElapsedTime(entry.LastLogged, now) >= Interval)
                    {
                        _entries.Remove(old);
                    }
                }

                if (_entries.Count >= MaxKeys)
                {
                    key = OverflowKey;
                }
            }

            return Count(key, amount, now, out suppressed);
        }
    }

    private bool Count(string key, long amount, long now, out SuppressedSince suppressed)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            _entries[key] = new Entry(now);
            suppressed = default;
            return true;
        }

        if (_time.GetElapsedTime(entry.LastLogged, now) < Interval)
        {
            entry.Events++;
            entry.Amount += amount;
            suppressed = default;
            return false;
        }

        suppressed = new SuppressedSince(entry.Events, entry.Amount);
        entry.LastLogged = now;
        entry.Events = 0;
        entry.Amount = 0;
        return true;
    }

    private sealed class Entry(long lastLogged)
    {
        public long LastLogged { get; set; } = lastLogged;

        public long Events { get; set; }

        public long Amount { get; set; }
    }
}
