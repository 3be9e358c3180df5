using System.Data.Common;
using System.Net;

namespace Monitoring.Silo.Hosting;

/// <summary>
/// What the silo prints: the command-line switches, the default log levels (quiet unless <c>--verbose</c>) and the
/// startup banner.
/// </summary>
public static class SiloConsole
{
    /// <summary>Ships synthetic demo traffic to this silo.</summary>
    public const string DemoSwitch = "--demo";

    /// <summary>Brings back request logs, per-window and per-export lines, and Orleans' startup information.</summary>
    public const string VerboseSwitch = "--verbose";

    /// <summary>
    /// The default: the banner, warnings, errors and one totals line a minute. Request logs (ASP.NET Core), per-window
    /// lines (grains), per-export lines (receivers) and startup chatter (Orleans, storage, hosting) only from Warning.
    /// </summary>
    private static readonly Dictionary<string, string?> QuietLevels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft"] = "Warning",
        ["Logging:LogLevel:Orleans"] = "Warning",
        ["Logging:LogLevel:Grpc"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:LogLevel:Monitoring.Grains"] = "Warning",
        ["Logging:LogLevel:Monitoring.Grains.Alerting"] = "Information", // rule loads, alerts fired and resolved, deliveries
        ["Logging:LogLevel:Monitoring.Storage"] = "Warning",
        ["Logging:LogLevel:Monitoring.Ingest"] = "Warning",
    };

    /// <summary><c>--verbose</c>: every request (ASP.NET Core), every export (receivers, Debug), every window closed.</summary>
    private static readonly Dictionary<string, string?> VerboseLevels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Monitoring"] = "Debug",
    };

    /// <summary>One line per entry with the time: a once-a-minute line reads as a log, not as a wall of text.</summary>
    private static readonly Dictionary<string, string?> ConsoleFormat = new()
    {
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss ",
    };

    /// <summary>Takes <see cref="DemoSwitch"/> and <see cref="VerboseSwitch"/> out of the arguments.</summary>
    /// <returns>The remaining arguments (configuration overrides) and which switches were given.</returns>
    public static (string[] Arguments, bool Demo, bool Verbose) ParseSwitches(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rest = args.Where(a => a is not DemoSwitch and not VerboseSwitch).ToArray();
        return (rest, args.Contains(DemoSwitch, StringComparer.Ordinal), args.Contains(VerboseSwitch, StringComparer.Ordinal));
    }

    /// <summary>
    /// The logging defaults as configuration keys, to be added as the lowest-priority configuration source:
    /// <c>appsettings.json</c>, environment variables and <c>--Logging:LogLevel:{Category}=</c> still override them.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> LoggingDefaults(bool verbose) =>
        new Dictionary<string, string?>(ConsoleFormat.Concat(verbose ? VerboseLevels : QuietLevels));

    /// <summary>Logs the banner: where each listener is, where data goes, whether keys are required (and a warning when not).</summary>
    public static void LogBanner(ILogger logger, MonitoringHostOptions host, Auth.AuthOptions auth, bool demo, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(auth);
        SiloLog.Ready(logger, host.BindAddress, host.OtlpGrpcPort, host.OtlpHttpPort, host.ApiPort);
        SiloLog.Storage(logger, host.StorageProvider, DescribeStorage(host));
        if (auth.RequiresKeys)
        {
            SiloLog.ApiKeysOn(logger, auth.CacheSeconds);
        }
        else
        {
            SiloLog.OpenWithoutAuthentication(logger, host.BindAddress, Reach(host.BindAddress));
        }

        SiloLog.Console(logger, verbose ? "Verbose: request logs on" : "Quiet: totals once a minute (request logs: --verbose)", demo ? "; demo traffic on" : string.Empty);
    }

    /// <summary>The SQLite file, or the PostgreSQL host and database: never the password or any other setting.</summary>
    public static string DescribeStorage(MonitoringHostOptions host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (host.StorageProvider != "postgres")
        {
            return host.SqlitePath;
        }

        var settings = new DbConnectionStringBuilder();
        try
        {
            settings.ConnectionString = host.PostgresConnectionString ?? string.Empty;
        }
        catch (ArgumentException)
        {
            return "(unreadable connection string)";
        }

        string Get(string key, string fallback) => settings.TryGetValue(key, out var value) && value is not null ? $"{value}" : fallback;
        return $"host {Get("Host", Get("Server", "?"))}, port {Get("Port", "5432")}, database {Get("Database", "(default)")}";
    }

    /// <summary>Who can reach a listener bound to <paramref name="bindAddress"/>.</summary>
    public static string Reach(string bindAddress) =>
        IPAddress.TryParse(bindAddress, out var address) && IPAddress.IsLoopback(address) ? "loopback: this machine only"
        : address is not null && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) ? "every network interface of this machine"
        : "the network of that address";
}
