using Monitoring.Stats.Hypothesis;

namespace Monitoring.Stats.Intervals;

/// <summary>
/// Wilson score interval for a binomial proportion, matching
/// <c>statsmodels.stats.proportion.proportion_confint(count, nobs, alpha, method='wilson')</c>: with q = count / nobs,
/// z = norm.isf(alpha / 2) and d = 1 + z^2 / nobs, centre = (q + z^2 / (2 nobs)) / d and half-width
/// = z sqrt(q (1 - q) / nobs + z^2 / (4 nobs^2)) / d (Wilson 1927). The bounds are clipped to [0, 1]: at count 0 or
/// nobs statsmodels' bound is 0 or 1 up to a rounding error of about 1e-17, which the clip removes.
/// </summary>
public static class Wilson
{
    /// <summary>Default significance level (a 95% interval).</summary>
    public const double DefaultAlpha = 0.05;

    /// <summary>The interval for <paramref name="count"/> successes in <paramref name="nobs"/> trials (nobs &gt; 0).</summary>
    public static ConfidenceInterval Interval(long count, long nobs, double alpha = DefaultAlpha)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nobs, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, nobs);
        var z = StandardNormal.TwoSidedCritical(alpha);
        double n = nobs;
        var q = count / n;
        var z2 = z * z;
        var denominator = 1 + (z2 / n);
        var centre = (q + (z2 / (2 * n))) / denominator;
        var half = z * Math.Sqrt((q * (1 - q) / n) + (z2 / (4 * n * n))) / denominator;
        return new ConfidenceInterval(Math.Clamp(centre - half, 0, 1), Math.Clamp(centre + half, 0, 1));
    }

    /// <summary>As <see cref="Interval"/>, or null when there are no trials (the proportion is undefined).</summary>
    public static ConfidenceInterval? IntervalOrNull(long count, long nobs, double alpha = DefaultAlpha) =>
        nobs == 0 ? null : Interval(count, nobs, alpha);
}
