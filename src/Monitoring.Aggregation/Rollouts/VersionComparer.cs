using System.Globalization;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Intervals;
using Monitoring.Stats.Rollouts;
using Monitoring.Stats.Sketches;
using Monitoring.Stats.Slices;

namespace Monitoring.Aggregation.Rollouts;

/// <summary>Raw scores of one version, when at hand (offline): exact AUC, KS and its p-value instead of the sketch bounds.</summary>
/// <param name="AllScores">Every prediction's score.</param>
/// <param name="LabeledScores">Scores of the labelled predictions.</param>
/// <param name="Labels">Their 0/1 labels.</param>
public sealed record ExactScores(double[] AllScores, double[] LabeledScores, double[] Labels);

/// <summary>The same labelled requests scored by both versions (shadow, or an offline join by request id): paired tests.</summary>
/// <param name="Baseline">The baseline's scores.</param>
/// <param name="Candidate">The candidate's scores of the same requests, in the same order.</param>
/// <param name="Labels">The requests' 0/1 labels.</param>
public sealed record PairedScores(double[] Baseline, double[] Candidate, double[] Labels);

/// <summary>What a comparison may use beyond the two samples.</summary>
/// <param name="Shadow">Shadow pairs of the two versions (joined by request id), for the shadow section.</param>
/// <param name="Paired">Labelled requests scored by both: AUC by paired DeLong and Brier by the paired z-test.</param>
/// <param name="BaselineExact">The baseline's raw scores.</param>
/// <param name="CandidateExact">The candidate's raw scores.</param>
/// <param name="PairedLabels">
/// Online: the labelled shadow pairs of the two versions, bounded (<see cref="PairedLabelSketch"/>): AUC by paired
/// DeLong of the binned scores (within <see cref="MetricDifference.ExactBound"/> of the raw scores' difference) and Brier
/// by the exact paired z-test. Used when <paramref name="Paired"/> is absent.
/// </param>
public sealed record ComparisonInputs(
    ShadowPairAccumulator? Shadow = null,
    PairedScores? Paired = null,
    ExactScores? BaselineExact = null,
    ExactScores? CandidateExact = null,
    PairedLabelSketch? PairedLabels = null);

/// <summary>
/// Compares a candidate version with its baseline (see <see cref="VersionComparisonReport"/>) and decides the verdict
/// (<see cref="RolloutVerdicts.Decide"/>). From the samples alone (online): AUC by the unpaired DeLong test of the
/// binned scores (each version's 100 fine score bins, scores in a bin tied), whose interval the verdict uses; the exact
/// AUCs' difference lies within <see cref="MetricDifference.ExactBound"/> of the binned one (the sum of both versions'
/// tie half-widths). The interval is not widened by that bound: the bound does not shrink with the sample, so a widened
/// interval could never clear a tolerance smaller than it, and both versions are binned alike; accuracy, F1, Brier and ECE exactly from the slice counts (see
/// <see cref="VersionDifferences"/>); prediction shift from the score histograms; p99 latency from the latency buckets;
/// features over the baseline's deciles (numeric) or categories; slices by <see cref="SliceComparison"/> (the
/// candidate's rows of a slice against the baseline's rows of the same slice) with Benjamini-Hochberg across the slices
/// compared. With <see cref="ComparisonInputs.Paired"/> (offline) or <see cref="ComparisonInputs.PairedLabels"/>
/// (online shadow pairs whose request was labelled) the AUC and Brier tests are paired, over the labelled pairs; with
/// raw scores they are exact. Accuracy and F1 stay two-proportion tests even when paired (conservative for positively correlated pairs).
/// </summary>
public static class VersionComparer
{
    /// <summary>Builds the report; <paramref name="guardrails"/> is validated first.</summary>
    /// <exception cref="ArgumentException">Invalid guardrails (naming the field), or samples at different thresholds.</exception>
    public static VersionComparisonReport Compare(string model, VersionSample baseline, VersionSample candidate, RolloutGuardrails guardrails, ComparisonInputs? inputs = null)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(guardrails);
        guardrails.Validate();
        if (baseline.Threshold != candidate.Threshold)
        {
            throw new ArgumentException($"The versions use different thresholds ({baseline.Threshold} and {candidate.Threshold}).", nameof(candidate));
        }

        inputs ??= new ComparisonInputs();
        var alpha = guardrails.Alpha;
        var paired = (inputs.Paired is { } p && p.Labels.Length > 0) || PairedSketch(inputs) is not null;
        var start = Min(baseline.StartUnixNano, candidate.StartUnixNano);
        var end = Max(baseline.EndUnixNano, candidate.EndUnixNano);
        var report = new VersionComparisonReport
        {
            Model = model,
            Baseline = baseline.Version,
            Candidate = candidate.Version,
            WindowStart = start is { } s ? Iso(s) : null,
            WindowEnd = end is { } e ? Iso(e) : null,
            WindowStartUnixNano = start,
            WindowEndUnixNano = end,
            Windows = Math.Max(baseline.Windows, candidate.Windows),
            Confidence = guardrails.Confidence,
            Pairing = paired ? "paired" : "unpaired",
            BaselineSummary = Summary(baseline, inputs.BaselineExact),
            CandidateSummary = Summary(candidate, inputs.CandidateExact),
            Metrics = Metrics(baseline, candidate, inputs, alpha),
            PredictionShift = Shift(baseline, candidate, inputs),
            Latency = Latency(baseline, candidate),
            Features = Features(baseline, candidate),
            SliceMetric = guardrails.SliceMetric,
            Slices = Slices(baseline, candidate, guardrails),
            Shadow = Shadow(inputs.Shadow, alpha),
            Guardrails = guardrails,
            Verdict = new RolloutVerdict(RolloutVerdict.Hold, [], null),
        };
        return report with { Verdict = RolloutVerdicts.Decide(report, guardrails) };
    }

    private static VersionSummary Summary(VersionSample sample, ExactScores? exact)
    {
        var counts = sample.Overall;
        var labeled = counts.Count;
        double? auc = exact is { } x && x.Labels.Length > 0
            ? (DeLong.Compute(x.LabeledScores, x.Labels)?.Auc)
            : sample.Labeled.Auc()?.Estimate;
        return new VersionSummary(
            sample.Version,
            sample.Predictions,
            labeled,
            counts.Positives,
            auc,
            labeled == 0 ? null : counts.Correct / (double)labeled,
            labeled == 0 ? null : F1(counts),
            labeled == 0 ? null : counts.SquaredErrorSum / labeled,
            labeled == 0 ? null : counts.Reliability().ExpectedCalibrationError,
            sample.AllScores.Count == 0 ? null : MeanScore(sample.AllScores));
    }

    private static double MeanScore(ScoreHistogramSketch sketch)
    {
        double sum = 0;
        for (var i = 0; i < sketch.NegativeBinScoreSums.Length; i++)
        {
            sum += sketch.NegativeBinScoreSums[i] + sketch.PositiveBinScoreSums[i];
        }

        return sum / sketch.Count;
    }

    private static double F1(SliceCounts c)
    {
        var d = (2 * c.TruePositives) + c.FalsePositives + c.FalseNegatives;
        return d == 0 ? 0 : 2.0 * c.TruePositives / d;
    }

    private static List<MetricDifference> Metrics(VersionSample baseline, VersionSample candidate, ComparisonInputs inputs, double alpha)
    {
        var metrics = new List<MetricDifference>();
        if (Auc(baseline, candidate, inputs, alpha) is { } auc)
        {
            metrics.Add(auc);
        }

        var b = baseline.Overall;
        var c = candidate.Overall;
        var both = b.Count > 0 && c.Count > 0;
        if (both)
        {
            metrics.Add(Report(VersionDifferences.Accuracy(b.Correct, b.Count, c.Correct, c.Count, alpha), true));
            if (VersionDifferences.F1(b.TruePositives, b.FalsePositives, b.FalseNegatives, c.TruePositives, c.FalsePositives, c.FalseNegatives, alpha) is { } f1)
            {
                metrics.Add(Report(f1, true));
            }
        }

        // Paired pairs carry their own label: the paired Brier test needs no label joined to each version's own prediction.
        var brier = inputs.Paired is { } p && p.Labels.Length > 1
            ? VersionDifferences.BrierPaired(p.Baseline, p.Candidate, p.Labels, alpha)
            : PairedSketch(inputs) is { } sketch
            ? sketch.Brier(alpha)
            : both
            ? VersionDifferences.Brier(new MeanSums(b.Count, b.SquaredErrorSum, b.SquaredErrorSquareSum), new MeanSums(c.Count, c.SquaredErrorSum, c.SquaredErrorSquareSum), alpha)
            : null;
        if (brier is not null)
        {
            metrics.Add(Report(brier, false));
        }

        if (both)
        {
            metrics.Add(Report(VersionDifferences.Ece(b.Reliability(), c.Reliability(), alpha), false));
        }

        return metrics;
    }

    private static MetricDifference? Auc(VersionSample baseline, VersionSample candidate, ComparisonInputs inputs, double alpha)
    {
        if (inputs.Paired is { } p && p.Labels.Length > 0)
        {
            return PairedDeLong.Compare(p.Baseline, p.Candidate, p.Labels) is { } r && VersionDifferences.Auc(r, alpha) is { } d ? Report(d, true) : null;
        }

        if (PairedSketch(inputs) is { } sketch)
        {
            // Paired DeLong of the binned scores: the exact AUCs' difference is within the sketch's tie bound of it.
            return sketch.DeLong() is { } r && VersionDifferences.Auc(r, alpha) is { } d
                ? Report(d with { Test = "delong_paired (binned scores)" }, true) with { ExactBound = sketch.ExactBound() }
                : null;
        }

        if (inputs.BaselineExact is { } be && inputs.CandidateExact is { } ce)
        {
            var b = DeLong.Compute(be.LabeledScores, be.Labels);
            var c = DeLong.Compute(ce.LabeledScores, ce.Labels);
            return b is not null && c is not null && VersionDifferences.Auc(b, c, alpha) is { } d ? Report(d, true) : null;
        }

        var bs = DeLong.FromSketch(baseline.Labeled, alpha);
        var cs = DeLong.FromSketch(candidate.Labeled, alpha);
        if (bs is null || cs is null || VersionDifferences.Auc(bs.Binned, cs.Binned, alpha) is not { } binned)
        {
            return null;
        }

        // The most the exact AUCs' difference can be from the binned one: each version's tie half-width.
        var bound = (0.5 * (bs.TieBound.Upper - bs.TieBound.Lower)) + (0.5 * (cs.TieBound.Upper - cs.TieBound.Lower));
        return Report(binned with { Test = "delong_unpaired (binned scores)" }, true) with { ExactBound = bound };
    }

    /// <summary>
    /// The labelled shadow pairs when they can carry the paired tests (no raw pairs given, and at least two positives
    /// and two negatives, so the paired DeLong variance is defined); else null and the tests stay unpaired.
    /// </summary>
    private static PairedLabelSketch? PairedSketch(ComparisonInputs inputs) =>
        inputs.Paired is null && inputs.PairedLabels is { } s && s.DeLong() is { } r && !double.IsNaN(r.Test.StandardError) ? s : null;

    private static MetricDifference Report(DifferenceTest d, bool higherIsBetter) => new(
        d.Metric,
        higherIsBetter,
        d.Baseline,
        d.Candidate,
        d.Difference,
        ReportJson.Finite(d.StandardError),
        ReportJson.Finite(d.Z),
        ReportJson.Finite(d.PValue),
        d.Interval?.Lower,
        d.Interval?.Upper,
        d.Test);

    private static PredictionShiftReport? Shift(VersionSample baseline, VersionSample candidate, ComparisonInputs inputs)
    {
        var result = inputs.BaselineExact is { } be && inputs.CandidateExact is { } ce
            ? PredictionShift.FromScores(be.AllScores, ce.AllScores)
            : PredictionShift.FromSketches(baseline.AllScores, candidate.AllScores);
        return result is null
            ? null
            : new PredictionShiftReport(result.Psi, result.JensenShannon, result.Ks.Estimate, result.Ks.Lower, result.Ks.Upper, result.KsPValue, result.Exact ? "exact" : "sketch", result.BaselineCount, result.CandidateCount);
    }

    private static LatencyDifference? Latency(VersionSample baseline, VersionSample candidate)
    {
        if (baseline.Latency.Count == 0 || candidate.Latency.Count == 0)
        {
            return null;
        }

        var r = LatencyComparison.Compare(baseline.Latency.ToSketch(), candidate.Latency.ToSketch())!;
        return new LatencyDifference(
            r.Quantile, r.BaselineCount, r.CandidateCount, r.Baseline.Estimate, r.Candidate.Estimate,
            r.Ratio.Estimate, r.Ratio.Lower, r.Ratio.Upper, r.Delta.Estimate, r.BaselineMean, r.CandidateMean);
    }

    private static List<FeatureShift> Features(VersionSample baseline, VersionSample candidate)
    {
        var shifts = new List<FeatureShift>();
        foreach (var name in baseline.Numeric.Keys.Intersect(candidate.Numeric.Keys).Order(StringComparer.Ordinal))
        {
            var b = baseline.Numeric[name].ToSketch();
            var c = candidate.Numeric[name].ToSketch();
            if (b.Count == 0 || c.Count == 0)
            {
                continue;
            }

            // The baseline's deciles are bucket upper edges, shared by both sketches' bucket grid: both count exactly.
            var edges = new SortedSet<double>();
            foreach (var q in Stats.Descriptive.Quantiles.Deciles)
            {
                edges.Add(b.Quantile(q));
            }

            var inner = edges.ToArray();
            var bp = b.ProportionsOver(inner, out _);
            var cp = c.ProportionsOver(inner, out _);
            var ks = FloatBucketSketch.KolmogorovSmirnov(b, c);
            shifts.Add(new FeatureShift(name, "numeric", Psi.Compute(bp, cp), JensenShannon.Distance(bp, cp), ks.Lower, ks.Upper, b.Count, c.Count));
        }

        foreach (var name in baseline.Categorical.Keys.Intersect(candidate.Categorical.Keys).Order(StringComparer.Ordinal))
        {
            var b = baseline.Categorical[name];
            var c = candidate.Categorical[name];
            if (b.Count == 0 || c.Count == 0)
            {
                continue;
            }

            var r = CategoricalDrift.Compute(b.WithOther(), c.WithOther());
            shifts.Add(new FeatureShift(name, "categorical", r.Psi, r.JensenShannon, null, null, b.Count, c.Count));
        }

        return shifts;
    }

    private static List<SliceDifference> Slices(VersionSample baseline, VersionSample candidate, RolloutGuardrails guardrails)
    {
        SliceMetricExtensions.TryParse(guardrails.SliceMetric, out var metric);
        var compared = new List<(string Dimension, string Value, SliceCounts B, SliceCounts C, SliceComparison R)>();
        foreach (var (dimension, values) in baseline.Slices.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            if (!candidate.Slices.TryGetValue(dimension, out var candidateValues))
            {
                continue;
            }

            foreach (var (value, b) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                if (!candidateValues.TryGetValue(value, out var c) || b.Count < guardrails.MinSliceLabeled || c.Count < guardrails.MinSliceLabeled
                    || DuplicatesSegment(dimension, value, b, c, baseline, candidate))
                {
                    continue;
                }

                if (SliceComparison.Compare(c, b, metric, alpha: guardrails.Alpha) is { } r)
                {
                    compared.Add((dimension, value, b, c, r));
                }
            }
        }

        if (compared.Count == 0)
        {
            return [];
        }

        var adjusted = SliceComparison.Adjust(compared.Select(x => x.R).ToArray(), guardrails.Alpha);
        var test = metric.IsRate() ? "two_proportion_z + newcombe" : metric == SliceMetric.F1 ? "wald_z (delta-method f1)" : "welch_z";
        return compared.Select((x, i) => new SliceDifference(
            x.Dimension, x.Value, x.B.Count, x.C.Count, x.R.RestValue, x.R.SliceValue, x.R.Degradation, x.R.LowerBound,
            x.R.PValue, adjusted[i].AdjustedPValue!.Value, adjusted[i].Significant, test)).ToList();
    }

    /// <summary>
    /// Whether <paramref name="dimension"/> is a categorical feature's slice (<c>feature.X</c>) that repeats a segment
    /// slice of the same name and value (<c>X</c>) row for row: a model that sends <c>plan</c> both as a segment and as a
    /// feature would otherwise list (and Benjamini-Hochberg count) the same slice twice. Equal counts on both sides mean
    /// the same rows: the segment's row is kept.
    /// </summary>
    private static bool DuplicatesSegment(string dimension, string value, SliceCounts b, SliceCounts c, VersionSample baseline, VersionSample candidate)
    {
        const string prefix = "feature.";
        if (!dimension.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var segment = dimension[prefix.Length..];
        return baseline.Slices.TryGetValue(segment, out var bs) && bs.TryGetValue(value, out var sb) && SameRows(sb, b)
            && candidate.Slices.TryGetValue(segment, out var cs) && cs.TryGetValue(value, out var sc) && SameRows(sc, c);
    }

    private static bool SameRows(SliceCounts x, SliceCounts y) =>
        x.Count == y.Count && x.Positives == y.Positives && x.TruePositives == y.TruePositives && x.FalsePositives == y.FalsePositives
        && x.FalseNegatives == y.FalseNegatives && x.SquaredErrorSum == y.SquaredErrorSum;

    private static ShadowComparison? Shadow(ShadowPairAccumulator? shadow, double alpha)
    {
        if (shadow?.Summarize(alpha) is not { } s)
        {
            return null;
        }

        return new ShadowComparison(
            s.Pairs, s.Threshold, s.Agreement, s.AgreementInterval.Lower, s.AgreementInterval.Upper, s.BaselineOnlyPositive,
            s.CandidateOnlyPositive, s.MeanDifference, s.MeanAbsoluteDifference, s.MaxAbsoluteDifference,
            s.Quantiles.ToDictionary(q => "p" + (q.Level * 100).ToString("0.##", CultureInfo.InvariantCulture), q => q.Value, StringComparer.Ordinal),
            s.Slices.Select(x => new ShadowSliceDisagreement(x.Dimension, x.Value, x.Pairs, x.Disagreements, x.DisagreementRate, x.Interval.Lower, x.Interval.Upper, x.MeanAbsoluteDifference)).ToArray());
    }

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static string Iso(long unixNanos) => Abstractions.Time.UnixNanos.ToIso(unixNanos);
}
