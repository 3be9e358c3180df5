using System.Diagnostics;
using System.Text;

namespace Monitoring.Testing;

/// <summary>
/// Azurite's Table service (Microsoft's Azure Storage emulator, installed from npm by scripts/test.sh) on a free
/// 127.0.0.1 port, in memory, telemetry off, working directory a temporary one; ready when it logs that it started
/// (awaited, not polled); killed and its directory deleted on dispose.
/// </summary>
internal sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Azurite's documented development account key (public, the same on every installation).</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output = new();

    private AzuriteServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    /// <summary>The Table service port.</summary>
    public int Port { get; }

    /// <summary>
    /// An explicit TableEndpoint connection string (<c>UseDevelopmentStorage=true</c> would ignore the port and use 10002).
    /// </summary>
    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    /// <summary>Where scripts/test.sh installs Azurite: <c>MONITORING_AZURITE_DIR</c>, else the same default path.</summary>
    public static string InstallDirectory =>
        Environment.GetEnvironmentVariable("MONITORING_AZURITE_DIR") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } cache
                ? cache
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "monitoring", "azurite");

    /// <summary>Starts the Table service; throws with an install hint when Azurite is not installed.</summary>
    public static async Task<AzuriteServer> StartAsync()
    {
        var executable = Path.Combine(InstallDirectory, "node_modules", ".bin", "azurite-table");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Azurite was not found at {executable}; scripts/test.sh installs it (npm install azurite@3.37.0 in that directory, or set MONITORING_AZURITE_DIR).");
        }

        var port = LoopbackPorts.Take(1)[0];
        var directory = Directory.CreateTempSubdirectory("monitoring-azurite-").FullName;
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        foreach (var a in new[] { "--tableHost", "127.0.0.1", "--tablePort", $"{port}", "--inMemoryPersistence", "--disableTelemetry" })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start azurite-table");
        var server = new AzuriteServer(process, directory, port);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (server._output)
            {
                server._output.AppendLine(line);
            }

            if (line.Contains("successfully started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => started.TrySetException(new InvalidOperationException("azurite-table exited:\n" + server.Output));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>What Azurite wrote.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }

        return ValueTask.CompletedTask;
    }
}
