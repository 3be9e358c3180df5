using System.Text.Json.Nodes;
using Monitoring.Grains.Labels;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Intervals;
using Monitoring.Stats.Slices;

namespace Monitoring.Grains.Reports;

/// <summary>
/// A window's performance report: label coverage; realized binary metrics from the joined pairs (AUC from the
/// per-class score histogram with its tie bound and DeLong interval, Brier, log loss, accuracy/precision/recall/F1 at
/// the threshold with Wilson intervals, ECE/MCE and reliability bins); confidence-based estimates (CBPE) from every
/// prediction's score, shown whether or not labels have arrived; regression and multiclass metrics.
/// </summary>
public static class PerformanceReportBuilder
{
    /// <summary>Builds the report document.</summary>
    public static JsonObject Build(string model, PerformanceAccumulator acc)
    {
        ArgumentNullException.ThrowIfNull(acc);
        var doc = new JsonObject
        {
            ["model"] = model,
            ["window_start"] = WindowReportBuilder.Iso(acc.Start),
            ["window_end"] = WindowReportBuilder.Iso(acc.End),
            ["window_start_unix_nano"] = acc.Start,
            ["predictions"] = acc.Predictions,
            ["labeled"] = acc.Labeled,
            ["coverage"] = acc.Predictions == 0 ? null : (double)acc.Labeled / acc.Predictions,
        };
        if (acc.BinarySketch is { Count: > 0 } binary)
        {
            var cal = binary.Reliability();
            var auc = DeLong.FromSketch(binary);
            var correct = (long)Math.Round(binary.Accuracy * binary.Count);
            doc["binary"] = new JsonObject
            {
                ["count"] = binary.Count,
                ["positives"] = binary.Positives,
                ["auc"] = auc is null ? null : new JsonObject
                {
                    ["estimate"] = Finite(auc.TieBound.Estimate),
                    ["lower_bound"] = Finite(auc.TieBound.Lower),
                    ["upper_bound"] = Finite(auc.TieBound.Upper),
                    ["ci_lower"] = auc.Interval is { } i ? Finite(i.Lower) : null,
                    ["ci_upper"] = auc.Interval is { } j ? Finite(j.Upper) : null,
                    ["interval"] = "delong",
                },
                ["brier"] = Finite(binary.Brier),
                ["log_loss"] = Finite(binary.LogLoss),
                ["threshold"] = binary.Threshold,
                ["accuracy"] = Rate(binary.Accuracy, correct, binary.Count),
                ["precision"] = Finite(binary.Precision),
                ["recall"] = Finite(binary.Recall),
                ["f1"] = Finite(binary.F1),
                ["ece"] = Finite(cal.ExpectedCalibrationError),
                ["mce"] = Finite(cal.MaximumCalibrationError),
                ["reliability"] = new JsonArray(cal.Bins.Select(b => (JsonNode)new JsonObject
                {
                    ["bin"] = b.Bin,
                    ["lower"] = b.Lower,
                    ["upper"] = b.Upper,
                    ["count"] = b.Count,
                    ["mean_predicted"] = b.MeanPredicted,
                    ["fraction_positive"] = b.FractionPositive,
                }).ToArray()),
            };
        }

        if (acc.AllScoresSketch is { Count: > 0 } all)
        {
            var estimate = Cbpe.FromSketch(all);
            doc["estimated"] = new JsonObject
            {
                ["method"] = "cbpe",
                ["count"] = estimate.Count,
                ["accuracy"] = Finite(estimate.Accuracy),
                ["precision"] = Finite(estimate.Precision),
                ["recall"] = Finite(estimate.Recall),
                ["f1"] = Finite(estimate.F1),
                ["auc"] = estimate.RocAuc is { } r ? Finite(r.Estimate) : null,
            };
        }

        if (acc.RegressionCount > 0)
        {
            double n = acc.RegressionCount;
            doc["regression"] = new JsonObject
            {
                ["count"] = acc.RegressionCount,
                ["mae"] = acc.RegressionAbsoluteError / n,
                ["rmse"] = Math.Sqrt(acc.RegressionSquaredError / n),
                ["mean_error"] = acc.RegressionError / n,
            };
        }

        if (acc.Confusion.Count > 0)
        {
            doc["multiclass"] = Multiclass(acc.Confusion);
        }

        return doc;
    }

    /// <summary>Accuracy and macro F1 (sklearn's average='macro', zero_division=0, over every class seen) from confusion counts.</summary>
    private static JsonObject Multiclass(Dictionary<string, Dictionary<string, long>> confusion)
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
        return new JsonObject
        {
            ["count"] = total,
            ["classes"] = classes.Count,
            ["accuracy"] = Rate(total == 0 ? double.NaN : (double)correct / total, correct, total),
            ["macro_f1"] = f1,
        };
    }

    private static JsonObject Rate(double value, long successes, long trials)
    {
        var ci = Wilson.IntervalOrNull(successes, trials);
        return new JsonObject
        {
            ["value"] = Finite(value),
            ["lower"] = ci is { } c ? Finite(c.Lower) : null,
            ["upper"] = ci is { } d ? Finite(d.Upper) : null,
            ["interval"] = "wilson",
        };
    }

    private static JsonNode? Finite(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
