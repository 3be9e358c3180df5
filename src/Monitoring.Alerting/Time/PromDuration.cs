using System.Globalization;
using System.Text;

namespace Monitoring.Alerting.Time;

/// <summary>
/// Prometheus durations (<c>model.ParseDuration</c>): one or more number+unit terms in descending unit order, units
/// <c>y w d h m s ms</c> (a year is 365 days, a week 7 days), e.g. <c>1h30m</c>, <c>2h</c>, <c>0s</c>, <c>0</c>.
/// No sign, no fractions, nothing but digits and units, so NaN and negative durations cannot be written.
/// </summary>
public static class PromDuration
{
    private static readonly (string Unit, TimeSpan Size)[] Units =
    [
        ("y", TimeSpan.FromDays(365)), ("w", TimeSpan.FromDays(7)), ("d", TimeSpan.FromDays(1)), ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)), ("s", TimeSpan.FromSeconds(1)), ("ms", TimeSpan.FromMilliseconds(1)),
    ];

    /// <summary>Parses a duration; false with the reason when it is not one.</summary>
    public static bool TryParse(string? text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty duration";
            return false;
        }
        text = text.Trim();
        if (text == "0")
        {
            return true;
        }
        var pos = 0;
        var lastUnit = -1;
        long totalMs = 0;
        while (pos < text.Length)
        {
            var start = pos;
            while (pos < text.Length && char.IsAsciiDigit(text[pos]))
            {
                pos++;
            }
            if (pos == start)
            {
                error = $"not a valid duration \"{text}\": expected a number at position {pos + 1} (units y w d h m s ms, e.g. 1h30m; no sign or fraction)";
                return false;
            }
            if (!long.TryParse(text.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                error = $"duration \"{text}\" is too large";
                return false;
            }
            var unitStart = pos;
            while (pos < text.Length && char.IsAsciiLetter(text[pos]))
            {
                pos++;
            }
            var unit = text[unitStart..pos];
            var index = Array.FindIndex(Units, u => u.Unit == unit);
            if (index < 0)
            {
                error = $"not a valid duration \"{text}\": unknown unit \"{unit}\" (units y w d h m s ms)";
                return false;
            }
            if (index <= lastUnit)
            {
                error = $"not a valid duration \"{text}\": units must appear once each, largest first";
                return false;
            }
            lastUnit = index;
            try
            {
                totalMs = checked(totalMs + checked(n * (long)Units[index].Size.TotalMilliseconds));
            }
            catch (OverflowException)
            {
                error = $"duration \"{text}\" is too large";
                return false;
            }
        }
        if (totalMs > (long)TimeSpan.MaxValue.TotalMilliseconds)
        {
            error = $"duration \"{text}\" is too large";
            return false;
        }
        duration = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    /// <summary>Parses a duration or throws <see cref="FormatException"/> with the reason.</summary>
    public static TimeSpan Parse(string text) => TryParse(text, out var d, out var error) ? d : throw new FormatException(error);

    /// <summary>Formats as Prometheus does (<c>1h30m</c>, <c>0s</c>).</summary>
    public static string Format(TimeSpan duration)
    {
        var ms = (long)duration.TotalMilliseconds;
        if (ms == 0)
        {
            return "0s";
        }
        var sb = new StringBuilder();
        foreach (var (unit, size) in Units)
        {
            var unitMs = (long)size.TotalMilliseconds;
            if (ms >= unitMs)
            {
                sb.Append(ms / unitMs).Append(unit);
                ms %= unitMs;
            }
        }
        return sb.ToString();
    }
}
