using Monitoring.Alerting.Metrics;

namespace Monitoring.Grains.Telemetry;

/// <summary>One model metric as an OpenTelemetry instrument: the rule catalog's metric under its exported name.</summary>
/// <param name="Catalog">Name in <see cref="MetricCatalog"/> (what alert rules call it).</param>
/// <param name="Name">Instrument name (OpenTelemetry style; Prometheus replaces dots with underscores).</param>
/// <param name="Unit">UCUM unit: <c>1</c> for ratios and scores, <c>s</c> for durations, <c>{...}</c> for counts.</param>
/// <param name="Scale">Factor from the report's value to the instrument's unit (ms to s: 0.001).</param>
public sealed record ModelMetricName(string Catalog, string Name, string Unit, double Scale = 1);

/// <summary>
/// The exported names of the model metrics. The values come from <see cref="ReportMetrics"/>, the mapping from typed
/// reports to samples the alert rules use, so a dashboard and a rule read the very same numbers; this table only renames
/// them (every catalog metric has a row; a test holds the two together).
/// </summary>
public static class ModelMetricNames
{
    /// <summary>All rows, in catalog order.</summary>
    public static IReadOnlyList<ModelMetricName> All { get; } =
    [
        new("feature_psi", "monitoring.model.feature.psi", "1"),
        new("feature_jensen_shannon", "monitoring.model.feature.jensen_shannon", "1"),
        new("feature_hellinger", "monitoring.model.feature.hellinger", "1"),
        new("feature_ks", "monitoring.model.feature.ks", "1"),
        new("feature_ks_p_value", "monitoring.model.feature.ks_p_value", "1"),
        new("feature_wasserstein", "monitoring.model.feature.wasserstein", "{feature_unit}"),
        new("feature_chi_square_p_value", "monitoring.model.feature.chi_square_p_value", "1"),
        new("feature_drifted", "monitoring.model.feature.drifted", "1"),
        new("feature_null_rate", "monitoring.model.feature.null_rate", "1"),
        new("feature_out_of_range_rate", "monitoring.model.feature.out_of_range_rate", "1"),
        new("feature_new_categories", "monitoring.model.feature.new_categories", "{category}"),
        new("feature_type_mismatches", "monitoring.model.feature.type_mismatches", "{value}"),
        new("prediction_psi", "monitoring.model.prediction.psi", "1"),
        new("prediction_drifted", "monitoring.model.prediction.drifted", "1"),
        new("drifted_features", "monitoring.model.drifted_features", "{feature}"),
        new("window_volume", "monitoring.model.window.predictions", "{prediction}"),
        new("window_late_records", "monitoring.model.window.late_records", "{record}"),
        new("latency_p99_ms", "monitoring.model.latency.p99", "s", 0.001),
        new("label_coverage", "monitoring.model.label.coverage", "1"),
        new("performance_auc", "monitoring.model.performance.auc", "1"),
        new("performance_accuracy", "monitoring.model.performance.accuracy", "1"),
        new("performance_f1", "monitoring.model.performance.f1", "1"),
        new("performance_brier", "monitoring.model.performance.brier", "1"),
        new("performance_log_loss", "monitoring.model.performance.log_loss", "1"),
        new("performance_mae", "monitoring.model.performance.mae", "{label_unit}"),
        new("performance_rmse", "monitoring.model.performance.rmse", "{label_unit}"),
        new("calibration_ece", "monitoring.model.calibration.ece", "1"),
        new("calibration_mce", "monitoring.model.calibration.mce", "1"),
        new("estimated_accuracy", "monitoring.model.performance.estimated_accuracy", "1"),
        new("estimated_auc", "monitoring.model.performance.estimated_auc", "1"),
        new("slice_accuracy", "monitoring.model.slice.accuracy", "1"),
        new("slice_accuracy_delta", "monitoring.model.slice.accuracy_delta", "1"),
        new("slice_significant", "monitoring.model.slice.significant", "1"),
        new("slice_prediction_psi", "monitoring.model.slice.prediction_psi", "1"),
        new("rollout_verdict", "monitoring.model.rollout.verdict", "1"),
        new("rollout_labeled_needed", "monitoring.model.rollout.labeled_needed", "{prediction}"),
        new("version_auc_delta", "monitoring.model.version.auc_delta", "1"),
        new("version_auc_delta_lower", "monitoring.model.version.auc_delta_lower", "1"),
        new("version_accuracy_delta", "monitoring.model.version.accuracy_delta", "1"),
        new("version_f1_delta", "monitoring.model.version.f1_delta", "1"),
        new("version_brier_delta", "monitoring.model.version.brier_delta", "1"),
        new("version_latency_p99_ratio", "monitoring.model.version.latency_p99_ratio", "1"),
        new("version_prediction_psi", "monitoring.model.version.prediction_psi", "1"),
        new("version_slices_regressed", "monitoring.model.version.slices_regressed", "{slice}"),
        new("version_shadow_agreement", "monitoring.model.version.shadow_agreement", "1"),
    ];
}
