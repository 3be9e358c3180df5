namespace Monitoring.Stats.Intervals;

/// <summary>
/// Newcombe's hybrid score interval for a difference of two independent proportions p1 - p2 (Newcombe 1998, method
/// 10), matching <c>statsmodels.stats.proportion.confint_proportions_2indep(count1, nobs1, count2, nobs2,
/// method='newcomb', compare='diff')</c>: with Wilson intervals [l1, u1] and [l2, u2] of each proportion and d = p1 - p2,
/// lower = d - sqrt((p1 - l1)^2 + (u2 - p2)^2) and upper = d + sqrt((u1 - p1)^2 + (p2 - l2)^2). Unlike the Wald
/// interval it stays informative when a proportion is 0 or 1.
/// </summary>
public static class NewcombeDifference
{
    /// <summary>The interval of count1 / nobs1 - count2 / nobs2 (both nobs &gt; 0).</summary>
    public static ConfidenceInterval Interval(long count1, long nobs1, long count2, long nobs2, double alpha = Wilson.DefaultAlpha)
    {
        var w1 = Wilson.Interval(count1, nobs1, alpha);
        var w2 = Wilson.Interval(count2, nobs2, alpha);
        var p1 = count1 / (double)nobs1;
        var p2 = count2 / (double)nobs2;
        var d = p1 - p2;
        var lower = d - Math.Sqrt(Square(p1 - w1.Lower) + Square(w2.Upper - p2));
        var upper = d + Math.Sqrt(Square(w1.Upper - p1) + Square(p2 - w2.Lower));
        return new ConfidenceInterval(lower, upper);
    }

    private static double Square(double x) => x * x;
}
