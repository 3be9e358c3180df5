using Monitoring.Stats.Descriptive;

namespace Monitoring.Stats.Drift;

/// <summary>
/// Population Stability Index: PSI = sum over bins of (c - r) ln(c / r), with r and c the reference and current
/// proportions and every proportion equal to 0 replaced by <see cref="ZeroProportion"/> first (so an empty bin
/// contributes a large but finite term). Symmetric in r and c; 0 for identical distributions.
/// Conventional reading: &lt; 0.1 no shift, 0.1-0.2 moderate, &gt;= <see cref="DefaultThreshold"/> major shift.
/// </summary>
public static class Psi
{
    /// <summary>Replacement for a zero proportion (the common industry convention, also Evidently's).</summary>
    public const double ZeroProportion = 0.0001;

    /// <summary>PSI at or above this is a major shift (the default drift threshold).</summary>
    public const double DefaultThreshold = 0.2;

    /// <summary>PSI of two proportion vectors over the same bins.</summary>
    public static double Compute(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        if (reference.Length != current.Length)
        {
            throw new ArgumentException($"Reference has {reference.Length} bins, current {current.Length}.", nameof(current));
        }

        var terms = reference.Length <= 256 ? stackalloc double[reference.Length] : new double[reference.Length];
        for (var i = 0; i < reference.Length; i++)
        {
            var r = reference[i] == 0 ? ZeroProportion : reference[i];
            var c = current[i] == 0 ? ZeroProportion : current[i];
            terms[i] = (c - r) * Math.Log(c / r);
        }

        return PairwiseSum.Sum(terms);
    }
}
