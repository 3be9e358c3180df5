using Monitoring.Stats.Descriptive;

namespace Monitoring.Stats.Drift;

/// <summary>
/// Jensen-Shannon distance with base-2 logarithms, matching <c>scipy.spatial.distance.jensenshannon(r, c, base=2)</c>:
/// both vectors are normalised to sum 1, m = (r + c) / 2, JS = sqrt((KL(r||m) + KL(c||m)) / 2) with 0 ln 0 = 0.
/// In [0, 1]; 0 for identical distributions, 1 for disjoint supports.
/// </summary>
public static class JensenShannon
{
    /// <summary>Default drift threshold on the distance (Evidently's default for its JS test).</summary>
    public const double DefaultThreshold = 0.1;

    /// <summary>Jensen-Shannon distance (base 2) of two non-negative vectors over the same bins.</summary>
    public static double Distance(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        if (reference.Length != current.Length)
        {
            throw new ArgumentException($"Reference has {reference.Length} bins, current {current.Length}.", nameof(current));
        }

        var sumR = PairwiseSum.Sum(reference);
        var sumC = PairwiseSum.Sum(current);
        var left = reference.Length <= 256 ? stackalloc double[reference.Length] : new double[reference.Length];
        var right = reference.Length <= 256 ? stackalloc double[reference.Length] : new double[reference.Length];
        for (var i = 0; i < reference.Length; i++)
        {
            var r = reference[i] / sumR;
            var c = current[i] / sumC;
            var m = (r + c) / 2.0;
            left[i] = RelativeEntropy(r, m);
            right[i] = RelativeEntropy(c, m);
        }

        var js = (PairwiseSum.Sum(left) + PairwiseSum.Sum(right)) / Math.Log(2.0);
        return Math.Sqrt(js / 2.0);
    }

    /// <summary>scipy.special.rel_entr: x ln(x / y) for x, y &gt; 0; 0 when x = 0.</summary>
    private static double RelativeEntropy(double x, double y) =>
        x > 0 && y > 0 ? x * Math.Log(x / y) : x == 0 && y >= 0 ? 0 : double.PositiveInfinity;
}
