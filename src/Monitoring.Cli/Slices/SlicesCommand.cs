using Monitoring.Cli.Drift;
using Monitoring.Datasets;

namespace Monitoring.Cli.Slices;

/// <summary>Runs <c>monitoring slices</c>: read, analyse, print; input errors become one line on stderr and exit code 2.</summary>
public static class SlicesCommand
{
    /// <summary>Runs the command and returns the process exit code.</summary>
    public static int Run(SlicesOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var table = TabularFile.Read(options.Path);
            var reference = options.ReferencePath is { } referencePath ? TabularFile.Read(referencePath) : null;
            var report = SlicesAnalyzer.Analyze(table, options, reference);
            if (options.Format == OutputFormat.Json)
            {
                using var buffer = new MemoryStream();
                SlicesJsonWriter.Write(report, buffer);
                output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            }
            else
            {
                SlicesTableWriter.Write(report, output);
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
