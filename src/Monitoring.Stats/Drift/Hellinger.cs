using Monitoring.Stats.Descriptive;

namespace Monitoring.Stats.Drift;

/// <summary>
/// Hellinger distance of two proportion vectors: H = sqrt(1 - sum sqrt(r c)) on the raw proportions, the inner term
/// clipped at 0 when rounding makes the Bhattacharyya coefficient exceed 1. In [0, 1].
/// </summary>
public static class Hellinger
{
    /// <summary>Default drift threshold on the distance.</summary>
    public const double DefaultThreshold = 0.1;

    /// <summary>Hellinger distance of two proportion vectors over the same bins.</summary>
    public static double Distance(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        if (reference.Length != current.Length)
        {
            throw new ArgumentException($"Reference has {reference.Length} bins, current {current.Length}.", nameof(current));
        }

        var terms = reference.Length <= 256 ? stackalloc double[reference.Length] : new double[reference.Length];
        for (var i = 0; i < reference.Length; i++)
        {
            terms[i] = Math.Sqrt(reference[i] * current[i]);
        }

        var bc = PairwiseSum.Sum(terms);
        return Math.Sqrt(Math.Max(0.0, 1.0 - bc));
    }
}
