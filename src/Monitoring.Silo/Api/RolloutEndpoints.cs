using Monitoring.Grains.Rollouts;
using static Monitoring.Silo.Api.ApiResults;

namespace Monitoring.Silo.Api;

/// <summary>Model versions: the versions seen, and a comparison of two with its verdict (safe rollouts).</summary>
internal static class RolloutEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/models/{tenant}/{model}/versions", VersionsAsync).WithSummary("The versions the model has logged predictions under, with their volume and time range, and shadow pairing counts.");
        api.MapGet("/models/{tenant}/{model}/versions/compare", CompareAsync).WithSummary("Candidate against baseline over the windows in [from, to): differences with intervals and tests, slices, shadow pairs, and the verdict (promote, hold, rollback) with its reasons.");
    }

    private static async Task<IResult> VersionsAsync(string tenant, string model, ModelReads reads, CancellationToken ct)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        return Json(await reads.Grain(key).GetVersionsAsync());
    }

    private static async Task<IResult> CompareAsync(string tenant, string model, ModelReads reads, RolloutOptions options, CancellationToken ct,
        string? baseline = null, string? candidate = null, string? from = null, string? to = null)
    {
        if (await reads.KnownAsync(tenant, model, ct) is not { } key)
        {
            return UnknownModel(tenant, model);
        }

        if (string.IsNullOrWhiteSpace(baseline))
        {
            return BadRequest("baseline", "required: the version in production, e.g. baseline=v3");
        }

        if (string.IsNullOrWhiteSpace(candidate))
        {
            return BadRequest("candidate", "required: the version being rolled out, e.g. candidate=v4");
        }

        if (baseline == candidate)
        {
            return BadRequest("candidate", "must differ from baseline");
        }

        if (!TryRange(from, to, out var f, out var t, out var error))
        {
            return error!;
        }

        var versions = await reads.Grain(key).GetVersionsAsync();
        foreach (var (field, version) in new[] { ("baseline", baseline), ("candidate", candidate) })
        {
            if (!versions.Versions.Any(v => v.Version == version))
            {
                return NotFound(field, $"model {key.GrainKey} has no version '{version}'; versions seen: {string.Join(", ", versions.Versions.Select(v => v.Version))}");
            }
        }

        var report = await reads.Grain(key).CompareVersionsAsync(baseline, candidate, f, t, options.GuardrailsOf(key));
        return report is null ? NotFound("candidate", $"model {key.GrainKey} has no version '{candidate}'") : Json(report);
    }
}
