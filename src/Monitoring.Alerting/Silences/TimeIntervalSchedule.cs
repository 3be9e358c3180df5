using Monitoring.Alerting.TimeIntervals;

namespace Monitoring.Alerting.Silences;

/// <summary>A recurring silence schedule made of Alertmanager time-interval fields in a time zone.</summary>
public sealed class TimeIntervalSchedule : IRecurringSchedule
{
    private readonly TimeInterval _interval;

    private TimeIntervalSchedule(TimeInterval interval, string description)
    {
        _interval = interval;
        Description = description;
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public bool Contains(DateTimeOffset instant) => _interval.Contains(instant);

    /// <summary>
    /// Parses the fields (<c>times</c> as <c>HH:MM-HH:MM</c>, <c>weekdays</c>, <c>days_of_month</c>, <c>months</c>,
    /// <c>location</c>); throws <see cref="FormatException"/> naming the field.
    /// </summary>
    public static TimeIntervalSchedule Parse(IReadOnlyList<string> times, IReadOnlyList<string> weekdays, IReadOnlyList<string> daysOfMonth, IReadOnlyList<string> months, string? location)
    {
        try
        {
            var interval = new TimeInterval
            {
                Times = times.Count == 0 ? null : [.. times.Select(ParseRange)],
                Weekdays = weekdays.Count == 0 ? null : [.. weekdays.Select(TimeIntervalSyntax.ParseWeekdays)],
                DaysOfMonth = daysOfMonth.Count == 0 ? null : [.. daysOfMonth.Select(TimeIntervalSyntax.ParseDaysOfMonth)],
                Months = months.Count == 0 ? null : [.. months.Select(TimeIntervalSyntax.ParseMonths)],
                Location = string.IsNullOrEmpty(location) ? TimeZoneInfo.Utc : TimeIntervalSyntax.ParseLocation(location),
            };
            var parts = new List<string>();
            if (times.Count > 0)
            {
                parts.Add("times " + string.Join(",", times));
            }
            if (weekdays.Count > 0)
            {
                parts.Add("weekdays " + string.Join(",", weekdays));
            }
            if (daysOfMonth.Count > 0)
            {
                parts.Add("days_of_month " + string.Join(",", daysOfMonth));
            }
            if (months.Count > 0)
            {
                parts.Add("months " + string.Join(",", months));
            }
            parts.Add("in " + (string.IsNullOrEmpty(location) ? "UTC" : location));
            return new TimeIntervalSchedule(interval, string.Join("; ", parts));
        }
        catch (Exception e) when (e is FormatException or ArgumentException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new FormatException("recurrence: " + e.Message, e);
        }
    }

    private static TimeRange ParseRange(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            throw new FormatException($"times: \"{text}\" is not HH:MM-HH:MM");
        }
        return TimeIntervalSyntax.ParseTimeRange(text[..dash].Trim(), text[(dash + 1)..].Trim());
    }
}
