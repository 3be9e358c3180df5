namespace Monitoring.Stats.Hypothesis;

/// <summary>Result of a z-test.</summary>
/// <param name="Difference">The estimated difference (first minus second).</param>
/// <param name="StandardError">Standard error of the difference used by the test.</param>
/// <param name="Z">Difference / standard error (0 when both are 0; infinite when only the error is 0).</param>
/// <param name="PValue">Two-sided p-value 2 P(Z &gt; |z|).</param>
public readonly record struct ZTestResult(double Difference, double StandardError, double Z, double PValue)
{
    /// <summary>z and p for a difference and its standard error: 0 / 0 is z = 0, p = 1; d / 0 is z = +-inf, p = 0.</summary>
    public static ZTestResult FromDifference(double difference, double standardError)
    {
        double z;
        if (standardError == 0)
        {
            z = difference == 0 ? 0 : difference > 0 ? double.PositiveInfinity : double.NegativeInfinity;
        }
        else
        {
            z = difference / standardError;
        }

        return new ZTestResult(difference, standardError, z, StandardNormal.TwoSidedPValue(z));
    }
}

/// <summary>
/// Two-sample z-test for equal proportions with the pooled variance, two-sided, matching
/// <c>statsmodels.stats.proportion.proportions_ztest([x1, x2], [n1, n2])</c>: d = x1 / n1 - x2 / n2,
/// p = (x1 + x2) / (n1 + n2), SE = sqrt(p (1 - p) (1 / n1 + 1 / n2)), z = d / SE, p-value = 2 sf(|z|).
/// Where the pooled proportion is 0 or 1 (both samples all failures or all successes) statsmodels returns NaN from 0 / 0;
/// here the proportions are equal, so z = 0 and p = 1.
/// </summary>
public static class TwoProportionZTest
{
    /// <summary>Tests count1 / nobs1 against count2 / nobs2 (both nobs &gt; 0).</summary>
    public static ZTestResult Test(long count1, long nobs1, long count2, long nobs2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nobs1, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(nobs2, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(count1);
        ArgumentOutOfRangeException.ThrowIfNegative(count2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count1, nobs1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count2, nobs2);
        var difference = (count1 / (double)nobs1) - (count2 / (double)nobs2);
        var pooled = (count1 + count2) / (double)(nobs1 + nobs2);
        var standardError = Math.Sqrt(pooled * (1 - pooled) * ((1.0 / nobs1) + (1.0 / nobs2)));
        return ZTestResult.FromDifference(difference, standardError);
    }
}
