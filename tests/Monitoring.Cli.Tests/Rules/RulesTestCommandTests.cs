using Xunit;

namespace Monitoring.Cli.Tests.Rules;

/// <summary><c>monitoring rules test</c> as a real process: promtool-style report, exit 0 all pass, 1 failures, 2 file errors.</summary>
public sealed class RulesTestCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monitoring-rules-test-").FullName;

    public RulesTestCommandTests()
    {
        foreach (var file in Directory.EnumerateFiles(CliProcess.FixturePath("Rules")))
        {
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Example => Path.Combine(_dir, "example-rules.test.yml");

    [Fact]
    public async Task ShippedExampleTests_Pass_WithExitCodeZero()
    {
        var run = await CliProcess.RunAsync("rules", "test", Example);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("SUCCESS: 6 test(s)", run.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.StandardError);
    }

    [Fact]
    public async Task BrokenExpectation_ExitsOne_AndPrintsExpectedAgainstGot_WhileOtherFilesStillRun()
    {
        var broken = Path.Combine(_dir, "broken.test.yml");
        File.WriteAllText(broken, File.ReadAllText(Example).Replace("summary: \"4 features drifted on credit-risk\"", "summary: \"5 features drifted on credit-risk\"", StringComparison.Ordinal));

        var run = await CliProcess.RunAsync("rules", "test", broken, Example);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("FAILED: 1 of 6 test(s)", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("test \"three drifted features page after two windows\" (line 45), eval_time 2h, alertname ManyFeaturesDrifted", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("annotations {summary=\"5 features drifted on credit-risk\"}", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("annotations {summary=\"4 features drifted on credit-risk\"}", run.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("SUCCESS: 6 test(s)", run.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownMetric_ExitsTwo_WithFileLineAndField()
    {
        var bad = Path.Combine(_dir, "bad.test.yml");
        File.WriteAllText(bad, """
            rule_files: [example-rules.yml]
            tests:
              - input_windows:
                  - series: 'feature_psy{tenant="default", model="m", feature="f"}'
                    values: '1'
            """);

        var run = await CliProcess.RunAsync("rules", "test", bad);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("bad.test.yml:4:17: tests[0].input_windows[0].series: unknown metric \"feature_psy\"", run.StandardError, StringComparison.Ordinal);
    }
}
