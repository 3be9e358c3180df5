namespace Monitoring.Stats.Descriptive;

/// <summary>
/// Summation in numpy's order (<c>numpy.sum</c> over a contiguous float64 array): sequential below 8 elements, eight
/// interleaved partial sums combined as ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)) up to 128, recursive halving above.
/// Used where a definition is sensitive to the last bit of a sum (e.g. Hellinger's sqrt(1 - sum) near 0), so results
/// reproduce the reference bit for bit; error grows as O(log n) ulps instead of O(n).
/// </summary>
public static class PairwiseSum
{
    private const int BlockSize = 128;

    /// <summary>Sum of <paramref name="values"/> in numpy's pairwise order.</summary>
    public static double Sum(ReadOnlySpan<double> values)
    {
        var n = values.Length;
        if (n < 8)
        {
            var s = -0.0; // numpy starts from -0.0 so that a sum of -0.0 stays -0.0
            foreach (var v in values)
            {
                s += v;
            }

            return s;
        }

        if (n <= BlockSize)
        {
            double r0 = values[0], r1 = values[1], r2 = values[2], r3 = values[3];
            double r4 = values[4], r5 = values[5], r6 = values[6], r7 = values[7];
            var i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                r0 += values[i];
                r1 += values[i + 1];
                r2 += values[i + 2];
                r3 += values[i + 3];
                r4 += values[i + 4];
                r5 += values[i + 5];
                r6 += values[i + 6];
                r7 += values[i + 7];
            }

            var res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
            for (; i < n; i++)
            {
                res += values[i];
            }

            return res;
        }

        var half = n / 2;
        half -= half % 8;
        return Sum(values[..half]) + Sum(values[half..]);
    }
}
