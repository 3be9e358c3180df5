using System.Globalization;

namespace Monitoring.Abstractions.Time;

/// <summary>
/// Unix nanoseconds, the time unit of OTLP (<c>time_unix_nano</c>), the event log and the reports: nanoseconds since
/// 1970-01-01T00:00:00Z as a <see cref="long"/> (1677 to 2262). Conversions keep .NET's full precision of one tick
/// (100 ns); conversions to .NET types round toward the past.
/// </summary>
public static class UnixNanos
{
    /// <summary>Nanoseconds per .NET tick.</summary>
    public const long PerTick = 100;

    /// <summary>Nanoseconds per millisecond.</summary>
    public const long PerMillisecond = 1_000_000;

    /// <summary>Nanoseconds per second.</summary>
    public const long PerSecond = 1_000_000_000;

    /// <summary>Nanoseconds per hour.</summary>
    public const long PerHour = 3_600 * PerSecond;

    /// <summary>Nanoseconds per day.</summary>
    public const long PerDay = 24 * PerHour;

    /// <summary>The length of a span in nanoseconds.</summary>
    /// <exception cref="OverflowException">The span is longer than about 292 years.</exception>
    public static long FromTimeSpan(TimeSpan span) => checked(span.Ticks * PerTick);

    /// <summary>An instant as Unix nanoseconds, to the tick.</summary>
    /// <exception cref="OverflowException">The instant is outside 1677-2262.</exception>
    public static long FromDateTimeOffset(DateTimeOffset time) => checked((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * PerTick);

    /// <summary>Unix seconds as Unix nanoseconds.</summary>
    /// <exception cref="OverflowException">Outside 1677-2262.</exception>
    public static long FromUnixSeconds(long seconds) => checked(seconds * PerSecond);

    /// <summary>The clock's current time as Unix nanoseconds, to the tick (not to the millisecond).</summary>
    public static long Now(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return FromDateTimeOffset(clock.GetUtcNow());
    }

    /// <summary>A span of nanoseconds as a <see cref="TimeSpan"/>, rounded down to the tick.</summary>
    public static TimeSpan ToTimeSpan(long nanos) => TimeSpan.FromTicks(FloorTicks(nanos));

    /// <summary>Unix nanoseconds as an instant (offset zero), rounded down to the tick.</summary>
    public static DateTimeOffset ToDateTimeOffset(long unixNanos) => DateTimeOffset.UnixEpoch.AddTicks(FloorTicks(unixNanos));

    /// <summary>ISO 8601 in UTC to the millisecond (rounded down), e.g. <c>2026-03-01T12:00:00.000Z</c>.</summary>
    public static string ToIso(long unixNanos) =>
        ToDateTimeOffset(unixNanos).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static long FloorTicks(long nanos) => Math.DivRem(nanos, PerTick, out var rest) - (rest < 0 ? 1 : 0);
}
