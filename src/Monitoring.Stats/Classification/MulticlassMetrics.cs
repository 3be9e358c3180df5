namespace Monitoring.Stats.Classification;

/// <summary>Per-class counts and F1 of a multiclass classifier.</summary>
/// <param name="Label">The class.</param>
/// <param name="Support">Examples whose true class this is (TP + FN).</param>
/// <param name="TruePositives">Predicted this class and it was.</param>
/// <param name="FalsePositives">Predicted this class and it was another.</param>
/// <param name="FalseNegatives">Was this class and predicted another.</param>
/// <param name="F1">2 TP / (2 TP + FP + FN), 0 when that is 0 / 0 (equal to 2 P R / (P + R) with zero_division=0).</param>
public sealed record ClassF1<T>(T Label, long Support, long TruePositives, long FalsePositives, long FalseNegatives, double F1)
    where T : notnull;

/// <summary>Accuracy and macro F1 of a multiclass classifier.</summary>
/// <param name="Count">Examples.</param>
/// <param name="Accuracy">Fraction of examples predicted correctly.</param>
/// <param name="MacroF1">Unweighted mean of the per-class F1 over every class seen (in either list).</param>
/// <param name="Classes">Per-class results in the order the classes were first seen (true labels first).</param>
public sealed record MulticlassResult<T>(long Count, double Accuracy, double MacroF1, IReadOnlyList<ClassF1<T>> Classes)
    where T : notnull;

/// <summary>
/// Multiclass accuracy and macro F1, matching sklearn's <c>accuracy_score(y_true, y_pred)</c> and
/// <c>f1_score(y_true, y_pred, average='macro', zero_division=0)</c>: the classes are the union of the labels seen in
/// either list (sklearn's default <c>unique_labels</c>), each class's F1 is 2 TP / (2 TP + FP + FN) (0 for a class
/// never predicted correctly), and macro F1 is their plain mean, so a class that only appears among the predictions
/// counts with F1 = 0.
/// </summary>
public static class MulticlassMetrics
{
    /// <summary>Computes the metrics of paired true and predicted labels (non-empty, equal length).</summary>
    public static MulticlassResult<T> Compute<T>(IReadOnlyList<T> actual, IReadOnlyList<T> predicted, IEqualityComparer<T>? comparer = null)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        if (actual.Count != predicted.Count)
        {
            throw new ArgumentException($"actual has {actual.Count} labels, predicted {predicted.Count}.", nameof(predicted));
        }

        if (actual.Count == 0)
        {
            throw new ArgumentException("No examples.", nameof(actual));
        }

        comparer ??= EqualityComparer<T>.Default;
        var index = new Dictionary<T, int>(comparer);
        var labels = new List<T>();
        var counts = new List<long[]>(); // tp, fp, fn
        int Slot(T label)
        {
            if (!index.TryGetValue(label, out var i))
            {
                i = labels.Count;
                index.Add(label, i);
                labels.Add(label);
                counts.Add(new long[3]);
            }

            return i;
        }

        foreach (var label in actual)
        {
            Slot(label);
        }

        long correct = 0;
        for (var k = 0; k < actual.Count; k++)
        {
            var a = Slot(actual[k]);
            var p = Slot(predicted[k]);
            if (a == p)
            {
                correct++;
                counts[a][0]++;
            }
            else
            {
                counts[p][1]++;
                counts[a][2]++;
            }
        }

        var classes = new ClassF1<T>[labels.Count];
        double sum = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            var (tp, fp, fn) = (counts[i][0], counts[i][1], counts[i][2]);
            var denominator = (2 * tp) + fp + fn;
            var f1 = denominator == 0 ? 0 : 2.0 * tp / denominator;
            classes[i] = new ClassF1<T>(labels[i], tp + fn, tp, fp, fn, f1);
            sum += f1;
        }

        return new MulticlassResult<T>(actual.Count, correct / (double)actual.Count, sum / labels.Count, classes);
    }
}
