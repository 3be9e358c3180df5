using Monitoring.Abstractions.Rollouts;

namespace Monitoring.Aggregation.Rollouts;

/// <summary>
/// Hysteresis of the published verdict (see <see cref="PublishedVerdict"/>): a comparison's own decision replaces the
/// published one only after it has been the same at N consecutive window closes. With N = 1 the published verdict is
/// each close's own. The cost is delay: a real rollback is published N - 1 closes after the first close that saw it.
/// </summary>
public static class VerdictHysteresis
{
    /// <summary>Default N: two closes in a row.</summary>
    public const int DefaultClosesToChange = 2;

    /// <summary>Largest N accepted.</summary>
    public const int MaxClosesToChange = 100;

    /// <summary>The published verdict after a close whose own decision is <paramref name="decision"/>.</summary>
    /// <param name="previous">The published verdict before this close; null before the first.</param>
    /// <param name="decision">This close's own decision.</param>
    /// <param name="closesToChange">N (1 to <see cref="MaxClosesToChange"/>).</param>
    /// <param name="closeEndUnixNano">End of the window that closed.</param>
    public static PublishedVerdict Next(PublishedVerdict? previous, string decision, int closesToChange, long closeEndUnixNano)
    {
        ArgumentException.ThrowIfNullOrEmpty(decision);
        ArgumentOutOfRangeException.ThrowIfLessThan(closesToChange, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(closesToChange, MaxClosesToChange);
        var current = (previous ?? PublishedVerdict.Initial(closesToChange)) with { ClosesToChange = closesToChange };
        if (string.Equals(decision, current.Decision, StringComparison.Ordinal))
        {
            return current with { Pending = null, PendingCloses = 0 };
        }

        var streak = string.Equals(decision, current.Pending, StringComparison.Ordinal) ? current.PendingCloses + 1 : 1;
        return streak >= closesToChange
            ? new PublishedVerdict(decision, null, 0, closesToChange, closeEndUnixNano)
            : current with { Pending = decision, PendingCloses = streak };
    }
}
