using System.Globalization;

namespace Monitoring.Alerting.TimeIntervals;

/// <summary>A span of the day in minutes since local midnight, [<see cref="StartMinute"/>, <see cref="EndMinute"/>).</summary>
/// <param name="StartMinute">First minute inside, 0..1439.</param>
/// <param name="EndMinute">First minute outside, 1..1440 (<c>24:00</c> is 1440).</param>
public sealed record TimeRange(int StartMinute, int EndMinute)
{
    /// <summary><c>HH:MM-HH:MM</c>.</summary>
    public override string ToString() => $"{StartMinute / 60:00}:{StartMinute % 60:00}-{EndMinute / 60:00}:{EndMinute % 60:00}";
}

/// <summary>An inclusive range of integers (weekdays 0 = Sunday, days of month, months 1..12, years).</summary>
/// <param name="Begin">First value inside.</param>
/// <param name="End">Last value inside.</param>
public readonly record struct InclusiveRange(int Begin, int End)
{
    /// <summary>True when <paramref name="value"/> lies in [Begin, End].</summary>
    public bool Contains(int value) => value >= Begin && value <= End;
}

/// <summary>
/// One Alertmanager <c>&lt;time_interval&gt;</c> entry (timeinterval.TimeInterval): times, weekdays, days of month,
/// months and years, each a list of ranges that OR together; the fields AND together; an absent (null) field matches
/// everything. Evaluated on the wall clock of <see cref="Location"/> (default UTC), so <c>09:00</c> means nine on the
/// local clock on both sides of a DST change; during a spring-forward gap no instant shows the skipped minutes, and
/// after a fall-back the repeated hour is inside a range twice.
/// </summary>
public sealed class TimeInterval
{
    /// <summary>Minutes of the day; null = all day.</summary>
    public IReadOnlyList<TimeRange>? Times { get; init; }

    /// <summary>Weekdays, 0 = Sunday .. 6 = Saturday; null = every day.</summary>
    public IReadOnlyList<InclusiveRange>? Weekdays { get; init; }

    /// <summary>Days of the month, 1..31 or -31..-1 counted from the month's end (-1 = last day); null = every day.</summary>
    public IReadOnlyList<InclusiveRange>? DaysOfMonth { get; init; }

    /// <summary>Months 1..12; null = every month.</summary>
    public IReadOnlyList<InclusiveRange>? Months { get; init; }

    /// <summary>Years; null = every year.</summary>
    public IReadOnlyList<InclusiveRange>? Years { get; init; }

    /// <summary>The zone whose wall clock is read; UTC unless configured.</summary>
    public TimeZoneInfo Location { get; init; } = TimeZoneInfo.Utc;

    /// <summary>True when <paramref name="instant"/>, read on <see cref="Location"/>'s wall clock, is inside every field.</summary>
    public bool Contains(DateTimeOffset instant)
    {
        var local = TimeZoneInfo.ConvertTime(instant, Location).DateTime;
        if (Times is not null)
        {
            var minute = local.Hour * 60 + local.Minute;
            if (!Times.Any(t => minute >= t.StartMinute && minute < t.EndMinute))
            {
                return false;
            }
        }
        if (DaysOfMonth is not null && !DaysOfMonth.Any(r => DayOfMonthMatches(r, local)))
        {
            return false;
        }
        if (Months is not null && !Months.Any(r => r.Contains(local.Month)))
        {
            return false;
        }
        if (Weekdays is not null && !Weekdays.Any(r => r.Contains((int)local.DayOfWeek)))
        {
            return false;
        }
        return Years is null || Years.Any(r => r.Contains(local.Year));
    }

    // As Alertmanager: negative days count from the month's end (-1 = last day); a range starting after the month's
    // last day never matches; ends past the month are clamped to it.
    private static bool DayOfMonthMatches(InclusiveRange range, DateTime local)
    {
        var days = DateTime.DaysInMonth(local.Year, local.Month);
        var begin = range.Begin < 0 ? days + range.Begin + 1 : range.Begin;
        var end = range.End < 0 ? days + range.End + 1 : range.End;
        if (begin > days)
        {
            return false;
        }
        begin = Math.Clamp(begin, -days, days);
        end = Math.Clamp(end, -days, days);
        return local.Day >= begin && local.Day <= end;
    }
}

/// <summary>A named list of <see cref="TimeInterval"/>s (a <c>time_intervals</c> entry); inside when any entry contains the instant.</summary>
/// <param name="Name">The name routes refer to.</param>
/// <param name="Intervals">The entries; an empty list is never inside.</param>
public sealed record NamedTimeInterval(string Name, IReadOnlyList<TimeInterval> Intervals)
{
    /// <summary>True when some entry contains <paramref name="instant"/>.</summary>
    public bool Contains(DateTimeOffset instant) => Intervals.Any(i => i.Contains(instant));
}

/// <summary>
/// Parsers for the scalar forms Alertmanager accepts in a time interval (timeinterval.go). Each throws
/// <see cref="FormatException"/> with the reason.
/// </summary>
public static class TimeIntervalSyntax
{
    private static readonly string[] WeekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    private static readonly string[] MonthNames =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    /// <summary><c>HH:MM</c> (00:00..23:59, or 24:00) to minutes since midnight.</summary>
    public static int ParseTime(string text)
    {
        var ok = text.Length == 5 && text[2] == ':' && char.IsAsciiDigit(text[0]) && char.IsAsciiDigit(text[1]) &&
            char.IsAsciiDigit(text[3]) && char.IsAsciiDigit(text[4]);
        var hours = ok ? (text[0] - '0') * 10 + (text[1] - '0') : -1;
        var minutes = ok ? (text[3] - '0') * 10 + (text[4] - '0') : -1;
        if (!ok || minutes > 59 || hours > 24 || (hours == 24 && minutes != 0))
        {
            throw new FormatException($"couldn't parse timestamp \"{text}\": expected HH:MM from 00:00 to 24:00");
        }
        return hours * 60 + minutes;
    }

    /// <summary>A start/end pair; start must be before end.</summary>
    public static TimeRange ParseTimeRange(string start, string end)
    {
        var s = ParseTime(start);
        var e = ParseTime(end);
        if (s >= e)
        {
            throw new FormatException($"start time {start} must be before end time {end}");
        }
        return new TimeRange(s, e);
    }

    /// <summary><c>monday</c> or <c>monday:friday</c> (case-insensitive) to 0 = Sunday .. 6 = Saturday.</summary>
    public static InclusiveRange ParseWeekdays(string text)
    {
        var range = ParseRange(text, s => IndexOrThrow(WeekdayNames, s, "weekday"));
        if (range.Begin > range.End)
        {
            throw new FormatException($"weekday range \"{text}\" ends before it starts (weeks run sunday:saturday)");
        }
        return range;
    }

    /// <summary><c>1</c>, <c>1:15</c>, <c>-1</c>, <c>-7:-1</c>: days 1..31 or -31..-1.</summary>
    public static InclusiveRange ParseDaysOfMonth(string text)
    {
        var range = ParseRange(text, s => ParseInt(s, "day of the month"));
        foreach (var day in new[] { range.Begin, range.End })
        {
            if (day == 0 || day < -31 || day > 31)
            {
                throw new FormatException($"{day} is not a valid day of the month: use 1..31 or -31..-1");
            }
        }
        if (range.Begin < 0 && range.End > 0)
        {
            throw new FormatException($"days of month \"{text}\": end day must be negative if start day is negative");
        }
        // As Alertmanager: compare in a 28-day month, where every range must be non-empty.
        var checkBegin = range.Begin < 0 ? 28 + range.Begin : range.Begin;
        var checkEnd = range.End < 0 ? 28 + range.End : range.End;
        if (checkBegin > checkEnd)
        {
            throw new FormatException($"days of month \"{text}\": end day {range.End} is always before start day {range.Begin}");
        }
        return range;
    }

    /// <summary><c>january</c>, <c>1</c>, <c>march:may</c>, <c>3:5</c>: months 1..12.</summary>
    public static InclusiveRange ParseMonths(string text)
    {
        var range = ParseRange(text, s =>
        {
            var i = Array.IndexOf(MonthNames, s);
            if (i >= 0)
            {
                return i + 1;
            }
            var n = ParseInt(s, "month");
            return n is >= 1 and <= 12 ? n : throw new FormatException($"{s} is not a valid month: use 1..12 or a month name");
        });
        if (range.Begin > range.End)
        {
            throw new FormatException($"month range \"{text}\" ends before it starts");
        }
        return range;
    }

    /// <summary><c>2026</c> or <c>2026:2030</c>.</summary>
    public static InclusiveRange ParseYears(string text)
    {
        var range = ParseRange(text, s => ParseInt(s, "year"));
        if (range.Begin > range.End)
        {
            throw new FormatException($"year range \"{text}\" ends before it starts");
        }
        return range;
    }

    /// <summary>
    /// An IANA zone name (<c>Europe/Berlin</c>), <c>UTC</c> or <c>Local</c> (the machine's zone), as Go's
    /// <c>time.LoadLocation</c> accepts them.
    /// </summary>
    public static TimeZoneInfo ParseLocation(string text)
    {
        if (text is "" or "UTC")
        {
            return TimeZoneInfo.Utc;
        }
        if (text == "Local")
        {
            return TimeZoneInfo.Local;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(text);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException($"unknown time zone \"{text}\" (expected an IANA name such as Europe/Berlin)");
        }
    }

    private static InclusiveRange ParseRange(string text, Func<string, int> member)
    {
        var lower = text.Trim().ToLowerInvariant();
        var parts = lower.Split(':');
        return parts.Length switch
        {
            1 => new InclusiveRange(member(parts[0]), member(parts[0])),
            2 => new InclusiveRange(member(parts[0]), member(parts[1])),
            _ => throw new FormatException($"couldn't parse range \"{text}\": expected one value or start:end"),
        };
    }

    private static int IndexOrThrow(string[] names, string s, string what)
    {
        var i = Array.IndexOf(names, s);
        return i >= 0 ? i : throw new FormatException($"{s} is not a valid {what}");
    }

    private static int ParseInt(string s, string what) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new FormatException($"{s} is not a valid {what}");
}
