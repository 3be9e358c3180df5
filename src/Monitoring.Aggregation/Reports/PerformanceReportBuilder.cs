using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;
using SliceReport = Monitoring.Abstractions.Reports.SliceReport;
using Monitoring.Aggregation.Labels;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Intervals;
using Monitoring.Stats.Slices;

namespace Monitoring.Aggregation.Reports;

/// <summary>
/// A window's performance report: label coverage; realized binary metrics from the joined pairs (AUC from the
/// per-class score histogram with its tie bound and DeLong interval, Brier, log loss, accuracy/precision/recall/F1 at
/// the threshold with Wilson intervals, ECE/MCE and reliability bins); confidence-based estimates (CBPE) from every
/// prediction's score, shown whether or not labels have arrived; regression and multiclass metrics.
/// </summary>
public static class PerformanceReportBuilder
{
    /// <summary>Builds the report.</summary>
    public static PerformanceReport Build(string model, PerformanceAccumulator acc, SliceScoreReference? sliceReference = null, DriftPolicy? policy = null,
        int topValues = ModelSettings.DefaultSliceTopValues)
    {
        ArgumentNullException.ThrowIfNull(acc);
        BinaryPerformance? binaryReport = null;
        if (acc.BinarySketch is { Count: > 0 } binary)
        {
            var cal = binary.Reliability();
            var auc = DeLong.FromSketch(binary);
            var correct = (long)Math.Round(binary.Accuracy * binary.Count);
            binaryReport = new BinaryPerformance
            {
                Count = binary.Count,
                Positives = binary.Positives,
                Auc = auc is null ? null : new AucReport(
                    Finite(auc.TieBound.Estimate), Finite(auc.TieBound.Lower), Finite(auc.TieBound.Upper),
                    auc.Interval is { } i ? Finite(i.Lower) : null, auc.Interval is { } j ? Finite(j.Upper) : null, "delong"),
                Brier = Finite(binary.Brier),
                LogLoss = Finite(binary.LogLoss),
                Threshold = binary.Threshold,
                Accuracy = Rate(binary.Accuracy, correct, binary.Count),
                Precision = Finite(binary.Precision),
                Recall = Finite(binary.Recall),
                F1 = Finite(binary.F1),
                Ece = Finite(cal.ExpectedCalibrationError),
                Mce = Finite(cal.MaximumCalibrationError),
                Reliability = ReliabilityBins(cal),
            };
        }

        EstimatedPerformance? estimated = null;
        if (acc.AllScoresSketch is { Count: > 0 } all)
        {
            var estimate = Cbpe.FromSketch(all);
            estimated = new EstimatedPerformance
            {
                Count = estimate.Count,
                Accuracy = Finite(estimate.Accuracy),
                Precision = Finite(estimate.Precision),
                Recall = Finite(estimate.Recall),
                F1 = Finite(estimate.F1),
                Auc = estimate.RocAuc is { } r ? Finite(r.Estimate) : null,
            };
        }

        double n = acc.RegressionCount;
        return new PerformanceReport
        {
            Model = model,
            WindowStart = UnixNanos.ToIso(acc.Start),
            WindowEnd = UnixNanos.ToIso(acc.End),
            WindowStartUnixNano = acc.Start,
            Predictions = acc.Predictions,
            Labeled = acc.Labeled,
            Coverage = acc.Predictions == 0 ? null : (double)acc.Labeled / acc.Predictions,
            Binary = binaryReport,
            Slices = acc.OverallCounts is { Count: > 0 } || acc.SliceScores.Count > 0 ? Slices(acc, sliceReference, policy ?? DriftPolicy.Default, topValues) : null,
            Estimated = estimated,
            Regression = acc.RegressionCount > 0
                ? new RegressionPerformance(acc.RegressionCount, acc.RegressionAbsoluteError / n, Math.Sqrt(acc.RegressionSquaredError / n), acc.RegressionError / n)
                : null,
            Multiclass = acc.Confusion.Count > 0 ? Multiclass(acc.Confusion) : null,
            ByVersion = acc.ByVersion?.ToDictionary(kv => kv.Key, kv => Build(model, kv.Value, sliceReference, policy, topValues), StringComparer.Ordinal),
            UntrackedVersionPredictions = acc.UntrackedVersionPredictions,
        };
    }

    /// <summary>Fewest labelled rows for a slice to be ranked among the worst.</summary>
    public const int MinimumSupport = 50;

    /// <summary>Worst slices listed.</summary>
    public const int WorstSlicesListed = 10;

    /// <summary>The family the slices' accuracy p-values are adjusted over, as the report states it.</summary>
    public const string PValueFamily = "every single and pair slice of the window with labelled rows";

    /// <summary>
    /// Per dimension, the top values by prediction volume (then labelled volume; the rest as "(other)"), each with its
    /// volume, its prediction drift against the same slice in the reference (<see cref="SlicePredictionDrift"/>,
    /// Benjamini-Hochberg across the window's single-value slices), and once labels arrive its performance with Wilson
    /// intervals and the accuracy difference to the rest of the model (two-proportion z-test); then the worst slices,
    /// singles and segment pairs with at least <see cref="MinimumSupport"/> labelled rows, ranked by the lower confidence
    /// bound of their accuracy degradation against the rest. The accuracy p-values are Benjamini-Hochberg adjusted once,
    /// over <see cref="PValueFamily"/>: a slice shows the same adjusted p-value wherever it is listed.
    /// </summary>
    private static SliceReport Slices(PerformanceAccumulator acc, SliceScoreReference? reference, DriftPolicy policy, int topValues)
    {
        var overall = acc.OverallCounts is { Count: > 0 } o ? o : null;
        var labeled = acc.LiveSlices;
        var singles = new List<SliceRow>();
        var candidates = new List<SliceRow>();
        var names = labeled.Keys.Concat(acc.SliceScores.Keys).Concat(acc.PairPredictions.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var dimension in names)
        {
            var counts = labeled.GetValueOrDefault(dimension) ?? [];
            var scores = acc.SliceScores.GetValueOrDefault(dimension) ?? [];
            var pairPredictions = acc.PairPredictions.GetValueOrDefault(dimension) ?? [];
            var referenceScores = reference?.Scores.GetValueOrDefault(dimension);
            var rows = counts.Keys.Concat(scores.Keys).Concat(pairPredictions.Keys).Distinct(StringComparer.Ordinal)
                .Select(v => new SliceRow(dimension, v, counts.GetValueOrDefault(v) ?? new SliceCounts(), scores.GetValueOrDefault(v),
                    referenceScores is null ? null : referenceScores.GetValueOrDefault(v) ?? new long[SlicePredictionDrift.BinCount],
                    scores.TryGetValue(v, out var s) ? s.Sum() : pairPredictions.GetValueOrDefault(v)))
                .OrderByDescending(r => r.Predictions).ThenByDescending(r => r.Counts.Count).ThenBy(r => r.Value, StringComparer.Ordinal)
                .ToList();
            var shown = rows.Take(topValues).ToList();
            if (rows.Count > topValues)
            {
                var rest = rows.Skip(topValues).ToList();
                var other = new SliceCounts();
                var otherScores = new long[SlicePredictionDrift.BinCount];
                long otherPredictions = 0;
                foreach (var r in rest)
                {
                    other.Merge(r.Counts);
                    AddInto(otherScores, r.Scores);
                    otherPredictions += r.Predictions;
                }

                long[]? otherReference = null;
                if (referenceScores is not null)
                {
                    otherReference = new long[SlicePredictionDrift.BinCount];
                    foreach (var (value, c) in referenceScores)
                    {
                        if (!shown.Any(r => r.Value == value))
                        {
                            AddInto(otherReference, c);
                        }
                    }
                }

                shown.Add(new SliceRow(dimension, SliceKey.OtherValue, other, otherScores, otherReference, otherPredictions));
            }

            (dimension.Contains(" & ", StringComparison.Ordinal) ? candidates : singles).AddRange(shown);
        }

        // One family for every slice (singles first, then pairs): each slice has one adjusted p-value.
        var family = singles.Concat(candidates).ToList();
        var comparisons = family.Select(s => overall is null || s.Counts.Count == 0 ? null
            : SliceComparison.Compare(s.Counts, overall.Minus(s.Counts), SliceMetric.Accuracy)).ToList();
        var defined = comparisons.Where(c => c is not null).Select(c => c!).ToList();
        var adjusted = SliceComparison.Adjust(defined);
        var aligned = new SliceComparison?[comparisons.Count];
        for (int i = 0, k = 0; i < comparisons.Count; i++)
        {
            aligned[i] = comparisons[i] is null ? null : adjusted[k++];
        }

        // Without a reference there is nothing to compare with: no drift work on every flush.
        SliceDriftResult?[] drift = reference is null
            ? new SliceDriftResult?[singles.Count]
            : SlicePredictionDrift.Compare(singles.Select(s => (s.Scores ?? new long[SlicePredictionDrift.BinCount], s.ReferenceScores)).ToArray(), policy);
        var dimensions = singles.Select((s, i) => (s, i)).Where(x => !x.s.Dimension.Contains(" & ", StringComparison.Ordinal)).GroupBy(x => x.s.Dimension)
            .Select(group => new SliceDimensionReport(group.Key, group.Select(x => SliceNode(x.s.Value, x.s, aligned[x.i], drift[x.i])).ToArray()))
            .ToArray();

        var worst = new List<SliceEntry>();
        if (overall is not null)
        {
            var ranked = family.Zip(aligned)
                .Where(p => p.First.Counts.Count >= MinimumSupport && p.Second is { Degradation: > 0 })
                .OrderByDescending(p => p.Second!.LowerBound)
                .Take(WorstSlicesListed);
            foreach (var (row, comparison) in ranked)
            {
                worst.Add(SliceNode($"{row.Dimension}={row.Value}", row, comparison, null));
            }
        }

        return new SliceReport
        {
            PValueFamily = PValueFamily,
            PredictionDrift = new SlicePredictionDriftSummary(
                reference?.Source,
                "10 uniform score bins over [0, 1]",
                policy.CategoricalMethod,
                singles.Select((s, i) => (s, i)).Where(x => drift[x.i] is { Decision.Drifted: true }).Select(x => $"{x.s.Dimension}={x.s.Value}").ToArray()),
            Dimensions = dimensions,
            WorstSlices = [.. worst],
        };
    }

    private static ReliabilityBinReport[] ReliabilityBins(CalibrationResult cal) =>
        cal.Bins.Select(b => new ReliabilityBinReport(b.Bin, b.Lower, b.Upper, b.Count, b.MeanPredicted, b.FractionPositive)).ToArray();

    private static void AddInto(long[] target, long[]? source)
    {
        if (source is null)
        {
            return;
        }

        for (var b = 0; b < target.Length; b++)
        {
            target[b] += source[b];
        }
    }

    /// <summary>A slice's labelled counts, its score counts now and in the reference, and its scored predictions (labelled or not).</summary>
    private sealed record SliceRow(string Dimension, string Value, SliceCounts Counts, long[]? Scores, long[]? ReferenceScores, long Predictions);

    /// <summary>
    /// A slice's AUC from its 10 reliability bins (each bin one tied value): the DeLong interval of the binned data, and
    /// the guaranteed bounds on the exact AUC (pairs inside one bin may go either way: +-0.5 of their share).
    /// </summary>
    private static AucReport? SliceAuc(SliceCounts counts)
    {
        var parts = counts.ToParts();
        var positives = parts.BinPositives.Select(p => (long)Math.Round(p)).ToArray();
        var negatives = parts.BinCounts.Zip(positives, (n, p) => n - p).ToArray();
        if (positives.Sum() == 0 || negatives.Sum() == 0)
        {
            return null;
        }

        var binned = DeLong.FromBins(positives, negatives);
        var tied = positives.Zip(negatives, (p, n) => (double)p * n).Sum() / ((double)positives.Sum() * negatives.Sum());
        var ci = binned.Interval();
        return new AucReport(
            Finite(binned.Auc),
            Finite(binned.Auc - (0.5 * tied)),
            Finite(binned.Auc + (0.5 * tied)),
            ci is { } a ? Finite(Math.Max(0, a.Lower - (0.5 * tied))) : null,
            ci is { } b ? Finite(Math.Min(1, b.Upper + (0.5 * tied))) : null,
            "delong_on_10_bins_widened_by_tie_bound");
    }

    private static SliceEntry SliceNode(string value, SliceRow row, SliceComparison? comparison, SliceDriftResult? drift)
    {
        var counts = row.Counts;
        var m = counts.Count > 0 ? SliceMetrics.From(counts) : null;
        var reliability = m is null ? null : counts.Reliability();
        return new SliceEntry
        {
            Value = value,
            Predictions = row.Predictions,
            Count = counts.Count,
            Positives = counts.Positives,
            Accuracy = m is null ? null : Rate(m.Accuracy.Value, m.Accuracy.Successes, m.Accuracy.Trials),
            Precision = m is null ? null : Finite(m.Precision.Value),
            Recall = m is null ? null : Finite(m.Recall.Value),
            F1 = m is null ? null : Finite(m.F1),
            Brier = m is null ? null : Finite(m.Brier),
            Ece = m is null ? null : Finite(m.ExpectedCalibrationError),
            Mce = reliability is null ? null : Finite(reliability.MaximumCalibrationError),
            Reliability = reliability is null ? null : ReliabilityBins(reliability),
            Auc = m is null ? null : SliceAuc(counts),
            VsRest = VersusRest(comparison),
            PredictionDrift = Drift(drift),
        };
    }

    /// <summary>A slice's comparison with the rest of the model, as reported (null without one).</summary>
    public static SliceVersusRest? VersusRest(SliceComparison? comparison) => comparison is null ? null : new SliceVersusRest(
        Finite(comparison.RestValue), Finite(comparison.Difference), Finite(comparison.LowerBound), Finite(comparison.PValue),
        comparison.AdjustedPValue is { } a ? Finite(a) : null, comparison.Significant);

    /// <summary>A slice's prediction drift, as reported (null without a reference for it).</summary>
    public static SliceDrift? Drift(SliceDriftResult? drift) => drift is null ? null : new SliceDrift(
        drift.Count,
        drift.ReferenceCount,
        drift.Psi is { } psi ? Finite(psi) : null,
        drift.JensenShannon is { } js ? Finite(js) : null,
        drift.ChiSquare is { } chi ? new SliceChiSquare(Finite(chi.Statistic), Finite(chi.PValue), drift.AdjustedPValue is { } pa ? Finite(pa) : null, chi.DegreesOfFreedom) : null,
        drift.Decision.Drifted,
        [.. drift.Decision.Reasons]);

    /// <summary>Accuracy and macro F1 (sklearn's average='macro', zero_division=0, over every class seen) from confusion counts.</summary>
    private static MulticlassPerformance Multiclass(Dictionary<string, Dictionary<string, long>> confusion)
    {
        var classes = confusion.Keys.Concat(confusion.Values.SelectMany(r => r.Keys)).Distinct(StringComparer.Ordinal).ToList();
        long total = 0, correct = 0;
        foreach (var (actual, row) in confusion)
        {
            foreach (var (predicted, n) in row)
            {
                total += n;
                correct += actual == predicted ? n : 0;
            }
        }

        var f1 = classes.Select(c =>
        {
            var tp = confusion.GetValueOrDefault(c)?.GetValueOrDefault(c) ?? 0;
            var fp = confusion.Where(kv => kv.Key != c).Sum(kv => kv.Value.GetValueOrDefault(c));
            var fn = (confusion.GetValueOrDefault(c)?.Values.Sum() ?? 0) - tp;
            return (2 * tp) + fp + fn == 0 ? 0.0 : 2.0 * tp / ((2 * tp) + fp + fn);
        }).Average();
        return new MulticlassPerformance(total, classes.Count, Rate(total == 0 ? double.NaN : (double)correct / total, correct, total), f1);
    }

    private static RateReport Rate(double value, long successes, long trials)
    {
        var ci = Wilson.IntervalOrNull(successes, trials);
        return new RateReport(Finite(value), ci is { } c ? Finite(c.Lower) : null, ci is { } d ? Finite(d.Upper) : null, "wilson");
    }

    private static double? Finite(double v) => ReportJson.Finite(v);
}

/// <summary>The per-slice score counts a window's slices are compared with, and where they come from.</summary>
/// <param name="Source">The model's reference ("upload:train.csv", "rolling:24 previous windows", ...).</param>
/// <param name="Scores">Dimension -> value -> counts over the score bins.</param>
public sealed record SliceScoreReference(string Source, Dictionary<string, Dictionary<string, long[]>> Scores);
