using System.Diagnostics;
using System.Globalization;
using Monitoring.Testing;

namespace Monitoring.LoadTest;

/// <summary>
/// The real silo as a child process (<c>dotnet Monitoring.Silo.dll</c>) with a fresh data directory and free loopback
/// ports; ready when it prints its "Monitoring silo ready" line. Disposing kills it and deletes the data directory.
/// </summary>
internal sealed class SiloUnderTest : IAsyncDisposable
{
    private const int KeptLines = 200;
    private readonly Process _process;
    private readonly Queue<string> _lines = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _keepData;
    private readonly string _readyLine;
    private StreamWriter? _log;

    private SiloUnderTest(Process process, string dataDirectory, int httpPort, int apiPort, bool keepData, string? logPath, string readyLine)
    {
        _process = process;
        _readyLine = readyLine;
        _log = logPath is null ? null : new StreamWriter(logPath, append: true);
        DataDirectory = dataDirectory;
        OtlpHttp = new Uri($"http://127.0.0.1:{httpPort}/v1/logs");
        Api = new Uri($"http://127.0.0.1:{apiPort}/");
        _keepData = keepData;
    }

    /// <summary>The OTLP/HTTP logs endpoint.</summary>
    public Uri OtlpHttp { get; }

    /// <summary>The JSON API root.</summary>
    public Uri Api { get; }

    /// <summary>The silo's data directory (SQLite database).</summary>
    public string DataDirectory { get; }

    /// <summary>The child's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The last lines the silo printed.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }

    /// <summary>Starts the silo and waits for its ready line.</summary>
    public static Task<SiloUnderTest> StartAsync(string siloDll, bool keepData, IReadOnlyList<string> extraArguments, string? logPath = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "monitoring-load-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDirectory);
        var ports = LoopbackPorts.Take(5);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(siloDll)! };
        start.ArgumentList.Add(siloDll);
        string[] settings =
        [
            $"DataDirectory={dataDirectory}", $"OtlpGrpcPort={ports[0]}", $"OtlpHttpPort={ports[1]}", $"ApiPort={ports[2]}",
            $"SiloPort={ports[3]}", $"GatewayPort={ports[4]}",
        ];
        foreach (var setting in settings)
        {
            start.ArgumentList.Add("--Monitoring:Host:" + setting);
        }

        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return LaunchAsync(start, dataDirectory, ports[1], ports[2], keepData, logPath, "Monitoring silo ready");
    }

    /// <summary>
    /// Starts the throughput baseline (<see cref="DiscardReceiver"/>: this program in its discard-receiver mode) with
    /// the silo's GC settings (Server GC, <c>System.GC.ConserveMemory=9</c> of Monitoring.Silo.csproj) and waits for
    /// its ready line. It has no API and no data; <see cref="Api"/> points nowhere.
    /// </summary>
    public static Task<SiloUnderTest> StartDiscardReceiverAsync(string? logPath = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "monitoring-discard-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDirectory);
        var ports = LoopbackPorts.Take(2);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Monitoring.LoadTest.dll"));
        start.ArgumentList.Add(DiscardReceiver.Command);
        start.ArgumentList.Add(ports[0].ToString(CultureInfo.InvariantCulture));
        start.Environment["DOTNET_gcServer"] = "1";
        start.Environment["DOTNET_GCConserveMemory"] = "9";
        return LaunchAsync(start, dataDirectory, ports[0], ports[1], keepData: false, logPath, DiscardReceiver.ReadyLine);
    }

    private static async Task<SiloUnderTest> LaunchAsync(ProcessStartInfo start, string dataDirectory, int httpPort, int apiPort, bool keepData, string? logPath, string readyLine)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + start.ArgumentList[0]);
        var silo = new SiloUnderTest(process, dataDirectory, httpPort, apiPort, keepData, logPath, readyLine);
        process.OutputDataReceived += (_, e) => silo.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnLine(e.Data);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => silo._ready.TrySetException(new InvalidOperationException("The process exited before it was ready:\n" + silo.Output));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await silo._ready.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>Resident set size and its peak (VmRSS, VmHWM from /proc), in bytes; null where unavailable.</summary>
    public (long? Rss, long? Peak) Memory()
    {
        try
        {
            long? rss = null, peak = null;
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = ParseKilobytes(line);
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = ParseKilobytes(line);
                }
            }

            return (rss, peak);
        }
        catch (IOException)
        {
            return (null, null);
        }
    }

    /// <summary>Bytes the silo has caused to be written to storage so far (<c>write_bytes</c> of /proc/PID/io); null where unavailable.</summary>
    public long? WrittenBytes()
    {
        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/io").FirstOrDefault(l => l.StartsWith("write_bytes:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>CPU time the silo has used so far (user + system).</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>Whether the child is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        lock (_lines)
        {
            _log?.Dispose();
            _log = null;
        }

        if (!_keepData)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static long ParseKilobytes(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            _log?.WriteLine(line);
            if (_lines.Count > KeptLines)
            {
                _lines.Dequeue();
            }
        }

        if (line.Contains(_readyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }
}
