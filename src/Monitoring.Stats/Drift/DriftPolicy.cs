namespace Monitoring.Stats.Drift;

/// <summary>A drift call and the rule that made it.</summary>
/// <param name="Drifted">Whether the feature is called drifted.</param>
/// <param name="Method">The rule applied, e.g. <c>psi&gt;=0.2|ks(p_bh&lt;0.05,D&gt;=0.1)</c>.</param>
/// <param name="Reasons">Which parts of the rule fired (empty when not drifted), or why no call was made.</param>
public sealed record DriftDecision(bool Drifted, string Method, IReadOnlyList<string> Reasons);

/// <summary>
/// The default drift rule, on effect size first: at large n every p-value is tiny, so a test only counts together with a
/// material effect, and small samples make no call at all.
/// <list type="bullet">
/// <item>numeric: PSI &gt;= 0.2, or (KS p-value after Benjamini-Hochberg &lt; 0.05 and D &gt;= 0.1);</item>
/// <item>categorical: PSI &gt;= 0.2, or (chi-square p-value after Benjamini-Hochberg &lt; 0.05 and JS distance &gt;= 0.1);</item>
/// <item>no call (not drifted, reason <c>insufficient_data</c>) when either sample has fewer than 30 non-null values.</item>
/// </list>
/// </summary>
public sealed record DriftPolicy
{
    /// <summary>Fewest non-null values per sample before a drift call is made.</summary>
    public const int DefaultMinimumSampleSize = 30;

    /// <summary>The defaults above.</summary>
    public static DriftPolicy Default { get; } = new();

    /// <summary>Fewest non-null values per sample before a call is made.</summary>
    public int MinimumSampleSize { get; init; } = DefaultMinimumSampleSize;

    /// <summary>PSI threshold (major shift).</summary>
    public double PsiThreshold { get; init; } = Psi.DefaultThreshold;

    /// <summary>Significance level applied to Benjamini-Hochberg adjusted p-values.</summary>
    public double Alpha { get; init; } = KolmogorovSmirnov.DefaultAlpha;

    /// <summary>Smallest KS D that counts as drift.</summary>
    public double KsMinimumEffect { get; init; } = KolmogorovSmirnov.DefaultMinimumEffect;

    /// <summary>Smallest Jensen-Shannon distance that counts as categorical drift.</summary>
    public double JensenShannonMinimumEffect { get; init; } = JensenShannon.DefaultThreshold;

    /// <summary>The numeric rule as a string.</summary>
    public string NumericMethod => FormattableString.Invariant($"psi>={PsiThreshold}|ks(p_bh<{Alpha},D>={KsMinimumEffect})");

    /// <summary>The categorical rule as a string.</summary>
    public string CategoricalMethod => FormattableString.Invariant($"psi>={PsiThreshold}|chi_square(p_bh<{Alpha},js>={JensenShannonMinimumEffect})");

    /// <summary>Decides a numeric feature given its result and its adjusted KS p-value.</summary>
    public DriftDecision DecideNumeric(NumericDriftResult result, double adjustedKsPValue) =>
        Decide(NumericMethod, Math.Min(result.ReferenceCount, result.CurrentCount), result.Psi,
            "ks", adjustedKsPValue, result.Ks.Statistic >= KsMinimumEffect);

    /// <summary>Decides a categorical feature given its result and its adjusted chi-square p-value.</summary>
    public DriftDecision DecideCategorical(CategoricalDriftResult result, double adjustedChiSquarePValue) =>
        Decide(CategoricalMethod, Math.Min(result.ReferenceTotal, result.CurrentTotal), result.Psi,
            "chi_square", adjustedChiSquarePValue, result.JensenShannon >= JensenShannonMinimumEffect);

    /// <summary>
    /// Decides from estimated statistics (e.g. from sketches): <paramref name="effect"/> is the KS D for a numeric
    /// feature and the Jensen-Shannon distance for a categorical one.
    /// </summary>
    public DriftDecision DecideEstimated(bool numeric, long smallerSample, double psi, double adjustedPValue, double effect) =>
        numeric
            ? Decide(NumericMethod, smallerSample, psi, "ks", adjustedPValue, effect >= KsMinimumEffect)
            : Decide(CategoricalMethod, smallerSample, psi, "chi_square", adjustedPValue, effect >= JensenShannonMinimumEffect);

    private DriftDecision Decide(string method, long smallerSample, double psi, string test, double adjustedP, bool materialEffect)
    {
        if (smallerSample < MinimumSampleSize)
        {
            return new DriftDecision(false, method, [FormattableString.Invariant($"insufficient_data(n<{MinimumSampleSize})")]);
        }

        var reasons = new List<string>();
        if (psi >= PsiThreshold)
        {
            reasons.Add("psi");
        }

        if (adjustedP < Alpha && materialEffect)
        {
            reasons.Add(test);
        }

        return new DriftDecision(reasons.Count > 0, method, reasons);
    }
}
