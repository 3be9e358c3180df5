using System.Text.Json;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Storage;

namespace Monitoring.Silo.Api;

/// <summary>
/// The one way the API reads a model: whether it exists, its grain (description, settings, references, performance as
/// of now), and its closed windows' reports, which never change once written and are read from the report store as
/// typed reports.
/// </summary>
/// <param name="grains">The grain factory.</param>
/// <param name="log">The event log (which models have records).</param>
/// <param name="reports">The report store.</param>
/// <param name="http">The current request, whose caller (api-keys mode) limits every list and lookup to its own tenant.</param>
public sealed class ModelReads(IGrainFactory grains, IEventLog log, IReportStore reports, IHttpContextAccessor? http = null)
{
    /// <summary>Models that have logged records, by key; in api-keys mode only the caller's tenant's.</summary>
    public async Task<IReadOnlyList<ModelKey>> ModelsAsync(CancellationToken ct) =>
        (await log.ListModelsAsync(ct)).Where(m => Auth.Caller.MaySee(http?.HttpContext, m.Tenant)).OrderBy(m => m.GrainKey, StringComparer.Ordinal).ToList();

    /// <summary>The model's grain.</summary>
    public IModelGrain Grain(ModelKey key) => grains.GetGrain<IModelGrain>(key.GrainKey);

    /// <summary>The key when the model exists (records logged, or settings or a reference saved) and the caller may see it, else null.</summary>
    public async Task<ModelKey?> KnownAsync(string tenant, string model, CancellationToken ct)
    {
        if (!ApiResults.TryKey(tenant, model, out var key, out _) || !Auth.Caller.MaySee(http?.HttpContext, key.Tenant))
        {
            return null;
        }

        var models = await log.ListModelsAsync(ct);
        return models.Contains(key) || await Grain(key).ExistsAsync() ? key : null;
    }

    /// <summary>One closed window's (or day's) report, or null.</summary>
    public async Task<WindowReport?> WindowAsync(ModelKey key, string kind, long start, CancellationToken ct) =>
        await reports.GetAsync(key, kind, start, ct) is { } stored ? Parse<WindowReport>(stored.Json) : null;

    /// <summary>The closed windows' (or days') reports starting in [from, to), oldest first.</summary>
    public async Task<IReadOnlyList<WindowReport>> WindowsAsync(ModelKey key, string kind, long from, long to, CancellationToken ct) =>
        (await reports.ListAsync(key, kind, from, to, ct)).Select(r => Parse<WindowReport>(r.Json)).ToList();

    /// <summary>The performance reports of the windows starting in [from, to) as of now (from the grain; nothing is written).</summary>
    public Task<PerformanceReport[]> PerformanceAsync(ModelKey key, long from, long to) => Grain(key).GetPerformanceAsync(from, to);

    private static T Parse<T>(string json) => JsonSerializer.Deserialize<T>(json, ReportJson.Options)!;
}
