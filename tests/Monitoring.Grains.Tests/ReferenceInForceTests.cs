using Monitoring.Aggregation.Reports;
using System.Text.Json;
using MathNet.Numerics.Distributions;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;
using Xunit;
using static Monitoring.Grains.Tests.TestModels;

namespace Monitoring.Grains.Tests;

/// <summary>
/// Each window is judged against the reference in force when it opened, for its whole life. These tests replay the
/// real-time sequence of the default path: records arrive every second, so window W+1 fills while W waits out its
/// allowed lateness, and a reference change (a rolling rebuild at every close, an upload, a pin) lands while a window is
/// open. A stationary stream must then show drift only within sampling noise in every window.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReferenceInForceTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private const int PerSecond = 100;
    private static readonly string[] Plans = ["basic", "gold", "silver", "team"];

    [Fact]
    public async Task RollingReference_StationaryStream_PsiStaysWithinSamplingNoiseInEveryWindow()
    {
        var (key, grain) = TestModels.New(fixture, "roll-");
        await grain.ConfigureAsync(new ModelSettings { Window = Window, ReferenceMode = ReferenceMode.RollingWindows, RollingWindows = 3 });
        var t0 = NextBoundary(Window);

        await StreamAsync(grain, t0, windows: 7, seed: 1);

        var reports = await WindowReportsAsync(key, t0, 7);
        AssertWithinNoise(reports, firstJudged: 1);
        // Window 2 opened under the reference built from window 0 alone and keeps it although window 1 closed (and the
        // rolling reference was rebuilt) while it was open; its bins were counted against that reference's edges throughout.
        var w2 = reports[2];
        Assert.Equal("exact", Feature(w2, "x").GetProperty("binning").GetString());
        Assert.Equal(PerSecond * 60, Feature(w2, "x").GetProperty("count").GetInt64());
        Assert.Equal("rolling:1 previous window", w2.GetProperty("reference").GetProperty("source").GetString());
        Assert.Equal(PerSecond * 60, Feature(w2, "x").GetProperty("reference_count").GetInt64());
        Assert.Equal("rolling:2 previous windows", reports[3].GetProperty("reference").GetProperty("source").GetString());
        Assert.Equal("rolling:3 previous windows", reports[6].GetProperty("reference").GetProperty("source").GetString());
        Assert.All(reports.Skip(2), r => Assert.Equal("exact", Feature(r, "x").GetProperty("binning").GetString()));
        Assert.All(reports.Skip(2), r => Assert.Equal(0.0, Feature(r, "x").GetProperty("out_of_reference_range_rate").GetDouble(), 2));

        // Per-slice prediction drift compares with the same reference: the windows it was really built from.
        await grain.FlushPerformanceAsync();
        var slices = (await fixture.Reports.GetAsync(key, ReportKinds.Performance, Nanos(t0 + (2 * Window))))!.Json;
        var drift = JsonDocument.Parse(slices).RootElement.GetProperty("slices").GetProperty("prediction_drift");
        Assert.Equal("rolling:1 previous window", drift.GetProperty("reference").GetString());
        Assert.Empty(drift.GetProperty("drifted_slices").EnumerateArray());
    }

    [Fact]
    public async Task UploadedReference_ReplacedWhileAWindowIsOpen_ThatWindowKeepsTheOneItOpenedWith()
    {
        var (key, grain) = TestModels.New(fixture, "upl-");
        await grain.ConfigureAsync(new ModelSettings { Window = Window, ReferenceMode = ReferenceMode.Uploaded });
        await grain.SetReferenceAsync(Upload(seed: 11, rows: 20_000));
        var t0 = NextBoundary(Window);

        // The second upload lands 30 s into window 1.
        await StreamAsync(grain, t0, windows: 3, seed: 2, at: (t0.AddSeconds(90), () => grain.SetReferenceAsync(Upload(seed: 12, rows: 20_000))));

        var reports = await WindowReportsAsync(key, t0, 3);
        AssertWithinNoise(reports, firstJudged: 0);
        Assert.Equal(1, reports[1].GetProperty("reference").GetProperty("version").GetInt32());
        Assert.Equal("exact", Feature(reports[1], "x").GetProperty("binning").GetString());
        Assert.Equal(2, reports[2].GetProperty("reference").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task PinnedReference_SetWhileAWindowIsOpen_JudgesTheFollowingWindowsWithinNoise()
    {
        var (key, grain) = TestModels.New(fixture, "pin-");
        await grain.ConfigureAsync(new ModelSettings { Window = Window, ReferenceMode = ReferenceMode.Uploaded });
        var t0 = NextBoundary(Window);

        // Pin windows 0 and 1 once both closed, 20 s into window 3.
        await StreamAsync(grain, t0, windows: 6, seed: 3, at: (t0.AddSeconds(200), () => grain.PinReferenceAsync(Nanos(t0), Nanos(t0.AddMinutes(2)))));

        var reports = await WindowReportsAsync(key, t0, 6);
        AssertWithinNoise(reports, firstJudged: 3);
        Assert.All(reports.Skip(4), r => Assert.Equal("exact", Feature(r, "x").GetProperty("binning").GetString()));
    }

    [Fact]
    public async Task SeasonalReference_StationaryStream_PsiStaysWithinSamplingNoise()
    {
        var (key, grain) = TestModels.New(fixture, "week-");
        await grain.ConfigureAsync(new ModelSettings { Window = Window, ReferenceMode = ReferenceMode.SameWindowLastWeek });
        var t0 = NextBoundary(Window);
        await StreamAsync(grain, t0, windows: 2, seed: 4);
        var t1 = t0.AddDays(7);
        ClusterFixture.Time.SetUtcNow(t1.AddSeconds(-1));
        await StreamAsync(grain, t1, windows: 2, seed: 5);

        var reports = await WindowReportsAsync(key, t1, 2);
        AssertWithinNoise(reports, firstJudged: 0);
        Assert.All(reports, r => Assert.StartsWith("same window one week earlier", r.GetProperty("reference").GetProperty("source").GetString()));
    }

    /// <summary>
    /// Under the null hypothesis (window and reference drawn from one distribution), PSI over B bins is asymptotically
    /// (1/N + 1/M) times a chi-square with B - 1 degrees of freedom (PSI ~ sum (q - p)^2 / p, the two-sample chi-square
    /// statistic divided by N M / (N + M)). Every window's PSI must stay below that distribution's 1 - 1e-4 quantile;
    /// for categorical features B is the number of categories. Windows before <paramref name="firstJudged"/> may have
    /// no reference.
    /// </summary>
    private static void AssertWithinNoise(IReadOnlyList<JsonElement> reports, int firstJudged)
    {
        for (var w = firstJudged; w < reports.Count; w++)
        {
            foreach (var (name, bins) in new[] { ("x", 10), ("plan", Plans.Length) })
            {
                var f = Feature(reports[w], name);
                Assert.True(f.TryGetProperty("psi", out var psiNode), $"window {w} {name}: no PSI");
                double n = f.GetProperty("count").GetInt64(), m = f.GetProperty("reference_count").GetInt64();
                var bound = ((1 / n) + (1 / m)) * ChiSquared.InvCDF(bins - 1, 1 - 1e-4);
                Assert.True(psiNode.GetDouble() <= bound,
                    $"window {w} {name}: PSI {psiNode.GetDouble():F5} above the sampling-noise bound {bound:F5} (n={n}, m={m}, binning={f.GetProperty("binning")})");
                Assert.False(f.GetProperty("drifted").GetBoolean(), $"window {w} {name} called drifted");
            }
        }
    }

    /// <summary>
    /// Streams <see cref="PerSecond"/> stationary predictions per second of event time for <paramref name="windows"/>
    /// windows from <paramref name="t0"/>, advancing the fake clock second by second and ticking the grain as its timer
    /// would, then waits out the last window's lateness. <paramref name="at"/> runs once when the clock reaches its time.
    /// </summary>
    private static async Task StreamAsync(IModelGrain grain, DateTimeOffset t0, int windows, int seed,
        (DateTimeOffset When, Func<Task> Action)? at = null)
    {
        var rng = new Random(seed);
        var seconds = (int)(windows * Window.TotalSeconds);
        var ran = false;
        for (var s = 0; s <= seconds + 7; s++)
        {
            var now = t0.AddSeconds(s);
            ClusterFixture.Time.SetUtcNow(now);
            if (at is { } a && !ran && now >= a.When)
            {
                await a.Action();
                ran = true;
            }

            if (s < seconds)
            {
                var batch = new ModelEvent[PerSecond];
                for (var i = 0; i < PerSecond; i++)
                {
                    batch[i] = new ModelEvent
                    {
                        Kind = EventKind.Prediction,
                        PredictionId = $"{seed}-{s}-{i}",
                        EventTimeUnixNano = Nanos(now.AddMilliseconds(i * 10)),
                        ReceivedUnixNano = Nanos(now),
                        Features = [new FeatureValue("x", Normal(rng), null), new FeatureValue("plan", null, Plans[rng.Next(Plans.Length)])],
                        Score = rng.NextDouble(),
                        Segments = [new SegmentValue("region", Plans[rng.Next(Plans.Length)])],
                    };
                }

                await grain.AppendAsync(batch);
            }

            await grain.TickAsync();
        }
    }

    private static ReferenceUpload Upload(int seed, int rows)
    {
        var rng = new Random(seed);
        var x = Enumerable.Range(0, rows).Select(_ => Normal(rng)).ToArray();
        var plan = Enumerable.Range(0, rows).Select(_ => Plans[rng.Next(Plans.Length)]).ToArray();
        return new ReferenceUpload($"train-{seed}.csv", rows, [new ReferenceColumn("x", x, null), new ReferenceColumn("plan", null, plan)]);
    }

    private async Task<List<JsonElement>> WindowReportsAsync(ModelKey key, DateTimeOffset t0, int windows)
    {
        var reports = new List<JsonElement>();
        for (var w = 0; w < windows; w++)
        {
            var stored = await fixture.Reports.GetAsync(key, ReportKinds.Window, Nanos(t0 + (w * Window)));
            Assert.NotNull(stored);
            reports.Add(JsonDocument.Parse(stored.Json).RootElement);
        }

        return reports;
    }

    /// <summary>Normal(50, 10) by Box-Muller, rounded to 0.01 as logged values often are.</summary>
    private static double Normal(Random rng) =>
        Math.Round(50 + (10 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble())), 2);
}
