using Monitoring.Abstractions.Rollouts;
using Monitoring.Aggregation.Rollouts;
using Xunit;

namespace Monitoring.Aggregation.Tests.Rollouts;

/// <summary>The published verdict over a sequence of window closes: it changes only after N closes in a row agree.</summary>
public sealed class VerdictHysteresisTests
{
    private const string P = RolloutVerdict.Promote;
    private const string H = RolloutVerdict.Hold;
    private const string R = RolloutVerdict.Rollback;

    /// <summary>The published decision after each close whose own decision is given.</summary>
    private static string[] Published(int closesToChange, params string[] own)
    {
        PublishedVerdict? state = null;
        var published = new List<string>();
        for (var i = 0; i < own.Length; i++)
        {
            state = VerdictHysteresis.Next(state, own[i], closesToChange, (i + 1) * 3_600_000_000_000L);
            published.Add(state.Decision);
        }

        return [.. published];
    }

    [Fact]
    public void Noise_AroundAGuardrail_DoesNotFlipTheVerdict()
    {
        // Own verdicts alternating rollback / hold: never two in a row, so nothing changes from the initial hold.
        Assert.Equal([H, H, H, H, H, H], Published(2, R, H, R, H, R, H));
        // Once rollback is published, single holds between rollbacks keep it.
        Assert.Equal([H, R, R, R, R, R], Published(2, R, R, H, R, H, R));
    }

    [Fact]
    public void ASteadyChange_IsPublishedAfterNClosesInARow()
    {
        Assert.Equal([H, H, R, R, R, H], Published(3, R, R, R, H, H, H));
        Assert.Equal([H, P, P, R, R], Published(2, P, P, R, R, R)[..5]);
        // A streak broken by another decision starts over.
        Assert.Equal([H, H, H, H, H, R], Published(3, R, R, P, R, R, R));
    }

    [Fact]
    public void OneCloseToChange_PublishesEachClosesOwnVerdict() =>
        Assert.Equal([R, H, R, P], Published(1, R, H, R, P));

    [Fact]
    public void State_SaysWhatIsPending_AndSinceWhen()
    {
        var first = VerdictHysteresis.Next(null, R, 2, 100);
        Assert.Equal((H, R, 1, 0L), (first.Decision, first.Pending, first.PendingCloses, first.SinceUnixNano));

        var second = VerdictHysteresis.Next(first, R, 2, 200);
        Assert.Equal((R, (string?)null, 0, 200L), (second.Decision, second.Pending, second.PendingCloses, second.SinceUnixNano));

        var third = VerdictHysteresis.Next(second, H, 2, 300);
        Assert.Equal((R, H, 1, 200L), (third.Decision, third.Pending, third.PendingCloses, third.SinceUnixNano));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void ClosesToChange_OutOfRange_IsRefused(int closes) =>
        Assert.Equal("closesToChange", Assert.Throws<ArgumentOutOfRangeException>(() => VerdictHysteresis.Next(null, R, closes, 0)).ParamName);
}
