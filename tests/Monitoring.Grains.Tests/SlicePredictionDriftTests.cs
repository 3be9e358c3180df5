using Monitoring.Aggregation.Reports;
using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Stats.Slices;
using Xunit;
using static Monitoring.Grains.Tests.TestModels;

namespace Monitoring.Grains.Tests;

/// <summary>Per-slice drift of the prediction: each slice's scores against the same slice in the model's reference.</summary>
[Collection(ClusterCollection.Name)]
public sealed class SlicePredictionDriftTests(ClusterFixture fixture)
{
    private static readonly string[] Countries = ["US", "DE", "BR"];

    [Fact]
    public async Task RollingReference_FlagsTheSliceWhoseScoresShifted_AndMatchesTheStatisticsCore()
    {
        var (key, grain) = NewModel();
        await grain.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromMinutes(1), ReferenceMode = ReferenceMode.RollingWindows, RollingWindows = 3 });
        var t0 = NextBoundary(TimeSpan.FromMinutes(1));
        ClusterFixture.Time.SetUtcNow(t0);
        var rng = new Random(31);
        var before = Batch("a", t0, 900, rng, shiftBrazil: false);
        await grain.AppendAsync(before.ToArray());

        // The first window closes; the second window's predictions arrive, Brazil's scores moved up, no labels yet.
        var t1 = t0.AddMinutes(1);
        ClusterFixture.Time.SetUtcNow(t1.AddSeconds(7));
        await grain.TickAsync();
        var after = Batch("b", t1, 900, rng, shiftBrazil: true);
        await grain.AppendAsync(after.ToArray());
        await grain.FlushPerformanceAsync();

        var report = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Performance, Nanos(t1)))!.Json).RootElement;
        Assert.Equal(0, report.GetProperty("labeled").GetInt64());
        var slices = report.GetProperty("slices");
        var drift = slices.GetProperty("prediction_drift");
        Assert.StartsWith("rolling:", drift.GetProperty("reference").GetString(), StringComparison.Ordinal);
        Assert.Equal(["country=BR"], drift.GetProperty("drifted_slices").EnumerateArray().Select(e => e.GetString()!).ToList());

        var country = slices.GetProperty("dimensions").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "country");
        var nodes = country.GetProperty("slices").EnumerateArray().ToDictionary(s => s.GetProperty("value").GetString()!);
        Assert.Equal(Countries.Order(StringComparer.Ordinal), nodes.Keys.Order(StringComparer.Ordinal));

        // Same numbers as the statistics core on the exact scores of each slice, both windows.
        var expected = SlicePredictionDrift.Compare(Countries.Select(c => (Bins(after, c), (long[]?)Bins(before, c))).ToArray());
        for (var i = 0; i < Countries.Length; i++)
        {
            var node = nodes[Countries[i]];
            var pd = node.GetProperty("prediction_drift");
            Assert.Equal(after.Count(p => p.Segments[0].Value == Countries[i]), node.GetProperty("predictions").GetInt64());
            Assert.Equal(0, node.GetProperty("count").GetInt64());
            Assert.Equal(JsonValueKind.Null, node.GetProperty("accuracy").ValueKind);
            Assert.Equal(expected[i].ReferenceCount, pd.GetProperty("reference_count").GetInt64());
            Assert.Equal(expected[i].Psi!.Value, pd.GetProperty("psi").GetDouble(), 12);
            Assert.Equal(expected[i].JensenShannon!.Value, pd.GetProperty("jensen_shannon").GetDouble(), 12);
            Assert.Equal(expected[i].AdjustedPValue!.Value, pd.GetProperty("chi_square").GetProperty("p_value_adjusted").GetDouble(), 12);
            Assert.Equal(Countries[i] == "BR", pd.GetProperty("drifted").GetBoolean());
        }
    }

    [Fact]
    public async Task UploadedReference_ComparesEachCategoricalFeatureValue_WithTheUploadedRowsOfThatValue()
    {
        var (key, grain) = NewModel();
        await grain.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromMinutes(1), ReferenceMode = ReferenceMode.Uploaded });
        var rng = new Random(32);

        // In the reference, plan=pro always scored high and plan=free low: the same split now is not drift.
        var plans = Enumerable.Range(0, 2000).Select(i => i % 2 == 0 ? "pro" : "free").ToArray();
        var refScores = plans.Select(p => p == "pro" ? 0.6 + (0.4 * rng.NextDouble()) : 0.4 * rng.NextDouble()).ToArray();
        await grain.SetReferenceAsync(new ReferenceUpload("train.csv", 2000,
            [new ReferenceColumn("ml.prediction.score", refScores, null), new ReferenceColumn("plan", null, plans)]));

        var t0 = NextBoundary(TimeSpan.FromMinutes(1));
        ClusterFixture.Time.SetUtcNow(t0);
        var events = Enumerable.Range(0, 1000).Select(i =>
        {
            var plan = i % 2 == 0 ? "pro" : "free";
            var score = plan == "pro" ? 0.6 + (0.4 * rng.NextDouble()) : 0.4 * rng.NextDouble();
            return Prediction($"u{i}", t0.AddMilliseconds(i * 10), score) with { Features = [new FeatureValue("plan", null, plan)] };
        }).ToArray();
        await grain.AppendAsync(events);
        await grain.FlushPerformanceAsync();

        var report = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Performance, Nanos(t0)))!.Json).RootElement;
        var slices = report.GetProperty("slices");
        Assert.Equal("upload:train.csv", slices.GetProperty("prediction_drift").GetProperty("reference").GetString());
        Assert.Empty(slices.GetProperty("prediction_drift").GetProperty("drifted_slices").EnumerateArray());
        var plan = slices.GetProperty("dimensions").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "feature.plan");
        foreach (var node in plan.GetProperty("slices").EnumerateArray())
        {
            var pd = node.GetProperty("prediction_drift");
            Assert.Equal(1000, pd.GetProperty("reference_count").GetInt64());
            Assert.Equal(500, pd.GetProperty("count").GetInt64());
            Assert.True(pd.GetProperty("psi").GetDouble() < 0.05);
        }
    }

    [Fact]
    public async Task SliceTopValues_ShowsTheKLargestValues_AndMergesTheRestIntoOther()
    {
        var (key, grain) = NewModel();
        await grain.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromMinutes(1), SliceTopValues = 2 });
        var t0 = NextBoundary(TimeSpan.FromMinutes(1));
        ClusterFixture.Time.SetUtcNow(t0);
        var counts = new Dictionary<string, int> { ["US"] = 50, ["DE"] = 30, ["BR"] = 12, ["FR"] = 8 };
        var events = counts.SelectMany(kv => Enumerable.Range(0, kv.Value).Select(i =>
            Prediction($"{kv.Key}{i}", t0.AddMilliseconds(i), 0.3) with { Segments = [new SegmentValue("country", kv.Key)] })).ToArray();
        await grain.AppendAsync(events);
        await grain.FlushPerformanceAsync();

        var report = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Performance, Nanos(t0)))!.Json).RootElement;
        var country = report.GetProperty("slices").GetProperty("dimensions").EnumerateArray().Single(d => d.GetProperty("name").GetString() == "country");
        var shown = country.GetProperty("slices").EnumerateArray()
            .Select(v => (v.GetProperty("value").GetString(), v.GetProperty("predictions").GetInt64())).ToList();
        Assert.Equal([("US", 50L), ("DE", 30L), ("(other)", 20L)], shown);
        Assert.Equal("slice top values must be between 1 and 100", new ModelSettings { SliceTopValues = 0 }.Validate());
        Assert.Equal("slice top values must be between 1 and 100", new ModelSettings { SliceTopValues = 101 }.Validate());
    }

    private static List<ModelEvent> Batch(string prefix, DateTimeOffset start, int n, Random rng, bool shiftBrazil) =>
        Enumerable.Range(0, n).Select(i =>
        {
            var country = Countries[i % 3];
            var score = shiftBrazil && country == "BR" ? 0.5 + (0.5 * rng.NextDouble()) : 0.6 * rng.NextDouble();
            return Prediction($"{prefix}{i}", start.AddMilliseconds(i * 50), score) with { Segments = [new SegmentValue("country", country)] };
        }).ToList();

    private static long[] Bins(IEnumerable<ModelEvent> events, string country)
    {
        var counts = new long[SlicePredictionDrift.BinCount];
        foreach (var e in events.Where(e => e.Segments[0].Value == country))
        {
            counts[SlicePredictionDrift.BinOf(e.Score!.Value)]++;
        }

        return counts;
    }

    private (ModelKey Key, IModelGrain Grain) NewModel() => TestModels.New(fixture, "slice-drift-");
}
