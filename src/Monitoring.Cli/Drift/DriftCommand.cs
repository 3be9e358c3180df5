using Monitoring.Datasets;
using Monitoring.Cli.Output;
using Monitoring.Stats.Drift;

namespace Monitoring.Cli.Drift;

/// <summary>Runs <c>monitoring drift</c>: read, analyse, print; input errors become one line on stderr and exit code 2.</summary>
public static class DriftCommand
{
    /// <summary>Runs the command and returns the process exit code.</summary>
    public static int Run(DriftOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var referenceTable = TabularFile.Read(options.ReferencePath);
            var currentTable = TabularFile.Read(options.CurrentPath);
            var report = DriftAnalyzer.Analyze(referenceTable, currentTable, options, DriftPolicy.Default);
            if (options.Format == OutputFormat.Json)
            {
                using var buffer = new MemoryStream();
                JsonReportWriter.Write(report, buffer);
                output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                TableReportWriter.Write(report, output);
            }

            return 0;
        }
        catch (Exception e) when (e is CliException or DatasetException)
        {
            error.WriteLine($"error: {e.Message}");
            return CliException.ExitCode;
        }
    }
}
