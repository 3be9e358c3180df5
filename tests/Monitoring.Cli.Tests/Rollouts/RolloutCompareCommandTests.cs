using System.Text.Json;
using Xunit;

namespace Monitoring.Cli.Tests.Rollouts;

/// <summary>
/// The built tool on three prediction files of the same 3,000 requests (Fixtures/rollout_*.csv, written with
/// rollout_expected.json by Fixtures/generate_rollout_fixture.py from sklearn / scipy / statsmodels): an equal
/// candidate, and a candidate better overall but worse in country=BR.
/// </summary>
public sealed class RolloutCompareCommandTests : IDisposable
{
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllBytes(CliProcess.FixturePath("rollout_expected.json"))).RootElement;

    private readonly string _dir = Directory.CreateTempSubdirectory("monitoring-rollout-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<CliProcess.Result> Compare(string candidate, params string[] extra) => CliProcess.RunAsync(
    [
        "rollout", "compare", "--baseline-file", CliProcess.FixturePath("rollout_baseline.csv"),
        "--candidate-file", CliProcess.FixturePath(candidate), "--baseline", "v3", "--candidate", "v4",
        "--segments", "country,device", "--features", "income,device", "--latency-column", "latency_ms", .. extra,
    ]);

    private static async Task<JsonElement> CompareJson(string candidate, params string[] extra)
    {
        var run = await Compare(candidate, [.. extra, "--format", "json"]);
        Assert.True(run.ExitCode == 0, run.StandardError);
        return JsonDocument.Parse(run.StandardOutput).RootElement;
    }

    private static JsonElement Metric(JsonElement report, string name) =>
        report.GetProperty("metrics").EnumerateArray().Single(m => m.GetProperty("metric").GetString() == name);

    [Fact]
    public async Task SliceRegression_IsRolledBack_NamingTheSlice_WithStatsmodelsFigures()
    {
        var report = await CompareJson("rollout_slice.csv");
        var expected = Expected.GetProperty("candidates").GetProperty("slice");

        var verdict = report.GetProperty("verdict");
        Assert.Equal("rollback", verdict.GetProperty("decision").GetString());
        var reason = verdict.GetProperty("reasons").EnumerateArray().First();
        Assert.Equal("max_slice_drop", reason.GetProperty("guardrail").GetString());
        Assert.Equal("broken", reason.GetProperty("outcome").GetString());
        Assert.Contains("country=BR", reason.GetProperty("message").GetString(), StringComparison.Ordinal);

        // Overall the candidate is better: accuracy up, matching statsmodels' test and Newcombe interval.
        var accuracy = Metric(report, "accuracy");
        Assert.Equal(expected.GetProperty("accuracy_candidate").GetDouble(), accuracy.GetProperty("candidate").GetDouble(), 12);
        Assert.Equal(expected.GetProperty("accuracy_z").GetDouble(), accuracy.GetProperty("z").GetDouble(), 9);
        Assert.Equal(expected.GetProperty("accuracy_lower").GetDouble(), accuracy.GetProperty("ci_lower").GetDouble(), 12);
        Assert.Equal(expected.GetProperty("accuracy_upper").GetDouble(), accuracy.GetProperty("ci_upper").GetDouble(), 12);
        Assert.True(accuracy.GetProperty("difference").GetDouble() > 0.05);

        var slices = report.GetProperty("slices").EnumerateArray().ToArray();
        Assert.Equal(7, slices.Length);
        foreach (var s in slices)
        {
            var key = s.GetProperty("dimension").GetString() + "=" + s.GetProperty("value").GetString();
            var e = expected.GetProperty("slices").GetProperty(key);
            Assert.Equal(e.GetProperty("baseline").GetDouble(), s.GetProperty("baseline").GetDouble(), 12);
            Assert.Equal(e.GetProperty("candidate").GetDouble(), s.GetProperty("candidate").GetDouble(), 12);
            Assert.Equal(e.GetProperty("labelled").GetInt64(), s.GetProperty("candidate_labeled").GetInt64());
            AssertClose(e.GetProperty("p_value").GetDouble(), s.GetProperty("p_value").GetDouble(), key);
            AssertClose(e.GetProperty("adjusted_p_value").GetDouble(), s.GetProperty("adjusted_p_value").GetDouble(), key + " (BH)");
            Assert.Equal(key == "country=BR", s.GetProperty("significant").GetBoolean() && s.GetProperty("degradation").GetDouble() > 0);
        }

        var shift = report.GetProperty("prediction_shift");
        Assert.Equal("exact", shift.GetProperty("binning").GetString());
        Assert.Equal(expected.GetProperty("ks").GetDouble(), shift.GetProperty("ks").GetDouble(), 12);
    }

    [Fact]
    public async Task EqualCandidate_Paired_IsPromoted()
    {
        var report = await CompareJson("rollout_equal.csv", "--id-column", "id", "--max-accuracy-drop", "0.03");
        var expected = Expected.GetProperty("candidates").GetProperty("equal");

        Assert.Equal("promote", report.GetProperty("verdict").GetProperty("decision").GetString());
        Assert.Equal("paired", report.GetProperty("pairing").GetString());
        var auc = Metric(report, "auc");
        Assert.Equal("delong_paired", auc.GetProperty("test").GetString());
        Assert.Equal(expected.GetProperty("auc_baseline").GetDouble(), auc.GetProperty("baseline").GetDouble(), 12);
        Assert.Equal(expected.GetProperty("auc_candidate").GetDouble(), auc.GetProperty("candidate").GetDouble(), 12);
        Assert.True(auc.GetProperty("ci_lower").GetDouble() > -0.01);
        Assert.Equal("paired_z", Metric(report, "brier").GetProperty("test").GetString());
        var shadow = report.GetProperty("shadow");
        Assert.Equal(Expected.GetProperty("rows").GetInt64(), shadow.GetProperty("pairs").GetInt64());
        Assert.InRange(shadow.GetProperty("agreement").GetDouble(), 0.9, 1.0);
        Assert.Equal(7, shadow.GetProperty("slices").GetArrayLength());
    }

    [Fact]
    public async Task EqualCandidate_Unpaired_HoldsWithTheSampleStillNeeded()
    {
        var report = await CompareJson("rollout_equal.csv");
        var verdict = report.GetProperty("verdict");

        Assert.Equal("hold", verdict.GetProperty("decision").GetString());
        Assert.Equal("unpaired", report.GetProperty("pairing").GetString());
        Assert.Equal(Expected.GetProperty("labelled").GetInt64(), report.GetProperty("candidate_summary").GetProperty("labeled").GetInt64());
        Assert.True(verdict.GetProperty("labeled_needed").GetInt64() > Expected.GetProperty("labelled").GetInt64());
        Assert.Contains(verdict.GetProperty("reasons").EnumerateArray(), r =>
            r.GetProperty("guardrail").GetString() == "max_auc_drop" && r.GetProperty("outcome").GetString() == "unproven");
        Assert.DoesNotContain(verdict.GetProperty("reasons").EnumerateArray(), r => r.GetProperty("outcome").GetString() == "broken");

        // The interval-width argument of the README: n' = n (z SE / |d + X|)^2 for each unproven drop guardrail, the
        // largest one (and at least the minimum), n the larger version's labelled count.
        const double z = 1.959963984540054;
        var n = Expected.GetProperty("labelled").GetInt64();
        double Needed(string metric, double tolerance)
        {
            var m = Metric(report, metric);
            return Math.Ceiling(n * Math.Pow(z * m.GetProperty("standard_error").GetDouble() / Math.Abs(m.GetProperty("difference").GetDouble() + tolerance), 2));
        }

        Assert.Equal(Math.Max(Math.Max(Needed("auc", 0.01), Needed("accuracy", 0.02)), 500), verdict.GetProperty("labeled_needed").GetInt64());
    }

    [Fact]
    public async Task Table_ShowsTheVerdictAndTheWorstSlice_AndVerdictExitCodeIsFour()
    {
        var run = await Compare("rollout_slice.csv", "--verdict-exit-code");

        Assert.Equal(4, run.ExitCode);
        Assert.StartsWith("verdict: ROLLBACK", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("[broken] max_slice_drop: slice country=BR", run.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(run.StandardError);
    }

    [Fact]
    public async Task BadGuardrail_NamesTheOption_ExitTwo()
    {
        var run = await Compare("rollout_equal.csv", "--max-auc-drop", "-0.5");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("max-auc-drop must be in [0, 1)", run.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingColumn_NamesFileAndColumn_ExitTwo()
    {
        var path = Path.Combine(_dir, "candidate.csv");
        await File.WriteAllTextAsync(path, "id,score,label,country,latency_ms,income\nr1,0.4,1,BR,10,5\n");

        var run = await Compare(path);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("candidate.csv: column 'device' (the segment) is not in the file", run.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScoreOutsideUnitInterval_NamesFileRowAndColumn_ExitTwo()
    {
        var path = Path.Combine(_dir, "candidate.csv");
        await File.WriteAllTextAsync(path, "id,score,label,country,device,latency_ms,income\nr1,0.4,1,BR,ios,10,5\nr2,1.4,0,BR,ios,10,5\n");

        var run = await Compare(path);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("candidate.csv: row 3, column 'score': score '1.4' is not a probability in [0, 1]", run.StandardError, StringComparison.Ordinal);
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        var error = Math.Abs(expected - actual);
        Assert.True(error <= 1e-9 || error <= 1e-6 * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R}");
    }
}
