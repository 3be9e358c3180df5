using System.Globalization;
using System.Text.Json.Serialization;
using Monitoring.Stats.Sketches;

namespace Monitoring.Grains.Labels;

/// <summary>
/// Realized and estimated performance of the predictions of one window (by the prediction's event time): every
/// prediction's score (for confidence-based estimates before labels arrive), the joined (score, label) pairs of binary
/// classifiers, regression errors and the multiclass confusion counts. Persisted as JSON in the report store, with the
/// highest event-log sequence folded into it, so a replay after a crash never folds a record twice.
/// </summary>
public sealed class PerformanceAccumulator
{
    /// <summary>Window start (Unix ns).</summary>
    public long Start { get; set; }

    /// <summary>Window end (Unix ns, exclusive).</summary>
    public long End { get; set; }

    /// <summary>Highest event-log sequence folded in; records at or below it are already counted.</summary>
    public long LastSequence { get; set; }

    /// <summary>Predictions in the window.</summary>
    public long Predictions { get; set; }

    /// <summary>Predictions whose label has been joined (distinct prediction ids).</summary>
    public long Labeled { get; set; }

    /// <summary>Scores of every scored prediction (labels unknown: all counted as class 0), for CBPE.</summary>
    public ScoreHistogramParts? AllScores { get; set; }

    /// <summary>Joined binary (score, label) pairs.</summary>
    public ScoreHistogramParts? Binary { get; set; }

    /// <summary>Regression pairs joined.</summary>
    public long RegressionCount { get; set; }

    /// <summary>Sum of |predicted - actual|.</summary>
    public double RegressionAbsoluteError { get; set; }

    /// <summary>Sum of (predicted - actual)^2.</summary>
    public double RegressionSquaredError { get; set; }

    /// <summary>Sum of (predicted - actual).</summary>
    public double RegressionError { get; set; }

    /// <summary>Multiclass confusion: actual -> predicted -> count.</summary>
    public Dictionary<string, Dictionary<string, long>> Confusion { get; set; } = new(StringComparer.Ordinal);

    private ScoreHistogramSketch? _allScores;
    private ScoreHistogramSketch? _binary;

    /// <summary>The CBPE sketch (live; <see cref="Freeze"/> copies it into <see cref="AllScores"/>).</summary>
    [JsonIgnore]
    public ScoreHistogramSketch? AllScoresSketch => _allScores ??= AllScores is null ? null : ScoreHistogramSketch.FromParts(AllScores);

    /// <summary>The joined binary sketch (live).</summary>
    [JsonIgnore]
    public ScoreHistogramSketch? BinarySketch => _binary ??= Binary is null ? null : ScoreHistogramSketch.FromParts(Binary);

    /// <summary>Adds a prediction's score to the CBPE sketch.</summary>
    public void AddScore(double score)
    {
        _allScores = AllScoresSketch ?? new ScoreHistogramSketch();
        _allScores.Add([score], [0.0]);
    }

    /// <summary>Adds a joined binary pair.</summary>
    public void AddBinary(double score, double label)
    {
        _binary = BinarySketch ?? new ScoreHistogramSketch();
        _binary.Add([score], [label]);
    }

    /// <summary>Copies the live sketches into their serializable parts (before persisting).</summary>
    public PerformanceAccumulator Freeze()
    {
        AllScores = _allScores?.ToParts() ?? AllScores;
        Binary = _binary?.ToParts() ?? Binary;
        return this;
    }

    /// <summary>Adds a joined regression pair.</summary>
    public void AddRegression(double predicted, double actual)
    {
        var d = predicted - actual;
        RegressionCount++;
        RegressionAbsoluteError += Math.Abs(d);
        RegressionSquaredError += d * d;
        RegressionError += d;
    }

    /// <summary>Adds a joined multiclass pair.</summary>
    public void AddClass(string actual, string predicted)
    {
        if (!Confusion.TryGetValue(actual, out var row))
        {
            row = new Dictionary<string, long>(StringComparer.Ordinal);
            Confusion[actual] = row;
        }

        row[predicted] = row.GetValueOrDefault(predicted) + 1;
    }

    /// <summary>A label value as text for class comparison.</summary>
    public static string ClassText(double? number, string? text) =>
        text ?? number?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty;
}
