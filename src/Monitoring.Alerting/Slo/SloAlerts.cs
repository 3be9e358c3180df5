using Monitoring.Abstractions.Alerts;
using Monitoring.Alerting.Evaluation;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Rules;

namespace Monitoring.Alerting.Slo;

/// <summary>
/// Turns SLO decisions into alerts, as Sloth's generated rules do (no <c>for</c>: the short window already guards against
/// blips): an enabled page or ticket decision that fires is a firing alert <c>SLOBurnRate{slo, severity, tenant,
/// model}</c> plus the SLO's alert labels; it resolves at the first evaluation where it no longer fires. Annotations are
/// templated like rule annotations (<c>$labels</c>, <c>$value</c> = the burn rate of the long window that fired,
/// <c>$externalURL</c>).
/// </summary>
public static class SloAlerts
{
    /// <summary>The alert name of SLO alerts.</summary>
    public const string AlertName = "SLOBurnRate";

    /// <summary>Rule key of an SLO alert (for the alert records).</summary>
    public static string RuleKey(string slo, SloSeverity severity) => $"slo/{slo}/{(severity == SloSeverity.Page ? "page" : "ticket")}";

    /// <summary>Evaluates one SLO's decisions against its previous alert records.</summary>
    public static (List<AlertRecord> Records, List<AlertTransition> Transitions) Evaluate(
        SloSpec spec, SloStatusView status, IReadOnlyList<AlertRecord> previous, DateTimeOffset now, string externalUrl)
    {
        var records = new List<AlertRecord>();
        var transitions = new List<AlertTransition>();
        foreach (var (severity, decision) in new[] { (SloSeverity.Page, status.Page), (SloSeverity.Ticket, status.Ticket) })
        {
            var key = RuleKey(spec.Name, severity);
            var old = previous.FirstOrDefault(r => r.RuleKey == key && r.IsActive);
            if (decision.Firing && !decision.Disabled)
            {
                var alertSpec = spec.Alert(severity);
                var series = LabelSet.Of("tenant", status.Tenant, "model", status.Model, "slo", spec.Name);
                var labels = series.With(alertSpec.Labels).With("alertname", AlertName);
                if (!labels.Contains("severity"))
                {
                    labels = labels.With("severity", severity == SloSeverity.Page ? "page" : "ticket");
                }
                var value = decision.BurnRate ?? 0;
                var data = new TemplateData(labels, value, externalUrl.TrimEnd('/'));
                var annotations = alertSpec.Annotations.Select(a => new KeyValuePair<string, string>(a.Key, Render(a.Value, data)))
                    .Where(a => a.Key != "runbook_url" || RuleFileParser.RunbookUrlProblem(a.Value) is null).ToList();
                var evidence = new AlertEvidence("slo_burn_rate", value, ">", decision.Factor ?? 0, null, null, null,
                    [decision.Reason, $"error budget remaining {status.ErrorBudgetRemaining:P1} of {status.Objective:P2} over {status.Windows.LastOrDefault()?.Window}"]);
                var record = old is not null
                    ? old with
                    {
                        Value = value,
                        AnnotationNames = [.. annotations.Select(a => a.Key)],
                        AnnotationValues = [.. annotations.Select(a => a.Value)],
                        Evidence = evidence,
                    }
                    : new AlertRecord
                    {
                        RuleKey = key,
                        LabelNames = [.. labels.Names],
                        LabelValues = [.. labels.Select(p => p.Value)],
                        AnnotationNames = [.. annotations.Select(a => a.Key)],
                        AnnotationValues = [.. annotations.Select(a => a.Value)],
                        State = AlertState.Firing,
                        ActiveAt = now,
                        FiredAt = now,
                        Value = value,
                        Evidence = evidence,
                    };
                if (old is null)
                {
                    transitions.Add(new AlertTransition(AlertChange.Fired, record, decision.Reason));
                }
                records.Add(record);
            }
            else if (old is not null)
            {
                var resolved = old with { State = AlertState.Inactive, ResolvedAt = now };
                transitions.Add(new AlertTransition(AlertChange.Resolved, resolved, decision.Disabled ? "alert disabled" : decision.Reason));
            }
        }
        return (records, transitions);
    }

    private static string Render(string template, TemplateData data)
    {
        try
        {
            return AlertTemplate.Parse(template).Render(data);
        }
        catch (FormatException)
        {
            return template; // shown as written rather than lost
        }
    }
}
