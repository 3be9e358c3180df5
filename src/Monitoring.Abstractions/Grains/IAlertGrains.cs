using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;

namespace Monitoring.Abstractions.Grains;

/// <summary>
/// The alert state of one model's rules, keyed like the model grain (<c>"{tenant}/{model}"</c>): evaluates the rules
/// when the model's reports change and keeps pending and firing alerts durably.
/// </summary>
public interface IModelAlertsGrain : IGrainWithStringKey
{
    /// <summary>A window closed: evaluates the rules over window metrics.</summary>
    Task WindowClosedAsync(WindowReport report);

    /// <summary>Performance reports changed (a window closed, or late labels arrived): evaluates the performance rules.</summary>
    Task PerformanceChangedAsync(PerformanceReport[] reports);

    /// <summary>
    /// The model's version comparisons were evaluated at the close of <paramref name="closed"/>: evaluates the rules over
    /// rollout metrics (<c>rollout_verdict</c>, <c>version_auc_delta</c>, ...).
    /// </summary>
    Task RolloutsComparedAsync(Rollouts.VersionComparisonReport[] comparisons, WindowReport closed);

    /// <summary>Pending and firing alerts of the model.</summary>
    Task<AlertView[]> GetAlertsAsync();

    /// <summary>The model's SLOs were evaluated: page and ticket alerts fire or resolve with their decisions.</summary>
    Task SlosEvaluatedAsync(SloStatusView[] statuses);

    /// <summary>The model's latest SLO statuses.</summary>
    Task<SloStatusView[]> GetSlosAsync();
}

/// <summary>
/// The notification pipeline and incidents (one per cluster, key 0): receives alert changes from every model, groups,
/// inhibits, silences, routes and delivers them, keeps incidents, silences and the notification log durably.
/// </summary>
public interface IAlertNotifierGrain : IGrainWithIntegerKey
{
    /// <summary>Firing alerts of one model (all of them, at every evaluation) and those that resolved.</summary>
    Task UpdateAsync(AlertView[] alerts);

    /// <summary>Incidents, newest first, optionally of one state.</summary>
    Task<IncidentView[]> ListIncidentsAsync(string? state);

    /// <summary>One incident, or null.</summary>
    Task<IncidentView?> GetIncidentAsync(string id);

    /// <summary>Acknowledges; null when there is no such incident.</summary>
    Task<IncidentView?> AcknowledgeAsync(string id, string by);

    /// <summary>Resolves by hand; null when there is no such incident.</summary>
    Task<IncidentView?> ResolveAsync(string id, string by);

    /// <summary>
    /// Silences, newest first, that a caller confined to <paramref name="tenant"/> may see: its own tenant's; every
    /// silence for null (open mode, an operator key).
    /// </summary>
    Task<SilenceView[]> ListSilencesAsync(string? tenant);

    /// <summary>One silence, or null when there is none that a caller confined to <paramref name="tenant"/> (null: any) may see.</summary>
    Task<SilenceView?> GetSilenceAsync(string id, string? tenant);

    /// <summary>
    /// Creates a silence, bound to <see cref="SilenceRequest.Tenant"/> (null: every tenant); throws
    /// <see cref="ArgumentException"/> naming the field when it is invalid.
    /// </summary>
    Task<SilenceView> AddSilenceAsync(SilenceRequest request);

    /// <summary>
    /// Expires a silence now; false when there is no such active or pending silence that a caller confined to
    /// <paramref name="tenant"/> (null: any) may see.
    /// </summary>
    Task<bool> ExpireSilenceAsync(string id, string? tenant);

    /// <summary>Sends a test notification through every integration of a receiver; null when there is no such receiver.</summary>
    Task<ReceiverTestResult?> TestReceiverAsync(string receiver);

    /// <summary>
    /// Runs what the notifier's timer runs (configuration reload, Alertmanager resend, flush of due groups) and returns
    /// once no flush is running (those it started and those already running): what the timer does every second, on
    /// demand. A flush waiting on a receiver that never answers holds this call, never the timer, which does not wait.
    /// </summary>
    Task TickAsync();
}
