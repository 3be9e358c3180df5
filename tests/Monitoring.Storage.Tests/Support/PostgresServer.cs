using System.Diagnostics;
using Monitoring.Testing;
using Npgsql;

namespace Monitoring.Storage.Tests.Support;

/// <summary>
/// A private PostgreSQL server for the tests: <c>initdb</c> into a temporary directory, <c>pg_ctl start</c> on a free
/// 127.0.0.1 port with its socket in that directory, one database created; stopped and deleted on dispose. As root the
/// server runs as the <c>postgres</c> user (initdb refuses root). Needs Debian's <c>postgresql</c> package.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string InstallHint = "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin " +
        "or on PATH; the storage tests start a private server and need them: apt-get install -y postgresql";

    private readonly string _root;
    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private readonly bool _asPostgresUser;

    private PostgresServer(string root, string binDirectory, bool asPostgresUser, int port)
    {
        _root = root;
        _binDirectory = binDirectory;
        _dataDirectory = Path.Combine(root, "data");
        _asPostgresUser = asPostgresUser;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>Starts a server; throws with <see cref="InstallHint"/> when PostgreSQL is not installed.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBinDirectory("/usr/lib/postgresql", Environment.GetEnvironmentVariable("PATH")) ?? throw new InvalidOperationException(InstallHint);
        var asPostgresUser = IsRoot();
        var root = Path.Combine(Path.GetTempPath(), "monitoring-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        var server = new PostgresServer(root, bin, asPostgresUser, LoopbackPorts.Take(1)[0]);
        try
        {
            await server.InitAndStartAsync().ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
        {
            NpgsqlConnection.ClearAllPools();
            await RunAsync("pg_ctl", $"-D \"{_dataDirectory}\" -m immediate -w stop", throwOnError: false).ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }

    /// <summary>Stops the server as an outage would (<c>pg_ctl stop -m fast</c>: open sessions are cut off); data stays.</summary>
    public Task StopAsync() =>
        RunAsync("pg_ctl", $"-D \"{_dataDirectory}\" -m fast -w -t 60 stop", throwOnError: true);

    /// <summary>Starts the server again after <see cref="StopAsync"/>, on the same port and data.</summary>
    public Task RestartAsync()
    {
        var options = $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c max_connections=200";
        return RunAsync("pg_ctl", $"-D \"{_dataDirectory}\" -l \"{Path.Combine(_root, "server.log")}\" -o \"{options}\" -w -t 60 start", throwOnError: true);
    }

    /// <summary>The newest Debian server bin directory under <paramref name="debianRoot"/>, else a PATH entry with initdb and pg_ctl.</summary>
    internal static string? FindBinDirectory(string debianRoot, string? path)
    {
        if (Directory.Exists(debianRoot))
        {
            var best = Directory.GetDirectories(debianRoot)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(d => File.Exists(Path.Combine(d.Dir, "initdb")) && File.Exists(Path.Combine(d.Dir, "pg_ctl")))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Dir)
                .FirstOrDefault();
            if (best is not null)
            {
                return best;
            }
        }

        foreach (var dir in (path ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")))
            {
                return dir;
            }
        }

        return null;
    }

    private static bool IsRoot()
    {
        try
        {
            var status = File.ReadAllLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            return status is not null && status.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0";
        }
        catch (IOException)
        {
            return false;
        }
    }

    private async Task InitAndStartAsync()
    {
        if (_asPostgresUser)
        {
            await RunProcessAsync("chown", $"-R postgres:postgres \"{_root}\"", throwOnError: true).ConfigureAwait(false);
        }

        await RunAsync("initdb", $"-D \"{_dataDirectory}\" -U postgres -A trust -E UTF8 --locale=C --no-sync", throwOnError: true)
            .ConfigureAwait(false);
        var options = $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c max_connections=200";
        await RunAsync("pg_ctl", $"-D \"{_dataDirectory}\" -l \"{Path.Combine(_root, "server.log")}\" -o \"{options}\" -w -t 60 start", throwOnError: true)
            .ConfigureAwait(false);

        var admin = $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync().ConfigureAwait(false);
            await using var command = new NpgsqlCommand("CREATE DATABASE monitoring_test", connection);
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        ConnectionString = $"Host=127.0.0.1;Port={Port};Username=postgres;Database=monitoring_test;Maximum Pool Size=50";
    }

    private Task RunAsync(string tool, string arguments, bool throwOnError)
    {
        var path = Path.Combine(_binDirectory, tool);
        return _asPostgresUser
            ? RunProcessAsync("runuser", $"-u postgres -- {path} {arguments}", throwOnError)
            : RunProcessAsync(path, arguments, throwOnError);
    }

    private async Task RunProcessAsync(string fileName, string arguments, bool throwOnError)
    {
        var info = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0 && throwOnError)
        {
            var log = Path.Combine(_root, "server.log");
            var serverLog = File.Exists(log) ? await File.ReadAllTextAsync(log).ConfigureAwait(false) : string.Empty;
            throw new InvalidOperationException(
                $"{fileName} {arguments} exited with {process.ExitCode}:\n{await stdout.ConfigureAwait(false)}\n{await stderr.ConfigureAwait(false)}\n{serverLog}");
        }
    }
}
