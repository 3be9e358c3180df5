using Monitoring.Aggregation.Reports;
using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Kernels;
using Xunit;
using static Monitoring.Grains.Tests.TestModels;

namespace Monitoring.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class ModelGrainTests(ClusterFixture fixture)
{
    private static readonly string[] Countries = ["BR", "DE", "FR", "US"];

    [Fact]
    public async Task ClosedWindow_DriftMatchesStatisticsCore_OnTheSameData()
    {
        var (key, grain) = NewModel();
        await grain.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromMinutes(1), MinimumSampleSize = 50, ReferenceMode = ReferenceMode.Uploaded });
        var rng = new Random(7);
        var refAges = Enumerable.Range(0, 2000).Select(_ => Math.Round(Normal(rng, 40, 10), 2)).ToArray();
        var refCountries = Enumerable.Range(0, 2000).Select(i => Countries[i % 4]).ToArray();
        await grain.SetReferenceAsync(new ReferenceUpload("train.csv", 2000, [new ReferenceColumn("age", refAges, null), new ReferenceColumn("country", null, refCountries)]));

        var t0 = NextBoundary(TimeSpan.FromMinutes(1));
        ClusterFixture.Time.SetUtcNow(t0);
        var curAges = Enumerable.Range(0, 500).Select(_ => Math.Round(Normal(rng, 46, 10), 2)).ToArray();
        var curCountries = Enumerable.Range(0, 500).Select(i => i % 3 == 0 ? "BR" : Countries[i % 4]).ToArray();
        var events = Enumerable.Range(0, 500).Select(i => Prediction($"p{i}", t0.AddMilliseconds(i * 100), ("age", curAges[i]), ("country", curCountries[i]))).ToArray();
        var appended = await grain.AppendAsync(events);
        Assert.Equal(500, appended.Accepted);

        ClusterFixture.Time.SetUtcNow(t0.AddSeconds(60 + 6 + 1));
        await grain.TickAsync();

        var stored = await fixture.Reports.GetAsync(key, ReportKinds.Window, Nanos(t0));
        Assert.NotNull(stored);
        using var doc = JsonDocument.Parse(stored.Json);
        var report = doc.RootElement;
        Assert.Equal(500, report.GetProperty("volume").GetInt64());
        var age = Feature(report, "age");
        Assert.Equal("exact", age.GetProperty("binning").GetString());

        var sortedRef = RadixSort.SortedCopy(refAges);
        var sortedCur = RadixSort.SortedCopy(curAges);
        var exact = NumericDrift.ComputeSorted(sortedRef, sortedCur);
        Assert.Equal(exact.Psi, age.GetProperty("psi").GetDouble(), 12);
        Assert.Equal(exact.JensenShannon, age.GetProperty("jensen_shannon").GetDouble(), 12);
        Assert.Equal(exact.Hellinger, age.GetProperty("hellinger").GetDouble(), 12);
        var ks = age.GetProperty("ks");
        Assert.InRange(exact.Ks.Statistic, ks.GetProperty("lower").GetDouble(), ks.GetProperty("upper").GetDouble());
        var w = age.GetProperty("wasserstein");
        Assert.InRange(exact.Wasserstein, w.GetProperty("lower").GetDouble() - 1e-9, w.GetProperty("upper").GetDouble() + 1e-9);
        Assert.True(age.GetProperty("drifted").GetBoolean());

        var country = Feature(report, "country");
        var exactCountry = CategoricalDrift.Compute(Count(refCountries), Count(curCountries));
        Assert.Equal(exactCountry.Psi, country.GetProperty("psi").GetDouble(), 12);
        Assert.Equal(exactCountry.ChiSquare!.Value.Statistic, country.GetProperty("chi_square").GetProperty("statistic").GetDouble(), 9);
        Assert.Equal(exactCountry.ChiSquare!.Value.PValue, country.GetProperty("chi_square").GetProperty("p_value").GetDouble(), 12);
    }

    [Fact]
    public async Task ResentPredictionIds_AreNotCountedTwice()
    {
        var (_, grain) = NewModel();
        var now = ClusterFixture.Time.GetUtcNow();
        var batch = Enumerable.Range(0, 20).Select(i => Prediction($"dup-{i}", now, ("age", i))).ToArray();

        var first = await grain.AppendAsync(batch);
        var second = await grain.AppendAsync(batch);

        Assert.Equal(20, first.Accepted);
        Assert.Equal(0, second.Accepted);
        Assert.Equal(20, second.Duplicates);
        using var doc = await DescribeJsonAsync(grain);
        Assert.Equal(20, doc.RootElement.GetProperty("totals").GetProperty("predictions").GetInt64());
        Assert.Equal(20, doc.RootElement.GetProperty("totals").GetProperty("duplicates").GetInt64());
    }

    [Fact]
    public async Task RecordForAClosedWindow_IsCountedLateAndNotFolded()
    {
        var (key, grain) = NewModel();
        await grain.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromMinutes(1) });
        var t0 = NextBoundary(TimeSpan.FromMinutes(1));
        ClusterFixture.Time.SetUtcNow(t0);
        await grain.AppendAsync([Prediction("a", t0.AddSeconds(1), ("age", 1.0))]);
        ClusterFixture.Time.SetUtcNow(t0.AddSeconds(67));
        await grain.TickAsync();

        await grain.AppendAsync([Prediction("late", t0.AddSeconds(2), ("age", 2.0))]);
        ClusterFixture.Time.SetUtcNow(t0.AddSeconds(60 + 67));
        await grain.TickAsync();

        var closed = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Window, Nanos(t0)))!.Json).RootElement;
        Assert.Equal(1, closed.GetProperty("volume").GetInt64());
        var next = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Window, Nanos(t0.AddMinutes(1))))!.Json).RootElement;
        Assert.Equal(1, next.GetProperty("late_records").GetInt64());
        Assert.Equal(0, next.GetProperty("volume").GetInt64());
    }

    [Fact]
    public async Task Schema_IsInferredFromTraffic_AndTypeChangesAreReported()
    {
        var (_, grain) = NewModel();
        var now = ClusterFixture.Time.GetUtcNow();
        await grain.AppendAsync([Prediction("s1", now, ("age", 30.0), ("plan", "gold"))]);
        await grain.AppendAsync([Prediction("s2", now, ("age", "thirty"), ("plan", "basic"), ("tenure", 3.0))]);

        using var doc = await DescribeJsonAsync(grain);
        var schema = doc.RootElement.GetProperty("schema").EnumerateArray().ToDictionary(x => x.GetProperty("name").GetString()!);
        Assert.Equal("numeric", schema["age"].GetProperty("kind").GetString());
        Assert.Equal("categorical", schema["plan"].GetProperty("kind").GetString());
        Assert.Equal("numeric", schema["tenure"].GetProperty("kind").GetString());
        Assert.Equal(1, schema["age"].GetProperty("type_mismatches").GetInt64());
        var events = doc.RootElement.GetProperty("schema_events").EnumerateArray().Select(e => (e.GetProperty("kind").GetString(), e.GetProperty("feature").GetString())).ToList();
        Assert.Contains(("new_feature", "tenure"), events);
        Assert.Contains(("type_mismatch", "age"), events);
    }

    [Fact]
    public async Task ClosedHours_RollUpIntoADayReport()
    {
        var (key, grain) = NewModel();
        await grain.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromHours(1) });
        var day = NextBoundary(TimeSpan.FromDays(1));
        ClusterFixture.Time.SetUtcNow(day);
        await grain.AppendAsync(Enumerable.Range(0, 30).Select(i => Prediction($"h0-{i}", day.AddMinutes(i), ("age", i))).ToArray());
        ClusterFixture.Time.SetUtcNow(day.AddHours(5));
        await grain.AppendAsync(Enumerable.Range(0, 12).Select(i => Prediction($"h5-{i}", day.AddHours(5).AddMinutes(i), ("age", i))).ToArray());

        ClusterFixture.Time.SetUtcNow(day.AddDays(1).AddMinutes(7));
        await grain.TickAsync();

        var dayReport = await fixture.Reports.GetAsync(key, ReportKinds.Day, Nanos(day));
        Assert.NotNull(dayReport);
        Assert.Equal(42, JsonDocument.Parse(dayReport.Json).RootElement.GetProperty("volume").GetInt64());
        var hours = await fixture.Reports.ListAsync(key, ReportKinds.Window, Nanos(day), Nanos(day.AddDays(1)));
        Assert.Equal([30L, 12L], hours.Select(h => JsonDocument.Parse(h.Json).RootElement.GetProperty("volume").GetInt64()).ToArray());
    }

    [Fact]
    public async Task RollingReference_ComparesEachWindowWithThePreviousOnes()
    {
        var (key, grain) = NewModel();
        await grain.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromMinutes(1), ReferenceMode = ReferenceMode.RollingWindows, RollingWindows = 2, MinimumSampleSize = 50 });
        var t0 = NextBoundary(TimeSpan.FromMinutes(1));
        ClusterFixture.Time.SetUtcNow(t0);
        var rng = new Random(3);
        await grain.AppendAsync(Enumerable.Range(0, 300).Select(i => Prediction($"w0-{i}", t0.AddMilliseconds(i * 100), ("x", Normal(rng, 0, 1)))).ToArray());
        ClusterFixture.Time.SetUtcNow(t0.AddMinutes(1));
        await grain.AppendAsync(Enumerable.Range(0, 300).Select(i => Prediction($"w1-{i}", t0.AddMinutes(1).AddMilliseconds(i * 100), ("x", Normal(rng, 3, 1)))).ToArray());
        ClusterFixture.Time.SetUtcNow(t0.AddMinutes(2).AddSeconds(7));
        await grain.TickAsync();

        var first = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Window, Nanos(t0)))!.Json).RootElement;
        Assert.False(first.TryGetProperty("reference", out _));
        var second = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Window, Nanos(t0.AddMinutes(1))))!.Json).RootElement;
        Assert.StartsWith("rolling:1", second.GetProperty("reference").GetProperty("source").GetString(), StringComparison.Ordinal);
        var x = Feature(second, "x");
        Assert.True(x.GetProperty("drifted").GetBoolean());
        Assert.True(x.GetProperty("ks").GetProperty("estimate").GetDouble() > 0.8);
    }

    [Fact]
    public async Task PinnedReference_FixesTheEdgesOfLaterWindows()
    {
        var (key, grain) = NewModel();
        await grain.ConfigureAsync(new ModelSettings { Window = TimeSpan.FromMinutes(1), ReferenceMode = ReferenceMode.Pinned, MinimumSampleSize = 50 });
        var t0 = NextBoundary(TimeSpan.FromMinutes(1));
        var rng = new Random(5);
        for (var w = 0; w < 2; w++)
        {
            var start = t0.AddMinutes(w);
            ClusterFixture.Time.SetUtcNow(start);
            await grain.AppendAsync(Enumerable.Range(0, 400).Select(i => Prediction($"w{w}-{i}", start.AddMilliseconds(i * 100), ("x", Normal(rng, 0, 1)))).ToArray());
        }

        ClusterFixture.Time.SetUtcNow(t0.AddMinutes(2).AddSeconds(7));
        await grain.TickAsync();
        var pinned = (await grain.PinReferenceAsync(Nanos(t0), Nanos(t0.AddMinutes(2)))).Reference!;
        Assert.Equal("Pinned", pinned.Mode);
        Assert.Equal(800, pinned.Rows);

        var t2 = t0.AddMinutes(3);
        ClusterFixture.Time.SetUtcNow(t2);
        await grain.AppendAsync(Enumerable.Range(0, 400).Select(i => Prediction($"w3-{i}", t2.AddMilliseconds(i * 100), ("x", Normal(rng, 2, 1)))).ToArray());
        ClusterFixture.Time.SetUtcNow(t2.AddSeconds(67));
        await grain.TickAsync();

        var report = JsonDocument.Parse((await fixture.Reports.GetAsync(key, ReportKinds.Window, Nanos(t2)))!.Json).RootElement;
        Assert.StartsWith("pinned:", report.GetProperty("reference").GetProperty("source").GetString(), StringComparison.Ordinal);
        var x = Feature(report, "x");
        Assert.Equal("exact", x.GetProperty("binning").GetString());
        Assert.True(x.GetProperty("drifted").GetBoolean());
        Assert.True(x.GetProperty("psi").GetDouble() > 1);
    }

    [Fact]
    public async Task PinningARangeWithoutClosedWindows_IsRefusedWithTheReason()
    {
        var (_, grain) = NewModel();
        await grain.AppendAsync([Prediction("only", ClusterFixture.Time.GetUtcNow(), ("x", 1.0))]);
        var start = ClusterFixture.Time.GetUtcNow().AddDays(-30);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => grain.PinReferenceAsync(Nanos(start), Nanos(start.AddHours(1))));
        Assert.Contains("No closed window", ex.Message, StringComparison.Ordinal);
    }

    private (ModelKey Key, IModelGrain Grain) NewModel() => TestModels.New(fixture, "m-");

    private static ModelEvent Prediction(string id, DateTimeOffset at, params (string Name, object Value)[] features) => new()
    {
        Kind = EventKind.Prediction,
        PredictionId = id,
        EventTimeUnixNano = Nanos(at),
        ReceivedUnixNano = Nanos(ClusterFixture.Time.GetUtcNow()),
        Features = features.Select(f => f.Value switch
        {
            string s => new FeatureValue(f.Name, null, s),
            double d => new FeatureValue(f.Name, d, null),
            int n => new FeatureValue(f.Name, n, null),
            _ => throw new ArgumentException("unsupported feature value"),
        }).ToArray(),
    };

    private static Dictionary<string, long> Count(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);

    private static double Normal(Random rng, double mean, double sd) =>
        mean + (sd * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
}
