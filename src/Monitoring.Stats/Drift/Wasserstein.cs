namespace Monitoring.Stats.Drift;

/// <summary>
/// Wasserstein-1 (earth mover's) distance between two samples, matching <c>scipy.stats.wasserstein_distance(u, v)</c>:
/// the integral over x of |F_u(x) - F_v(x)|, in the units of the feature. Scale-dependent, so the drift rule reads it
/// relative to the reference standard deviation (<see cref="DefaultNormalizedThreshold"/>).
/// </summary>
public static class Wasserstein
{
    /// <summary>Drift when W1 / std(reference) reaches this (Evidently's default for its normed Wasserstein test).</summary>
    public const double DefaultNormalizedThreshold = 0.1;

    /// <summary>W1 of two ascending-sorted, NaN-free, non-empty samples.</summary>
    public static double DistanceSorted(ReadOnlySpan<double> sortedU, ReadOnlySpan<double> sortedV)
    {
        KolmogorovSmirnov.RequireNonEmpty(sortedU, sortedV);
        return EmpiricalCdf.Compare(sortedU, sortedV).Wasserstein;
    }
}
