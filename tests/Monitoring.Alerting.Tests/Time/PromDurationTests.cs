using Monitoring.Alerting.Time;
using Xunit;

namespace Monitoring.Alerting.Tests.Time;

public sealed class PromDurationTests
{
    [Theory]
    [InlineData("2h", 7200_000)]
    [InlineData("1h30m", 5400_000)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1w", 604_800_000)]
    [InlineData("1y", 31_536_000_000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s500ms", 90_500)]
    public void Parse_AcceptsPrometheusDurations(string text, long ms)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(ms), PromDuration.Parse(text));
    }

    [Theory]
    [InlineData("-5m", "expected a number")]
    [InlineData("NaN", "expected a number")]
    [InlineData("1.5h", "unknown unit")]
    [InlineData("5", "unknown unit")]
    [InlineData("30m1h", "largest first")]
    [InlineData("", "empty")]
    [InlineData("99999999999999999999y", "too large")]
    public void Parse_RejectsWithReason(string text, string reason)
    {
        Assert.False(PromDuration.TryParse(text, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1h30m")]
    [InlineData("0s")]
    [InlineData("1d2h")]
    public void Format_RoundTrips(string text) => Assert.Equal(text, PromDuration.Format(PromDuration.Parse(text)));
}
