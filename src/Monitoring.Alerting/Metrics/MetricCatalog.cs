namespace Monitoring.Alerting.Metrics;

/// <summary>Where a metric's values come from, which decides when rules over it are evaluated.</summary>
public enum MetricSource
{
    /// <summary>A closed window's drift and data-quality report: evaluated when the window closes.</summary>
    Window,
    /// <summary>A window's performance report: evaluated when the window closes and again when late labels change it.</summary>
    Performance,
    /// <summary>
    /// The comparisons of a model's versions (<c>Monitoring:Rollouts:Comparisons</c>, else its two busiest versions in the
    /// window): evaluated when a window closes, over every window since the candidate appeared.
    /// </summary>
    Rollout,
}

/// <summary>One metric rules can select: its name, labels, source and meaning.</summary>
/// <param name="Name">Metric name as written in <c>expr</c>.</param>
/// <param name="Labels">Labels its series carry (always <c>tenant</c> and <c>model</c>).</param>
/// <param name="Source">Report it is read from.</param>
/// <param name="Help">What the value is, with units.</param>
public sealed record MetricInfo(string Name, IReadOnlyList<string> Labels, MetricSource Source, string Help);

/// <summary>Every metric the system computes for rules, with its labels (<c>monitoring rules metrics</c> prints it).</summary>
public static class MetricCatalog
{
    private static readonly string[] Model = ["tenant", "model"];
    private static readonly string[] Feature = ["tenant", "model", "feature"];
    private static readonly string[] Slice = ["tenant", "model", "slice_dimension", "slice_value"];
    private static readonly string[] Versions = ["tenant", "model", "baseline", "candidate"];

    /// <summary>All metrics, in the order they are documented.</summary>
    public static IReadOnlyList<MetricInfo> All { get; } =
    [
        new("feature_psi", Feature, MetricSource.Window, "Population stability index of the feature against the reference bins"),
        new("feature_jensen_shannon", Feature, MetricSource.Window, "Jensen-Shannon distance (base 2) against the reference bins, 0..1"),
        new("feature_hellinger", Feature, MetricSource.Window, "Hellinger distance against the reference bins, 0..1"),
        new("feature_ks", Feature, MetricSource.Window, "Kolmogorov-Smirnov statistic D (estimate from sketches; numeric features)"),
        new("feature_ks_p_value", Feature, MetricSource.Window, "KS p-value, Benjamini-Hochberg adjusted across the window's features"),
        new("feature_wasserstein", Feature, MetricSource.Window, "Wasserstein-1 distance in the feature's units (estimate; numeric features)"),
        new("feature_chi_square_p_value", Feature, MetricSource.Window, "Chi-square p-value, Benjamini-Hochberg adjusted across the window's features (categorical)"),
        new("feature_drifted", Feature, MetricSource.Window, "1 when the window's drift call says drifted, else 0"),
        new("feature_null_rate", Feature, MetricSource.Window, "Nulls / (values + nulls), 0..1"),
        new("feature_out_of_range_rate", Feature, MetricSource.Window, "Share of values outside the reference [min, max], 0..1 (exact binning only)"),
        new("feature_new_categories", Feature, MetricSource.Window, "Categories seen in the window but not in the reference (count)"),
        new("feature_type_mismatches", Feature, MetricSource.Window, "Values whose type disagreed with the schema (count)"),
        new("prediction_psi", Model, MetricSource.Window, "PSI of the prediction output (score, value or class) against the reference"),
        new("prediction_drifted", Model, MetricSource.Window, "1 when the prediction output's drift call says drifted, else 0"),
        new("drifted_features", Model, MetricSource.Window, "Number of drifted input features in the window"),
        new("window_volume", Model, MetricSource.Window, "Predictions in the window"),
        new("window_late_records", Model, MetricSource.Window, "Records that arrived after their window had closed"),
        new("latency_p99_ms", Model, MetricSource.Window, "Serving latency p99 estimate (ms)"),
        new("label_coverage", Model, MetricSource.Performance, "Labelled predictions / predictions, 0..1"),
        new("performance_auc", Model, MetricSource.Performance, "ROC AUC of joined labels (binary)"),
        new("performance_accuracy", Model, MetricSource.Performance, "Accuracy of joined labels (binary or multiclass)"),
        new("performance_f1", Model, MetricSource.Performance, "F1 of joined labels (binary; macro F1 for multiclass)"),
        new("performance_brier", Model, MetricSource.Performance, "Brier score of joined labels (binary)"),
        new("performance_log_loss", Model, MetricSource.Performance, "Log loss of joined labels (binary)"),
        new("performance_mae", Model, MetricSource.Performance, "Mean absolute error of joined labels (regression)"),
        new("performance_rmse", Model, MetricSource.Performance, "Root mean squared error of joined labels (regression)"),
        new("calibration_ece", Model, MetricSource.Performance, "Expected calibration error (binary), 0..1"),
        new("calibration_mce", Model, MetricSource.Performance, "Maximum calibration error (binary), 0..1"),
        new("estimated_accuracy", Model, MetricSource.Performance, "Accuracy estimated from scores before labels (CBPE)"),
        new("estimated_auc", Model, MetricSource.Performance, "ROC AUC estimated from scores before labels (CBPE)"),
        new("slice_accuracy", Slice, MetricSource.Performance, "Accuracy of the slice's joined labels"),
        new("slice_accuracy_delta", Slice, MetricSource.Performance, "Slice accuracy minus the rest's (negative = worse)"),
        new("slice_significant", Slice, MetricSource.Performance, "1 when the slice is worse than the rest after Benjamini-Hochberg (adjusted p < 0.05), else 0"),
        new("slice_prediction_psi", Slice, MetricSource.Performance, "PSI of the slice's scores against the same slice in the reference"),
        new("rollout_verdict", Versions, MetricSource.Rollout, "Verdict on the candidate version: 0 promote, 1 hold, 2 rollback (rollout_verdict == 2 pages a rollback)"),
        new("rollout_labeled_needed", Versions, MetricSource.Rollout, "Labelled predictions per version still needed before a promotion can be decided (hold only)"),
        new("version_auc_delta", Versions, MetricSource.Rollout, "Candidate AUC minus baseline AUC (negative = worse)"),
        new("version_auc_delta_lower", Versions, MetricSource.Rollout, "Lower end of the interval of the AUC difference (DeLong, at the guardrails' confidence)"),
        new("version_accuracy_delta", Versions, MetricSource.Rollout, "Candidate accuracy minus baseline accuracy (negative = worse)"),
        new("version_f1_delta", Versions, MetricSource.Rollout, "Candidate F1 minus baseline F1 (negative = worse)"),
        new("version_brier_delta", Versions, MetricSource.Rollout, "Candidate Brier score minus baseline Brier score (positive = worse)"),
        new("version_latency_p99_ratio", Versions, MetricSource.Rollout, "Candidate p99 serving latency / baseline p99 (1.2 = 20% slower)"),
        new("version_prediction_psi", Versions, MetricSource.Rollout, "PSI of the candidate's scores against the baseline's"),
        new("version_slices_regressed", Versions, MetricSource.Rollout, "Slices where the candidate is significantly worse (Benjamini-Hochberg) by more than the guardrail"),
        new("version_shadow_agreement", Versions, MetricSource.Rollout, "Share of shadow pairs (same ml.request.id) on the same side of the threshold, 0..1"),
    ];

    private static readonly Dictionary<string, MetricInfo> ByName = All.ToDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>The source as written in listings: window, performance or rollout.</summary>
    public static string SourceName(MetricSource source) => source switch
    {
        MetricSource.Window => "window",
        MetricSource.Performance => "performance",
        _ => "rollout",
    };

    /// <summary>Looks a metric up by name.</summary>
    public static bool TryGet(string name, out MetricInfo info) => ByName.TryGetValue(name, out info!);
}
