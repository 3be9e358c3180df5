using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Tests.Support;

/// <summary>Notifications and alerts for notifier tests.</summary>
internal static class Alerts
{
    public static readonly DateTimeOffset Now = new(2026, 12, 6, 10, 0, 0, TimeSpan.Zero);

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
            GeneratorUrl = "https://monitoring.example.com/models/fraud-v3/rules/drift",
            Evidence = new AlertEvidence("psi", 0.3125, ">", 0.2, "2026-12-06T09:00:00Z", "2026-12-06T10:00:00Z",
                "https://monitoring.example.com/models/fraud-v3/windows/2026-12-06T09", ["worst slice country=DE: 0.41"]),
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
