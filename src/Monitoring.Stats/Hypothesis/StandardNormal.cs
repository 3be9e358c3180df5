using MathNet.Numerics;

namespace Monitoring.Stats.Hypothesis;

/// <summary>
/// The standard normal tail and its inverse, in the forms that keep relative precision far in the tail:
/// sf(z) = erfc(z / sqrt 2) / 2 (scipy.stats.norm.sf) and isf(q) = sqrt 2 erfc^-1(2 q) (scipy.stats.norm.isf), with
/// MathNet's erfc and its inverse (Boost's rational approximations, about 1e-16 relative).
/// </summary>
public static class StandardNormal
{
    /// <summary>Upper tail P(Z &gt; z).</summary>
    public static double Survival(double z) => 0.5 * SpecialFunctions.Erfc(z / Math.Sqrt(2));

    /// <summary>The z with P(Z &gt; z) = <paramref name="upperTail"/> (scipy.stats.norm.isf); isf(0.025) = 1.959963984540054.</summary>
    public static double UpperQuantile(double upperTail)
    {
        if (!(upperTail > 0 && upperTail < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(upperTail), upperTail, "The tail probability must be in (0, 1).");
        }

        return Math.Sqrt(2) * SpecialFunctions.ErfcInv(2 * upperTail);
    }

    /// <summary>Two-sided p-value 2 P(Z &gt; |z|) (statsmodels' two-sided z-tests); 0 for an infinite z, NaN for NaN.</summary>
    public static double TwoSidedPValue(double z) => double.IsNaN(z) ? double.NaN : Math.Min(1.0, 2 * Survival(Math.Abs(z)));

    /// <summary>The two-sided critical value for significance level <paramref name="alpha"/>: isf(alpha / 2).</summary>
    public static double TwoSidedCritical(double alpha)
    {
        if (!(alpha > 0 && alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in (0, 1).");
        }

        return UpperQuantile(alpha / 2);
    }
}
