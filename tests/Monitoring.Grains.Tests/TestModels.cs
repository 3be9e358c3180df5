using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using System.Text.Json;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.Reports;
using Xunit;

namespace Monitoring.Grains.Tests;

/// <summary>Shared helpers of the grain tests: fresh models, scored predictions, window boundaries, Unix nanoseconds.</summary>
internal static class TestModels
{
    /// <summary>A model no other test uses, and its grain.</summary>
    public static (ModelKey Key, IModelGrain Grain) New(ClusterFixture fixture, string prefix)
    {
        var key = new ModelKey("default", prefix + Guid.NewGuid().ToString("N")[..12]);
        return (key, fixture.Cluster.GrainFactory.GetGrain<IModelGrain>(key.GrainKey));
    }

    /// <summary>A prediction with a score (also its one numeric feature x), received now.</summary>
    public static ModelEvent Prediction(string id, DateTimeOffset at, double score) => new()
    {
        Kind = EventKind.Prediction,
        PredictionId = id,
        EventTimeUnixNano = Nanos(at),
        ReceivedUnixNano = Nanos(ClusterFixture.Time.GetUtcNow()),
        Score = score,
        Features = [new FeatureValue("x", score, null)],
    };

    /// <summary>The first window boundary after the fake clock's now.</summary>
    public static DateTimeOffset NextBoundary(TimeSpan window)
    {
        var now = ClusterFixture.Time.GetUtcNow();
        return new DateTimeOffset((now.UtcTicks / window.Ticks + 1) * window.Ticks, TimeSpan.Zero);
    }

    /// <summary>The model description as the API writes it.</summary>
    public static async Task<System.Text.Json.JsonDocument> DescribeJsonAsync(IModelGrain grain) =>
        System.Text.Json.JsonDocument.Parse(System.Text.Json.JsonSerializer.Serialize(await grain.DescribeAsync(), Abstractions.Reports.ReportJson.Options));

    /// <summary>Unix nanoseconds.</summary>
    public static long Nanos(DateTimeOffset t) => UnixNanos.FromDateTimeOffset(t);

    /// <summary>Unix nanoseconds of the start of the hour (the default window) that holds <paramref name="t"/>.</summary>
    public static long HourStart(DateTimeOffset t) => Nanos(t) - (Nanos(t) % UnixNanos.PerHour);

    /// <summary>A closed window's stored report (it must exist).</summary>
    public static async Task<JsonElement> WindowReportAsync(ClusterFixture fixture, ModelKey key, DateTimeOffset start)
    {
        var stored = await fixture.Reports.GetAsync(key, ReportKinds.Window, Nanos(start));
        Assert.NotNull(stored);
        return JsonDocument.Parse(stored.Json).RootElement;
    }

    /// <summary>One feature's entry of a window report.</summary>
    public static JsonElement Feature(JsonElement report, string name) =>
        report.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);
}
