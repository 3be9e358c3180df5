using Microsoft.Extensions.Time.Testing;
using Monitoring.Abstractions.Telemetry;
using Xunit;

namespace Monitoring.Abstractions.Tests.Telemetry;

public sealed class LogThrottleTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-07T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void First_event_of_a_key_is_logged_and_the_rest_of_the_minute_is_counted_for_the_next_line()
    {
        var throttle = new LogThrottle(_time);

        Assert.True(throttle.TryLog("acme", 10, out var first));
        Assert.Equal(default, first);
        for (var i = 0; i < 500; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            Assert.False(throttle.TryLog("acme", 3, out _));
        }

        _time.Advance(TimeSpan.FromSeconds(10)); // 60 s after the first line
        Assert.True(throttle.TryLog("acme", 7, out var since));
        Assert.Equal(new SuppressedSince(500, 1500), since);

        // The count starts again after a line.
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(throttle.TryLog("acme", 2, out _));
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(throttle.TryLog("acme", 1, out since));
        Assert.Equal(new SuppressedSince(1, 2), since);
    }

    [Fact]
    public void Keys_are_throttled_apart()
    {
        var throttle = new LogThrottle(_time);

        Assert.True(throttle.TryLog("acme", 1, out _));
        Assert.True(throttle.TryLog("globex", 1, out _));
        Assert.False(throttle.TryLog("acme", 1, out _));
        Assert.False(throttle.TryLog("globex", 1, out _));
    }

    [Fact]
    public void Past_MaxKeys_new_keys_share_the_overflow_key_until_old_keys_go_stale()
    {
        var throttle = new LogThrottle(_time, TimeSpan.FromMinutes(1), maxKeys: 2);
        Assert.True(throttle.TryLog("a", 1, out _));
        Assert.True(throttle.TryLog("b", 1, out _));

        // A flood of new keys: one line for all of them, not one each.
        Assert.True(throttle.TryLog("c", 1, out _));
        for (var i = 0; i < 100; i++)
        {
            Assert.False(throttle.TryLog($"new-{i}", 1, out _));
        }

        // A minute on, "a" and "b" are stale and make room: a new key gets its own line again; the next one is the
        // overflow's line, reporting the flood.
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(throttle.TryLog("d", 1, out var fresh));
        Assert.Equal(default, fresh);
        Assert.True(throttle.TryLog("e", 1, out var overflow));
        Assert.Equal(new SuppressedSince(100, 100), overflow);
    }
}
