using System.Globalization;

namespace Monitoring.Reports.Components.Shared;

/// <summary>How pages write numbers and times (invariant culture; a missing value is an en dash).</summary>
public static class Fmt
{
    /// <summary>What a page shows for a value that is not there.</summary>
    public const string None = "–";

    /// <summary>A statistic with <paramref name="digits"/> decimals, or <see cref="None"/>.</summary>
    public static string Num(double? value, int digits = 3) =>
        value is { } v && double.IsFinite(v) ? v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : None;

    /// <summary>A p-value: 3 significant digits, scientific below 0.001.</summary>
    public static string P(double? value) =>
        value is not { } v || !double.IsFinite(v) ? None
        : v != 0 && v < 0.001 ? v.ToString("0.00e+0", CultureInfo.InvariantCulture)
        : v.ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>A share as a percentage with one decimal.</summary>
    public static string Pct(double? value) =>
        value is { } v && double.IsFinite(v) ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : None;

    /// <summary>A count with thousands separators.</summary>
    public static string Count(long? value) => value is { } v ? v.ToString("#,0", CultureInfo.InvariantCulture) : None;

    /// <summary>A signed difference with <paramref name="digits"/> decimals.</summary>
    public static string Signed(double? value, int digits = 3) =>
        value is { } v && double.IsFinite(v) ? v.ToString("+0." + new string('0', digits) + ";-0." + new string('0', digits), CultureInfo.InvariantCulture) : None;

    /// <summary>An interval "[lo, hi]".</summary>
    public static string Interval(double? lower, double? upper, int digits = 3) =>
        lower is null && upper is null ? None : $"[{Num(lower, digits)}, {Num(upper, digits)}]";

    /// <summary>An ISO 8601 time as "yyyy-MM-dd HH:mm:ss UTC" (or as given when it does not parse).</summary>
    public static string Time(string? iso) =>
        string.IsNullOrEmpty(iso) ? None
        : DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? Time(t)
        : iso;

    /// <summary>A time as "yyyy-MM-dd HH:mm:ss UTC".</summary>
    public static string Time(DateTimeOffset? time) =>
        time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : None;

    /// <summary>A duration as "1h", "1m", "30s", "2d 3h".</summary>
    public static string Duration(TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
        {
            return "0s";
        }

        var parts = new List<string>(4);
        if (span.Days > 0)
        {
            parts.Add($"{span.Days}d");
        }

        if (span.Hours > 0)
        {
            parts.Add($"{span.Hours}h");
        }

        if (span.Minutes > 0)
        {
            parts.Add($"{span.Minutes}m");
        }

        if (span.Seconds > 0)
        {
            parts.Add($"{span.Seconds}s");
        }

        return string.Join(' ', parts);
    }
}
