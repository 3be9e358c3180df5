using System.Diagnostics;

namespace Monitoring.Silo.Tests;

/// <summary>Runs the real <c>monitoring</c> CLI (built next to the tests) as a child process.</summary>
internal static class CliProcess
{
    /// <summary>Runs <c>monitoring</c> with the arguments and returns its exit code, standard output and standard error.</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => RunAsync(null, args);

    /// <summary>
    /// Runs <c>monitoring</c> with extra environment variables (<paramref name="environment"/>, e.g. MONITORING_API_KEY) and
    /// the arguments; returns its exit code, standard output and standard error.
    /// </summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "monitoring.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
