using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Rules;

namespace Monitoring.Cli.Rules;

/// <summary><c>monitoring rules lint|metrics</c>: checks rule files offline and lists the metrics rules can select.</summary>
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

    /// <summary>Prints every metric with its labels, source and meaning.</summary>
    public static int Metrics(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var width = MetricCatalog.All.Max(m => m.Name.Length);
        var labelWidth = MetricCatalog.All.Max(m => string.Join(",", m.Labels).Length);
        output.WriteLine($"{"METRIC".PadRight(width)}  {"LABELS".PadRight(labelWidth)}  {"EVALUATED",-11}  MEANING");
        foreach (var m in MetricCatalog.All)
        {
            var when = m.Source == MetricSource.Window ? "window" : "performance";
            output.WriteLine($"{m.Name.PadRight(width)}  {string.Join(",", m.Labels).PadRight(labelWidth)}  {when,-11}  {m.Help}");
        }
        output.WriteLine();
        output.WriteLine("window: evaluated when a window closes; performance: also when late labels change a closed window.");
        return 0;
    }
}
