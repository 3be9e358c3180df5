using System.Text.Json;
using Xunit;

namespace Monitoring.Cli.Tests.Slices;

/// <summary>
/// The built tool on Fixtures/slices.csv (8,000 scored rows plus 4 without a score or label; country=BR and
/// device=ios &amp; plan=free planted as degraded); expected values from statsmodels 0.13 / sklearn 1.2 / numpy
/// (Fixtures/slices_expected.json, written by tests/Monitoring.Stats.Tests/Fixtures/generate_slice_fixtures.py).
/// </summary>
public sealed class SlicesCommandEndToEndTests
{
    private static readonly string[] JsonArgs =
    [
        "slices", "--file", CliProcess.FixturePath("slices.csv"), "--score-column", "p", "--label-column", "y",
        "--segments", "country,device,plan,channel", "--format", "json",
    ];

    private static readonly string[] RateKeys = ["accuracy", "error_rate", "precision", "recall", "positive_rate", "predicted_positive_rate"];

    private static readonly Lazy<Task<(JsonDocument Actual, JsonDocument Expected)>> Run = new(async () =>
    {
        var run = await CliProcess.RunAsync(JsonArgs);
        Assert.True(run.ExitCode == 0, run.StandardError);
        return (JsonDocument.Parse(run.StandardOutput), JsonDocument.Parse(File.ReadAllBytes(CliProcess.FixturePath("slices_expected.json"))));
    });

    [Fact]
    public async Task Json_Summary_CountsRowsAndSettings()
    {
        var (actual, expected) = await Run.Value;
        var a = actual.RootElement;
        var e = expected.RootElement;

        Assert.Equal(e.GetProperty("rows").GetInt32(), a.GetProperty("rows").GetInt32());
        Assert.Equal(e.GetProperty("skipped_rows").GetInt32(), a.GetProperty("skipped_rows").GetInt32());
        Assert.Equal(8000, a.GetProperty("used_rows").GetInt32());
        Assert.Equal("accuracy", a.GetProperty("metric").GetString());
        Assert.Equal(0.5, a.GetProperty("threshold").GetDouble());
        Assert.Equal(50, a.GetProperty("min_support").GetInt32());
        Assert.Equal("benjamini_hochberg", a.GetProperty("p_value_adjustment").GetString());
        AssertMetrics(e.GetProperty("overall"), a.GetProperty("overall"), "overall");
    }

    [Fact]
    public async Task Json_PerDimensionSlices_MatchReference()
    {
        var (actual, expected) = await Run.Value;
        var ad = actual.RootElement.GetProperty("dimensions").EnumerateArray().ToArray();
        var ed = expected.RootElement.GetProperty("dimensions").EnumerateArray().ToArray();
        Assert.Equal(ed.Select(d => d.GetProperty("name").GetString()), ad.Select(d => d.GetProperty("name").GetString()));
        for (var i = 0; i < ed.Length; i++)
        {
            Assert.Equal(ed[i].GetProperty("volume").GetInt64(), ad[i].GetProperty("volume").GetInt64());
            Assert.Equal(ed[i].GetProperty("other_values").GetInt32(), ad[i].GetProperty("other_values").GetInt32());
            var es = ed[i].GetProperty("slices").EnumerateArray().ToArray();
            var @as = ad[i].GetProperty("slices").EnumerateArray().ToArray();
            Assert.Equal(es.Select(s => s.GetProperty("value").GetString()), @as.Select(s => s.GetProperty("value").GetString()));
            for (var k = 0; k < es.Length; k++)
            {
                var where = @as[k].GetProperty("slice").GetString()!;
                AssertMetrics(es[k].GetProperty("metrics"), @as[k].GetProperty("metrics"), where);
                AssertComparison(es[k].GetProperty("comparison"), @as[k].GetProperty("comparison"), where + " comparison");
                AssertComparison(es[k].GetProperty("auc_comparison"), @as[k].GetProperty("auc_comparison"), where + " auc_comparison");
            }
        }
    }

    [Fact]
    public async Task Json_WorstSlices_ArePlantedFirstAndMatchReference()
    {
        var (actual, expected) = await Run.Value;
        var worst = actual.RootElement.GetProperty("worst_slices");
        var a = worst.GetProperty("slices").EnumerateArray().ToArray();
        var e = expected.RootElement.GetProperty("worst_slices").EnumerateArray().ToArray();

        var planted = expected.RootElement.GetProperty("planted").EnumerateArray().Select(x => x.GetString()).ToHashSet();
        Assert.Equal(planted, a.Take(2).Select(x => x.GetProperty("slice").GetString()).ToHashSet());
        Assert.Equal(expected.RootElement.GetProperty("evaluated_slices").GetInt32(), worst.GetProperty("evaluated").GetInt32());
        Assert.Equal(e.Select(x => x.GetProperty("slice").GetString()), a.Select(x => x.GetProperty("slice").GetString()));
        for (var i = 0; i < e.Length; i++)
        {
            var where = $"worst #{i + 1}";
            Assert.Equal(e[i].GetProperty("rank").GetInt32(), a[i].GetProperty("rank").GetInt32());
            Assert.Equal(e[i].GetProperty("count").GetInt64(), a[i].GetProperty("count").GetInt64());
            Assert.True(a[i].GetProperty("count").GetInt64() >= 50);
            Assert.Equal(
                e[i].GetProperty("conditions").EnumerateArray().Select(c => (c.GetProperty("dimension").GetString(), c.GetProperty("value").GetString())),
                a[i].GetProperty("conditions").EnumerateArray().Select(c => (c.GetProperty("dimension").GetString(), c.GetProperty("value").GetString())));
            AssertComparison(e[i], a[i].GetProperty("comparison"), where);
        }
    }

    [Fact]
    public async Task Table_IsTheDefaultAndListsThePlantedSlices()
    {
        var run = await CliProcess.RunAsync("slices", "--file", CliProcess.FixturePath("slices.csv"), "--score-column", "p", "--label-column", "y", "--segments", "country,device,plan");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("device=ios & plan=free", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("country=BR", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("(other)", run.StandardOutput, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(run.StandardOutput));
    }

    [Fact]
    public async Task Options_MetricTopAndMinSupport_AreApplied()
    {
        var run = await CliProcess.RunAsync(
            "slices", "--file", CliProcess.FixturePath("slices.csv"), "--score-column", "p", "--label-column", "y", "--segments", "device,plan,country",
            "--metric", "auc", "--top", "3", "--min-support", "1000", "--max-values", "4", "--pair-dimensions", "2", "--format", "json");

        Assert.True(run.ExitCode == 0, run.StandardError);
        using var doc = JsonDocument.Parse(run.StandardOutput);
        var worst = doc.RootElement.GetProperty("worst_slices");
        Assert.Equal("auc", worst.GetProperty("metric").GetString());
        var slices = worst.GetProperty("slices").EnumerateArray().ToArray();
        Assert.InRange(slices.Length, 1, 3);
        Assert.All(slices, s => Assert.True(s.GetProperty("count").GetInt64() >= 1000));
        Assert.Equal("device=ios & plan=free", slices[0].GetProperty("slice").GetString());
        // Equal volumes: the first two segments given pair, so country=BR (957 rows, under 1000) is out and device & plan pair.
        var country = doc.RootElement.GetProperty("dimensions")[2];
        Assert.Equal(5, country.GetProperty("slices").GetArrayLength());
        Assert.Equal("auc", country.GetProperty("slices")[0].GetProperty("comparison").GetProperty("metric").GetString());
    }

    private static void AssertMetrics(JsonElement e, JsonElement a, string where)
    {
        foreach (var key in new[] { "count", "positives", "true_positives", "false_positives", "false_negatives" })
        {
            Assert.Equal(e.GetProperty(key).GetInt64(), a.GetProperty(key).GetInt64());
        }

        foreach (var rate in RateKeys)
        {
            Close(e.GetProperty(rate), a.GetProperty(rate), $"{where}.{rate}", "value");
            NullableClose(e.GetProperty(rate), a.GetProperty(rate), $"{where}.{rate}", "lower");
            NullableClose(e.GetProperty(rate), a.GetProperty(rate), $"{where}.{rate}", "upper");
        }

        Close(e, a, where, "f1");
        Close(e, a, where, "brier");
        Close(e, a, where, "ece");
        var ea = e.GetProperty("auc");
        var aa = a.GetProperty("auc");
        Assert.Equal(ea.ValueKind, aa.ValueKind);
        if (ea.ValueKind != JsonValueKind.Null)
        {
            Assert.True(Near(ea.GetProperty("auc").GetDouble(), aa.GetProperty("value").GetDouble()), $"{where}.auc");
            NullableClose(ea, aa, $"{where}.auc", "variance");
            NullableClose(ea, aa, $"{where}.auc", "lower");
            NullableClose(ea, aa, $"{where}.auc", "upper");
        }
    }

    private static void AssertComparison(JsonElement e, JsonElement a, string where)
    {
        if (e.ValueKind == JsonValueKind.Null)
        {
            Assert.Equal(JsonValueKind.Null, a.ValueKind);
            return;
        }

        Assert.Equal(e.GetProperty("metric").GetString(), a.GetProperty("metric").GetString());
        foreach (var key in new[] { "slice_value", "rest_value", "difference", "degradation", "lower_bound", "standard_error" })
        {
            Close(e, a, where, key);
        }

        NullableClose(e, a, where, "z");
        ClosePValue(e.GetProperty("p_value").GetDouble(), a.GetProperty("p_value").GetDouble(), where);
        ClosePValue(e.GetProperty("p_value_adjusted").GetDouble(), a.GetProperty("p_value_adjusted").GetDouble(), where + " adjusted");
        Assert.Equal(e.GetProperty("significant").GetBoolean(), a.GetProperty("significant").GetBoolean());
    }

    private static void NullableClose(JsonElement e, JsonElement a, string where, string key)
    {
        Assert.True(e.GetProperty(key).ValueKind == a.GetProperty(key).ValueKind, $"{where}.{key}: {e.GetProperty(key)} vs {a.GetProperty(key)}");
        if (e.GetProperty(key).ValueKind == JsonValueKind.Number)
        {
            Close(e, a, where, key);
        }
    }

    private static void Close(JsonElement e, JsonElement a, string where, string key)
    {
        var expected = e.GetProperty(key).GetDouble();
        var actual = a.GetProperty(key).GetDouble();
        Assert.True(Near(expected, actual), $"{where}.{key}: expected {expected:R}, got {actual:R}");
    }

    private static bool Near(double e, double a) => Math.Abs(e - a) <= 1e-12 || Math.Abs(e - a) <= 1e-9 * Math.Abs(e);

    private static void ClosePValue(double e, double a, string where)
    {
        var error = Math.Abs(e - a);
        Assert.True(error <= 1e-9 || error <= 1e-6 * Math.Abs(e), $"{where} p-value: expected {e:R}, got {a:R}");
    }
}
