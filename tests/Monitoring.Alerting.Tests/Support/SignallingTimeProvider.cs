using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Monitoring.Alerting.Tests.Support;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports every timer created on it, so a test advances time exactly when the
/// code under test has started to wait, by exactly the wait it asked for, instead of guessing.
/// </summary>
internal sealed class SignallingTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public SignallingTimeProvider()
        : base(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _timers.Writer.TryWrite(dueTime);
        }
        return timer;
    }

    /// <summary>The due time of the next timer created that <paramref name="filter"/> accepts.</summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool>? filter = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            // TryRead after WaitToReadAsync: an abandoned wait must not swallow a timer meant for a later call.
            while (_timers.Reader.TryRead(out var due))
            {
                if (filter is null || filter(due))
                {
                    return due;
                }
            }
            await _timers.Reader.WaitToReadAsync(cts.Token);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> to its end, advancing the clock by each wait it starts (timers <paramref name="ignore"/>
    /// accepts, such as per-attempt timeouts, are left alone); returns the result and the waits in order.
    /// </summary>
    public async Task<(T Result, List<TimeSpan> Waits)> DriveAsync<T>(Task<T> work, Func<TimeSpan, bool> ignore)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var waits = new List<TimeSpan>();
        while (true)
        {
            while (_timers.Reader.TryRead(out var due))
            {
                if (!ignore(due))
                {
                    waits.Add(due);
                    Advance(due);
                }
            }
            if (work.IsCompleted)
            {
                return (await work, waits);
            }
            await Task.WhenAny(work, _timers.Reader.WaitToReadAsync(cts.Token).AsTask());
            cts.Token.ThrowIfCancellationRequested();
        }
    }
}
