namespace Monitoring.Stats.Drift;

/// <summary>
/// One merge pass over two ascending-sorted samples walking their empirical CDFs F1, F2 over the distinct values of the
/// union: gives the two-sample KS statistic sup |F1 - F2| and the Wasserstein-1 distance, the integral of |F1 - F2|.
/// O(n1 + n2) after sorting; ties (including -0.0 and +0.0) are consumed together, as searchsorted(side='right') does.
/// </summary>
internal static class EmpiricalCdf
{
    /// <summary>KS statistic and Wasserstein-1 distance of two sorted, NaN-free, non-empty samples.</summary>
    public static (double Ks, double Wasserstein) Compare(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double n1 = a.Length, n2 = b.Length;
        int i = 0, j = 0;
        double maxDiff = 0, minDiff = 0, area = 0;
        var previous = Math.Min(a[0], b[0]);
        var previousGap = 0.0;
        while (i < a.Length || j < b.Length)
        {
            var value = i < a.Length && (j >= b.Length || a[i] <= b[j]) ? a[i] : b[j];
            area += previousGap * (value - previous); // |F1 - F2| is constant on [previous, value)
            while (i < a.Length && a[i] == value)
            {
                i++;
            }

            while (j < b.Length && b[j] == value)
            {
                j++;
            }

            var diff = (i / n1) - (j / n2);
            maxDiff = Math.Max(maxDiff, diff);
            minDiff = Math.Min(minDiff, diff);
            previousGap = Math.Abs(diff);
            previous = value;
        }

        return (Math.Min(Math.Max(maxDiff, -minDiff), 1.0), area);
    }
}
