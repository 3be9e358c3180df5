namespace Monitoring.Cli.Drift;

/// <summary>Output formats of <c>monitoring drift</c>.</summary>
public enum OutputFormat
{
    /// <summary>Readable text table.</summary>
    Table,

    /// <summary>The JSON report (see README for its shape).</summary>
    Json,
}

/// <summary>Arguments of <c>monitoring drift</c>.</summary>
/// <param name="ReferencePath">Reference CSV.</param>
/// <param name="CurrentPath">Current CSV.</param>
/// <param name="Categorical">Columns forced categorical even when every cell is a number.</param>
/// <param name="ScoreColumn">Binary classifier score column in the current file (with <paramref name="LabelColumn"/>).</param>
/// <param name="LabelColumn">0/1 label column in the current file.</param>
/// <param name="Format">Output format.</param>
public sealed record DriftOptions(
    string ReferencePath,
    string CurrentPath,
    IReadOnlySet<string> Categorical,
    string? ScoreColumn,
    string? LabelColumn,
    OutputFormat Format);
