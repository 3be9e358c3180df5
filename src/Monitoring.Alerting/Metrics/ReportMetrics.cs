using System.Globalization;
using Monitoring.Abstractions.Conventions;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Alerting.Labels;

namespace Monitoring.Alerting.Metrics;

/// <summary>
/// Turns typed reports into the samples rules select (<see cref="MetricCatalog"/>). A value the report does not have
/// (no reference yet, no labels yet, a metric that does not apply to the model's kind) gives no sample, so a rule over
/// it is neither true nor false for that series, as a missing series in Prometheus.
/// </summary>
public static class ReportMetrics
{
    private static readonly HashSet<string> PredictionOutputs = new(StringComparer.Ordinal)
    {
        OtlpConventions.Score, OtlpConventions.PredictedValue, OtlpConventions.PredictedClass,
    };

    /// <summary>Samples of a closed window's drift and data-quality report.</summary>
    public static SampleSet FromWindow(WindowReport report)
    {
        var (tenant, model) = SplitModel(report.Model);
        var modelLabels = LabelSet.Of("tenant", tenant, "model", model);
        var samples = new List<Sample>(report.Features.Length * 12 + 8);
        var driftedInputs = 0;
        FeatureReport? prediction = null;
        foreach (var f in report.Features)
        {
            if (PredictionOutputs.Contains(f.Name))
            {
                // The score when there is one, else the predicted value or class (one output per model).
                if (prediction is null || f.Name == OtlpConventions.Score)
                {
                    prediction = f;
                }
                continue;
            }
            if (f.Drifted)
            {
                driftedInputs++;
            }
            var labels = modelLabels.With("feature", f.Name);
            Add(samples, "feature_psi", labels, f.Psi);
            Add(samples, "feature_jensen_shannon", labels, f.JensenShannon);
            Add(samples, "feature_hellinger", labels, f.Hellinger);
            Add(samples, "feature_ks", labels, f.Ks?.Estimate);
            Add(samples, "feature_ks_p_value", labels, f.Ks is { } ks ? ks.PValueAdjusted ?? ks.PValue : null);
            Add(samples, "feature_wasserstein", labels, f.Wasserstein?.Estimate);
            Add(samples, "feature_chi_square_p_value", labels, f.ChiSquare is { } chi ? chi.PValueAdjusted ?? chi.PValue : null);
            Add(samples, "feature_drifted", labels, f.Drifted ? 1 : 0);
            Add(samples, "feature_null_rate", labels, f.Count + f.Nulls > 0 ? f.NullRate : null);
            Add(samples, "feature_out_of_range_rate", labels, f.OutOfReferenceRangeRate);
            Add(samples, "feature_new_categories", labels, f.Kind == "categorical" && f.ReferenceCount > 0 ? f.NewCategories?.Length ?? 0 : null);
            Add(samples, "feature_type_mismatches", labels, f.TypeMismatches);
        }
        if (prediction is not null)
        {
            Add(samples, "prediction_psi", modelLabels, prediction.Psi);
            Add(samples, "prediction_drifted", modelLabels, prediction.Drifted ? 1 : 0);
        }
        Add(samples, "drifted_features", modelLabels, driftedInputs);
        Add(samples, "window_volume", modelLabels, report.Volume);
        Add(samples, "window_late_records", modelLabels, report.LateRecords);
        Add(samples, "latency_p99_ms", modelLabels, report.Latency is { Count: > 0 } l ? l.P99 : null);
        return new SampleSet(tenant, model, MetricSource.Window, report.WindowStart, report.WindowEnd, report.WindowStartUnixNano, samples, []);
    }

    /// <summary>Samples of a window's performance report (realized, estimated, calibration, slices).</summary>
    public static SampleSet FromPerformance(PerformanceReport report)
    {
        var (tenant, model) = SplitModel(report.Model);
        var modelLabels = LabelSet.Of("tenant", tenant, "model", model);
        var samples = new List<Sample>(64);
        Add(samples, "label_coverage", modelLabels, report.Coverage);
        if (report.Binary is { Count: > 0 } b)
        {
            Add(samples, "performance_auc", modelLabels, b.Auc?.Estimate);
            Add(samples, "performance_accuracy", modelLabels, b.Accuracy.Value);
            Add(samples, "performance_f1", modelLabels, b.F1);
            Add(samples, "performance_brier", modelLabels, b.Brier);
            Add(samples, "performance_log_loss", modelLabels, b.LogLoss);
            Add(samples, "calibration_ece", modelLabels, b.Ece);
            Add(samples, "calibration_mce", modelLabels, b.Mce);
        }
        if (report.Multiclass is { Count: > 0 } mc)
        {
            Add(samples, "performance_accuracy", modelLabels, mc.Accuracy.Value);
            Add(samples, "performance_f1", modelLabels, mc.MacroF1);
        }
        if (report.Regression is { Count: > 0 } r)
        {
            Add(samples, "performance_mae", modelLabels, r.Mae);
            Add(samples, "performance_rmse", modelLabels, r.Rmse);
        }
        if (report.Estimated is { Count: > 0 } e)
        {
            Add(samples, "estimated_accuracy", modelLabels, e.Accuracy);
            Add(samples, "estimated_auc", modelLabels, e.Auc);
        }
        var worst = new List<string>();
        if (report.Slices is { } slices)
        {
            foreach (var dimension in slices.Dimensions)
            {
                foreach (var slice in dimension.Slices)
                {
                    AddSlice(samples, modelLabels, dimension.Name, slice);
                }
            }
            foreach (var slice in slices.WorstSlices.Take(5))
            {
                worst.Add(FormatSlice(slice));
            }
        }
        return new SampleSet(tenant, model, MetricSource.Performance, report.WindowStart, report.WindowEnd, report.WindowStartUnixNano, samples, worst);
    }

    /// <summary>
    /// Samples of the version comparisons evaluated at a window's close, one series per (baseline, candidate):
    /// <c>rollout_verdict</c> 0 promote, 1 hold, 2 rollback (the published verdict, <see cref="VersionComparisonReport.Published"/>,
    /// when set), and the differences (candidate - baseline).
    /// </summary>
    public static SampleSet FromRollouts(string modelKey, string windowStart, string windowEnd, long windowStartUnixNano, IReadOnlyList<VersionComparisonReport> comparisons)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        var (tenant, model) = SplitModel(modelKey);
        var samples = new List<Sample>(comparisons.Count * 12);
        foreach (var c in comparisons)
        {
            var labels = LabelSet.Of("tenant", tenant, "model", model).With([new("baseline", c.Baseline), new("candidate", c.Candidate)]);
            Add(samples, "rollout_verdict", labels, VerdictValue(Decision(c)));
            Add(samples, "rollout_labeled_needed", labels, c.Verdict.LabeledNeeded);
            var metrics = c.Metrics.ToDictionary(m => m.Metric, StringComparer.Ordinal);
            Add(samples, "version_auc_delta", labels, metrics.GetValueOrDefault("auc")?.Difference);
            Add(samples, "version_auc_delta_lower", labels, metrics.GetValueOrDefault("auc")?.CiLower);
            Add(samples, "version_accuracy_delta", labels, metrics.GetValueOrDefault("accuracy")?.Difference);
            Add(samples, "version_f1_delta", labels, metrics.GetValueOrDefault("f1")?.Difference);
            Add(samples, "version_brier_delta", labels, metrics.GetValueOrDefault("brier")?.Difference);
            Add(samples, "version_latency_p99_ratio", labels, c.Latency?.Ratio);
            Add(samples, "version_prediction_psi", labels, c.PredictionShift?.Psi);
            Add(samples, "version_slices_regressed", labels, c.Slices.Count(s => s.Significant && s.Degradation > c.Guardrails.MaxSliceDrop));
            Add(samples, "version_shadow_agreement", labels, c.Shadow?.Agreement);
        }

        return new SampleSet(tenant, model, MetricSource.Rollout, windowStart, windowEnd, windowStartUnixNano, samples,
            [.. comparisons.Where(c => Decision(c) != RolloutVerdict.Promote).Select(c => $"{c.Baseline} -> {c.Candidate}: {Decision(c)}")]);
    }

    /// <summary>The published decision (hysteresis over window closes) when there is one, else the comparison's own.</summary>
    private static string Decision(VersionComparisonReport c) => c.Published?.Decision ?? c.Verdict.Decision;

    /// <summary>The verdict as <c>rollout_verdict</c>: 0 promote, 1 hold, 2 rollback.</summary>
    public static double VerdictValue(string decision) => decision switch
    {
        RolloutVerdict.Promote => 0,
        RolloutVerdict.Rollback => 2,
        _ => 1,
    };

    private static void AddSlice(List<Sample> samples, LabelSet modelLabels, string dimension, SliceEntry slice)
    {
        var labels = modelLabels.With([new("slice_dimension", dimension), new("slice_value", slice.Value)]);
        Add(samples, "slice_accuracy", labels, slice.Accuracy?.Value);
        Add(samples, "slice_accuracy_delta", labels, slice.VsRest?.Difference);
        if (slice.VsRest is { } vs)
        {
            Add(samples, "slice_significant", labels, vs.Significant ? 1 : 0);
        }
        Add(samples, "slice_prediction_psi", labels, slice.PredictionDrift?.Psi);
    }

    private static string FormatSlice(SliceEntry slice)
    {
        var accuracy = slice.Accuracy?.Value is { } a ? a.ToString("0.000", CultureInfo.InvariantCulture) : "-";
        var delta = slice.VsRest?.Difference is { } d ? d.ToString("+0.000;-0.000", CultureInfo.InvariantCulture) : "-";
        var p = slice.VsRest?.PValueAdjusted is { } q ? q.ToString("0.###e0", CultureInfo.InvariantCulture) : "-";
        return $"{slice.Value}: accuracy {accuracy} ({delta} vs rest, adjusted p {p}, n={slice.Count})";
    }

    private static void Add(List<Sample> samples, string metric, LabelSet labels, double? value)
    {
        if (value is { } v && !double.IsNaN(v))
        {
            samples.Add(new Sample(metric, labels, v));
        }
    }

    /// <summary>Splits "tenant/model" (the reports' model key).</summary>
    public static (string Tenant, string Model) SplitModel(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? ("default", key) : (key[..slash], key[(slash + 1)..]);
    }
}
