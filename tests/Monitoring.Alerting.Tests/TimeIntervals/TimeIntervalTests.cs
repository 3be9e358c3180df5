using Monitoring.Alerting.Routing;
using Monitoring.Alerting.TimeIntervals;
using Xunit;

namespace Monitoring.Alerting.Tests.TimeIntervals;

public sealed class TimeIntervalTests
{
    private static TimeInterval Parse(string body)
    {
        var config = AlertmanagerConfig.Load($$"""
            route:
              receiver: r
            receivers:
              - name: r
            time_intervals:
              - name: t
                time_intervals:
                  - {{body}}
            """, null);
        return Assert.Single(config.TimeIntervals["t"].Intervals);
    }

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("2026-03-02T08:59", false)]
    [InlineData("2026-03-02T09:00", true)] // start inclusive
    [InlineData("2026-03-02T16:59", true)]
    [InlineData("2026-03-02T17:00", false)] // end exclusive
    [InlineData("2026-03-07T10:00", false)] // Saturday
    public void Contains_BusinessHoursInUtc(string utc, bool expected)
    {
        var t = Parse("{times: [{start_time: '09:00', end_time: '17:00'}], weekdays: ['monday:friday']}");
        Assert.Equal(expected, t.Contains(Utc(utc)));
    }

    [Fact]
    public void Contains_EndOf2400_IncludesTheLastMinuteOfTheDay()
    {
        var t = Parse("{times: [{start_time: '23:00', end_time: '24:00'}]}");
        Assert.True(t.Contains(Utc("2026-01-01T23:59")));
        Assert.False(t.Contains(Utc("2026-01-02T00:00")));
    }

    [Theory]
    [InlineData("2026-02-28T12:00", true)] // last day of a 28-day February
    [InlineData("2026-02-27T12:00", false)]
    [InlineData("2024-02-29T12:00", true)] // leap year
    [InlineData("2024-02-28T12:00", false)]
    [InlineData("2026-01-31T12:00", true)]
    public void Contains_NegativeDayOfMonth_CountsFromTheMonthsEnd(string utc, bool expected)
    {
        Assert.Equal(expected, Parse("{days_of_month: ['-1']}").Contains(Utc(utc)));
    }

    [Fact]
    public void Contains_DayRangePastTheMonthsEnd_IsClamped_AndAStartPastItNeverMatches()
    {
        var range = Parse("{days_of_month: ['25:31']}");
        Assert.True(range.Contains(Utc("2026-02-28T00:00")));
        var thirtyFirst = Parse("{days_of_month: ['31']}");
        Assert.False(thirtyFirst.Contains(Utc("2026-04-30T00:00")));
        Assert.True(thirtyFirst.Contains(Utc("2026-05-31T00:00")));
    }

    [Fact]
    public void Contains_MonthsByNameOrNumber_AndYears()
    {
        var t = Parse("{months: ['March:may', '12'], years: ['2026:2027']}");
        Assert.True(t.Contains(Utc("2026-04-15T00:00")));
        Assert.True(t.Contains(Utc("2027-12-01T00:00")));
        Assert.False(t.Contains(Utc("2026-06-01T00:00")));
        Assert.False(t.Contains(Utc("2028-04-15T00:00")));
    }

    [Fact]
    public void Contains_EvaluatesInTheLocationsWallClock()
    {
        var t = Parse("{times: [{start_time: '09:00', end_time: '17:00'}], location: Europe/Berlin}");
        Assert.True(t.Contains(Utc("2026-01-15T08:30"))); // 09:30 CET
        Assert.False(t.Contains(Utc("2026-01-15T16:30"))); // 17:30 CET
        Assert.True(t.Contains(Utc("2026-07-15T07:30"))); // 09:30 CEST
        Assert.False(t.Contains(Utc("2026-07-15T15:30"))); // 17:30 CEST
    }

    [Fact]
    public void Contains_BerlinSpringForward_SkipsTheMissingHour()
    {
        // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC). No instant shows 02:xx on the wall clock.
        var twoToThree = Parse("{times: [{start_time: '02:00', end_time: '03:00'}], location: Europe/Berlin}");
        var nineToFive = Parse("{times: [{start_time: '09:00', end_time: '17:00'}], location: Europe/Berlin}");
        for (var minute = 0; minute < 24 * 60; minute += 15)
        {
            Assert.False(twoToThree.Contains(Utc("2026-03-29T00:00").AddMinutes(minute)));
        }
        Assert.False(nineToFive.Contains(Utc("2026-03-29T06:59"))); // 08:59 CEST
        Assert.True(nineToFive.Contains(Utc("2026-03-29T07:00"))); // 09:00 CEST, not 08:00 UTC
        Assert.False(nineToFive.Contains(Utc("2026-03-29T15:00"))); // 17:00 CEST
    }

    [Fact]
    public void Contains_BerlinFallBack_RepeatedHourIsInsideTwice()
    {
        // 2026-10-25: 03:00 CEST falls back to 02:00 CET (01:00 UTC); 02:30 happens at 00:30 and 01:30 UTC.
        var t = Parse("{times: [{start_time: '02:00', end_time: '03:00'}], location: Europe/Berlin}");
        Assert.False(t.Contains(Utc("2026-10-24T23:59"))); // 01:59 CEST
        Assert.True(t.Contains(Utc("2026-10-25T00:30"))); // 02:30 CEST
        Assert.True(t.Contains(Utc("2026-10-25T01:30"))); // 02:30 CET
        Assert.False(t.Contains(Utc("2026-10-25T02:00"))); // 03:00 CET
        var nineToFive = Parse("{times: [{start_time: '09:00', end_time: '17:00'}], location: Europe/Berlin}");
        Assert.True(nineToFive.Contains(Utc("2026-10-25T08:00"))); // 09:00 CET
        Assert.False(nineToFive.Contains(Utc("2026-10-25T07:59")));
    }

    [Fact]
    public void Contains_NewYorkSpringForward_AndFallBack()
    {
        var ny = Parse("{times: [{start_time: '02:00', end_time: '03:00'}], weekdays: [sunday], location: America/New_York}");
        // 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC): the hour is skipped.
        for (var minute = 0; minute < 24 * 60; minute += 15)
        {
            Assert.False(ny.Contains(Utc("2026-03-08T05:00").AddMinutes(minute)));
        }
        // 2026-11-01 02:00 EDT -> 01:00 EST (06:00 UTC): 01:xx repeats, 02:00 EST starts at 07:00 UTC.
        Assert.False(ny.Contains(Utc("2026-11-01T05:30"))); // 01:30 EDT
        Assert.False(ny.Contains(Utc("2026-11-01T06:30"))); // 01:30 EST
        Assert.True(ny.Contains(Utc("2026-11-01T07:00"))); // 02:00 EST
        Assert.False(ny.Contains(Utc("2026-11-01T08:00"))); // 03:00 EST

        var oneToTwo = Parse("{times: [{start_time: '01:00', end_time: '02:00'}], location: America/New_York}");
        Assert.True(oneToTwo.Contains(Utc("2026-11-01T05:30")));
        Assert.True(oneToTwo.Contains(Utc("2026-11-01T06:30")));
    }

    [Fact]
    public void Contains_WeekdayIsTheLocalOne()
    {
        // Friday 23:30 UTC is Saturday 00:30 in Berlin.
        var weekend = Parse("{weekdays: ['saturday', 'sunday'], location: Europe/Berlin}");
        Assert.True(weekend.Contains(Utc("2026-03-06T23:30")));
        Assert.False(Parse("{weekdays: ['saturday', 'sunday']}").Contains(Utc("2026-03-06T23:30")));
    }

    [Fact]
    public void NamedInterval_ContainsWhenAnyEntryDoes_AndEmptyNeverDoes()
    {
        var config = AlertmanagerConfig.LoadFile(Path.Combine(AppContext.BaseDirectory, "Routing", "Configs", "routing.yml"));
        Assert.True(config.TimeIntervals["weekends"].Contains(Utc("2026-03-07T12:00")));
        Assert.False(config.TimeIntervals["weekends"].Contains(Utc("2026-03-06T12:00")));
        Assert.False(new NamedTimeInterval("none", []).Contains(Utc("2026-03-06T12:00")));
    }

    [Theory]
    [InlineData("24:01")]
    [InlineData("9:00")]
    [InlineData("12:60")]
    public void ParseTime_RejectsInvalidClockTimes(string text)
    {
        Assert.Throws<FormatException>(() => TimeIntervalSyntax.ParseTime(text));
    }
}
