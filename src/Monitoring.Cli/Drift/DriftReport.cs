using Monitoring.Stats.Classification;
using Monitoring.Stats.Drift;

namespace Monitoring.Cli.Drift;

/// <summary>Kind of a feature column.</summary>
public enum FeatureKind
{
    /// <summary>Every non-empty cell in both files is a number.</summary>
    Numeric,

    /// <summary>Anything else, or named in --categorical.</summary>
    Categorical,
}

/// <summary>Drift of one column.</summary>
public sealed record FeatureDrift(
    string Name,
    FeatureKind Kind,
    double ReferenceNullFraction,
    double CurrentNullFraction,
    NumericDriftResult? Numeric,
    CategoricalDriftResult? Categorical,
    double? AdjustedPValue,
    DriftDecision Decision);

/// <summary>Classification metrics over the current file's score and label columns.</summary>
public sealed record ClassificationSection(string ScoreColumn, string LabelColumn, int SkippedRows, BinaryClassificationMetrics Metrics);

/// <summary>The whole report of <c>monitoring drift</c>.</summary>
public sealed record DriftReport(
    int ReferenceRows,
    int CurrentRows,
    IReadOnlyList<FeatureDrift> Features,
    ClassificationSection? Classification,
    DriftPolicy Policy);
