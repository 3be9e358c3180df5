using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;

namespace Monitoring.Reports.Components.Overview;

/// <summary>How a model stands, worst first when sorted.</summary>
public enum HealthStatus
{
    /// <summary>No closed window yet.</summary>
    Waiting = 0,

    /// <summary>Nothing drifted, nothing open.</summary>
    Ok = 1,

    /// <summary>An open incident, or realized performance below the estimate.</summary>
    Degraded = 2,

    /// <summary>Features or the prediction drifted in the last window, or a page-severity incident is unacknowledged.</summary>
    Failing = 3,
}

/// <summary>One model's row on the overview: what its last closed window and its open incidents say.</summary>
public sealed record ModelHealth
{
    /// <summary>Realized accuracy this far below the CBPE estimate (with enough labels) marks the model degraded.</summary>
    public const double PerformanceGapThreshold = 0.05;

    /// <summary>Labelled predictions needed before realized and estimated performance are compared.</summary>
    public const long MinimumLabelledForGap = 50;

    /// <summary>Tenant.</summary>
    public required string Tenant { get; init; }

    /// <summary>Model id.</summary>
    public required string Model { get; init; }

    /// <summary>Start of the last closed window (ISO 8601), null before the first closes.</summary>
    public string? LastWindowStart { get; init; }

    /// <summary>Predictions in the last closed window.</summary>
    public long? Volume { get; init; }

    /// <summary>Features (and prediction outputs) reported in the last window.</summary>
    public int Features { get; init; }

    /// <summary>Names of the inputs that drifted in the last window (not the prediction outputs).</summary>
    public IReadOnlyList<string> DriftedFeatures { get; init; } = [];

    /// <summary>Whether the prediction output itself drifted in the last window.</summary>
    public bool PredictionDrifted { get; init; }

    /// <summary>Open incidents (triggered or acknowledged) of the model.</summary>
    public int OpenIncidents { get; init; }

    /// <summary>Unacknowledged incidents with severity <c>page</c>.</summary>
    public int PagingIncidents { get; init; }

    /// <summary>Realized accuracy of the last window with labels.</summary>
    public double? RealizedAccuracy { get; init; }

    /// <summary>CBPE-estimated accuracy of the same window.</summary>
    public double? EstimatedAccuracy { get; init; }

    /// <summary>Realized RMSE of the last window with labels, for a regression model (which has no accuracy).</summary>
    public double? RealizedRmse { get; init; }

    /// <summary>Labelled predictions behind <see cref="RealizedAccuracy"/>.</summary>
    public long Labelled { get; init; }

    /// <summary>Label coverage of that window.</summary>
    public double? Coverage { get; init; }

    /// <summary>The window the performance figures are of (ISO 8601).</summary>
    public string? PerformanceWindowStart { get; init; }

    /// <summary>The verdict.</summary>
    public HealthStatus Status => Assess().Status;

    /// <summary>Why, in a few words each.</summary>
    public IReadOnlyList<string> Reasons => Assess().Reasons;

    /// <summary>Realized minus estimated accuracy, when both are known with enough labels.</summary>
    public double? PerformanceGap =>
        RealizedAccuracy is { } r && EstimatedAccuracy is { } e && Labelled >= MinimumLabelledForGap ? r - e : null;

    private (HealthStatus Status, List<string> Reasons) Assess()
    {
        var reasons = new List<string>();
        if (DriftedFeatures.Count > 0)
        {
            reasons.Add(DriftedFeatures.Count == 1 ? "1 feature drifted" : $"{DriftedFeatures.Count} features drifted");
        }

        if (PredictionDrifted)
        {
            reasons.Add("predictions drifted");
        }

        if (PagingIncidents > 0)
        {
            reasons.Add(PagingIncidents == 1 ? "1 paging incident" : $"{PagingIncidents} paging incidents");
        }

        var failing = reasons.Count > 0;
        if (OpenIncidents > PagingIncidents)
        {
            var others = OpenIncidents - PagingIncidents;
            reasons.Add(others == 1 ? "1 open incident" : $"{others} open incidents");
        }

        if (PerformanceGap is { } gap && gap < -PerformanceGapThreshold)
        {
            reasons.Add("accuracy below estimate");
        }

        var status = LastWindowStart is null && OpenIncidents == 0 ? HealthStatus.Waiting
            : failing ? HealthStatus.Failing
            : reasons.Count > 0 ? HealthStatus.Degraded
            : HealthStatus.Ok;
        return (status, reasons);
    }

    /// <summary>
    /// Worst first: status, then drifted inputs (prediction drift counts as one), open incidents, the performance gap
    /// (most negative first), then tenant and model by name.
    /// </summary>
    public static IReadOnlyList<ModelHealth> WorstFirst(IEnumerable<ModelHealth> models) =>
        [.. models
            .OrderByDescending(m => m.Status)
            .ThenByDescending(m => m.DriftedFeatures.Count + (m.PredictionDrifted ? 1 : 0))
            .ThenByDescending(m => m.PagingIncidents)
            .ThenByDescending(m => m.OpenIncidents)
            .ThenBy(m => m.PerformanceGap ?? 0)
            .ThenBy(m => m.Tenant, StringComparer.Ordinal)
            .ThenBy(m => m.Model, StringComparer.Ordinal)];
}

/// <summary>The models overview page.</summary>
/// <param name="Models">Models, worst first.</param>
/// <param name="OpenIncidents">Open incidents across every model.</param>
/// <param name="GeneratedAt">When the page was made.</param>
public sealed record OverviewPage(IReadOnlyList<ModelHealth> Models, int OpenIncidents, DateTimeOffset GeneratedAt);

/// <summary>Builds a model's overview row from its typed reports.</summary>
public static class ModelHealthBuilder
{
    /// <summary>Prefix of the prediction outputs among a window report's features.</summary>
    public const string PredictionPrefix = "ml.prediction.";

    /// <summary>
    /// The row: drift and volume from the last closed window; performance from the newest of
    /// <paramref name="recentPerformance"/> that has labels (else the newest); open incidents whose labels name the model.
    /// </summary>
    public static ModelHealth From(string tenant, string model, WindowReport? last, IReadOnlyList<PerformanceReport> recentPerformance, IEnumerable<IncidentView> openIncidents)
    {
        ArgumentNullException.ThrowIfNull(recentPerformance);
        var performance = recentPerformance.Where(p => p.Labeled > 0).OrderByDescending(p => p.WindowStartUnixNano).FirstOrDefault()
            ?? recentPerformance.OrderByDescending(p => p.WindowStartUnixNano).FirstOrDefault();
        var incidents = openIncidents.Where(i => i.State != "resolved").ToList();
        return new ModelHealth
        {
            Tenant = tenant,
            Model = model,
            LastWindowStart = last?.WindowStart,
            Volume = last?.Volume,
            Features = last?.Features.Count(f => !f.Name.StartsWith(PredictionPrefix, StringComparison.Ordinal)) ?? 0,
            DriftedFeatures = last is null ? [] : [.. last.Features.Where(f => f.Drifted && !f.Name.StartsWith(PredictionPrefix, StringComparison.Ordinal)).Select(f => f.Name)],
            PredictionDrifted = last?.Features.Any(f => f.Drifted && f.Name.StartsWith(PredictionPrefix, StringComparison.Ordinal)) ?? false,
            OpenIncidents = incidents.Count,
            PagingIncidents = incidents.Count(i => i.State == "triggered" && i.Labels.GetValueOrDefault("severity") == "page"),
            RealizedAccuracy = performance?.Binary?.Accuracy.Value ?? performance?.Multiclass?.Accuracy.Value,
            EstimatedAccuracy = performance?.Estimated?.Accuracy,
            RealizedRmse = performance?.Regression?.Rmse,
            Labelled = performance?.Labeled ?? 0,
            Coverage = performance?.Coverage,
            PerformanceWindowStart = performance?.WindowStart,
        };
    }

    /// <summary>The incident's model as (tenant, model) from its labels, or null.</summary>
    public static (string Tenant, string Model)? ModelOf(IncidentView incident)
    {
        ArgumentNullException.ThrowIfNull(incident);
        return incident.Labels.TryGetValue("model", out var model) ? (incident.Labels.GetValueOrDefault("tenant") ?? "default", model) : null;
    }
}
