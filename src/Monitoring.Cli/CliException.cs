namespace Monitoring.Cli;

/// <summary>A user-facing error: the message names the file, row and column at fault. Printed without a stack trace.</summary>
public sealed class CliException(string message) : Exception(message)
{
    /// <summary>Process exit code for input errors (usage errors from the parser exit with 1).</summary>
    public const int ExitCode = 2;
}
