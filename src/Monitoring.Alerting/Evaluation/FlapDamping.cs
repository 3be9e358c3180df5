namespace Monitoring.Alerting.Evaluation;

/// <summary>
/// Flap damping: an alert whose condition changed more than <see cref="MaxChanges"/> times in its last
/// <see cref="Evaluations"/> evaluations is held firing and marked flapping (one notification, no resolve/re-fire
/// storm) until its changes fall back to the threshold. Defaults follow Kibana's alerting (look back 20 runs, 4 changes).
/// </summary>
/// <param name="Evaluations">Evaluations looked back over (1..64); 0 turns damping off.</param>
/// <param name="MaxChanges">State changes tolerated in that span; more is flapping.</param>
public sealed record FlapDamping(int Evaluations = FlapDamping.DefaultEvaluations, int MaxChanges = FlapDamping.DefaultMaxChanges)
{
    /// <summary>Default look-back: 20 evaluations.</summary>
    public const int DefaultEvaluations = 20;

    /// <summary>Default threshold: more than 4 changes is flapping.</summary>
    public const int DefaultMaxChanges = 4;

    /// <summary>Damping off.</summary>
    public static readonly FlapDamping Off = new(0, 0);

    /// <summary>State changes between consecutive evaluations in the window.</summary>
    public int Changes(ulong history, int length)
    {
        var n = Math.Min(Math.Min(length, Evaluations), 64);
        var changes = 0;
        for (var i = 1; i < n; i++)
        {
            if (((history >> i) & 1) != ((history >> (i - 1)) & 1))
            {
                changes++;
            }
        }
        return changes;
    }

    /// <summary>True when the history shows flapping.</summary>
    public bool IsFlapping(ulong history, int length) => Evaluations > 0 && Changes(history, length) > MaxChanges;
}
