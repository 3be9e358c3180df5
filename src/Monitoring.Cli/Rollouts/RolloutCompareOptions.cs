using Monitoring.Abstractions.Rollouts;
using Monitoring.Cli.Drift;

namespace Monitoring.Cli.Rollouts;

/// <summary>Arguments of <c>monitoring rollout compare --baseline-file B --candidate-file C</c>.</summary>
/// <param name="BaselinePath">The baseline version's predictions (CSV with a header row, or Parquet).</param>
/// <param name="CandidatePath">The candidate version's predictions, same columns.</param>
/// <param name="ScoreColumn">Binary classifier score column (probability of class 1).</param>
/// <param name="LabelColumn">0/1 label column; an empty cell is a prediction without a label yet.</param>
/// <param name="Segments">Segment columns to compare slice by slice.</param>
/// <param name="Features">Feature columns whose population is compared (numeric when every cell is a number).</param>
/// <param name="LatencyColumn">Serving latency column (ms), optional.</param>
/// <param name="IdColumn">Request id column, optional: rows of both files with the same id are shadow pairs.</param>
/// <param name="Threshold">Decision threshold (predicted positive when score &gt;= threshold).</param>
/// <param name="BaselineName">Name of the baseline version in the report.</param>
/// <param name="CandidateName">Name of the candidate version.</param>
/// <param name="Guardrails">The guardrails of the verdict.</param>
/// <param name="Format">Output format.</param>
/// <param name="VerdictExitCode">Exit 0 promote, 3 hold, 4 rollback instead of 0 for any verdict.</param>
public sealed record RolloutCompareOptions(
    string BaselinePath,
    string CandidatePath,
    string ScoreColumn,
    string LabelColumn,
    IReadOnlyList<string> Segments,
    IReadOnlyList<string> Features,
    string? LatencyColumn,
    string? IdColumn,
    double Threshold,
    string BaselineName,
    string CandidateName,
    RolloutGuardrails Guardrails,
    OutputFormat Format,
    bool VerdictExitCode = false);
