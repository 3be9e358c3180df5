using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;
using static Monitoring.Silo.Api.ApiResults;

namespace Monitoring.Silo.Api;

/// <summary>Closed windows: the list, one window's drift and quality report, a feature's metric over windows, closing now.</summary>
internal static class WindowEndpoints
{
    /// <summary>Metrics a feature time series can be drawn for (names in the window report).</summary>
    public static readonly IReadOnlyDictionary<string, Func<FeatureReport, double?>> Metrics = new Dictionary<string, Func<FeatureReport, double?>>(StringComparer.Ordinal)
    {
        ["psi"] = f => f.Psi,
        ["jensen_shannon"] = f => f.JensenShannon,
        ["hellinger"] = f => f.Hellinger,
        ["ks"] = f => f.Ks?.Estimate,
        ["ks_p_value"] = f => f.Ks?.PValue,
        ["wasserstein"] = f => f.Wasserstein?.Estimate,
        ["chi_square"] = f => f.ChiSquare?.Statistic,
        ["chi_square_p_value"] = f => f.ChiSquare?.PValue,
        ["null_rate"] = f => f.NullRate,
        ["count"] = f => f.Count,
        ["mean"] = f => f.Mean,
        ["out_of_reference_range_rate"] = f => f.OutOfReferenceRangeRate,
        ["type_mismatches"] = f => f.TypeMismatches,
    };

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/models/{tenant}/{model}/windows", ListAsync).WithSummary("Closed windows (granularity=window|day) with volume and drifted features.");
        api.MapPost("/models/{tenant}/{model}/windows/close", CloseAsync).WithSummary("Close every open window whose end has passed now, skipping the rest of the allowed lateness.");
        api.MapGet("/models/{tenant}/{model}/windows/{start}", WindowAsync).WithSummary("One closed window's drift and data-quality report.");
        api.MapGet("/models/{tenant}/{model}/features/{feature}/series", SeriesAsync).WithSummary("Time series of one metric of one feature over closed windows.");
    }

    private static async Task<IResult> ListAsync(string tenant, string model, ModelReads reads, CancellationToken ct,
        string? from = null, string? to = null, string? granularity = null)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        if (!TryRange(from, to, out var f, out var t, out var error) || !TryGranularity(granularity, out var kind, out error))
        {
            return error!;
        }

        var windows = await reads.WindowsAsync(key, kind, f, t, ct);
        return Json(windows.Select(r => new WindowSummary(r.WindowStart, r.WindowEnd, r.WindowStartUnixNano, r.Volume, r.LateRecords, r.DriftedFeatures)));
    }

    private static async Task<IResult> CloseAsync(string tenant, string model, ModelReads reads, CancellationToken ct) =>
        await reads.KnownAsync(tenant, model, ct) is { } key
            ? Results.Json(new { closed = await reads.Grain(key).CloseEndedWindowsAsync() })
            : UnknownModel(tenant, model);

    private static async Task<IResult> WindowAsync(string tenant, string model, string start, ModelReads reads, CancellationToken ct, string? granularity = null)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        if (!TryTime(start, out var s))
        {
            return BadRequest("start", "expected the window start as ISO 8601, Unix seconds or Unix nanoseconds");
        }

        if (!TryGranularity(granularity, out var kind, out var error))
        {
            return error!;
        }

        return await reads.WindowAsync(key, kind, s, ct) is { } report
            ? Json(report)
            : NotFound("start", $"no closed {kind} starts at {UnixNanos.ToIso(s)} for model {key.GrainKey}");
    }

    private static async Task<IResult> SeriesAsync(string tenant, string model, string feature, ModelReads reads, CancellationToken ct,
        string? metric = null, string? from = null, string? to = null, string? granularity = null)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        metric ??= "psi";
        if (!Metrics.TryGetValue(metric, out var extract))
        {
            return BadRequest("metric", $"unknown metric '{metric}'; one of {string.Join(", ", Metrics.Keys)}");
        }

        if (!TryRange(from, to, out var f, out var t, out var error) || !TryGranularity(granularity, out var kind, out error))
        {
            return error!;
        }

        var points = new List<FeaturePoint>();
        foreach (var report in await reads.WindowsAsync(key, kind, f, t, ct))
        {
            if (report.Features.FirstOrDefault(x => x.Name == feature) is { } node)
            {
                points.Add(new FeaturePoint(report.WindowStart, extract(node) is { } v && double.IsFinite(v) ? v : null, node.Drifted));
            }
        }

        return Results.Json(new FeatureSeries(key.GrainKey, feature, metric, kind, points));
    }

    /// <summary>A closed window in the list.</summary>
    private sealed record WindowSummary(string WindowStart, string WindowEnd, long WindowStartUnixNano, long Volume, long LateRecords, string[] DriftedFeatures);

    /// <summary>A feature's metric over windows (nulls written: a window where the metric is undefined).</summary>
    private sealed record FeatureSeries(string Model, string Feature, string Metric, string Granularity, List<FeaturePoint> Points);

    private sealed record FeaturePoint(string WindowStart, double? Value, bool Drifted);
}
