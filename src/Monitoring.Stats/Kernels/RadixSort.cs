using System.Buffers;
using System.Runtime.InteropServices;

namespace Monitoring.Stats.Kernels;

/// <summary>
/// Ascending sort of doubles by least-significant-digit radix sort on order-preserving 64-bit keys: O(n), stable,
/// 8-bit digits (256 buckets keep every scatter stream in L1), passes whose digit is the same for every key skipped.
/// </summary>
/// <remarks>
/// The key maps x to its bits with the sign bit flipped when x &gt;= +0 and all bits flipped when x &lt;= -0, so the
/// unsigned order of keys is the numeric order, with -0.0 placed before +0.0 (they compare equal, so any consumer that
/// compares values sees ties either way). NaN is not a number to sort: callers remove nulls first; a positive NaN would
/// land after +inf. Short inputs use the introsort of <see cref="MemoryExtensions.Sort{T}(Span{T})"/>.
/// </remarks>
public static class RadixSort
{
    /// <summary>Below this length the comparison sort is faster than eight histogram passes.</summary>
    internal const int ComparisonSortThreshold = 768;

    private const int DigitBits = 8;
    private const int Radix = 1 << DigitBits;
    private const int Passes = 64 / DigitBits;
    private const ulong SignBit = 1UL << 63;

    /// <summary>Sorts <paramref name="values"/> ascending in place.</summary>
    public static void Sort(Span<double> values)
    {
        if (values.Length < ComparisonSortThreshold)
        {
            values.Sort();
            return;
        }

        var keys = MemoryMarshal.Cast<double, ulong>(values);
        var buffer = ArrayPool<ulong>.Shared.Rent(values.Length);
        var histogram = ArrayPool<int>.Shared.Rent(Passes * Radix);
        try
        {
            SortKeys(keys, buffer.AsSpan(0, values.Length), histogram.AsSpan(0, Passes * Radix));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(histogram);
            ArrayPool<ulong>.Shared.Return(buffer);
        }
    }

    /// <summary>Returns a sorted copy of <paramref name="values"/>.</summary>
    public static double[] SortedCopy(ReadOnlySpan<double> values)
    {
        var copy = values.ToArray();
        Sort(copy);
        return copy;
    }

    private static void SortKeys(Span<ulong> keys, Span<ulong> buffer, Span<int> histogram)
    {
        var n = keys.Length;
        histogram.Clear();
        for (var i = 0; i < n; i++)
        {
            var bits = keys[i];
            var key = (long)bits < 0 ? ~bits : bits | SignBit;
            keys[i] = key;
            for (var p = 0; p < Passes; p++)
            {
                histogram[(p * Radix) + (int)((key >> (p * DigitBits)) & (Radix - 1))]++;
            }
        }

        Span<ulong> src = keys;
        Span<ulong> dst = buffer;
        Span<int> offsets = stackalloc int[Radix];
        for (var p = 0; p < Passes; p++)
        {
            var counts = histogram.Slice(p * Radix, Radix);
            var shift = p * DigitBits;
            if (counts[(int)((src[0] >> shift) & (Radix - 1))] == n)
            {
                continue; // every key has the same digit here
            }

            var running = 0;
            for (var b = 0; b < Radix; b++)
            {
                offsets[b] = running;
                running += counts[b];
            }

            for (var i = 0; i < n; i++)
            {
                var key = src[i];
                dst[offsets[(int)((key >> shift) & (Radix - 1))]++] = key;
            }

            var swap = src;
            src = dst;
            dst = swap;
        }

        if (src != keys)
        {
            src.CopyTo(keys);
        }

        for (var i = 0; i < n; i++)
        {
            var key = keys[i];
            keys[i] = (key & SignBit) != 0 ? key ^ SignBit : ~key;
        }
    }
}
