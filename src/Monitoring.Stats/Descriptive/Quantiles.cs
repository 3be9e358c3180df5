namespace Monitoring.Stats.Descriptive;

/// <summary>Sample quantiles with numpy's default 'linear' method (Hyndman-Fan type 7).</summary>
public static class Quantiles
{
    /// <summary>The nine deciles 0.1 ... 0.9 (each the double nearest i/10, as the literal list in numpy code).</summary>
    public static ReadOnlySpan<double> Deciles => [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    /// <summary>
    /// Matches <c>numpy.quantile(a, q)</c> for an ascending-sorted, NaN-free sample: virtual index h = (n - 1) q,
    /// result = lerp(a[floor h], a[floor h + 1], h - floor h) with numpy's two-sided lerp (from below for t &lt; 0.5,
    /// from above otherwise), and the last element when h &gt;= n - 1.
    /// </summary>
    /// <exception cref="ArgumentException">The sample is empty or q is outside [0, 1].</exception>
    public static double OfSorted(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("Cannot take a quantile of an empty sample.", nameof(sorted));
        }

        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "Quantile level must be in [0, 1].");
        }

        var n = sorted.Length;
        var virtualIndex = (n - 1) * q;
        if (virtualIndex >= n - 1)
        {
            return sorted[n - 1];
        }

        var previous = Math.Floor(virtualIndex);
        var i = (int)previous;
        var gamma = virtualIndex - previous;
        var a = sorted[i];
        var b = sorted[i + 1];
        var diff = b - a;
        return gamma >= 0.5 ? b - (diff * (1 - gamma)) : a + (diff * gamma);
    }

    /// <summary>Writes <see cref="OfSorted(ReadOnlySpan{double}, double)"/> for each level in <paramref name="levels"/> into <paramref name="result"/>.</summary>
    public static void OfSorted(ReadOnlySpan<double> sorted, ReadOnlySpan<double> levels, Span<double> result)
    {
        if (result.Length != levels.Length)
        {
            throw new ArgumentException($"result has {result.Length} elements; expected {levels.Length}.", nameof(result));
        }

        for (var i = 0; i < levels.Length; i++)
        {
            result[i] = OfSorted(sorted, levels[i]);
        }
    }
}
