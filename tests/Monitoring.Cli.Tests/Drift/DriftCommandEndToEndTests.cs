using System.Text.Json;
using Xunit;

namespace Monitoring.Cli.Tests.Drift;

/// <summary>
/// The built tool against Fixtures/reference.csv and current.csv; expected values from scipy 1.10 / sklearn 1.2
/// (Fixtures/generate_cli_fixture.py).
/// </summary>
public sealed class DriftCommandEndToEndTests
{
    private static readonly string[] FullArgs =
    [
        "drift", "--reference", CliProcess.FixturePath("reference.csv"), "--current", CliProcess.FixturePath("current.csv"),
        "--categorical", "zip", "--score-column", "score", "--label-column", "label", "--format", "json",
    ];

    [Fact]
    public async Task Json_MatchesScipyAndSklearnFixture()
    {
        var run = await CliProcess.RunAsync(FullArgs);
        Assert.True(run.ExitCode == 0, run.StandardError);
        using var actual = JsonDocument.Parse(run.StandardOutput);
        using var expected = JsonDocument.Parse(File.ReadAllBytes(CliProcess.FixturePath("expected.json")));
        var a = actual.RootElement;
        var e = expected.RootElement;

        Assert.Equal(e.GetProperty("reference_rows").GetInt32(), a.GetProperty("reference_rows").GetInt32());
        Assert.Equal(e.GetProperty("current_rows").GetInt32(), a.GetProperty("current_rows").GetInt32());
        var features = a.GetProperty("features").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);
        Assert.Equal(e.GetProperty("features").GetArrayLength(), features.Count);
        foreach (var ef in e.GetProperty("features").EnumerateArray())
        {
            var name = ef.GetProperty("name").GetString()!;
            var af = features[name];
            Assert.Equal(ef.GetProperty("kind").GetString(), af.GetProperty("kind").GetString());
            Close(ef, af, name, "null_fraction", "reference");
            Close(ef, af, name, "null_fraction", "current");
            Close(ef, af, name, "psi");
            Close(ef, af, name, "jensen_shannon");
            Close(ef, af, name, "hellinger");
            Assert.True(af.GetProperty("drifted").ValueKind is JsonValueKind.True or JsonValueKind.False);
            Assert.False(string.IsNullOrEmpty(af.GetProperty("method").GetString()));
            if (ef.GetProperty("kind").GetString() == "numeric")
            {
                Close(ef, af, name, "ks", "statistic");
                ClosePValue(ef.GetProperty("ks").GetProperty("p_value").GetDouble(), af.GetProperty("ks").GetProperty("p_value").GetDouble(), name);
                Close(ef, af, name, "wasserstein");
                Assert.False(af.TryGetProperty("chi_square", out _));
            }
            else
            {
                Close(ef, af, name, "chi_square", "statistic");
                ClosePValue(ef.GetProperty("chi_square").GetProperty("p_value").GetDouble(), af.GetProperty("chi_square").GetProperty("p_value").GetDouble(), name);
                Assert.Equal(ef.GetProperty("chi_square").GetProperty("dof").GetInt32(), af.GetProperty("chi_square").GetProperty("dof").GetInt32());
                Assert.Equal(
                    ef.GetProperty("new_categories").EnumerateArray().Select(x => x.GetString()),
                    af.GetProperty("new_categories").EnumerateArray().Select(x => x.GetString()));
                Assert.False(af.TryGetProperty("ks", out _));
            }
        }

        var ec = e.GetProperty("classification");
        var ac = a.GetProperty("classification");
        foreach (var key in new[] { "auc", "brier", "log_loss", "ece", "mce", "accuracy", "precision", "recall", "f1", "threshold" })
        {
            Close(ec, ac, "classification", key);
        }

        var eb = ec.GetProperty("reliability").EnumerateArray().ToArray();
        var ab = ac.GetProperty("reliability").EnumerateArray().ToArray();
        Assert.Equal(eb.Length, ab.Length);
        for (var i = 0; i < eb.Length; i++)
        {
            Assert.Equal(eb[i].GetProperty("count").GetInt64(), ab[i].GetProperty("count").GetInt64());
            Assert.Equal(eb[i].GetProperty("lower").GetDouble(), ab[i].GetProperty("lower").GetDouble());
            Assert.Equal(eb[i].GetProperty("upper").GetDouble(), ab[i].GetProperty("upper").GetDouble());
            foreach (var key in new[] { "mean_predicted", "fraction_positive" })
            {
                Assert.Equal(eb[i].GetProperty(key).ValueKind, ab[i].GetProperty(key).ValueKind);
                if (eb[i].GetProperty(key).ValueKind == JsonValueKind.Number)
                {
                    Close(eb[i], ab[i], $"reliability bin {i}", key);
                }
            }
        }
    }

    [Fact]
    public async Task Json_FlagsTheDriftedFeaturesAndKeepsStableOnesClean()
    {
        var run = await CliProcess.RunAsync(FullArgs);
        using var doc = JsonDocument.Parse(run.StandardOutput);
        var drifted = doc.RootElement.GetProperty("features").EnumerateArray()
            .Where(f => f.GetProperty("drifted").GetBoolean()).Select(f => f.GetProperty("name").GetString()).ToHashSet();

        Assert.Contains("income", drifted);
        Assert.Contains("country", drifted);
        Assert.DoesNotContain("plan", drifted);
    }

    [Fact]
    public async Task Table_IsTheDefaultAndNamesEveryFeature()
    {
        var run = await CliProcess.RunAsync("drift", "--reference", CliProcess.FixturePath("reference.csv"), "--current", CliProcess.FixturePath("current.csv"), "--categorical", "zip");

        Assert.Equal(0, run.ExitCode);
        foreach (var name in new[] { "age", "income", "country", "plan", "zip", "score", "label" })
        {
            Assert.Contains(name, run.StandardOutput, StringComparison.Ordinal);
        }

        Assert.Contains("DRIFT", run.StandardOutput, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(run.StandardOutput));
    }

    private static void Close(JsonElement expected, JsonElement actual, string where, params string[] path)
    {
        foreach (var p in path)
        {
            expected = expected.GetProperty(p);
            actual = actual.GetProperty(p);
        }

        var e = expected.GetDouble();
        var a = actual.GetDouble();
        var error = Math.Abs(e - a);
        Assert.True(error <= 1e-12 || error <= 1e-9 * Math.Abs(e), $"{where}.{string.Join('.', path)}: expected {e:R}, got {a:R}");
    }

    private static void ClosePValue(double e, double a, string where)
    {
        var error = Math.Abs(e - a);
        Assert.True(error <= 1e-9 || error <= 1e-6 * Math.Abs(e), $"{where} p-value: expected {e:R}, got {a:R}");
    }
}
