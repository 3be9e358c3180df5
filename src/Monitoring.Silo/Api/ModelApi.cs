using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Datasets;
using Monitoring.Grains;
using Monitoring.Aggregation.Reports;
using Monitoring.Storage;

namespace Monitoring.Silo.Api;

/// <summary>
/// The read and reference API (JSON; OpenAPI document at <c>/openapi/v1.json</c>). Errors are
/// <c>{"error": "...", "field": "..."}</c> with 404 for an unknown model and 400 for a bad query.
/// </summary>
public static class ModelApi
{
    /// <summary>Metrics a feature time series can be drawn for (names in the window report).</summary>
    public static readonly IReadOnlyDictionary<string, Func<JsonNode, double?>> Metrics = new Dictionary<string, Func<JsonNode, double?>>(StringComparer.Ordinal)
    {
        ["psi"] = f => Number(f["psi"]),
        ["jensen_shannon"] = f => Number(f["jensen_shannon"]),
        ["hellinger"] = f => Number(f["hellinger"]),
        ["ks"] = f => Number(f["ks"]?["estimate"]),
        ["ks_p_value"] = f => Number(f["ks"]?["p_value"]),
        ["wasserstein"] = f => Number(f["wasserstein"]?["estimate"]),
        ["chi_square"] = f => Number(f["chi_square"]?["statistic"]),
        ["chi_square_p_value"] = f => Number(f["chi_square"]?["p_value"]),
        ["null_rate"] = f => Number(f["null_rate"]),
        ["count"] = f => Number(f["count"]),
        ["mean"] = f => Number(f["mean"]),
        ["out_of_reference_range_rate"] = f => Number(f["out_of_reference_range_rate"]),
        ["type_mismatches"] = f => Number(f["type_mismatches"]),
    };

    /// <summary>Maps the API under <c>/api</c>.</summary>
    public static void MapModelApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("models");
        api.MapGet("/models", ListModelsAsync).WithSummary("List models that have sent records.");
        api.MapGet("/models/{tenant}/{model}", DescribeAsync).WithSummary("Schema, settings, reference, open windows and totals of a model.");
        api.MapGet("/models/{tenant}/{model}/schema", SchemaAsync).WithSummary("Inferred schema and schema events of a model.");
        api.MapGet("/models/{tenant}/{model}/reference", ReferenceAsync).WithSummary("The reference in force.");
        api.MapPut("/models/{tenant}/{model}/reference", UploadReferenceAsync).WithSummary("Upload a reference file (text/csv or application/vnd.apache.parquet).");
        api.MapPost("/models/{tenant}/{model}/reference/pin", PinReferenceAsync).WithSummary("Pin the reference to the windows starting in [from, to).");
        api.MapPost("/models/{tenant}/{model}/reference/rolling", RollingReferenceAsync).WithSummary("Use the previous N windows (mode=rolling) or the same window one week earlier (mode=seasonal).");
        api.MapPut("/models/{tenant}/{model}/settings", ConfigureAsync).WithSummary("Window length, lateness, retention and minimum sample size.");
        api.MapGet("/models/{tenant}/{model}/windows", ListWindowsAsync).WithSummary("Closed windows (granularity=window|day) with volume and drifted features.");
        api.MapPost("/models/{tenant}/{model}/windows/close", CloseWindowsAsync).WithSummary("Close every open window whose end has passed now, skipping the rest of the allowed lateness.");
        api.MapGet("/models/{tenant}/{model}/windows/{start}/performance", WindowPerformanceAsync).WithSummary("One window's performance: label coverage, realized metrics with intervals, calibration, CBPE estimates.");
        api.MapGet("/models/{tenant}/{model}/performance/series", PerformanceMetricSeriesAsync).WithSummary("A performance metric over windows, for the whole model or one slice (slice=country=BR or slice=device & plan=ios & free).");
        api.MapGet("/models/{tenant}/{model}/performance", PerformanceSeriesAsync).WithSummary("Estimated vs realized performance per window.");
        api.MapGet("/models/{tenant}/{model}/windows/{start}", WindowAsync).WithSummary("One closed window's drift and data-quality report.");
        api.MapGet("/models/{tenant}/{model}/features/{feature}/series", SeriesAsync).WithSummary("Time series of one metric of one feature over closed windows.");
        app.MapGet("/healthz", () => Results.Text("ok")).ExcludeFromDescription();
    }

    private static async Task<IResult> ListModelsAsync(IEventLog log, CancellationToken ct)
    {
        var models = await log.ListModelsAsync(ct);
        return Results.Json(models.OrderBy(m => m.GrainKey, StringComparer.Ordinal).Select(m => new { tenant = m.Tenant, model = m.Model, key = m.GrainKey }));
    }

    private static async Task<IResult> DescribeAsync(string tenant, string model, IEventLog log, IGrainFactory grains, CancellationToken ct)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        return key is null ? UnknownModel(tenant, model) : Results.Text(await grains.GetGrain<IModelGrain>(key.Value.GrainKey).DescribeAsync(), "application/json");
    }

    private static async Task<IResult> SchemaAsync(string tenant, string model, IEventLog log, IGrainFactory grains, CancellationToken ct) =>
        await PartAsync(tenant, model, log, grains, ct, "schema", "schema_events");

    private static async Task<IResult> ReferenceAsync(string tenant, string model, IEventLog log, IGrainFactory grains, CancellationToken ct) =>
        await PartAsync(tenant, model, log, grains, ct, "reference");

    private static async Task<IResult> PartAsync(string tenant, string model, IEventLog log, IGrainFactory grains, CancellationToken ct, params string[] parts)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        if (key is null)
        {
            return UnknownModel(tenant, model);
        }

        var doc = JsonNode.Parse(await grains.GetGrain<IModelGrain>(key.Value.GrainKey).DescribeAsync())!;
        var result = new JsonObject { ["model"] = key.Value.GrainKey };
        foreach (var p in parts)
        {
            result[p] = doc[p]?.DeepClone();
        }

        return Results.Text(result.ToJsonString(), "application/json");
    }

    private static async Task<IResult> UploadReferenceAsync(
        string tenant, string model, HttpRequest request, IGrainFactory grains, IEventLog log, CancellationToken ct,
        string? source = null, string? score_column = null, string? value_column = null, string? class_column = null, string? categorical = null)
    {
        if (!TryKey(tenant, model, out var key, out var error))
        {
            return error!;
        }

        var name = string.IsNullOrWhiteSpace(source) ? "upload" : source;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length == 0)
        {
            return BadRequest("body", "the request body is empty; send the reference file (CSV with a header row, or Parquet)");
        }

        buffer.Position = 0;
        TabularFile table;
        try
        {
            var isParquet = buffer.Length >= 4 && buffer.GetBuffer().AsSpan(0, 4).SequenceEqual(ParquetFile.Magic);
            table = isParquet ? await ParquetFile.ReadAsync(buffer, name, ct) : TabularFile.Read(buffer, name);
        }
        catch (DatasetException e)
        {
            return BadRequest("body", e.Message);
        }

        if (table.RowCount == 0)
        {
            return BadRequest("body", $"{name}: the reference has a header but no data rows");
        }

        var known = await KnownModelAsync(tenant, model, log, grains, ct);
        var schema = known is null ? [] : SchemaKinds(await grains.GetGrain<IModelGrain>(key.GrainKey).DescribeAsync());
        var forcedCategorical = (categorical ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (column, target) in new[] { (score_column, "ml.prediction.score"), (value_column, "ml.prediction.value"), (class_column, "ml.prediction.class") })
        {
            if (column is null)
            {
                continue;
            }

            if (!table.HasColumn(column))
            {
                return BadRequest(target == "ml.prediction.score" ? "score_column" : target == "ml.prediction.value" ? "value_column" : "class_column", $"column '{column}' is not in {name}");
            }

            renames[column] = target;
        }

        var columns = new List<ReferenceColumn>();
        foreach (var header in table.Header)
        {
            var feature = renames.GetValueOrDefault(header, header);
            var cells = table.Column(header);
            var kind = schema.GetValueOrDefault(feature);
            var wantText = forcedCategorical.Contains(header) || feature == "ml.prediction.class" || kind == "categorical";
            var numbers = Array.Empty<double>();
            var badRow = -1;
            if (!wantText && TryNumbers(cells, out numbers, out badRow))
            {
                columns.Add(new ReferenceColumn(feature, numbers, null));
            }
            else if (!wantText && kind == "numeric")
            {
                return BadRequest("body", $"{name}: row {badRow + 2}, column '{header}': '{cells[badRow]}' is not a number, but the model's feature '{feature}' is numeric");
            }
            else
            {
                columns.Add(new ReferenceColumn(feature, null, cells.ToArray()));
            }
        }

        var result = await grains.GetGrain<IModelGrain>(key.GrainKey).SetReferenceAsync(new ReferenceUpload(name, table.RowCount, columns.ToArray()));
        return Results.Text(JsonNode.Parse(result)!["reference"]!.ToJsonString(), "application/json");
    }

    private static async Task<IResult> PinReferenceAsync(string tenant, string model, PinRequest body, IEventLog log, IGrainFactory grains, CancellationToken ct)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        if (key is null)
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
            var result = await grains.GetGrain<IModelGrain>(key.Value.GrainKey).PinReferenceAsync(from, to);
            return Results.Text(JsonNode.Parse(result)!["reference"]!.ToJsonString(), "application/json");
        }
        catch (ArgumentException e)
        {
            return BadRequest(e.ParamName ?? "from", e.Message);
        }
    }

    private static async Task<IResult> RollingReferenceAsync(string tenant, string model, RollingRequest body, IEventLog log, IGrainFactory grains, CancellationToken ct)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        if (key is null)
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
            var result = await grains.GetGrain<IModelGrain>(key.Value.GrainKey).UseDynamicReferenceAsync(mode.Value, body.Windows ?? 0);
            return Results.Text(result, "application/json");
        }
        catch (ArgumentException e)
        {
            return BadRequest("windows", e.Message);
        }
    }

    private static async Task<IResult> ConfigureAsync(string tenant, string model, SettingsRequest body, IGrainFactory grains, CancellationToken ct)
    {
        if (!TryKey(tenant, model, out var key, out var error))
        {
            return error!;
        }

        var settings = new ModelSettings
        {
            Window = TimeSpan.FromSeconds(body.WindowSeconds ?? ModelSettings.DefaultWindow.TotalSeconds),
            AllowedLateness = body.AllowedLatenessSeconds is { } l ? TimeSpan.FromSeconds(l) : null,
            Retention = TimeSpan.FromDays(body.RetentionDays ?? ModelSettings.DefaultRetention.TotalDays),
            MinimumSampleSize = body.MinimumSampleSize ?? ModelSettings.DefaultMinimumSampleSize,
            RollingWindows = body.RollingWindows ?? ModelSettings.DefaultRollingWindows,
            LabelHorizon = TimeSpan.FromDays(body.LabelHorizonDays ?? ModelSettings.DefaultLabelHorizon.TotalDays),
            SliceTopValues = body.SliceTopValues ?? ModelSettings.DefaultSliceTopValues,
        };
        if (settings.Validate() is { } problem)
        {
            return BadRequest("settings", problem);
        }

        var applied = await grains.GetGrain<IModelGrain>(key.GrainKey).UpdateSettingsAsync(settings);
        return Results.Text(JsonSerializer.Serialize(SettingsView.From(applied), WindowReport.JsonOptions), "application/json");
    }

    private static async Task<IResult> ListWindowsAsync(string tenant, string model, IEventLog log, IGrainFactory grains, IReportStore reports, CancellationToken ct,
        string? from = null, string? to = null, string? granularity = null)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        if (key is null)
        {
            return UnknownModel(tenant, model);
        }

        if (!TryRange(from, to, out var f, out var t, out var error) || !TryGranularity(granularity, out var kind, out error))
        {
            return error!;
        }

        var list = await reports.ListAsync(key.Value, kind, f, t, ct);
        var items = list.Select(r =>
        {
            var doc = JsonNode.Parse(r.Json)!;
            return new JsonObject
            {
                ["window_start"] = doc["window_start"]?.DeepClone(),
                ["window_end"] = doc["window_end"]?.DeepClone(),
                ["window_start_unix_nano"] = r.WindowStartUnixNano,
                ["volume"] = doc["volume"]?.DeepClone(),
                ["late_records"] = doc["late_records"]?.DeepClone(),
                ["drifted_features"] = doc["drifted_features"]?.DeepClone(),
            };
        });
        return Results.Text(new JsonArray(items.ToArray<JsonNode?>()).ToJsonString(), "application/json");
    }

    private static async Task<IResult> CloseWindowsAsync(string tenant, string model, IEventLog log, IGrainFactory grains, CancellationToken ct)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        return key is null ? UnknownModel(tenant, model) : Results.Json(new { closed = await grains.GetGrain<IModelGrain>(key.Value.GrainKey).CloseEndedWindowsAsync() });
    }

    private static async Task<IResult> WindowPerformanceAsync(string tenant, string model, string start, IEventLog log, IGrainFactory grains, IReportStore reports, CancellationToken ct)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        if (key is null)
        {
            return UnknownModel(tenant, model);
        }

        if (!TryTime(start, out var s))
        {
            return BadRequest("start", "expected the window start as ISO 8601, Unix seconds or Unix nanoseconds");
        }

        await grains.GetGrain<IModelGrain>(key.Value.GrainKey).FlushPerformanceAsync();
        var report = await reports.GetAsync(key.Value, ReportKinds.Performance, s, ct);
        return report is null
            ? Results.Json(new { error = $"no performance recorded for the window starting at {WindowReportBuilder.Iso(s)}", field = "start" }, statusCode: StatusCodes.Status404NotFound)
            : Results.Text(report.Json, "application/json");
    }

    private static async Task<IResult> PerformanceSeriesAsync(string tenant, string model, IEventLog log, IGrainFactory grains, IReportStore reports, CancellationToken ct,
        string? from = null, string? to = null)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        if (key is null)
        {
            return UnknownModel(tenant, model);
        }

        if (!TryRange(from, to, out var f, out var t, out var error))
        {
            return error!;
        }

        var points = new JsonArray();
        foreach (var r in await PerformanceReportsAsync(key.Value, f, t, grains, reports, ct))
        {
            var doc = JsonNode.Parse(r.Json)!;
            points.Add(new JsonObject
            {
                ["window_start"] = doc["window_start"]?.DeepClone(),
                ["predictions"] = doc["predictions"]?.DeepClone(),
                ["labeled"] = doc["labeled"]?.DeepClone(),
                ["coverage"] = doc["coverage"]?.DeepClone(),
                ["realized_accuracy"] = doc["binary"]?["accuracy"]?["value"]?.DeepClone(),
                ["realized_auc"] = doc["binary"]?["auc"]?["estimate"]?.DeepClone(),
                ["estimated_accuracy"] = doc["estimated"]?["accuracy"]?.DeepClone(),
                ["estimated_auc"] = doc["estimated"]?["auc"]?.DeepClone(),
            });
        }

        return Results.Json(new { model = key.Value.GrainKey, points });
    }

    /// <summary>The stored performance reports of a range, after the grain has persisted what it holds in memory.</summary>
    private static async Task<IReadOnlyList<StoredReport>> PerformanceReportsAsync(ModelKey key, long from, long to, IGrainFactory grains, IReportStore reports, CancellationToken ct)
    {
        await grains.GetGrain<IModelGrain>(key.GrainKey).FlushPerformanceAsync();
        return await reports.ListAsync(key, ReportKinds.Performance, from, to, ct);
    }

    /// <summary>Performance metrics a series can be drawn for; whole-model only where marked in the README.</summary>
    public static readonly IReadOnlyList<string> PerformanceMetrics = ["accuracy", "precision", "recall", "f1", "brier", "ece", "auc", "log_loss", "coverage", "estimated_accuracy", "estimated_auc", "predictions", "prediction_psi", "prediction_js"];

    /// <summary>Series metrics that exist per slice only (the whole model's prediction drift is in the window reports).</summary>
    private static readonly string[] SliceOnlyMetrics = ["predictions", "prediction_psi", "prediction_js"];

    private static async Task<IResult> PerformanceMetricSeriesAsync(string tenant, string model, IEventLog log, IGrainFactory grains, IReportStore reports, CancellationToken ct,
        string? metric = null, string? slice = null, string? from = null, string? to = null)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        if (key is null)
        {
            return UnknownModel(tenant, model);
        }

        metric ??= "accuracy";
        if (!PerformanceMetrics.Contains(metric))
        {
            return BadRequest("metric", $"unknown metric '{metric}'; one of {string.Join(", ", PerformanceMetrics)}");
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

        var points = new JsonArray();
        foreach (var r in await PerformanceReportsAsync(key.Value, f, t, grains, reports, ct))
        {
            var doc = JsonNode.Parse(r.Json)!;
            JsonNode? source = doc["binary"];
            long? count = source?["count"]?.GetValue<long>();
            if (slice is not null)
            {
                var cut = slice.IndexOf('=', StringComparison.Ordinal);
                var dimension = slice[..cut];
                var value = slice[(cut + 1)..];
                source = doc["slices"]?["dimensions"]?.AsArray().FirstOrDefault(d => d?["name"]?.GetValue<string>() == dimension)?["slices"]?.AsArray()
                    .FirstOrDefault(v => v?["value"]?.GetValue<string>() == value)
                    ?? doc["slices"]?["worst_slices"]?.AsArray().FirstOrDefault(v => v?["value"]?.GetValue<string>() == slice);
                count = source?["count"]?.GetValue<long>();
            }

            JsonNode? node = metric switch
            {
                "accuracy" => source?["accuracy"]?["value"],
                "auc" => source?["auc"]?["estimate"],
                "coverage" => doc["coverage"],
                "estimated_accuracy" => doc["estimated"]?["accuracy"],
                "estimated_auc" => doc["estimated"]?["auc"],
                "prediction_psi" => source?["prediction_drift"]?["psi"],
                "prediction_js" => source?["prediction_drift"]?["jensen_shannon"],
                _ => source?[metric],
            };
            points.Add(new JsonObject
            {
                ["window_start"] = doc["window_start"]?.DeepClone(),
                ["count"] = count,
                ["value"] = node?.DeepClone(),
                ["lower"] = metric == "accuracy" ? source?["accuracy"]?["lower"]?.DeepClone() : null,
                ["upper"] = metric == "accuracy" ? source?["accuracy"]?["upper"]?.DeepClone() : null,
            });
        }

        return Results.Json(new { model = key.Value.GrainKey, metric, slice, points });
    }

    private static async Task<IResult> WindowAsync(string tenant, string model, string start, IEventLog log, IGrainFactory grains, IReportStore reports, CancellationToken ct, string? granularity = null)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        if (key is null)
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

        var report = await reports.GetAsync(key.Value, kind, s, ct);
        return report is null
            ? Results.Json(new { error = $"no closed {kind} starts at {WindowReportBuilder.Iso(s)} for model {key.Value.GrainKey}", field = "start" }, statusCode: StatusCodes.Status404NotFound)
            : Results.Text(report.Json, "application/json");
    }

    private static async Task<IResult> SeriesAsync(string tenant, string model, string feature, IEventLog log, IGrainFactory grains, IReportStore reports, CancellationToken ct,
        string? metric = null, string? from = null, string? to = null, string? granularity = null)
    {
        var key = await KnownModelAsync(tenant, model, log, grains, ct);
        if (key is null)
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

        var points = new JsonArray();
        foreach (var r in await reports.ListAsync(key.Value, kind, f, t, ct))
        {
            var doc = JsonNode.Parse(r.Json)!;
            var node = doc["features"]!.AsArray().FirstOrDefault(x => x?["name"]?.GetValue<string>() == feature);
            if (node is null)
            {
                continue;
            }

            points.Add(new JsonObject
            {
                ["window_start"] = doc["window_start"]?.DeepClone(),
                ["value"] = extract(node) is { } v && double.IsFinite(v) ? v : null,
                ["drifted"] = node["drifted"]?.DeepClone(),
            });
        }

        return Results.Json(new { model = key.Value.GrainKey, feature, metric, granularity = kind, points });
    }

    private static Dictionary<string, string> SchemaKinds(string describeJson)
    {
        var doc = JsonNode.Parse(describeJson)!;
        return doc["schema"]!.AsArray().ToDictionary(x => x!["name"]!.GetValue<string>(), x => x!["kind"]!.GetValue<string>(), StringComparer.Ordinal);
    }

    private static bool TryNumbers(IReadOnlyList<string?> cells, out double[] numbers, out int badRow)
    {
        numbers = new double[cells.Count];
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i] is null)
            {
                numbers[i] = double.NaN;
            }
            else if (!double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || double.IsInfinity(numbers[i]))
            {
                badRow = i;
                return false;
            }
        }

        badRow = -1;
        return true;
    }

    private static async Task<ModelKey?> KnownModelAsync(string tenant, string model, IEventLog log, IGrainFactory grains, CancellationToken ct)
    {
        if (!TryKey(tenant, model, out var key, out _))
        {
            return null;
        }

        var models = await log.ListModelsAsync(ct);
        return models.Contains(key) || await grains.GetGrain<IModelGrain>(key.GrainKey).ExistsAsync() ? key : null;
    }

    private static bool TryKey(string tenant, string model, out ModelKey key, out IResult? error)
    {
        try
        {
            key = new ModelKey(tenant, model);
            error = null;
            return true;
        }
        catch (ArgumentException e)
        {
            key = default;
            error = BadRequest("tenant", e.Message);
            return false;
        }
    }

    private static bool TryGranularity(string? granularity, out string kind, out IResult? error)
    {
        kind = granularity switch
        {
            null or "window" => ReportKinds.Window,
            "day" => ReportKinds.Day,
            _ => string.Empty,
        };
        error = kind.Length == 0 ? BadRequest("granularity", "expected 'window' or 'day'") : null;
        return error is null;
    }

    private static bool TryRange(string? from, string? to, out long f, out long t, out IResult? error)
    {
        f = long.MinValue;
        t = long.MaxValue;
        error = null;
        if (from is not null && !TryTime(from, out f))
        {
            error = BadRequest("from", "expected an ISO 8601 time, Unix seconds or Unix nanoseconds");
        }
        else if (to is not null && !TryTime(to, out t))
        {
            error = BadRequest("to", "expected an ISO 8601 time, Unix seconds or Unix nanoseconds");
        }
        else if (t <= f)
        {
            error = BadRequest("to", "'to' must be after 'from'");
        }

        return error is null;
    }

    /// <summary>Parses ISO 8601, Unix seconds (up to 11 digits) or Unix nanoseconds into Unix nanoseconds.</summary>
    internal static bool TryTime(string? text, out long unixNano)
    {
        unixNano = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            if (Math.Abs(n) < 100_000_000_000)
            {
                unixNano = n * 1_000_000_000;
                return true;
            }

            unixNano = n;
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            unixNano = (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
            return true;
        }

        return false;
    }

    private static IResult UnknownModel(string tenant, string model) =>
        Results.Json(new { error = $"unknown model '{tenant}/{model}': no records received for it", field = "model" }, statusCode: StatusCodes.Status404NotFound);

    private static IResult BadRequest(string field, string message) =>
        Results.Json(new { error = message, field }, statusCode: StatusCodes.Status400BadRequest);

    private static double? Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;

    /// <summary>Body of the pin request.</summary>
    /// <param name="From">First window start (ISO 8601 or Unix seconds).</param>
    /// <param name="To">End of the range (exclusive).</param>
    public sealed record PinRequest(string? From, string? To);

    /// <summary>Body of the dynamic-reference request.</summary>
    /// <param name="Mode">"rolling" (previous N windows) or "seasonal" (same window one week earlier).</param>
    /// <param name="Windows">N for rolling.</param>
    public sealed record RollingRequest(string? Mode, int? Windows);

    /// <summary>Body of the settings request (seconds and days; omitted = default).</summary>
    public sealed record SettingsRequest(double? WindowSeconds, double? AllowedLatenessSeconds, double? RetentionDays, int? MinimumSampleSize, int? RollingWindows, double? LabelHorizonDays, int? SliceTopValues = null);
}
