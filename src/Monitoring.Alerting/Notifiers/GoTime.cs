using System.Globalization;
using System.Text;

namespace Monitoring.Alerting.Notifiers;

/// <summary>Times as Go's <c>time.Time.MarshalJSON</c> writes them (RFC 3339 with nanoseconds, trailing zeros dropped), in UTC.</summary>
public static class GoTime
{
    /// <summary>Go's zero time, which Alertmanager sends as <c>endsAt</c> of a firing alert that has none.</summary>
    public const string Zero = "0001-01-01T00:00:00Z";

    /// <summary><c>2026-12-06T10:00:00Z</c>, <c>2026-12-06T10:00:00.25Z</c> (100 ns is the finest .NET keeps).</summary>
    public static string Format(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var sb = new StringBuilder(utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        var fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
        {
            sb.Append('.').Append(fraction.ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }
        return sb.Append('Z').ToString();
    }

    /// <summary><see cref="Format"/>, or <see cref="Zero"/> for null.</summary>
    public static string FormatOrZero(DateTimeOffset? time) => time is { } t ? Format(t) : Zero;
}
