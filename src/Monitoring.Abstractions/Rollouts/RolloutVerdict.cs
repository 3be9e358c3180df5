using System.Text.Json.Serialization;

namespace Monitoring.Abstractions.Rollouts;

/// <summary>
/// The verdict of a comparison: <see cref="Promote"/> (every guardrail is met with the evidence required),
/// <see cref="Hold"/> (no guardrail is broken, but the evidence is not enough yet; <see cref="LabeledNeeded"/> says how
/// many labelled predictions per version would be) or <see cref="Rollback"/> (a guardrail is broken with the evidence
/// required), with every reason.
/// </summary>
/// <param name="Decision">"promote", "hold" or "rollback".</param>
/// <param name="Reasons">Why: every broken or unproven guardrail (for promote: what was proven).</param>
/// <param name="LabeledNeeded">
/// For hold: the labelled predictions each version should have for the undecided guardrails to be decided, if the
/// current estimates hold (see RolloutVerdicts in Monitoring.Aggregation for the computation); null when not a hold or
/// when it cannot be estimated (an estimate sitting exactly on a guardrail).
/// </param>
[GenerateSerializer, Immutable, Alias("monitoring.rollout-verdict")]
public sealed record RolloutVerdict(
    [property: Id(0)] string Decision,
    [property: Id(1)] IReadOnlyList<RolloutReason> Reasons,
    [property: Id(2), JsonIgnore(Condition = JsonIgnoreCondition.Never)] long? LabeledNeeded)
{
    /// <summary>Every guardrail met.</summary>
    public const string Promote = "promote";

    /// <summary>Not enough evidence yet.</summary>
    public const string Hold = "hold";

    /// <summary>A guardrail broken.</summary>
    public const string Rollback = "rollback";
}

/// <summary>One reason of a verdict.</summary>
/// <param name="Guardrail">
/// The guardrail (snake_case field of <see cref="RolloutGuardrails"/>): min_labeled_per_version, max_auc_drop,
/// max_accuracy_drop, max_slice_drop, max_p99_latency_increase, max_prediction_psi, min_shadow_agreement.
/// </param>
/// <param name="Outcome">"met", "unproven" (hold) or "broken" (rollback).</param>
/// <param name="Message">One sentence with the figures.</param>
[GenerateSerializer, Immutable, Alias("monitoring.rollout-reason")]
public sealed record RolloutReason(
    [property: Id(0)] string Guardrail,
    [property: Id(1)] string Outcome,
    [property: Id(2)] string Message)
{
    /// <summary>The guardrail holds with the evidence required.</summary>
    public const string Met = "met";

    /// <summary>Neither met nor broken with the evidence required.</summary>
    public const string Unproven = "unproven";

    /// <summary>Broken with the evidence required.</summary>
    public const string Broken = "broken";
}

/// <summary>
/// The verdict published at window closes for one (baseline, candidate) pair, with hysteresis: it changes to a new
/// decision only once the comparison's own verdict has been that decision at <see cref="ClosesToChange"/> consecutive
/// closes (<c>Monitoring:Rollouts:ClosesToChangeVerdict</c>), so noise around a guardrail cannot flip rollback -> hold ->
/// rollback from one close to the next. It starts as hold. <c>rollout_verdict</c> carries this decision.
/// </summary>
/// <param name="Decision">The published decision: "promote", "hold" or "rollback".</param>
/// <param name="Pending">The comparison's own decision when it differs from the published one, else null.</param>
/// <param name="PendingCloses">Consecutive closes (up to now) whose own verdict was <paramref name="Pending"/>.</param>
/// <param name="ClosesToChange">Consecutive closes a new decision needs before it is published.</param>
/// <param name="SinceUnixNano">End of the window whose close published <paramref name="Decision"/> (0: the initial hold).</param>
[GenerateSerializer, Immutable, Alias("monitoring.published-verdict")]
public sealed record PublishedVerdict(
    [property: Id(0)] string Decision,
    [property: Id(1), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Pending,
    [property: Id(2)] int PendingCloses,
    [property: Id(3)] int ClosesToChange,
    [property: Id(4)] long SinceUnixNano)
{
    /// <summary>The state before any close: hold, nothing pending.</summary>
    public static PublishedVerdict Initial(int closesToChange) => new(RolloutVerdict.Hold, null, 0, closesToChange, 0);
}
