namespace Monitoring.Stats.Multiple;

/// <summary>
/// Benjamini-Hochberg false-discovery-rate adjustment (step-up), matching
/// <c>statsmodels multipletests(method='fdr_bh')</c> and <c>scipy.stats.false_discovery_control</c>: sort p ascending,
/// q_(i) = min over j &gt;= i of p_(j) m / j, clipped to 1, returned in the input order. NaN p-values are left NaN and
/// do not count towards m.
/// </summary>
public static class BenjaminiHochberg
{
    /// <summary>Adjusted p-values, one per input, in input order.</summary>
    public static double[] Adjust(ReadOnlySpan<double> pValues)
    {
        var adjusted = new double[pValues.Length];
        var order = new List<int>(pValues.Length);
        for (var i = 0; i < pValues.Length; i++)
        {
            if (double.IsNaN(pValues[i]))
            {
                adjusted[i] = double.NaN;
            }
            else if (pValues[i] < 0 || pValues[i] > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(pValues), pValues[i], $"p-value {i} is outside [0, 1].");
            }
            else
            {
                order.Add(i);
            }
        }

        var p = pValues.ToArray();
        order.Sort((a, b) => p[a].CompareTo(p[b]) is var c && c != 0 ? c : a.CompareTo(b));
        var m = order.Count;
        var running = 1.0;
        for (var rank = m; rank >= 1; rank--)
        {
            var i = order[rank - 1];
            running = Math.Min(running, p[i] * m / rank);
            adjusted[i] = running;
        }

        return adjusted;
    }
}
