using Monitoring.Stats.Classification;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Sketches;

namespace Monitoring.Stats.Rollouts;

/// <summary>The candidate's score distribution against the baseline's.</summary>
/// <param name="Psi">PSI over the 10 uniform score bins (baseline as reference; zero proportions replaced by 0.0001).</param>
/// <param name="JensenShannon">Jensen-Shannon distance (base 2) over the same 10 bins.</param>
/// <param name="Ks">
/// Two-sample KS statistic: exact (Lower = Upper) from raw scores, otherwise the estimate with guaranteed bounds from
/// the sketches' 100 fine bins (<see cref="EcdfBounds.KolmogorovSmirnov"/>).
/// </param>
/// <param name="KsPValue">scipy <c>ks_2samp(method='auto')</c> p-value, from raw scores only; null from sketches.</param>
/// <param name="Exact">Whether computed from raw scores.</param>
/// <param name="BaselineCount">Baseline scores.</param>
/// <param name="CandidateCount">Candidate scores.</param>
public sealed record PredictionShiftResult(double Psi, double JensenShannon, BoundedEstimate Ks, double? KsPValue, bool Exact, long BaselineCount, long CandidateCount);

/// <summary>
/// Prediction distribution shift between two versions: PSI and Jensen-Shannon over the 10 uniform reliability bins
/// (numpy <c>searchsorted(linspace(0, 1, 11)[1:-1], side='left')</c>, the binning of
/// <see cref="Slices.SlicePredictionDrift"/>), KS from raw scores (scipy <c>ks_2samp</c>) or bounded from the fine
/// bins of <see cref="ScoreHistogramSketch"/>. The same conventions as the window drift report, so a PSI of 0.2 reads the
/// same in both places.
/// </summary>
public static class PredictionShift
{
    /// <summary>From two sketches of every scored prediction (labels ignored); null when either is empty.</summary>
    public static PredictionShiftResult? FromSketches(ScoreHistogramSketch baseline, ScoreHistogramSketch candidate)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        if (baseline.Count == 0 || candidate.Count == 0)
        {
            return null;
        }

        var b = FineCounts(baseline);
        var c = FineCounts(candidate);
        if (b.Length != c.Length || baseline.Subdivisions != candidate.Subdivisions)
        {
            throw new ArgumentException("The sketches have different bins.", nameof(candidate));
        }

        var (psi, js) = Binned(Coarse(b, baseline.Subdivisions), Coarse(c, candidate.Subdivisions));
        return new PredictionShiftResult(psi, js, EcdfBounds.KolmogorovSmirnov(b, c), null, false, baseline.Count, candidate.Count);
    }

    /// <summary>From raw scores in [0, 1] (exact KS and its p-value); null when either is empty.</summary>
    public static PredictionShiftResult? FromScores(ReadOnlySpan<double> baseline, ReadOnlySpan<double> candidate)
    {
        if (baseline.IsEmpty || candidate.IsEmpty)
        {
            return null;
        }

        var b = Sorted(baseline, nameof(baseline));
        var c = Sorted(candidate, nameof(candidate));
        var (psi, js) = Binned(Counts(b), Counts(c));
        var ks = KolmogorovSmirnov.TestSorted(b, c);
        return new PredictionShiftResult(psi, js, new BoundedEstimate(ks.Statistic, ks.Statistic, ks.Statistic), ks.PValue, true, b.Length, c.Length);
    }

    private static (double Psi, double Js) Binned(long[] baseline, long[] candidate)
    {
        var bp = ReferenceBinning.Proportions(baseline);
        var cp = ReferenceBinning.Proportions(candidate);
        return (Psi.Compute(bp, cp), JensenShannon.Distance(bp, cp));
    }

    private static long[] FineCounts(ScoreHistogramSketch sketch)
    {
        var counts = new long[sketch.PositiveBinCounts.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = sketch.PositiveBinCounts[i] + sketch.NegativeBinCounts[i];
        }

        return counts;
    }

    private static long[] Coarse(long[] fine, int subdivisions)
    {
        var coarse = new long[fine.Length / subdivisions];
        for (var i = 0; i < fine.Length; i++)
        {
            coarse[i / subdivisions] += fine[i];
        }

        return coarse;
    }

    private static long[] Counts(double[] sorted)
    {
        var counts = new long[Calibration.DefaultBinCount];
        foreach (var s in sorted)
        {
            counts[Slices.SlicePredictionDrift.BinOf(s)]++;
        }

        return counts;
    }

    private static double[] Sorted(ReadOnlySpan<double> scores, string name)
    {
        var copy = scores.ToArray();
        foreach (var s in copy)
        {
            if (!(s >= 0 && s <= 1))
            {
                throw new ArgumentOutOfRangeException(name, s, "A score is not a probability in [0, 1].");
            }
        }

        Array.Sort(copy);
        return copy;
    }
}
