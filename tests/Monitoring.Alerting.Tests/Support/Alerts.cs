using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Tests.Support;

/// <summary>Notifications and alerts for notifier tests.</summary>
internal static class Alerts
{
    public static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

    /// <summary>The window report's JSON URL the rule engine records in the evidence.</summary>
    public const string ReportUrl = "https://monitoring.example.com/api/models/default/fraud-v3/windows/2026-12-06T09%3A00%3A00Z";

    /// <summary>The window's HTML page, which notifications link.</summary>
    public const string WindowPage = "https://monitoring.example.com/models/default/fraud-v3/windows/2026-12-06T09%3A00%3A00Z";

    public static NotificationAlert Drift(
        string feature = "age", string severity = "warning", string model = "fraud-v3", bool resolved = false,
        IncidentState? incident = IncidentState.Triggered, string summary = "PSI of age above 0.2", string? slice = "country=DE")
    {
        var labels = LabelSet.Of("alertname", "FeatureDrift", "model", model, "feature", feature, "severity", severity, "slice", slice ?? "");
        return new NotificationAlert
        {
            Labels = labels,
            Annotations = LabelSet.Of("summary", summary, "runbook_url", "https://runbooks.example.com/drift#psi"),
            StartsAt = Now.AddMinutes(-30),
            EndsAt = resolved ? Now.AddMinutes(-1) : null,
            // As the rule engine and the notifier grain make them: the JSON report's URL (links show the HTML page).
            GeneratorUrl = ReportUrl,
            Evidence = new AlertEvidence("psi", 0.3125, ">", 0.2, "2026-12-06T09:00:00Z", "2026-12-06T10:00:00Z",
                ReportUrl, ["worst slice country=DE: 0.41"]),
            Incident = incident is { } state
                ? new IncidentRef("inc-" + labels.FingerprintHex, state, $"https://monitoring.example.com/incidents/inc-{labels.FingerprintHex}",
                    $"https://monitoring.example.com/incidents/inc-{labels.FingerprintHex}/ack")
                : null,
        };
    }

    public static Notification Group(IReadOnlyList<NotificationAlert> alerts, string receiver = "ml-oncall", string groupKey = "{}:{model=\"fraud-v3\"}") => new()
    {
        Receiver = receiver,
        GroupKey = groupKey,
        GroupLabels = LabelSet.Of("model", "fraud-v3"),
        Alerts = alerts,
        ExternalUrl = "https://monitoring.example.com/",
        Reason = "first notification",
        Time = Now,
    };

    public static Notification Group(params NotificationAlert[] alerts) => Group((IReadOnlyList<NotificationAlert>)alerts);
}
