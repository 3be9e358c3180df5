using Microsoft.Extensions.Time.Testing;
using Monitoring.Abstractions.Time;
using Xunit;

namespace Monitoring.Abstractions.Tests.Time;

public sealed class UnixNanosTests
{
    // 2026-03-01T12:00:00Z is Unix second 1772366400 (python: datetime(2026,3,1,12,tzinfo=timezone.utc).timestamp()).
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private const long NoonNanos = 1_772_366_400L * 1_000_000_000;

    [Fact]
    public void FromDateTimeOffset_KeepsEveryTick()
    {
        Assert.Equal(NoonNanos, UnixNanos.FromDateTimeOffset(Noon));
        Assert.Equal(NoonNanos + 123_456_700, UnixNanos.FromDateTimeOffset(Noon.AddTicks(1_234_567)));
        Assert.Equal(0, UnixNanos.FromDateTimeOffset(DateTimeOffset.UnixEpoch));
        Assert.Equal(-100, UnixNanos.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddTicks(-1)));
    }

    [Fact]
    public void FromDateTimeOffset_OfAnotherOffset_IsTheSameInstant() =>
        Assert.Equal(NoonNanos, UnixNanos.FromDateTimeOffset(new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.FromHours(2))));

    [Fact]
    public void FromDateTimeOffset_PastYear2262_Throws() =>
        Assert.Throws<OverflowException>(() => UnixNanos.FromDateTimeOffset(new DateTimeOffset(2263, 1, 1, 0, 0, 0, TimeSpan.Zero)));

    [Fact]
    public void Now_HasTickPrecision_NotMilliseconds()
    {
        var clock = new FakeTimeProvider(Noon.AddTicks(1_234_567));
        Assert.Equal(NoonNanos + 123_456_700, UnixNanos.Now(clock));
    }

    [Fact]
    public void FromTimeSpan_AndTheConstants_Agree()
    {
        Assert.Equal(UnixNanos.PerDay, UnixNanos.FromTimeSpan(TimeSpan.FromDays(1)));
        Assert.Equal(UnixNanos.PerHour, UnixNanos.FromTimeSpan(TimeSpan.FromHours(1)));
        Assert.Equal(UnixNanos.PerSecond, UnixNanos.FromTimeSpan(TimeSpan.FromSeconds(1)));
        Assert.Equal(UnixNanos.PerMillisecond, UnixNanos.FromTimeSpan(TimeSpan.FromMilliseconds(1)));
        Assert.Equal(UnixNanos.PerTick, UnixNanos.FromTimeSpan(TimeSpan.FromTicks(1)));
        Assert.Equal(-UnixNanos.PerSecond, UnixNanos.FromTimeSpan(TimeSpan.FromSeconds(-1)));
        Assert.Throws<OverflowException>(() => UnixNanos.FromTimeSpan(TimeSpan.MaxValue));
    }

    [Fact]
    public void FromUnixSeconds_ScalesAndChecksOverflow()
    {
        Assert.Equal(NoonNanos, UnixNanos.FromUnixSeconds(1_772_366_400));
        Assert.Throws<OverflowException>(() => UnixNanos.FromUnixSeconds(long.MaxValue / 1_000));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(100L)]
    [InlineData(-100L)]
    [InlineData(NoonNanos + 123_456_700)]
    [InlineData(-NoonNanos)]
    public void ToDateTimeOffset_RoundTripsWholeTicks(long nanos)
    {
        var time = UnixNanos.ToDateTimeOffset(nanos);
        Assert.Equal(TimeSpan.Zero, time.Offset);
        Assert.Equal(nanos, UnixNanos.FromDateTimeOffset(time));
        Assert.Equal(nanos, UnixNanos.FromTimeSpan(UnixNanos.ToTimeSpan(nanos)));
    }

    [Theory]
    [InlineData(99L, 0L)]
    [InlineData(-1L, -1L)]
    [InlineData(-100L, -1L)]
    [InlineData(-101L, -2L)]
    public void ToDateTimeOffset_RoundsDownToTheTick(long nanos, long expectedTicks)
    {
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(expectedTicks), UnixNanos.ToDateTimeOffset(nanos));
        Assert.Equal(TimeSpan.FromTicks(expectedTicks), UnixNanos.ToTimeSpan(nanos));
    }

    [Theory]
    [InlineData(NoonNanos, "2026-03-01T12:00:00.000Z")]
    [InlineData(NoonNanos + 123_999_999, "2026-03-01T12:00:00.123Z")]
    [InlineData(0L, "1970-01-01T00:00:00.000Z")]
    [InlineData(-1L, "1969-12-31T23:59:59.999Z")]
    public void ToIso_IsUtcToTheMillisecondRoundedDown(long nanos, string expected) =>
        Assert.Equal(expected, UnixNanos.ToIso(nanos));
}
