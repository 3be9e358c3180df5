using System.Collections.Concurrent;

namespace Monitoring.Alerting.Delivery;

/// <summary>One token bucket per target, on a <see cref="TimeProvider"/> so tests drive it with a fake clock.</summary>
public sealed class TargetRateLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Target, RateLimit Limit), TokenBucket> _buckets = new();

    /// <summary>Waits until <paramref name="target"/> may send once more under <paramref name="limit"/>.</summary>
    public Task WaitAsync(string target, RateLimit limit, CancellationToken cancellationToken)
    {
        var bucket = _buckets.GetOrAdd((target, limit), static (k, t) => new TokenBucket(k.Limit, t), time);
        var wait = bucket.Reserve();
        return wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, time, cancellationToken);
    }
}

/// <summary>
/// A token bucket that hands out reservations: a request takes a token now, and when the bucket is empty it is told how
/// long to wait for its token (the balance goes negative), so concurrent senders queue in order without a lock held
/// across the wait.
/// </summary>
internal sealed class TokenBucket
{
    private readonly RateLimit _limit;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _tokens;
    private long _stamp;

    public TokenBucket(RateLimit limit, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit.PerSecond);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit.Burst);
        _limit = limit;
        _time = time;
        _tokens = limit.Burst;
        _stamp = time.GetTimestamp();
    }

    /// <summary>Takes one token; returns how long to wait before using it (zero when one was available).</summary>
    public TimeSpan Reserve()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_limit.Burst, _tokens + (_time.GetElapsedTime(_stamp, now).TotalSeconds * _limit.PerSecond));
            _stamp = now;
            _tokens -= 1;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _limit.PerSecond);
        }
    }
}
