using Monitoring.Stats.Classification;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Kernels;
using Monitoring.Stats.Multiple;

namespace Monitoring.Stats.Slices;

/// <summary>One slice's prediction drift: its score distribution now against the same slice in the reference.</summary>
/// <param name="Count">Scored predictions of the slice now.</param>
/// <param name="ReferenceCount">Scored predictions of the slice in the reference.</param>
/// <param name="Psi">PSI over the score bins (zero proportions replaced by 0.0001); null without both samples.</param>
/// <param name="JensenShannon">Jensen-Shannon distance (base 2) over the score bins; null without both samples.</param>
/// <param name="ChiSquare">Chi-square test of homogeneity over the bins either sample occupies; null without both samples.</param>
/// <param name="AdjustedPValue">Chi-square p-value after Benjamini-Hochberg across every slice with both samples.</param>
/// <param name="Decision">The drift call (<see cref="DriftPolicy.DecideEstimated"/>, categorical rule on the bins).</param>
public sealed record SliceDriftResult(
    long Count,
    long ReferenceCount,
    double? Psi,
    double? JensenShannon,
    ChiSquareResult? ChiSquare,
    double? AdjustedPValue,
    DriftDecision Decision);

/// <summary>
/// Drift of the prediction per slice. A slice's scores are counted over <see cref="BinCount"/> uniform bins of [0, 1]
/// (the reliability bins: numpy <c>searchsorted(linspace(0, 1, 11)[1:-1], score, side='left')</c>), now and in the
/// reference, and compared as a categorical distribution over the bins: PSI, Jensen-Shannon distance, chi-square test of
/// homogeneity (as <c>scipy.stats.chi2_contingency</c> without continuity correction, over the bins either sample
/// occupies), p-values adjusted with Benjamini-Hochberg across the slices compared together, and the drift call of
/// <see cref="DriftPolicy"/> (PSI &gt;= 0.2, or adjusted p &lt; 0.05 with JS &gt;= 0.1; no call below the minimum
/// sample size). Comparing a slice with the same slice in the reference (not with the whole model) keeps a segment that
/// always scored differently from being called drifted.
/// </summary>
public static class SlicePredictionDrift
{
    private static readonly BinEdges ScoreBins = new(Calibration.UniformEdges(Calibration.DefaultBinCount).AsSpan(1, Calibration.DefaultBinCount - 1));

    /// <summary>Score bins per slice.</summary>
    public const int BinCount = Calibration.DefaultBinCount;

    /// <summary>The bin of a score in [0, 1].</summary>
    public static int BinOf(double score) => ScoreBins.BinOf(score);

    /// <summary>
    /// Compares each slice's current bin counts with its reference bin counts (null or all zero: no reference for that
    /// slice, no call); the chi-square p-values of the slices with both samples form one Benjamini-Hochberg family.
    /// </summary>
    public static SliceDriftResult[] Compare(IReadOnlyList<(long[] Current, long[]? Reference)> slices, DriftPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(slices);
        policy ??= DriftPolicy.Default;
        var partial = new (long Count, long ReferenceCount, double Psi, double Js, ChiSquareResult? Chi)[slices.Count];
        var tested = new List<int>();
        for (var i = 0; i < slices.Count; i++)
        {
            var (current, reference) = slices[i];
            if (current.Length != BinCount || (reference is not null && reference.Length != BinCount))
            {
                throw new ArgumentException($"Slice {i} does not have {BinCount} score bins.", nameof(slices));
            }

            var n = current.Sum();
            var m = reference?.Sum() ?? 0;
            if (n == 0 || m == 0)
            {
                partial[i] = (n, m, double.NaN, double.NaN, null);
                continue;
            }

            var occupied = Enumerable.Range(0, BinCount).Where(b => current[b] + reference![b] > 0).ToArray();
            var r = occupied.Select(b => reference![b]).ToArray();
            var c = occupied.Select(b => current[b]).ToArray();
            var rp = ReferenceBinning.Proportions(r);
            var cp = ReferenceBinning.Proportions(c);
            partial[i] = (n, m, Drift.Psi.Compute(rp, cp), Drift.JensenShannon.Distance(rp, cp), Drift.ChiSquare.Homogeneity(r, c));
            tested.Add(i);
        }

        var adjusted = BenjaminiHochberg.Adjust(tested.Select(i => partial[i].Chi!.Value.PValue).ToArray());
        var family = new int[slices.Count];
        Array.Fill(family, -1);
        for (var k = 0; k < tested.Count; k++)
        {
            family[tested[k]] = k;
        }

        var results = new SliceDriftResult[slices.Count];
        for (var i = 0; i < slices.Count; i++)
        {
            var p = partial[i];
            var k = family[i];
            results[i] = k < 0
                ? new SliceDriftResult(p.Count, p.ReferenceCount, null, null, null, null,
                    new DriftDecision(false, policy.CategoricalMethod, [p.ReferenceCount == 0 ? "no_reference" : "no_current"]))
                : new SliceDriftResult(p.Count, p.ReferenceCount, p.Psi, p.Js, p.Chi, adjusted[k],
                    policy.DecideEstimated(numeric: false, Math.Min(p.Count, p.ReferenceCount), p.Psi, adjusted[k], p.Js));
        }

        return results;
    }
}
