namespace Monitoring.Stats.Drift;

/// <summary>Result of a two-sample Kolmogorov-Smirnov test.</summary>
/// <param name="Statistic">D = sup |F_ref - F_cur| (in exact mode rounded to h / lcm(n1, n2), as scipy reports it).</param>
/// <param name="PValue">Two-sided p-value.</param>
/// <param name="Method">Exact distribution or the asymptotic one.</param>
public readonly record struct KsTestResult(double Statistic, double PValue, KsPValueMethod Method);

/// <summary>
/// Two-sample Kolmogorov-Smirnov test, two-sided, matching <c>scipy.stats.ks_2samp(ref, cur, alternative='two-sided',
/// method='auto')</c>: statistic D = max over the pooled sample of |F_ref(x) - F_cur(x)| with right-continuous ECDFs;
/// p-value from the exact null distribution when max(n1, n2) &lt;= 10000, else scipy's asymptotic kstwo.sf(D, round(n1 n2 / (n1 + n2))).
/// Default drift rule: p &lt; <see cref="DefaultAlpha"/> (after multiple-test adjustment) together with D &gt;= <see cref="DefaultMinimumEffect"/>.
/// </summary>
public static class KolmogorovSmirnov
{
    /// <summary>Significance level for the p-value part of the drift rule.</summary>
    public const double DefaultAlpha = 0.05;

    /// <summary>Smallest D called drift: at large n every p-value is tiny, so the effect must be material too.</summary>
    public const double DefaultMinimumEffect = 0.1;

    /// <summary>Runs the test on two ascending-sorted, NaN-free, non-empty samples.</summary>
    public static KsTestResult TestSorted(ReadOnlySpan<double> sortedReference, ReadOnlySpan<double> sortedCurrent)
    {
        RequireNonEmpty(sortedReference, sortedCurrent);
        var (d, _) = EmpiricalCdf.Compare(sortedReference, sortedCurrent);
        return FromStatistic(sortedReference.Length, sortedCurrent.Length, d);
    }

    /// <summary>p-value and scipy-reported statistic for an observed D.</summary>
    public static KsTestResult FromStatistic(int n1, int n2, double d)
    {
        var p = KolmogorovSmirnovDistribution.TwoSided(n1, n2, d);
        return new KsTestResult(p.Statistic, p.PValue, p.Method);
    }

    internal static void RequireNonEmpty(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.IsEmpty || b.IsEmpty)
        {
            throw new ArgumentException("Both samples must be non-empty.", a.IsEmpty ? "reference" : "current");
        }
    }
}
