namespace Monitoring.Stats.Intervals;

/// <summary>A two-sided confidence interval [<paramref name="Lower"/>, <paramref name="Upper"/>].</summary>
/// <param name="Lower">Lower bound.</param>
/// <param name="Upper">Upper bound.</param>
public readonly record struct ConfidenceInterval(double Lower, double Upper)
{
    /// <summary>Whether <paramref name="value"/> lies in the closed interval.</summary>
    public bool Contains(double value) => value >= Lower && value <= Upper;
}
