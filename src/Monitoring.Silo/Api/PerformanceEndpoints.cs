using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;
using static Monitoring.Silo.Api.ApiResults;

namespace Monitoring.Silo.Api;

/// <summary>Performance: one window's report, estimated against realized per window, one metric over windows (whole model or a slice).</summary>
internal static class PerformanceEndpoints
{
    /// <summary>Performance metrics a series can be drawn for; whole-model only where marked in the README.</summary>
    public static readonly IReadOnlyList<string> Metrics = ["accuracy", "precision", "recall", "f1", "brier", "ece", "auc", "log_loss", "coverage", "estimated_accuracy", "estimated_auc", "predictions", "prediction_psi", "prediction_js"];

    /// <summary>Series metrics that exist per slice only (the whole model's prediction drift is in the window reports).</summary>
    private static readonly string[] SliceOnlyMetrics = ["predictions", "prediction_psi", "prediction_js"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/models/{tenant}/{model}/windows/{start}/performance", WindowAsync).WithSummary("One window's performance: label coverage, realized metrics with intervals, calibration, CBPE estimates.");
        api.MapGet("/models/{tenant}/{model}/performance/series", MetricSeriesAsync).WithSummary("A performance metric over windows, for the whole model or one slice (slice=country=BR or slice=device & plan=ios & free).");
        api.MapGet("/models/{tenant}/{model}/performance", SeriesAsync).WithSummary("Estimated vs realized performance per window.");
    }

    private static async Task<IResult> WindowAsync(string tenant, string model, string start, ModelReads reads, CancellationToken ct)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        if (!TryTime(start, out var s))
        {
            return BadRequest("start", "expected the window start as ISO 8601, Unix seconds or Unix nanoseconds");
        }

        var reports = await reads.PerformanceAsync(key, s, s + 1);
        return reports.Length == 1 ? Json(reports[0]) : NotFound("start", $"no performance recorded for the window starting at {UnixNanos.ToIso(s)}");
    }

    private static async Task<IResult> SeriesAsync(string tenant, string model, ModelReads reads, CancellationToken ct, string? from = null, string? to = null)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        if (!TryRange(from, to, out var f, out var t, out var error))
        {
            return error!;
        }

        var points = (await reads.PerformanceAsync(key, f, t)).Select(r => new PerformancePoint(
            r.WindowStart, r.Predictions, r.Labeled, r.Coverage, r.Binary?.Accuracy.Value, r.Binary?.Auc?.Estimate, r.Estimated?.Accuracy, r.Estimated?.Auc));
        return Results.Json(new PerformanceSeries(key.GrainKey, [.. points]));
    }

    private static async Task<IResult> MetricSeriesAsync(string tenant, string model, ModelReads reads, CancellationToken ct,
        string? metric = null, string? slice = null, string? from = null, string? to = null)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        metric ??= "accuracy";
        if (!Metrics.Contains(metric))
        {
            return BadRequest("metric", $"unknown metric '{metric}'; one of {string.Join(", ", Metrics)}");
        }

        if (slice is null && SliceOnlyMetrics.Contains(metric))
        {
            return BadRequest("slice", $"metric '{metric}' is reported per slice; add slice=dimension=value, e.g. slice=country=BR (the whole model's prediction drift is in the window reports)");
        }

        if (slice is not null && (!slice.Contains('=', StringComparison.Ordinal) || metric is "auc" or "log_loss" or "coverage" or "estimated_accuracy" or "estimated_auc"))
        {
            return BadRequest("slice", slice.Contains('=', StringComparison.Ordinal)
                ? $"metric '{metric}' is reported for the whole model only"
                : "expected dimension=value, e.g. country=BR");
        }

        if (!TryRange(from, to, out var f, out var t, out var error))
        {
            return error!;
        }

        var points = new List<MetricPoint>();
        foreach (var r in await reads.PerformanceAsync(key, f, t))
        {
            points.Add(slice is null ? WholeModel(r, metric) : Slice(r, slice, metric));
        }

        return Results.Json(new MetricSeries(key.GrainKey, metric, slice, points));
    }

    private static MetricPoint WholeModel(PerformanceReport r, string metric)
    {
        var b = r.Binary;
        double? value = metric switch
        {
            "accuracy" => b?.Accuracy.Value,
            "auc" => b?.Auc?.Estimate,
            "coverage" => r.Coverage,
            "estimated_accuracy" => r.Estimated?.Accuracy,
            "estimated_auc" => r.Estimated?.Auc,
            "precision" => b?.Precision,
            "recall" => b?.Recall,
            "f1" => b?.F1,
            "brier" => b?.Brier,
            "ece" => b?.Ece,
            "log_loss" => b?.LogLoss,
            _ => null,
        };
        return new MetricPoint(r.WindowStart, b?.Count, value, metric == "accuracy" ? b?.Accuracy.Lower : null, metric == "accuracy" ? b?.Accuracy.Upper : null);
    }

    /// <summary>A slice's point: "dimension=value" among the dimensions' values, else (pairs) among the worst slices.</summary>
    private static MetricPoint Slice(PerformanceReport r, string slice, string metric)
    {
        var cut = slice.IndexOf('=', StringComparison.Ordinal);
        var (dimension, value) = (slice[..cut], slice[(cut + 1)..]);
        var s = r.Slices?.Dimensions.FirstOrDefault(d => d.Name == dimension)?.Slices.FirstOrDefault(v => v.Value == value)
            ?? r.Slices?.WorstSlices.FirstOrDefault(v => v.Value == slice);
        double? v = metric switch
        {
            "accuracy" => s?.Accuracy?.Value,
            "precision" => s?.Precision,
            "recall" => s?.Recall,
            "f1" => s?.F1,
            "brier" => s?.Brier,
            "ece" => s?.Ece,
            "predictions" => s?.Predictions,
            "prediction_psi" => s?.PredictionDrift?.Psi,
            "prediction_js" => s?.PredictionDrift?.JensenShannon,
            _ => null,
        };
        return new MetricPoint(r.WindowStart, s?.Count, v, metric == "accuracy" ? s?.Accuracy?.Lower : null, metric == "accuracy" ? s?.Accuracy?.Upper : null);
    }

    /// <summary>Estimated against realized per window (nulls written: not yet known).</summary>
    private sealed record PerformanceSeries(string Model, PerformancePoint[] Points);

    private sealed record PerformancePoint(
        string WindowStart, long Predictions, long Labeled, double? Coverage, double? RealizedAccuracy, double? RealizedAuc, double? EstimatedAccuracy, double? EstimatedAuc);

    /// <summary>One metric over windows (nulls written: a window where it is undefined).</summary>
    private sealed record MetricSeries(string Model, string Metric, string? Slice, List<MetricPoint> Points);

    private sealed record MetricPoint(string WindowStart, long? Count, double? Value, double? Lower, double? Upper);
}
