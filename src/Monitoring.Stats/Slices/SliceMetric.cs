namespace Monitoring.Stats.Slices;

/// <summary>A metric slices are compared and ranked on.</summary>
public enum SliceMetric
{
    /// <summary>(TP + TN) / n; higher is better; two-proportion z-test.</summary>
    Accuracy,

    /// <summary>1 - accuracy; lower is better; two-proportion z-test (the same test as accuracy).</summary>
    ErrorRate,

    /// <summary>TP / (TP + FP); higher is better; two-proportion z-test over predicted positives.</summary>
    Precision,

    /// <summary>TP / (TP + FN); higher is better; two-proportion z-test over actual positives.</summary>
    Recall,

    /// <summary>2 TP / (2 TP + FP + FN); higher is better; Wald z-test with the delta-method variance.</summary>
    F1,

    /// <summary>Mean squared error of the score; lower is better; Welch z-test of two means.</summary>
    Brier,

    /// <summary>ROC AUC; higher is better; DeLong z-test for independent samples.</summary>
    Auc,
}

/// <summary>Properties of <see cref="SliceMetric"/>.</summary>
public static class SliceMetricExtensions
{
    /// <summary>Whether a larger value is better (false for error rate and Brier).</summary>
    public static bool HigherIsBetter(this SliceMetric metric) => metric is not (SliceMetric.ErrorRate or SliceMetric.Brier);

    /// <summary>Whether the metric is a proportion tested with the two-proportion z-test.</summary>
    public static bool IsRate(this SliceMetric metric) =>
        metric is SliceMetric.Accuracy or SliceMetric.ErrorRate or SliceMetric.Precision or SliceMetric.Recall;

    /// <summary>The snake_case name used in reports: accuracy, error_rate, precision, recall, f1, brier, auc.</summary>
    public static string Name(this SliceMetric metric) => metric switch
    {
        SliceMetric.Accuracy => "accuracy",
        SliceMetric.ErrorRate => "error_rate",
        SliceMetric.Precision => "precision",
        SliceMetric.Recall => "recall",
        SliceMetric.F1 => "f1",
        SliceMetric.Brier => "brier",
        SliceMetric.Auc => "auc",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    /// <summary>Parses a <see cref="Name"/>; false for anything else.</summary>
    public static bool TryParse(string name, out SliceMetric metric)
    {
        foreach (var m in Enum.GetValues<SliceMetric>())
        {
            if (string.Equals(m.Name(), name, StringComparison.Ordinal))
            {
                metric = m;
                return true;
            }
        }

        metric = default;
        return false;
    }
}
