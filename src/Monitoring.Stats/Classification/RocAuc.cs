using Monitoring.Stats.Kernels;

namespace Monitoring.Stats.Classification;

/// <summary>
/// Area under the ROC curve of a binary classifier, matching <c>sklearn.metrics.roc_auc_score(labels, scores)</c>:
/// the Mann-Whitney probability that a random positive scores above a random negative, ties counting one half
/// (equal to the trapezoidal area under the ROC curve). Undefined (null) when only one class is present, where sklearn
/// raises. O(n) after radix-sorting the positive and negative scores separately.
/// </summary>
public static class RocAuc
{
    /// <summary>Reason reported when AUC is undefined.</summary>
    public const string OneClassReason = "only one class present in labels; ROC AUC is not defined";

    /// <summary>AUC of scores against 0/1 labels, or null when all labels are equal (or there are none).</summary>
    public static double? Compute(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        return BinaryLabels.TrySplitSorted(scores, labels, out var pos, out var neg) ? FromSorted(pos, neg) : null;
    }

    /// <summary>AUC from ascending-sorted positive and negative scores (both non-empty).</summary>
    public static double FromSorted(ReadOnlySpan<double> positives, ReadOnlySpan<double> negatives)
    {
        // U = sum over positives of (#negatives below + 0.5 #negatives equal); counts are exact in doubles below 2^53.
        double u = 0;
        int i = 0, j = 0;
        while (i < positives.Length)
        {
            var s = positives[i];
            while (j < negatives.Length && negatives[j] < s)
            {
                j++;
            }

            var below = j;
            var equal = 0;
            while (j + equal < negatives.Length && negatives[j + equal] == s)
            {
                equal++;
            }

            var tiedPositives = 0;
            while (i < positives.Length && positives[i] == s)
            {
                i++;
                tiedPositives++;
            }

            u += tiedPositives * (below + (0.5 * equal));
        }

        return u / ((double)positives.Length * negatives.Length);
    }
}
