using Monitoring.Alerting.Labels;

namespace Monitoring.Alerting.Silences;

/// <summary>A recurring schedule (e.g. Alertmanager time intervals in a time zone): true for instants inside it.</summary>
public interface IRecurringSchedule
{
    /// <summary>True when <paramref name="instant"/> falls inside the schedule.</summary>
    bool Contains(DateTimeOffset instant);

    /// <summary>The schedule as written (for the API).</summary>
    string Description { get; }
}

/// <summary>Silence states as in Alertmanager.</summary>
public enum SilenceState
{
    /// <summary>Starts in the future.</summary>
    Pending,
    /// <summary>Between start and end (and, for a recurring one, inside its schedule or not: see <see cref="Silence.Mutes"/>).</summary>
    Active,
    /// <summary>Ended or expired by hand.</summary>
    Expired,
}

/// <summary>
/// A silence: alerts matching all its matchers are muted between <see cref="StartsAt"/> and <see cref="EndsAt"/>. Beyond
/// Alertmanager, a silence can recur: with a <see cref="Schedule"/> it mutes only inside the schedule (a maintenance
/// window by matchers, e.g. Sundays 02:00-04:00 Europe/Berlin for one model), for as long as it is active. A silence
/// bound to a <see cref="Tenant"/> (made with that tenant's key) mutes only that tenant's alerts, whatever its matchers
/// say, as Mimir's per-tenant Alertmanager does: a <c>tenant=~".*"</c> matcher cannot widen it.
/// </summary>
public sealed record Silence
{
    /// <summary>The alert label naming the tenant.</summary>
    public const string TenantLabel = "tenant";

    /// <summary>The tenant of an alert without a <see cref="TenantLabel"/> label (as for incidents and models).</summary>
    public const string DefaultTenant = Abstractions.Models.ModelKey.DefaultTenant;

    /// <summary>Id (URL-safe).</summary>
    public required string Id { get; init; }

    /// <summary>All must match.</summary>
    public required IReadOnlyList<Matcher> Matchers { get; init; }

    /// <summary>Start.</summary>
    public required DateTimeOffset StartsAt { get; init; }

    /// <summary>End (exclusive).</summary>
    public required DateTimeOffset EndsAt { get; init; }

    /// <summary>Who created it.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>Why.</summary>
    public required string Comment { get; init; }

    /// <summary>Recurring schedule, or null for a one-off silence.</summary>
    public IRecurringSchedule? Schedule { get; init; }

    /// <summary>
    /// The one tenant whose alerts it may mute, or null for an operator's silence that applies to every tenant (open
    /// mode, an operator key, and every silence stored before silences had tenants).
    /// </summary>
    public string? Tenant { get; init; }

    /// <summary>The tenant of an alert: its <see cref="TenantLabel"/> label, or <see cref="DefaultTenant"/> when it has none.</summary>
    public static string TenantOf(LabelSet labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return labels[TenantLabel] is { Length: > 0 } tenant ? tenant : DefaultTenant;
    }

    /// <summary>
    /// Whether a caller confined to <paramref name="callerTenant"/> (null: every tenant, i.e. open mode or an operator
    /// key) may see and expire a silence bound to <paramref name="silenceTenant"/>: an operator sees all; a tenant sees
    /// only its own, not the operator's unbound ones (their matchers may name other tenants' models).
    /// </summary>
    public static bool IsVisibleTo(string? silenceTenant, string? callerTenant) =>
        callerTenant is null || string.Equals(silenceTenant, callerTenant, StringComparison.Ordinal);

    /// <summary>State at <paramref name="now"/>.</summary>
    public SilenceState StateAt(DateTimeOffset now) =>
        now < StartsAt ? SilenceState.Pending : now < EndsAt ? SilenceState.Active : SilenceState.Expired;

    /// <summary>True when it mutes <paramref name="labels"/> at <paramref name="now"/>.</summary>
    public bool Mutes(LabelSet labels, DateTimeOffset now) =>
        StateAt(now) == SilenceState.Active && (Schedule is null || Schedule.Contains(now))
        && (Tenant is null || string.Equals(TenantOf(labels), Tenant, StringComparison.Ordinal)) && Matchers.MatchesAll(labels);

    /// <summary>
    /// Why this silence cannot be created, or null: matchers are required and at least one must not match the empty
    /// string (Alertmanager's rule: a silence must not mute everything by accident); the end must follow the start;
    /// creator and comment are required.
    /// </summary>
    public string? Problem()
    {
        if (Matchers.Count == 0)
        {
            return "matchers: at least one matcher is required";
        }
        if (Matchers.All(m => m.Matches(string.Empty)))
        {
            return "matchers: at least one matcher must not match the empty string (this silence would mute every alert)";
        }
        if (EndsAt <= StartsAt)
        {
            return "endsAt: must be after startsAt";
        }
        if (string.IsNullOrWhiteSpace(CreatedBy))
        {
            return "createdBy: is required";
        }
        if (string.IsNullOrWhiteSpace(Comment))
        {
            return "comment: is required";
        }
        if (Tenant is not null && (Tenant.Length == 0 || Tenant.Contains('/', StringComparison.Ordinal) || Tenant.Any(char.IsControl)))
        {
            return "tenant: must be a non-empty tenant name without '/' or control characters";
        }
        return null;
    }
}
