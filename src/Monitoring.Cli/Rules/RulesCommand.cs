using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Rules;
using Monitoring.Alerting.Testing;

namespace Monitoring.Cli.Rules;

/// <summary>
/// <c>monitoring rules lint|metrics|test</c>: checks rule files offline, lists the metrics rules can select, and runs
/// rule unit tests (docs/rule-tests.md).
/// </summary>
public static class RulesCommand
{
    /// <summary>Exit code when a rule file has errors.</summary>
    public const int LintFailed = 1;

    /// <summary>Lints a rule file or directory: every error as <c>file:line:column: field: reason</c>; 0 when clean.</summary>
    public static int Lint(string path, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var set = RuleFileParser.LoadPath(path);
            output.WriteLine($"{path}: {set.Files.Count} file(s), {set.Groups.Count} group(s), {set.Rules.Count()} rule(s), {set.Slos.Count} SLO(s): OK");
            return 0;
        }
        catch (RuleFileException e)
        {
            foreach (var problem in e.Errors)
            {
                error.WriteLine(problem.ToString());
            }
            error.WriteLine($"{e.Errors.Count} error(s)");
            return LintFailed;
        }
    }

    /// <summary>Exit code when a rule test failed.</summary>
    public const int TestsFailed = 1;

    /// <summary>Exit code when a test file, a rule file or an Alertmanager configuration does not load.</summary>
    public const int TestFileError = 2;

    /// <summary>
    /// Runs the rule unit tests of each file, as <c>promtool test rules</c> does: every file is run; a failed assertion
    /// prints expected against got. Returns 0 when all pass, <see cref="TestsFailed"/> when some assertion failed,
    /// <see cref="TestFileError"/> when some file did not load.
    /// </summary>
    public static async Task<int> TestAsync(IReadOnlyList<string> files, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var fileErrors = false;
        var failed = false;
        foreach (var file in files)
        {
            output.WriteLine($"Unit testing: {file}");
            RuleTestSuite suite;
            try
            {
                suite = RuleTestRunner.Load(file);
            }
            catch (RuleFileException e)
            {
                foreach (var problem in e.Errors)
                {
                    error.WriteLine(problem.ToString());
                }
                output.WriteLine($"  FAILED: {e.Errors.Count} error(s) loading the test");
                fileErrors = true;
                continue;
            }
            var report = await RuleTestRunner.RunAsync(suite, cancellationToken);
            var passed = report.Tests.Count(t => t.Passed);
            if (report.Passed)
            {
                output.WriteLine($"  SUCCESS: {passed} test(s)");
                continue;
            }
            failed = true;
            output.WriteLine($"  FAILED: {report.Tests.Count - passed} of {report.Tests.Count} test(s)");
            foreach (var failure in report.Tests.SelectMany(t => t.Failures))
            {
                output.WriteLine();
                foreach (var line in failure.Split('\n'))
                {
                    output.WriteLine("  " + line.TrimEnd('\r'));
                }
            }
        }
        return fileErrors ? TestFileError : failed ? TestsFailed : 0;
    }

    /// <summary>Prints every metric with its labels, source and meaning.</summary>
    public static int Metrics(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var width = MetricCatalog.All.Max(m => m.Name.Length);
        var labelWidth = MetricCatalog.All.Max(m => string.Join(",", m.Labels).Length);
        output.WriteLine($"{"METRIC".PadRight(width)}  {"LABELS".PadRight(labelWidth)}  {"EVALUATED",-11}  MEANING");
        foreach (var m in MetricCatalog.All)
        {
            var when = MetricCatalog.SourceName(m.Source);
            output.WriteLine($"{m.Name.PadRight(width)}  {string.Join(",", m.Labels).PadRight(labelWidth)}  {when,-11}  {m.Help}");
        }
        output.WriteLine();
        output.WriteLine("window: evaluated when a window closes; performance: also when late labels change a closed window; rollout: version comparisons at each window close.");
        return 0;
    }
}
