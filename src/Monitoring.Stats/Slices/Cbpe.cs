using Monitoring.Stats.Classification;
using Monitoring.Stats.Kernels;
using Monitoring.Stats.Sketches;

namespace Monitoring.Stats.Slices;

/// <summary>Performance of a binary classifier estimated from its scores alone.</summary>
/// <param name="Count">Scored examples.</param>
/// <param name="Threshold">Decision threshold (predicted positive when score &gt;= threshold).</param>
/// <param name="ExpectedTruePositives">E[TP] = sum over p &gt;= t of p.</param>
/// <param name="ExpectedFalsePositives">E[FP] = sum over p &gt;= t of (1 - p).</param>
/// <param name="ExpectedFalseNegatives">E[FN] = sum over p &lt; t of p.</param>
/// <param name="ExpectedTrueNegatives">E[TN] = sum over p &lt; t of (1 - p).</param>
/// <param name="Accuracy">(E[TP] + E[TN]) / n.</param>
/// <param name="Precision">E[TP] / (E[TP] + E[FP]); 0 when nothing is predicted positive.</param>
/// <param name="Recall">E[TP] / (E[TP] + E[FN]); 0 when every score is 0.</param>
/// <param name="F1">2 E[TP] / (2 E[TP] + E[FP] + E[FN]); 0 when that is 0 / 0.</param>
/// <param name="RocAuc">
/// Expected ROC AUC; from raw scores Lower = Upper = Estimate; from a sketch the trapezoid over the bin edges with a
/// guaranteed upper bound. Null when every score is 0 or every score is 1.
/// </param>
public sealed record CbpeEstimate(
    long Count,
    double Threshold,
    double ExpectedTruePositives,
    double ExpectedFalsePositives,
    double ExpectedFalseNegatives,
    double ExpectedTrueNegatives,
    double Accuracy,
    double Precision,
    double Recall,
    double F1,
    BoundedEstimate? RocAuc);

/// <summary>
/// Confidence-based performance estimation (CBPE, as in NannyML) for a calibrated binary classifier: when scores are
/// calibrated, a score p is the probability that the label is 1, so each prediction contributes p to the expected
/// true positives (if p &gt;= t) or false negatives (if p &lt; t) and 1 - p to the expected false positives or true
/// negatives. Accuracy, precision, recall and F1 are those of the expected confusion matrix (precision, recall and F1
/// 0 on 0 / 0, as sklearn's zero_division=0). The expected ROC AUC is the trapezoidal area under the expected ROC curve
/// through (0, 0) and, for each distinct score t from the highest down, (FPR(t), TPR(t)) with
/// TPR(t) = sum_{p&gt;=t} p / sum p and FPR(t) = sum_{p&gt;=t} (1 - p) / sum (1 - p); it is computed as the equal
/// weighted Mann-Whitney sum U = sum over distinct t of P_t (Q_below + Q_t / 2) / (sum p sum (1 - p)), with P_t and Q_t
/// the sums of p and 1 - p over the scores equal to t, in O(n log n). Matches numpy of these definitions
/// (Fixtures/generate_slice_fixtures.py). The estimate is only as good as the calibration.
/// </summary>
public static class Cbpe
{
    /// <summary>Estimates from raw scores in [0, 1].</summary>
    public static CbpeEstimate Estimate(ReadOnlySpan<double> scores, double threshold = BinaryClassificationMetrics.DefaultThreshold)
    {
        if (scores.IsEmpty)
        {
            throw new ArgumentException("No scores.", nameof(scores));
        }

        double tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var p = scores[i];
            if (!(p >= 0 && p <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(scores), p, $"Score {i} is not a probability in [0, 1].");
            }

            if (p >= threshold)
            {
                tp += p;
                fp += 1 - p;
            }
            else
            {
                fn += p;
                tn += 1 - p;
            }
        }

        var auc = ExpectedRocAuc(scores);
        return Build(scores.Length, threshold, tp, fp, fn, tn, auc is { } a ? new BoundedEstimate(a, a, a) : null);
    }

    /// <summary>The expected ROC AUC of raw scores; null when every score is 0 or every score is 1.</summary>
    public static double? ExpectedRocAuc(ReadOnlySpan<double> scores)
    {
        var sorted = RadixSort.SortedCopy(scores);
        double u = 0, below = 0, totalP = 0;
        var i = 0;
        while (i < sorted.Length)
        {
            var t = sorted[i];
            if (!(t >= 0 && t <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(scores), t, "Scores must be probabilities in [0, 1].");
            }

            double p = 0, q = 0;
            while (i < sorted.Length && sorted[i] == t)
            {
                p += sorted[i];
                q += 1 - sorted[i];
                i++;
            }

            u += p * (below + (0.5 * q));
            below += q;
            totalP += p;
        }

        return totalP > 0 && below > 0 ? u / (totalP * below) : null;
    }

    /// <summary>
    /// Estimates from a score sketch at its own threshold, exactly (up to summation order): the sketch keeps the sum
    /// of the scores at or above its threshold, and the per-bin score sums give sum p. The expected ROC AUC is the
    /// trapezoid through the fine-bin edges (each bin one tied value); see <see cref="ExpectedRocAuc(ScoreHistogramSketch)"/>.
    /// </summary>
    public static CbpeEstimate FromSketch(ScoreHistogramSketch sketch)
    {
        ArgumentNullException.ThrowIfNull(sketch);
        RequireScores(sketch);
        var (totalP, _) = Totals(sketch);
        var tp = sketch.PredictedPositiveScoreSum;
        var fp = sketch.PredictedPositives - tp;
        var fn = totalP - tp;
        var tn = sketch.Count - sketch.PredictedPositives - fn;
        return Build(sketch.Count, sketch.Threshold, tp, fp, fn, tn, ExpectedRocAuc(sketch));
    }

    /// <summary>
    /// Estimates from a score sketch at a threshold that is one of its fine-bin edges (0, an inner edge, or 1), from the
    /// per-bin score sums. Bin b holds the scores in (edge b, edge b+1] (numpy searchsorted 'left'), so the bins above
    /// edge t hold exactly the scores p &gt; t: the estimate is exact for the rule p &gt; t, which equals p &gt;= t unless
    /// a score lies exactly on the edge (such scores are counted as predicted negative); at t = 0 every score counts as
    /// predicted positive. At the sketch's own threshold use <see cref="FromSketch(ScoreHistogramSketch)"/>, which is
    /// exact for p &gt;= t.
    /// </summary>
    public static CbpeEstimate FromSketch(ScoreHistogramSketch sketch, double threshold)
    {
        ArgumentNullException.ThrowIfNull(sketch);
        RequireScores(sketch);
        var inner = sketch.FineEdges.Edges;
        int firstPositiveBin;
        if (threshold == 0)
        {
            firstPositiveBin = 0;
        }
        else if (threshold == 1)
        {
            firstPositiveBin = inner.Length + 1;
        }
        else
        {
            var k = inner.IndexOf(threshold);
            if (k < 0)
            {
                throw new ArgumentException($"Threshold {threshold} is not an edge of the sketch's fine bins.", nameof(threshold));
            }

            firstPositiveBin = k + 1;
        }

        double tp = 0, fp = 0, fn = 0, tn = 0;
        var positives = sketch.PositiveBinCounts;
        var negatives = sketch.NegativeBinCounts;
        var positiveSums = sketch.PositiveBinScoreSums;
        var negativeSums = sketch.NegativeBinScoreSums;
        for (var b = 0; b < positives.Length; b++)
        {
            var p = positiveSums[b] + negativeSums[b];
            var q = Math.Max(0, positives[b] + negatives[b] - p);
            if (b >= firstPositiveBin)
            {
                tp += p;
                fp += q;
            }
            else
            {
                fn += p;
                tn += q;
            }
        }

        return Build(sketch.Count, threshold, tp, fp, fn, tn, ExpectedRocAuc(sketch));
    }

    /// <summary>
    /// Expected ROC AUC from a sketch: the trapezoid through the expected ROC points at the fine-bin edges (each bin
    /// one tied value with P_b = its score sum and Q_b = its count - P_b). The expected ROC curve of the raw scores is
    /// concave (its slope between consecutive scores, p / (1 - p) times a constant, falls as the threshold falls), so the
    /// chord through a bin lies below it and the raw-score value is at least this estimate and at most the estimate plus
    /// 0.5 sum_b P_b Q_b / (sum P sum Q): the result is Estimate = Lower = the trapezoid, Upper = that bound. Null when
    /// sum P or sum Q is 0, or the sketch is empty.
    /// </summary>
    public static BoundedEstimate? ExpectedRocAuc(ScoreHistogramSketch sketch)
    {
        ArgumentNullException.ThrowIfNull(sketch);
        var positives = sketch.PositiveBinCounts;
        var negatives = sketch.NegativeBinCounts;
        var positiveSums = sketch.PositiveBinScoreSums;
        var negativeSums = sketch.NegativeBinScoreSums;
        double u = 0, below = 0, totalP = 0, ties = 0;
        for (var b = 0; b < positives.Length; b++)
        {
            var p = positiveSums[b] + negativeSums[b];
            var q = Math.Max(0, positives[b] + negatives[b] - p);
            u += p * (below + (0.5 * q));
            ties += p * q;
            below += q;
            totalP += p;
        }

        if (!(totalP > 0 && below > 0))
        {
            return null;
        }

        var pairs = totalP * below;
        var estimate = u / pairs;
        return new BoundedEstimate(estimate, estimate, Math.Min(1, (u + (0.5 * ties)) / pairs));
    }

    private static (double P, double Q) Totals(ScoreHistogramSketch sketch)
    {
        double p = 0;
        foreach (var s in sketch.PositiveBinScoreSums)
        {
            p += s;
        }

        foreach (var s in sketch.NegativeBinScoreSums)
        {
            p += s;
        }

        return (p, sketch.Count - p);
    }

    private static void RequireScores(ScoreHistogramSketch sketch)
    {
        if (sketch.Count == 0)
        {
            throw new ArgumentException("The sketch holds no scores.", nameof(sketch));
        }
    }

    private static CbpeEstimate Build(long n, double threshold, double tp, double fp, double fn, double tn, BoundedEstimate? auc)
    {
        var precision = tp + fp > 0 ? tp / (tp + fp) : 0;
        var recall = tp + fn > 0 ? tp / (tp + fn) : 0;
        var f1Denominator = (2 * tp) + fp + fn;
        var f1 = f1Denominator > 0 ? 2 * tp / f1Denominator : 0;
        return new CbpeEstimate(n, threshold, tp, fp, fn, tn, (tp + tn) / n, precision, recall, f1, auc);
    }
}
