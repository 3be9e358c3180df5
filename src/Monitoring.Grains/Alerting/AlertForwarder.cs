using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Rollouts;

namespace Monitoring.Grains.Alerting;

/// <summary>
/// Hands a model grain's closed windows and changed performance reports to its alert grain, when alerting runs in this
/// silo (<see cref="AlertingRuntime"/> registered). A failure is logged and never fails the model grain's call: the
/// records are durable either way. Closed windows not handed over are returned, for the model grain to hand over again
/// at its next tick (the alert grain's silo died and is not yet declared dead, or its directory partition was there):
/// the window's evaluation is late, not lost.
/// </summary>
internal static class AlertForwarder
{
    /// <summary>Hands over <paramref name="closed"/> in order; returns those it could not (from the first failure on).</summary>
    public static async Task<IReadOnlyList<WindowReport>> WindowsClosedAsync(IGrainFactory grains, IServiceProvider services, ModelKey key, IReadOnlyList<WindowReport> closed, ILogger logger)
    {
        if (closed.Count == 0 || services.GetService<AlertingRuntime>() is null || Stopping(services))
        {
            return [];
        }

        var handed = 0;
        try
        {
            var alerts = grains.GetGrain<IModelAlertsGrain>(key.GrainKey);
            foreach (var report in closed)
            {
                await alerts.WindowClosedAsync(report);
                handed++;
            }

            return [];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GrainsLog.EvaluationFailed(logger, e, key.GrainKey);
            return [.. closed.Skip(handed)];
        }
    }

    public static async Task PerformanceChangedAsync(IGrainFactory grains, IServiceProvider services, ModelKey key, IReadOnlyList<PerformanceReport> reports, ILogger logger)
    {
        if (reports.Count == 0 || services.GetService<AlertingRuntime>() is null || Stopping(services))
        {
            return;
        }
        try
        {
            await grains.GetGrain<IModelAlertsGrain>(key.GrainKey).PerformanceChangedAsync([.. reports]);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GrainsLog.EvaluationFailed(logger, e, key.GrainKey);
        }
    }

    public static async Task RolloutsComparedAsync(IGrainFactory grains, IServiceProvider services, ModelKey key, VersionComparisonReport[] comparisons, WindowReport closed, ILogger logger)
    {
        if (comparisons.Length == 0 || services.GetService<AlertingRuntime>() is null || Stopping(services))
        {
            return;
        }
        try
        {
            await grains.GetGrain<IModelAlertsGrain>(key.GrainKey).RolloutsComparedAsync(comparisons, closed);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GrainsLog.EvaluationFailed(logger, e, key.GrainKey);
        }
    }

    /// <summary>
    /// True while the silo shuts down: the model grains' last checkpoints would otherwise each try to place an alert
    /// grain on a silo that no longer accepts activations (one error per model in the log). The rules' state is kept;
    /// a window that closes in those seconds is not evaluated (its report is stored; the next window is evaluated).
    /// </summary>
    private static bool Stopping(IServiceProvider services) =>
        services.GetService<IHostApplicationLifetime>()?.ApplicationStopping.IsCancellationRequested == true;

    /// <summary>Hands the model's SLO statuses to its alert grain; never fails the caller.</summary>
    public static async Task SlosAsync(IGrainFactory grains, ModelKey key, IReadOnlyList<Monitoring.Alerting.Slo.SloStatus> statuses, ILogger logger)
    {
        try
        {
            await grains.GetGrain<IModelAlertsGrain>(key.GrainKey).SlosEvaluatedAsync([.. statuses.Select(s => ToView(key, s))]);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            GrainsLog.EvaluationFailed(logger, e, key.GrainKey);
        }
    }

    internal static Monitoring.Abstractions.Alerts.SloStatusView ToView(ModelKey key, Monitoring.Alerting.Slo.SloStatus s) => new()
    {
        Slo = s.Slo,
        Tenant = key.Tenant,
        Model = key.Model,
        EvaluatedAt = s.EvaluatedAt,
        Objective = s.Objective,
        ErrorBudgetRemaining = s.ErrorBudgetRemaining,
        PeriodEvents = s.PeriodEvents,
        Windows = [.. s.Windows.Select(w => new Monitoring.Abstractions.Alerts.SloWindowView(w.Name, w.Counts.Good, w.Counts.Total, w.ErrorRatio, w.BurnRate))],
        Page = ToView(s.Page),
        Ticket = ToView(s.Ticket),
    };

    private static Monitoring.Abstractions.Alerts.SloDecisionView ToView(Monitoring.Alerting.Slo.SloAlertDecision d) => new(
        d.Severity == Monitoring.Alerting.Slo.SloSeverity.Page ? "page" : "ticket", d.Disabled, d.Firing, d.Reason,
        d.FiredBy?.Long.BurnRate, d.FiredBy?.Condition.Factor);
}
