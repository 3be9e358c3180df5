using Monitoring.Abstractions.Models;
using Monitoring.Datasets;
using static Monitoring.Silo.Api.ApiResults;

namespace Monitoring.Silo.Api;

/// <summary>Choosing a model's reference: an uploaded file, a pinned range of windows, a rolling or seasonal reference.</summary>
internal static class ReferenceEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPut("/models/{tenant}/{model}/reference", UploadAsync).WithSummary("Upload a reference file (text/csv or application/vnd.apache.parquet).");
        api.MapPost("/models/{tenant}/{model}/reference/pin", PinAsync).WithSummary("Pin the reference to the windows starting in [from, to).");
        api.MapPost("/models/{tenant}/{model}/reference/rolling", RollingAsync).WithSummary("Use the previous N windows (mode=rolling) or the same window one week earlier (mode=seasonal).");
    }

    private static async Task<IResult> UploadAsync(
        string tenant, string model, HttpRequest request, ModelReads reads, CancellationToken ct,
        string? source = null, string? score_column = null, string? value_column = null, string? class_column = null, string? categorical = null)
    {
        if (!TryKey(tenant, model, out var key, out var error))
        {
            return error!;
        }

        var name = string.IsNullOrWhiteSpace(source) ? "upload" : source;
        TabularFile table;
        try
        {
            table = await ReferenceFile.ReadAsync(request.Body, name, ct);
        }
        catch (DatasetException e)
        {
            return BadRequest("body", e.Message);
        }

        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (field, column, target) in new[] { ("score_column", score_column, "ml.prediction.score"), ("value_column", value_column, "ml.prediction.value"), ("class_column", class_column, "ml.prediction.class") })
        {
            if (column is null)
            {
                continue;
            }

            if (!table.HasColumn(column))
            {
                return BadRequest(field, $"column '{column}' is not in {name}");
            }

            renames[column] = target;
        }

        var schema = await reads.KnownAsync(tenant, model, ct) is { } known
            ? (await reads.Grain(known).DescribeAsync()).Schema.ToDictionary(s => s.Name, s => s.Kind, StringComparer.Ordinal)
            : [];
        var forced = (categorical ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<ReferenceColumnData> columns;
        try
        {
            columns = ReferenceFile.Columns(table, renames, forced, schema);
        }
        catch (DatasetException e)
        {
            return BadRequest("body", e.Message);
        }

        var upload = new ReferenceUpload(name, table.RowCount, columns.Select(c => new ReferenceColumn(c.Name, c.Numbers, c.Texts)).ToArray());
        return Json((await reads.Grain(key).SetReferenceAsync(upload)).Reference);
    }

    private static async Task<IResult> PinAsync(string tenant, string model, PinRequest body, ModelReads reads, CancellationToken ct)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        if (!TryTime(body.From, out var from))
        {
            return BadRequest("from", "expected an ISO 8601 time or Unix seconds");
        }

        if (!TryTime(body.To, out var to))
        {
            return BadRequest("to", "expected an ISO 8601 time or Unix seconds");
        }

        try
        {
            return Json((await reads.Grain(key).PinReferenceAsync(from, to)).Reference);
        }
        catch (ArgumentException e)
        {
            return BadRequest(e.ParamName ?? "from", e.Message);
        }
    }

    private static async Task<IResult> RollingAsync(string tenant, string model, RollingRequest body, ModelReads reads, CancellationToken ct)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        var mode = body.Mode switch
        {
            "rolling" or null => ReferenceMode.RollingWindows,
            "seasonal" => ReferenceMode.SameWindowLastWeek,
            _ => (ReferenceMode?)null,
        };
        if (mode is null)
        {
            return BadRequest("mode", "expected 'rolling' or 'seasonal'");
        }

        try
        {
            return Json(await reads.Grain(key).UseDynamicReferenceAsync(mode.Value, body.Windows ?? 0));
        }
        catch (ArgumentException e)
        {
            return BadRequest("windows", e.Message);
        }
    }

    /// <summary>Body of the pin request.</summary>
    /// <param name="From">First window start (ISO 8601 or Unix seconds).</param>
    /// <param name="To">End of the range (exclusive).</param>
    public sealed record PinRequest(string? From, string? To);

    /// <summary>Body of the dynamic-reference request.</summary>
    /// <param name="Mode">"rolling" (previous N windows) or "seasonal" (same window one week earlier).</param>
    /// <param name="Windows">N for rolling.</param>
    public sealed record RollingRequest(string? Mode, int? Windows);
}
