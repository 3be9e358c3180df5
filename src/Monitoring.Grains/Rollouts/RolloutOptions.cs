using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Rollouts;

namespace Monitoring.Grains.Rollouts;

/// <summary>
/// Rollout settings (<c>Monitoring:Rollouts</c>): the guardrails a candidate version is judged by, globally and per
/// model, and which version pairs are compared at every window close for the alert metrics (<c>rollout_verdict</c>, ...).
/// </summary>
public sealed class RolloutOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Monitoring:Rollouts";

    /// <summary>Guardrails of every model without its own (<c>Monitoring:Rollouts:Guardrails:MaxAucDrop</c>, ...).</summary>
    public RolloutGuardrails Guardrails { get; set; } = new();

    /// <summary>Guardrails per model, by "tenant/model" (<c>Monitoring:Rollouts:Models:default/churn:MaxSliceDrop</c>); they replace the global ones.</summary>
    public Dictionary<string, RolloutGuardrails> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Version pairs compared at window close for the alert metrics. A model without an entry compares its two versions
    /// seen most recently (the older one as baseline) once it has two.
    /// </summary>
    public List<RolloutComparison> Comparisons { get; set; } = [];

    /// <summary>Default of <see cref="WindowsAtClose"/>: a week of one-hour windows.</summary>
    public const int DefaultWindowsAtClose = 168;

    /// <summary>
    /// How many windows back the comparison made at each window close reads (<c>Monitoring:Rollouts:WindowsAtClose</c>,
    /// default 168): from the candidate's first window, but no further back than this, so that every close of a long
    /// rollout costs the same. The API's comparison reads whatever range it is asked for.
    /// </summary>
    public int WindowsAtClose { get; set; } = DefaultWindowsAtClose;

    /// <summary>
    /// Consecutive window closes a comparison's own verdict must repeat before the published verdict (the one
    /// <c>rollout_verdict</c> carries) changes to it (<c>Monitoring:Rollouts:ClosesToChangeVerdict</c>, default 2, 1 to
    /// 100; 1 = no hysteresis). See <see cref="Aggregation.Rollouts.VerdictHysteresis"/>.
    /// </summary>
    public int ClosesToChangeVerdict { get; set; } = Aggregation.Rollouts.VerdictHysteresis.DefaultClosesToChange;

    /// <summary>The guardrails of <paramref name="model"/>: its own if configured, else the global ones.</summary>
    public RolloutGuardrails GuardrailsOf(ModelKey model) => Models.GetValueOrDefault(model.GrainKey) ?? Guardrails;

    /// <summary>Every problem, naming the setting; empty when valid.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = Guardrails.Errors().Select(e => $"{Section}:Guardrails: {e}").ToList();
        if (ClosesToChangeVerdict is < 1 or > Aggregation.Rollouts.VerdictHysteresis.MaxClosesToChange)
        {
            errors.Add($"{Section}:ClosesToChangeVerdict must be between 1 and {Aggregation.Rollouts.VerdictHysteresis.MaxClosesToChange} (got {ClosesToChangeVerdict}).");
        }

        if (WindowsAtClose < 1)
        {
            errors.Add($"{Section}:WindowsAtClose must be at least 1 (got {WindowsAtClose}).");
        }
        foreach (var (model, guardrails) in Models)
        {
            if (!model.Contains('/', StringComparison.Ordinal))
            {
                errors.Add($"{Section}:Models: '{model}' must be tenant/model.");
            }

            errors.AddRange(guardrails.Errors().Select(e => $"{Section}:Models:{model}: {e}"));
        }

        for (var i = 0; i < Comparisons.Count; i++)
        {
            var c = Comparisons[i];
            if (string.IsNullOrWhiteSpace(c.Model) || !c.Model.Contains('/', StringComparison.Ordinal))
            {
                errors.Add($"{Section}:Comparisons:{i}:Model must be tenant/model (got '{c.Model}').");
            }

            if (string.IsNullOrWhiteSpace(c.Baseline) || string.IsNullOrWhiteSpace(c.Candidate) || c.Baseline == c.Candidate)
            {
                errors.Add($"{Section}:Comparisons:{i}: Baseline and Candidate must be two different versions.");
            }
        }

        return errors;
    }
}

/// <summary>A version pair compared at window close (<c>Monitoring:Rollouts:Comparisons:0:Model</c>, ...).</summary>
public sealed class RolloutComparison
{
    /// <summary>"tenant/model".</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>The version in production.</summary>
    public string Baseline { get; set; } = string.Empty;

    /// <summary>The version being rolled out.</summary>
    public string Candidate { get; set; } = string.Empty;
}
