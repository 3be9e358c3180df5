using System.Diagnostics;
using System.Text;
using Monitoring.Testing;

namespace Monitoring.Silo.Tests;

/// <summary>
/// The real silo (Monitoring.Silo.dll) as a child process on free loopback ports and its own data directory; ready when
/// it logs its "ready" line (awaited, not polled). <see cref="Kill"/> is SIGKILL: no graceful shutdown, no checkpoint.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Done)> _waiters = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process, Ports ports, string dataDirectory)
    {
        _process = process;
        Endpoints = ports;
        DataDirectory = dataDirectory;
    }

    public sealed record Ports(int Grpc, int Http, int Api, int Silo, int Gateway);

    public Ports Endpoints { get; }

    public string DataDirectory { get; }

    public Uri Api => new($"http://127.0.0.1:{Endpoints.Api}");

    public Uri OtlpGrpc => new($"http://127.0.0.1:{Endpoints.Grpc}");

    public Uri OtlpHttp => new($"http://127.0.0.1:{Endpoints.Http}");

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

    public static async Task<SiloProcess> StartAsync(string dataDirectory, Ports? ports = null, IReadOnlyDictionary<string, string>? environment = null, IEnumerable<string>? switches = null)
    {
        ports ??= FromArray(LoopbackPorts.Take(5));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Monitoring.Silo.dll"));
        foreach (var (k, v) in new[]
                 {
                     ("DataDirectory", dataDirectory), ("OtlpGrpcPort", $"{ports.Grpc}"), ("OtlpHttpPort", $"{ports.Http}"),
                     ("ApiPort", $"{ports.Api}"), ("SiloPort", $"{ports.Silo}"), ("GatewayPort", $"{ports.Gateway}"),
                 })
        {
            start.ArgumentList.Add($"--Monitoring:Host:{k}={v}");
        }

        foreach (var s in switches ?? [])
        {
            start.ArgumentList.Add(s);
        }

        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the silo");
        var silo = new SiloProcess(process, ports, dataDirectory);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            process.WaitForExit(); // without a timeout it also waits until stdout and stderr are read to the end
            silo._ready.TrySetException(new InvalidOperationException("the silo exited before it was ready:\n" + silo.Output));
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await silo._ready.Task.WaitAsync(TimeSpan.FromMinutes(2));
        return silo;
    }

    /// <summary>Completes when the silo has written a line containing <paramref name="text"/> (now or earlier), within a minute.</summary>
    public Task WaitForLineAsync(string text) => WaitForLineAsync(text, TimeSpan.FromSeconds(60));

    /// <summary>Completes when the silo has written a line containing <paramref name="text"/> (now or earlier), within <paramref name="timeout"/>.</summary>
    public Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }
            _waiters.Add((text, waiter));
        }
        return waiter.Task.WaitAsync(timeout);
    }

    /// <summary>The silo's process id (for /proc readings).</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// SIGTERM (what Kubernetes and systemd send): the silo shuts down gracefully. Returns its exit code once it has
    /// exited and its output is read to the end.
    /// </summary>
    public async Task<int> TerminateAsync()
    {
        if (SendSignal(_process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill(SIGTERM) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        _process.WaitForExit();
        return _process.ExitCode;
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>SIGKILL the process tree and wait for it to be gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            foreach (var w in _waiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
            {
                _waiters.Remove(w);
                w.Done.TrySetResult();
            }
        }

        if (line.Contains("Monitoring silo ready", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    public static Ports FromArray(int[] p) => new(p[0], p[1], p[2], p[3], p[4]);
}
