using Monitoring.Abstractions.Events;

namespace Monitoring.Aggregation.Labels;

/// <summary>How a joined label folds into its prediction's window: the binary sketch and slices, regression errors, multiclass counts.</summary>
public static class LabelFold
{
    /// <summary>A label as 0/1 for binary metrics (NaN when it is neither).</summary>
    public static double BinaryLabel(ModelEvent label) =>
        label.LabelNumber ?? (label.LabelText is "1" or "true" ? 1.0 : label.LabelText is "0" or "false" ? 0.0 : double.NaN);

    /// <summary>Folds a joined (prediction, label) pair into a window's performance: binary, slices, regression, multiclass.</summary>
    public static void Fold(ModelEvent prediction, ModelEvent label, PerformanceAccumulator acc)
    {
        var y = BinaryLabel(label);
        if (prediction.Score is { } score && (y == 0 || y == 1))
        {
            acc.AddBinary(score, y);
            acc.AddSlices(SliceConditions(prediction, acc.PairDimensionNames), score, y, Stats.Classification.BinaryClassificationMetrics.DefaultThreshold);
        }

        if (prediction.PredictedValue is { } value && label.LabelNumber is { } actual)
        {
            acc.AddRegression(value, actual);
        }

        if (prediction.PredictedClass is { } predicted)
        {
            acc.AddClass(PerformanceAccumulator.ClassText(label.LabelNumber, label.LabelText), predicted);
        }
    }

    /// <summary>Takes a joined pair back out (a corrected label).</summary>
    public static void Unfold(ModelEvent prediction, ModelEvent label, PerformanceAccumulator acc)
    {
        var y = BinaryLabel(label);
        if (prediction.Score is { } score && (y == 0 || y == 1))
        {
            acc.RemoveBinary(SliceConditions(prediction, acc.PairDimensionNames), score, y, Stats.Classification.BinaryClassificationMetrics.DefaultThreshold);
        }

        if (prediction.PredictedValue is { } value && label.LabelNumber is { } actual)
        {
            acc.RemoveRegression(value, actual);
        }

        if (prediction.PredictedClass is { } predicted)
        {
            acc.RemoveClass(PerformanceAccumulator.ClassText(label.LabelNumber, label.LabelText), predicted);
        }
    }

    /// <summary>
    /// The slices a prediction belongs to: each segment dimension and each categorical feature, plus the pairs among
    /// the window's pair dimensions (<see cref="PerformanceAccumulator.PairDimensionNames"/>: the segment dimensions with
    /// the most predictions when the window's first prediction was folded; the first ones by name if none was chosen).
    /// </summary>
    public static List<(string Dimension, string Value)> SliceConditions(ModelEvent prediction, IReadOnlyList<string>? pairDimensions = null)
    {
        var conditions = new List<(string, string)>();
        var segments = prediction.Segments.OrderBy(s => s.Name, StringComparer.Ordinal).ToArray();
        foreach (var s in segments)
        {
            conditions.Add((s.Name, s.Value));
        }

        foreach (var f in prediction.Features.Where(f => f.Text is not null).OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            conditions.Add(("feature." + f.Name, f.Text!));
        }

        var pairable = pairDimensions is null
            ? segments.Take(PerformanceAccumulator.PairDimensions).ToArray()
            : segments.Where(s => pairDimensions.Contains(s.Name, StringComparer.Ordinal)).ToArray();
        for (var i = 0; i < pairable.Length; i++)
        {
            for (var j = i + 1; j < pairable.Length; j++)
            {
                conditions.Add(($"{pairable[i].Name} & {pairable[j].Name}", $"{pairable[i].Value} & {pairable[j].Value}"));
            }
        }

        return conditions;
    }
}
