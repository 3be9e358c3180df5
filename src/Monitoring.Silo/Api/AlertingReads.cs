using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Grains;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Time;
using Monitoring.Grains.Alerting;
using Monitoring.Reports.Components.Alerting;

namespace Monitoring.Silo.Api;

/// <summary>What the alerting API and the pages both read: the loaded rules with their health, every model's alerts, incidents.</summary>
internal static class AlertingReads
{
    /// <summary>The notifier grain (incidents, silences).</summary>
    public static IAlertNotifierGrain Notifier(IGrainFactory grains) => grains.GetGrain<IAlertNotifierGrain>(0);

    /// <summary>The rules in force, each with its last evaluation and error, and the files' load errors.</summary>
    public static RulesView Rules(AlertingRuntime runtime)
    {
        var health = runtime.Health;
        var groups = runtime.Rules.Groups.Select(g => new RuleGroupStatus(g.Name, g.Source, [.. g.Rules.Select(r => new RuleStatus(
            r.Name,
            r.Key,
            r.ExpressionText,
            PromDuration.Format(r.For),
            PromDuration.Format(r.KeepFiringFor),
            r.Labels.ToDictionary(l => l.Key, l => l.Value.Source),
            r.Annotations.ToDictionary(a => a.Key, a => a.Value.Source),
            string.Join(",", r.Sources.Select(MetricCatalog.SourceName).Order(StringComparer.Ordinal)),
            r.Line,
            health.TryGetValue(r.Key, out var h) ? h.LastEvaluation : null,
            health.TryGetValue(r.Key, out var h2) ? h2.LastError : null))]));
        var slos = runtime.Rules.Slos.Select(s => new SloRuleStatus(s.Name, s.ObjectivePercent, PromDuration.Format(s.Window), s.MinEvents, s.Source, s.Line));
        return new RulesView(runtime.RulesPath, runtime.RulesLoadedAt, [.. runtime.RuleErrors.Select(e => e.ToString())], [.. groups], [.. slos]);
    }

    /// <summary>Pending and firing alerts of every model, firing first, oldest first.</summary>
    public static async Task<AlertView[]> AlertsAsync(ModelReads reads, IGrainFactory grains, CancellationToken ct)
    {
        var models = await reads.ModelsAsync(ct);
        var lists = await Task.WhenAll(models.Select(m => grains.GetGrain<IModelAlertsGrain>(m.GrainKey).GetAlertsAsync()));
        return [.. lists.SelectMany(l => l).OrderBy(a => a.State == "firing" ? 0 : 1).ThenBy(a => a.ActiveAt)];
    }

    /// <summary>Whether a caller of <paramref name="tenant"/> may see the incident: its <c>tenant</c> label (absent: the default tenant) is theirs.</summary>
    public static bool Visible(IncidentView incident, string tenant)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return string.Equals(incident.Labels.GetValueOrDefault("tenant") ?? Abstractions.Models.ModelKey.DefaultTenant, tenant, StringComparison.Ordinal);
    }

    /// <summary>The incidents the request's caller may see (all of them in open mode and for an operator key).</summary>
    public static IncidentView[] Visible(IncidentView[] incidents, HttpContext context) =>
        Auth.Caller.TenantOf(context) is { } tenant ? [.. incidents.Where(i => Visible(i, tenant))] : incidents;
}
