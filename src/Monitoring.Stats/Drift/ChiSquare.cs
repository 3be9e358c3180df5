using MathNet.Numerics;

namespace Monitoring.Stats.Drift;

/// <summary>Result of a chi-square test of homogeneity.</summary>
/// <param name="Statistic">Pearson's X^2.</param>
/// <param name="PValue">Upper tail of the chi-square distribution with <paramref name="DegreesOfFreedom"/>.</param>
/// <param name="DegreesOfFreedom">(rows - 1)(columns - 1); 0 when there is one category.</param>
public readonly record struct ChiSquareResult(double Statistic, double PValue, int DegreesOfFreedom);

/// <summary>
/// Pearson chi-square test of homogeneity on the 2 x K table of reference and current counts per category, matching
/// <c>scipy.stats.chi2_contingency(table, correction=False)</c>: expected e_ij = row_i col_j / N, X^2 = sum (o - e)^2 / e,
/// dof = K - 1, p = chi2.sf(X^2, dof); with dof 0 the statistic is 0 and p is 1 (scipy's convention).
/// Default drift rule: p &lt; <see cref="DefaultAlpha"/> (after adjustment) together with a Jensen-Shannon distance of at
/// least <see cref="JensenShannon.DefaultThreshold"/>.
/// </summary>
public static class ChiSquare
{
    /// <summary>Significance level for the p-value part of the drift rule.</summary>
    public const double DefaultAlpha = 0.05;

    /// <summary>Runs the test; both rows must have a positive total and every category a positive column total.</summary>
    /// <exception cref="ArgumentException">A row or column total is zero (an expected frequency would be 0).</exception>
    public static ChiSquareResult Homogeneity(ReadOnlySpan<long> reference, ReadOnlySpan<long> current)
    {
        if (reference.Length != current.Length)
        {
            throw new ArgumentException($"Reference has {reference.Length} categories, current {current.Length}.", nameof(current));
        }

        double rowR = 0, rowC = 0;
        for (var j = 0; j < reference.Length; j++)
        {
            if (reference[j] + current[j] == 0)
            {
                throw new ArgumentException($"Category {j} has no observations in either sample.", nameof(reference));
            }

            rowR += reference[j];
            rowC += current[j];
        }

        if (rowR == 0 || rowC == 0)
        {
            throw new ArgumentException($"The {(rowR == 0 ? "reference" : "current")} sample has no observations.", rowR == 0 ? nameof(reference) : nameof(current));
        }

        var dof = reference.Length - 1;
        if (dof == 0)
        {
            return new ChiSquareResult(0.0, 1.0, 0);
        }

        var total = rowR + rowC;
        var statistic = 0.0;
        for (var j = 0; j < reference.Length; j++)
        {
            double column = reference[j] + current[j];
            var expectedR = rowR * column / total;
            var expectedC = rowC * column / total;
            statistic += Square(reference[j] - expectedR) / expectedR;
            statistic += Square(current[j] - expectedC) / expectedC;
        }

        return new ChiSquareResult(statistic, UpperTail(statistic, dof), dof);
    }

    /// <summary>Chi-square survival function Q(dof / 2, x / 2) (regularised upper incomplete gamma).</summary>
    public static double UpperTail(double x, int dof) =>
        x <= 0 ? 1.0 : SpecialFunctions.GammaUpperRegularized(dof / 2.0, x / 2.0);

    private static double Square(double x) => x * x;
}
