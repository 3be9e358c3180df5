using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.Rollouts;
using Monitoring.Aggregation.Windows;
using Monitoring.Stats.Classification;
using Orleans.Serialization;
using Xunit;

namespace Monitoring.Aggregation.Tests.Rollouts;

/// <summary>VersionSample merges by addition; the report survives Orleans and JSON; the sketch AUC difference is bounded against the exact one.</summary>
public sealed class VersionSampleTests
{
    private sealed record Row(double Score, double Label, string Country, double Latency);

    private static Row[] Rows(int seed, int count, double noise)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var label = random.NextDouble() < 0.3 ? 1.0 : 0.0;
            var score = Math.Clamp((label == 1 ? 0.65 : 0.35) + (noise * (random.NextDouble() - 0.5)), 0, 1);
            return new Row(score, label, random.NextDouble() < 0.5 ? "DE" : "BR", 10 + (10 * random.NextDouble()));
        }).ToArray();
    }

    private static VersionSample FromWindows(string version, Row[] rows, int windows)
    {
        var sample = new VersionSample(version);
        var per = rows.Length / windows;
        for (var w = 0; w < windows; w++)
        {
            var window = new WindowAccumulator { Start = w * 10L, End = (w + 1) * 10L };
            var performance = new PerformanceAccumulator { Start = window.Start, End = window.End };
            foreach (var r in rows.Skip(w * per).Take(per))
            {
                window.Predictions++;
                window.Latency.Add(r.Latency, null);
                performance.AddScore(r.Score);
                performance.AddBinary(r.Score, r.Label);
                performance.AddSlices([("country", r.Country)], r.Score, r.Label, 0.5);
            }

            // Persisted and restored, as the store keeps them.
            var restored = JsonSerializer.Deserialize<PerformanceAccumulator>(JsonSerializer.Serialize(performance.Freeze(), ReportJson.Options), ReportJson.Options)!;
            var one = new VersionSample(version);
            one.AddWindow(window);
            one.AddPerformance(restored);
            sample.Merge(one);
        }

        return sample;
    }

    private static VersionSample Direct(string version, Row[] rows)
    {
        var sample = new VersionSample(version);
        foreach (var r in rows)
        {
            sample.AddPrediction(r.Score, r.Latency);
            sample.AddLabeled(r.Score, r.Label, [("country", r.Country)]);
        }

        return sample;
    }

    [Fact]
    public void Merge_OfTwentyFourWindows_GivesTheReportOfOneSampleOfEveryRow()
    {
        var b = Rows(1, 2400, 0.8);
        var c = Rows(2, 2400, 0.9);

        var merged = VersionComparer.Compare("m", FromWindows("v1", b, 24), FromWindows("v2", c, 24), RolloutGuardrails.Default);
        var direct = VersionComparer.Compare("m", Direct("v1", b), Direct("v2", c), RolloutGuardrails.Default);

        Assert.Equal(24, merged.Windows);
        Assert.Equal(2400, merged.BaselineSummary.Predictions);
        // The same figures (sums in a different order: 1e-12).
        Assert.Equal(direct.Metrics.Count, merged.Metrics.Count);
        foreach (var (x, y) in merged.Metrics.Zip(direct.Metrics))
        {
            Assert.Equal(y.Metric, x.Metric);
            Assert.Equal(y.Difference, x.Difference, 12);
            Assert.Equal(y.CiLower ?? double.NaN, x.CiLower ?? double.NaN, 12);
            Assert.Equal(y.PValue ?? double.NaN, x.PValue ?? double.NaN, 9);
        }

        Assert.Equal(direct.Verdict.Decision, merged.Verdict.Decision);
        Assert.Equal(direct.Slices.Select(s => s.PValue), merged.Slices.Select(s => s.PValue));
        Assert.Equal(direct.Latency! with { BaselineMeanMs = 0, CandidateMeanMs = 0 }, merged.Latency! with { BaselineMeanMs = 0, CandidateMeanMs = 0 });
        Assert.Equal(direct.Latency!.BaselineMeanMs, merged.Latency!.BaselineMeanMs, 12);
    }

    [Fact]
    public void Merge_OfAnotherVersion_IsRefusedNamingBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => new VersionSample("v1").Merge(new VersionSample("v2")));

        Assert.Contains("'v2'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'v1'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SketchAucDifference_IsWithinItsExactBoundOfTheExactDifference()
    {
        var b = Rows(3, 3000, 0.9);
        var c = Rows(4, 3000, 1.0);

        var report = VersionComparer.Compare("m", Direct("v1", b), Direct("v2", c), RolloutGuardrails.Default);
        var exact = VersionComparer.Compare("m", Direct("v1", b), Direct("v2", c), RolloutGuardrails.Default, new ComparisonInputs(
            BaselineExact: new ExactScores(b.Select(r => r.Score).ToArray(), b.Select(r => r.Score).ToArray(), b.Select(r => r.Label).ToArray()),
            CandidateExact: new ExactScores(c.Select(r => r.Score).ToArray(), c.Select(r => r.Score).ToArray(), c.Select(r => r.Label).ToArray())));

        var sketch = report.Metrics.Single(m => m.Metric == "auc");
        var raw = exact.Metrics.Single(m => m.Metric == "auc");
        var exactDifference = DeLong.Compute(c.Select(r => r.Score).ToArray(), c.Select(r => r.Label).ToArray())!.Auc
            - DeLong.Compute(b.Select(r => r.Score).ToArray(), b.Select(r => r.Label).ToArray())!.Auc;
        Assert.Equal(exactDifference, raw.Difference, 14);
        Assert.InRange(exactDifference, sketch.Difference - sketch.ExactBound!.Value, sketch.Difference + sketch.ExactBound.Value);
        Assert.True(sketch.ExactBound > 0);
        Assert.Null(raw.ExactBound);
        Assert.Equal("delong_unpaired", raw.Test);
        Assert.Equal("delong_unpaired (binned scores)", sketch.Test);
        Assert.Equal("exact", exact.PredictionShift!.Binning);
        Assert.Equal("sketch", report.PredictionShift!.Binning);
        Assert.InRange(exact.PredictionShift.Ks, report.PredictionShift.KsLower, report.PredictionShift.KsUpper);
    }

    [Fact]
    public void Report_SurvivesOrleansAndJson()
    {
        var report = VersionComparer.Compare("m", Direct("v1", Rows(5, 800, 0.8)), Direct("v2", Rows(6, 800, 0.8)), RolloutGuardrails.Default);
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer<VersionComparisonReport>>();

        var binary = serializer.Deserialize(serializer.SerializeToArray(report))!;
        var json = JsonSerializer.Deserialize<VersionComparisonReport>(Json(report), ReportJson.Options)!;

        Assert.Equal(Json(report), Json(binary));
        Assert.Equal(Json(report), Json(json));
        Assert.Contains("\"verdict\":{\"decision\":", Json(report), StringComparison.Ordinal);
        Assert.Contains("\"baseline_summary\":{\"version\":\"v1\"", Json(report), StringComparison.Ordinal);
    }

    private static string Json(VersionComparisonReport report) => JsonSerializer.Serialize(report, ReportJson.Options);
}
