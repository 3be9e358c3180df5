using Monitoring.Alerting.Labels;

namespace Monitoring.Alerting.Silences;

/// <summary>
/// The silences in force, answering "is this alert muted, and by which silences?". Immutable: adding or expiring
/// returns a new set, so a pipeline flush reads one consistent set.
/// </summary>
public sealed class SilenceSet
{
    /// <summary>No silences.</summary>
    public static readonly SilenceSet Empty = new([]);

    private readonly IReadOnlyList<Silence> _silences;

    /// <summary>Creates a set.</summary>
    public SilenceSet(IEnumerable<Silence> silences) => _silences = [.. silences];

    /// <summary>All silences, including expired ones kept for the record.</summary>
    public IReadOnlyList<Silence> All => _silences;

    /// <summary>Ids of the silences that mute <paramref name="labels"/> at <paramref name="now"/> (empty when none).</summary>
    public IReadOnlyList<string> MutedBy(LabelSet labels, DateTimeOffset now)
    {
        List<string>? ids = null;
        foreach (var s in _silences)
        {
            if (s.Mutes(labels, now))
            {
                (ids ??= []).Add(s.Id);
            }
        }
        return ids ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Adds a silence (or replaces one with the same id); throws <see cref="ArgumentException"/> naming the field.</summary>
    public SilenceSet With(Silence silence)
    {
        if (silence.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(silence));
        }
        return new SilenceSet(_silences.Where(s => s.Id != silence.Id).Append(silence));
    }

    /// <summary>The silences a caller confined to <paramref name="callerTenant"/> may see (all of them for null: see <see cref="Silence.IsVisibleTo"/>).</summary>
    public IEnumerable<Silence> VisibleTo(string? callerTenant) => _silences.Where(s => Silence.IsVisibleTo(s.Tenant, callerTenant));

    /// <summary>
    /// Expires a silence now (its end becomes <paramref name="now"/>); false when there is no such active or pending
    /// silence that a caller confined to <paramref name="callerTenant"/> may see (null: any), so another tenant's silence
    /// is as missing as one that never existed.
    /// </summary>
    public bool TryExpire(string id, DateTimeOffset now, out SilenceSet result, string? callerTenant = null)
    {
        var silence = _silences.FirstOrDefault(s => s.Id == id);
        if (silence is null || silence.StateAt(now) == SilenceState.Expired || !Silence.IsVisibleTo(silence.Tenant, callerTenant))
        {
            result = this;
            return false;
        }
        var expired = silence with { EndsAt = now, StartsAt = silence.StartsAt > now ? now : silence.StartsAt };
        result = new SilenceSet(_silences.Select(s => s.Id == id ? expired : s));
        return true;
    }

    /// <summary>Drops silences expired for longer than <paramref name="retention"/>.</summary>
    public SilenceSet Prune(DateTimeOffset now, TimeSpan retention) =>
        new(_silences.Where(s => s.EndsAt > now - retention));
}
