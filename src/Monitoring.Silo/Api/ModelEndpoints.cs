using System.Text.Json.Serialization;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using static Monitoring.Silo.Api.ApiResults;

namespace Monitoring.Silo.Api;

/// <summary>Models and their settings: list, describe, schema, the reference in force, settings.</summary>
internal static class ModelEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/models", ListAsync).WithSummary("List models that have sent records.");
        api.MapGet("/models/{tenant}/{model}", DescribeAsync).WithSummary("Schema, settings, reference, open windows, totals and bytes on disk of a model.");
        api.MapGet("/models/{tenant}/{model}/schema", SchemaAsync).WithSummary("Inferred schema and schema events of a model.");
        api.MapGet("/models/{tenant}/{model}/reference", ReferenceAsync).WithSummary("The reference in force.");
        api.MapPut("/models/{tenant}/{model}/settings", ConfigureAsync).WithSummary("Window length, lateness, retention and minimum sample size.");
    }

    private static async Task<IResult> ListAsync(ModelReads reads, CancellationToken ct) =>
        Results.Json((await reads.ModelsAsync(ct)).Select(m => new { tenant = m.Tenant, model = m.Model, key = m.GrainKey }));

    private static async Task<IResult> DescribeAsync(string tenant, string model, ModelReads reads, CancellationToken ct) =>
        await reads.KnownAsync(tenant, model, ct) is { } key ? Json(await reads.Grain(key).DescribeAsync()) : UnknownModel(tenant, model);

    private static async Task<IResult> SchemaAsync(string tenant, string model, ModelReads reads, CancellationToken ct)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        var d = await reads.Grain(key).DescribeAsync();
        return Json(new SchemaPart(key.GrainKey, d.Schema, d.SchemaEvents));
    }

    private static async Task<IResult> ReferenceAsync(string tenant, string model, ModelReads reads, CancellationToken ct) =>
        await reads.KnownAsync(tenant, model, ct) is { } key
            ? Json(new ReferencePart(key.GrainKey, (await reads.Grain(key).DescribeAsync()).Reference))
            : UnknownModel(tenant, model);

    private static async Task<IResult> ConfigureAsync(string tenant, string model, SettingsRequest body, ModelReads reads)
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

        return Json(SettingsView.From(await reads.Grain(key).UpdateSettingsAsync(settings)));
    }

    /// <summary>Body of the settings request (seconds and days; omitted = default).</summary>
    public sealed record SettingsRequest(double? WindowSeconds, double? AllowedLatenessSeconds, double? RetentionDays, int? MinimumSampleSize, int? RollingWindows, double? LabelHorizonDays, int? SliceTopValues = null);

    private sealed record SchemaPart(string Model, SchemaEntry[] Schema, SchemaEventView[] SchemaEvents);

    private sealed record ReferencePart(string Model, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ReferenceView? Reference);
}
