namespace Monitoring.Stats.Drift;

/// <summary>Every categorical drift statistic for one feature.</summary>
/// <param name="Categories">Union of both samples' categories in ordinal (code point) order.</param>
/// <param name="ReferenceCounts">Reference count per category.</param>
/// <param name="CurrentCounts">Current count per category.</param>
/// <param name="Psi">PSI over categories (zero proportions replaced by 0.0001).</param>
/// <param name="JensenShannon">Jensen-Shannon distance (base 2) over categories.</param>
/// <param name="Hellinger">Hellinger distance over categories.</param>
/// <param name="ChiSquare">Chi-square test of homogeneity; null when a sample is empty.</param>
/// <param name="NewCategories">Categories seen in current but not in reference.</param>
/// <param name="MissingCategories">Categories seen in reference but not in current.</param>
public sealed record CategoricalDriftResult(
    string[] Categories,
    long[] ReferenceCounts,
    long[] CurrentCounts,
    double Psi,
    double JensenShannon,
    double Hellinger,
    ChiSquareResult? ChiSquare,
    string[] NewCategories,
    string[] MissingCategories)
{
    /// <summary>Non-null reference observations.</summary>
    public long ReferenceTotal => ReferenceCounts.Sum();

    /// <summary>Non-null current observations.</summary>
    public long CurrentTotal => CurrentCounts.Sum();
}

/// <summary>Computes <see cref="CategoricalDriftResult"/> from category counts; one bin per category in the union.</summary>
public static class CategoricalDrift
{
    /// <summary>Counts must be non-negative; both samples must have at least one observation.</summary>
    public static CategoricalDriftResult Compute(IReadOnlyDictionary<string, long> reference, IReadOnlyDictionary<string, long> current)
    {
        var categories = reference.Keys.Union(current.Keys).Where(k => Get(reference, k) + Get(current, k) > 0)
            .Order(StringComparer.Ordinal).ToArray();
        var r = categories.Select(k => Get(reference, k)).ToArray();
        var c = categories.Select(k => Get(current, k)).ToArray();
        if (r.Sum() == 0 || c.Sum() == 0)
        {
            throw new ArgumentException($"The {(r.Sum() == 0 ? "reference" : "current")} sample has no observations.", r.Sum() == 0 ? nameof(reference) : nameof(current));
        }

        var rp = ReferenceBinning.Proportions(r);
        var cp = ReferenceBinning.Proportions(c);
        var newCategories = categories.Where((_, i) => r[i] == 0).ToArray();
        var missing = categories.Where((_, i) => c[i] == 0).ToArray();
        return new CategoricalDriftResult(
            categories,
            r,
            c,
            Psi.Compute(rp, cp),
            JensenShannon.Distance(rp, cp),
            Hellinger.Distance(rp, cp),
            ChiSquare.Homogeneity(r, c),
            newCategories,
            missing);
    }

    private static long Get(IReadOnlyDictionary<string, long> counts, string key)
    {
        if (!counts.TryGetValue(key, out var n))
        {
            return 0;
        }

        return n >= 0 ? n : throw new ArgumentException($"Category '{key}' has a negative count ({n}).", nameof(counts));
    }
}
