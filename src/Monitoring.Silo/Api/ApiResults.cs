using System.Globalization;
using System.Text.Json;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;

namespace Monitoring.Silo.Api;

/// <summary>
/// What every endpoint group shares: typed results written as JSON with the report options, the error shape
/// <c>{"error": "...", "field": "..."}</c> (404 for an unknown model, 400 for a bad query), and parsing of keys, times,
/// ranges and granularities.
/// </summary>
internal static class ApiResults
{
    /// <summary>A typed document as JSON (snake_case; nulls as each type says).</summary>
    public static IResult Json<T>(T value) => Results.Text(JsonSerializer.Serialize(value, ReportJson.Options), "application/json");

    public static IResult UnknownModel(string tenant, string model) =>
        Results.Json(new { error = $"unknown model '{tenant}/{model}': no records received for it", field = "model" }, statusCode: StatusCodes.Status404NotFound);

    public static IResult BadRequest(string field, string message) =>
        Results.Json(new { error = message, field }, statusCode: StatusCodes.Status400BadRequest);

    public static IResult NotFound(string field, string message) =>
        Results.Json(new { error = message, field }, statusCode: StatusCodes.Status404NotFound);

    public static bool TryKey(string tenant, string model, out ModelKey key, out IResult? error)
    {
        try
        {
            // A model id may hold '/': links send it as %2F, which Kestrel leaves encoded in a route value.
            key = new ModelKey(tenant, Reports.Components.Shared.Links.PathValue(model));
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

    public static bool TryGranularity(string? granularity, out string kind, out IResult? error)
    {
        kind = granularity switch
        {
            null or "window" => Aggregation.Reports.ReportKinds.Window,
            "day" => Aggregation.Reports.ReportKinds.Day,
            _ => string.Empty,
        };
        error = kind.Length == 0 ? BadRequest("granularity", "expected 'window' or 'day'") : null;
        return error is null;
    }

    public static bool TryRange(string? from, string? to, out long f, out long t, out IResult? error)
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
    public static bool TryTime(string? text, out long unixNano)
    {
        unixNano = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            unixNano = Math.Abs(n) < 100_000_000_000 ? UnixNanos.FromUnixSeconds(n) : n;
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            unixNano = UnixNanos.FromDateTimeOffset(t);
            return true;
        }

        return false;
    }
}
