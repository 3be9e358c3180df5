using System.Text.Json;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Cli.Drift;
using Monitoring.Datasets;

namespace Monitoring.Cli.Rollouts;

/// <summary>
/// Runs <c>monitoring rollout compare --baseline-file B --candidate-file C</c>: read, compare, print; input errors become
/// one line on stderr and exit code 2. Exit 0 for any verdict, or with <c>--verdict-exit-code</c> 0 promote, 3 hold,
/// 4 rollback.
/// </summary>
public static class RolloutCommand
{
    /// <summary>Exit code of a hold with <see cref="RolloutCompareOptions.VerdictExitCode"/>.</summary>
    public const int HoldExitCode = 3;

    /// <summary>Exit code of a rollback with <see cref="RolloutCompareOptions.VerdictExitCode"/>.</summary>
    public const int RollbackExitCode = 4;

    /// <summary>Runs the command and returns the process exit code.</summary>
    public static async Task<int> RunAsync(RolloutCompareOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var baseline = await ReadAsync(options.BaselinePath, cancellationToken);
            var candidate = await ReadAsync(options.CandidatePath, cancellationToken);
            var report = RolloutAnalyzer.Analyze(baseline, candidate, options);
            if (options.Format == OutputFormat.Json)
            {
                output.WriteLine(JsonSerializer.Serialize(report, ReportJson.Options));
            }
            else
            {
                RolloutTableWriter.Write(report, output);
            }

            return !options.VerdictExitCode ? 0 : report.Verdict.Decision switch
            {
                RolloutVerdict.Rollback => RollbackExitCode,
                RolloutVerdict.Hold => HoldExitCode,
                _ => 0,
            };
        }
        catch (Exception e) when (e is CliException or DatasetException)
        {
            error.WriteLine($"error: {e.Message}");
            return CliException.ExitCode;
        }
    }

    /// <summary>CSV with a header row, or Parquet (told apart by Parquet's magic bytes).</summary>
    private static async Task<TabularFile> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DatasetException($"{path}: file not found.");
        }

        await using var stream = File.OpenRead(path);
        var table = await ReferenceFile.ReadAsync(stream, path, cancellationToken);
        return table;
    }
}
