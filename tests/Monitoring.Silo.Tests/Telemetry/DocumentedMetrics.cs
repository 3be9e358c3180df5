namespace Monitoring.Silo.Tests.Telemetry;

/// <summary>One metric as docs/telemetry.md documents it.</summary>
/// <param name="Name">OpenTelemetry instrument name.</param>
/// <param name="Family">Prometheus family name as /metrics shows it (unit and _total suffixes added by the exporter).</param>
/// <param name="Type">Prometheus type.</param>
/// <param name="Unit">UCUM unit of the instrument.</param>
/// <param name="Attributes">Attribute keys as Prometheus labels (besides otel_scope_name and le).</param>
/// <param name="OnlyOnFailure">Exported only once something failed (no series before that).</param>
internal sealed record DocumentedMetric(string Name, string Family, string Type, string Unit, string[] Attributes, bool OnlyOnFailure = false);

/// <summary>The system metrics of docs/telemetry.md, for the tests to hold the silo's output and the document to.</summary>
internal static class DocumentedMetrics
{
    public static readonly DocumentedMetric[] System =
    [
        new("monitoring.records.received", "monitoring_records_received_total", "counter", "{record}", ["protocol"]),
        new("monitoring.records.accepted", "monitoring_records_accepted_total", "counter", "{record}", ["protocol", "kind"]),
        new("monitoring.records.rejected", "monitoring_records_rejected_total", "counter", "{record}", ["protocol", "reason"]),
        new("monitoring.records.duplicates", "monitoring_records_duplicates_total", "counter", "{record}", []),
        new("monitoring.otlp.requests", "monitoring_otlp_requests_total", "counter", "{request}", ["protocol", "outcome"]),
        new("monitoring.otlp.ack.duration", "monitoring_otlp_ack_duration_seconds", "histogram", "s", ["protocol"]),
        new("monitoring.event_log.append.duration", "monitoring_event_log_append_duration_seconds", "histogram", "s", []),
        new("monitoring.event_log.commit.duration", "monitoring_event_log_commit_duration_seconds", "histogram", "s", []),
        new("monitoring.event_log.appended", "monitoring_event_log_appended_bytes_total", "counter", "By", []),
        new("monitoring.event_log.records", "monitoring_event_log_records_total", "counter", "{record}", []),
        new("monitoring.store.errors", "monitoring_store_errors_total", "counter", "{error}", ["operation", "error_type"], OnlyOnFailure: true),
        new("monitoring.grain.activations", "monitoring_grain_activations_total", "counter", "{activation}", ["grain"]),
        new("monitoring.grain.active", "monitoring_grain_active", "gauge", "{activation}", ["grain"]),
        new("monitoring.windows.closed", "monitoring_windows_closed_total", "counter", "{window}", []),
        new("monitoring.window.close.duration", "monitoring_window_close_duration_seconds", "histogram", "s", []),
        new("monitoring.label.joins", "monitoring_label_joins_total", "counter", "{label}", ["outcome"]),
        new("monitoring.label.pending", "monitoring_label_pending", "gauge", "{label}", []),
        new("monitoring.rule.evaluations", "monitoring_rule_evaluations_total", "counter", "{evaluation}", ["source", "result"]),
        new("monitoring.alerts.firing", "monitoring_alerts_firing", "gauge", "{alert}", ["alertname"]),
        new("monitoring.notifications", "monitoring_notifications_total", "counter", "{notification}", ["receiver", "integration", "outcome"]),
        new("monitoring.notification.retries", "monitoring_notification_retries_total", "counter", "{retry}", ["receiver", "integration"]),
        new("monitoring.notification.duration", "monitoring_notification_duration_seconds", "histogram", "s", ["receiver", "integration", "outcome"]),
        new("monitoring.telemetry.series", "monitoring_telemetry_series", "gauge", "{series}", []),
        new("monitoring.telemetry.series.dropped", "monitoring_telemetry_series_dropped_total", "counter", "{series}", [], OnlyOnFailure: true),
    ];

    /// <summary>docs/telemetry.md, found from the test binary up to the repository root.</summary>
    public static string ReadDocs() => File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "telemetry.md"));

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Monitoring.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }
}
