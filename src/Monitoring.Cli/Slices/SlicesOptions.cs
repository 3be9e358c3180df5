using Monitoring.Cli.Drift;
using Monitoring.Stats.Slices;

namespace Monitoring.Cli.Slices;

/// <summary>Arguments of <c>monitoring slices</c>.</summary>
/// <param name="Path">The CSV file.</param>
/// <param name="ScoreColumn">Binary classifier score column (probability of class 1).</param>
/// <param name="LabelColumn">0/1 label column.</param>
/// <param name="Segments">Segment columns to slice by, in the order given.</param>
/// <param name="Threshold">Decision threshold (predicted positive when score &gt;= threshold).</param>
/// <param name="Slicing">Metric, minimum support, values per dimension, pair dimensions, number of worst slices.</param>
/// <param name="Format">Output format.</param>
/// <param name="ReferencePath">Optional reference CSV (score and segment columns) for per-slice prediction drift.</param>
public sealed record SlicesOptions(
    string Path,
    string ScoreColumn,
    string LabelColumn,
    IReadOnlyList<string> Segments,
    double Threshold,
    SliceOptions Slicing,
    OutputFormat Format,
    string? ReferencePath = null);
