using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monitoring.Stats.Classification;

/// <summary>Validation shared by the binary-classification metrics: paired spans, scores in [0, 1], labels 0 or 1.</summary>
internal static class BinaryLabels
{
    public static void Validate(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"scores has {scores.Length} values, labels {labels.Length}.", nameof(labels));
        }

        if (AllValid(scores, labels))
        {
            return;
        }

        // Something is invalid: find the first offender for the message.
        for (var i = 0; i < scores.Length; i++)
        {
            if (!(scores[i] >= 0 && scores[i] <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(scores), scores[i], $"Score {i} is not a probability in [0, 1].");
            }

            if (labels[i] != 0 && labels[i] != 1)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label {i} is not 0 or 1.");
            }
        }
    }

    /// <summary>
    /// True when every score is in [0, 1] (NaN is not) and every label is 0 or 1: one branch-free SIMD pass that ANDs
    /// the per-lane checks (a label loop with a branch per element mispredicts on random 0/1 labels).
    /// </summary>
    private static bool AllValid(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        ref var s = ref MemoryMarshal.GetReference(scores);
        ref var y = ref MemoryMarshal.GetReference(labels);
        var n = (nuint)scores.Length;
        nuint i = 0;
        var valid = true;
        if (Vector512.IsHardwareAccelerated)
        {
            var ok = Vector512<double>.AllBitsSet;
            for (; i + (nuint)Vector512<double>.Count <= n; i += (nuint)Vector512<double>.Count)
            {
                var score = Vector512.LoadUnsafe(ref s, i);
                var label = Vector512.LoadUnsafe(ref y, i);
                ok &= Vector512.GreaterThanOrEqual(score, Vector512<double>.Zero) & Vector512.LessThanOrEqual(score, Vector512<double>.One)
                    & (Vector512.Equals(label, Vector512<double>.Zero) | Vector512.Equals(label, Vector512<double>.One));
            }

            valid = ok.AsInt64() == Vector512<long>.AllBitsSet;
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            var ok = Vector256<double>.AllBitsSet;
            for (; i + (nuint)Vector256<double>.Count <= n; i += (nuint)Vector256<double>.Count)
            {
                var score = Vector256.LoadUnsafe(ref s, i);
                var label = Vector256.LoadUnsafe(ref y, i);
                ok &= Vector256.GreaterThanOrEqual(score, Vector256<double>.Zero) & Vector256.LessThanOrEqual(score, Vector256<double>.One)
                    & (Vector256.Equals(label, Vector256<double>.Zero) | Vector256.Equals(label, Vector256<double>.One));
            }

            valid = ok.AsInt64() == Vector256<long>.AllBitsSet;
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var ok = Vector128<double>.AllBitsSet;
            for (; i + (nuint)Vector128<double>.Count <= n; i += (nuint)Vector128<double>.Count)
            {
                var score = Vector128.LoadUnsafe(ref s, i);
                var label = Vector128.LoadUnsafe(ref y, i);
                ok &= Vector128.GreaterThanOrEqual(score, Vector128<double>.Zero) & Vector128.LessThanOrEqual(score, Vector128<double>.One)
                    & (Vector128.Equals(label, Vector128<double>.Zero) | Vector128.Equals(label, Vector128<double>.One));
            }

            valid = ok.AsInt64() == Vector128<long>.AllBitsSet;
        }

        for (; i < n; i++)
        {
            var score = Unsafe.Add(ref s, i);
            var label = Unsafe.Add(ref y, i);
            valid &= score >= 0 && score <= 1 && (label == 0 || label == 1);
        }

        return valid;
    }

    /// <summary>
    /// Validates, then splits the scores by label into ascending-sorted positive and negative arrays (radix sort);
    /// false when one class is absent.
    /// </summary>
    public static bool TrySplitSorted(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels, out double[] positives, out double[] negatives)
    {
        Validate(scores, labels);
        var count = 0;
        foreach (var y in labels)
        {
            count += y == 1 ? 1 : 0;
        }

        positives = new double[count];
        negatives = new double[labels.Length - count];
        if (positives.Length == 0 || negatives.Length == 0)
        {
            return false;
        }

        int p = 0, q = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            if (labels[i] == 1)
            {
                positives[p++] = scores[i];
            }
            else
            {
                negatives[q++] = scores[i];
            }
        }

        Kernels.RadixSort.Sort(positives);
        Kernels.RadixSort.Sort(negatives);
        return true;
    }
}
