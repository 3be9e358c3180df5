using Monitoring.Stats.Kernels;

namespace Monitoring.Stats.Classification;

/// <summary>
/// Metrics of a binary classifier from scores in [0, 1] and 0/1 labels. Each matches scikit-learn:
/// AUC = roc_auc_score (null with one class); Brier = brier_score_loss; log loss = log_loss(eps=1e-15, labels=[0, 1])
/// (scores clipped to [1e-15, 1 - 1e-15], the two class columns renormalised, mean of -ln p(true class));
/// accuracy, precision, recall and F1 = accuracy_score / precision_score / recall_score / f1_score(zero_division=0)
/// with predicted positive when score &gt;= threshold.
/// </summary>
/// <param name="Count">Scored examples.</param>
/// <param name="Positives">Examples labelled 1.</param>
/// <param name="Auc">ROC AUC, or null when only one class is present.</param>
/// <param name="Brier">Mean squared error of the score against the label.</param>
/// <param name="LogLoss">Mean cross-entropy.</param>
/// <param name="Threshold">Decision threshold.</param>
/// <param name="Accuracy">(TP + TN) / N.</param>
/// <param name="Precision">TP / (TP + FP), 0 when nothing is predicted positive.</param>
/// <param name="Recall">TP / (TP + FN), 0 when there are no positives.</param>
/// <param name="F1">2 TP / (2 TP + FP + FN), 0 when that is 0 / 0.</param>
/// <param name="Calibration">Reliability bins, ECE and MCE.</param>
public sealed record BinaryClassificationMetrics(
    int Count,
    int Positives,
    double? Auc,
    double Brier,
    double LogLoss,
    double Threshold,
    double Accuracy,
    double Precision,
    double Recall,
    double F1,
    CalibrationResult Calibration)
{
    /// <summary>Default decision threshold.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>Clipping applied to scores before the logarithm (sklearn's historical default eps).</summary>
    public const double LogLossEpsilon = 1e-15;

    /// <summary>Computes every metric; spans must be non-empty and paired.</summary>
    public static BinaryClassificationMetrics Compute(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels, double threshold = DefaultThreshold)
    {
        BinaryLabels.Validate(scores, labels);
        if (scores.IsEmpty)
        {
            throw new ArgumentException("No scored examples.", nameof(scores));
        }

        long tp = 0, fp = 0, fn = 0;
        var logLoss = 0.0;
        for (var i = 0; i < scores.Length; i++)
        {
            var predictedPositive = scores[i] >= threshold;
            var positive = labels[i] == 1;
            tp += predictedPositive && positive ? 1 : 0;
            fp += predictedPositive && !positive ? 1 : 0;
            fn += !predictedPositive && positive ? 1 : 0;
            var p1 = Math.Clamp(scores[i], LogLossEpsilon, 1 - LogLossEpsilon);
            var p0 = 1 - p1;
            var sum = p0 + p1;
            logLoss -= Math.Log((positive ? p1 : p0) / sum);
        }

        double n = scores.Length;
        var tn = scores.Length - tp - fp - fn;
        var precision = tp + fp == 0 ? 0 : tp / (double)(tp + fp);
        var recall = tp + fn == 0 ? 0 : tp / (double)(tp + fn);
        var f1 = (2 * tp) + fp + fn == 0 ? 0 : 2.0 * tp / ((2 * tp) + fp + fn);
        return new BinaryClassificationMetrics(
            scores.Length,
            (int)(tp + fn),
            RocAuc.Compute(scores, labels),
            SquaredDifference.Sum(scores, labels) / n,
            logLoss / n,
            threshold,
            (tp + tn) / n,
            precision,
            recall,
            f1,
            Classification.Calibration.Compute(scores, labels));
    }
}
