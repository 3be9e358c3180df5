using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Monitoring.Silo.Hosting;

/// <summary>
/// How silos find each other and where reminders live (section <c>Monitoring:Cluster</c>). <c>localhost</c> (default)
/// is one silo with reminders in the project's own database; <c>azure-table</c> is a cluster whose membership and
/// reminders are in Azure Table storage (Azurite locally) and whose data is in PostgreSQL.
/// </summary>
public sealed partial class MonitoringClusterOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Monitoring:Cluster";

    /// <summary>Single silo, localhost clustering (the embedded default).</summary>
    public const string LocalhostMode = "localhost";

    /// <summary>Azure Table storage membership and reminders.</summary>
    public const string AzureTableMode = "azure-table";

    /// <summary>Default cluster and service id.</summary>
    public const string DefaultId = "monitoring";

    /// <summary><see cref="LocalhostMode"/> or <see cref="AzureTableMode"/>.</summary>
    public string Mode { get; set; } = LocalhostMode;

    /// <summary>Orleans cluster id: silos with the same id (and table) form one cluster.</summary>
    public string ClusterId { get; set; } = DefaultId;

    /// <summary>Orleans service id: keys the reminders and grain state across cluster redeployments.</summary>
    public string ServiceId { get; set; } = DefaultId;

    /// <summary>Azure Table storage connection string (a secret: never logged).</summary>
    public string? AzureTableConnectionString { get; set; }

    /// <summary>A file holding <see cref="AzureTableConnectionString"/> (e.g. a mounted secret), read at start.</summary>
    public string? AzureTableConnectionStringFile { get; set; }

    /// <summary>
    /// The IP other silos reach this one at. Default: the bind address when it is not 0.0.0.0, else the first
    /// non-loopback IPv4 address of the machine.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// Running in Kubernetes (azure-table mode only): <c>Microsoft.Orleans.Hosting.Kubernetes</c> takes the silo name, the
    /// advertised address and the service and cluster ids from the pod (<c>POD_NAME</c>, <c>POD_IP</c>,
    /// <c>ORLEANS_SERVICE_ID</c>, <c>ORLEANS_CLUSTER_ID</c>) and declares silos whose pod is gone dead. See deploy/k8s.
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>Whether this is the Azure Table cluster mode.</summary>
    public bool IsAzureTable => Mode == AzureTableMode;

    /// <summary>The connection string resolved from the setting or its file (azure-table mode, after <see cref="Bind"/>).</summary>
    public string? ResolvedConnectionString { get; private set; }

    /// <summary>The advertised address resolved (after <see cref="Bind"/>).</summary>
    public IPAddress ResolvedAdvertisedAddress { get; private set; } = IPAddress.Loopback;

    /// <summary>
    /// Reads and validates the section: <paramref name="error"/> names the key and the reason (and never shows the
    /// connection string). <paramref name="bind"/> is the listeners' address, <paramref name="storageProvider"/> the
    /// configured <c>Monitoring:Host:StorageProvider</c>.
    /// </summary>
    public static MonitoringClusterOptions Bind(IConfiguration configuration, IPAddress bind, string storageProvider, out string? error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(bind);
        var options = configuration.GetSection(Section).Get<MonitoringClusterOptions>() ?? new MonitoringClusterOptions();
        error = options.Validate(bind, storageProvider);
        return options;
    }

    private string? Validate(IPAddress bind, string storageProvider)
    {
        if (Mode is not (LocalhostMode or AzureTableMode))
        {
            return $"{Section}:Mode must be '{LocalhostMode}' or '{AzureTableMode}', not '{Mode}'";
        }

        if (Kubernetes && Mode != AzureTableMode)
        {
            return $"{Section}:Kubernetes needs {Section}:Mode={AzureTableMode} (the Kubernetes hosting package does not provide membership)";
        }

        foreach (var (key, value) in new[] { ("ClusterId", ClusterId), ("ServiceId", ServiceId) })
        {
            // Orleans puts both in Azure Table partition keys: keep them to characters every table store accepts.
            if (string.IsNullOrWhiteSpace(value) || !IdPattern().IsMatch(value))
            {
                return $"{Section}:{key} must be 1-64 characters of letters, digits, '-' and '_'";
            }
        }

        if (AdvertisedAddress is { } advertised)
        {
            if (!IPAddress.TryParse(advertised, out var parsed) || parsed.Equals(IPAddress.Any) || parsed.Equals(IPAddress.IPv6Any))
            {
                return $"{Section}:AdvertisedAddress '{advertised}' is not a specific IP address";
            }

            ResolvedAdvertisedAddress = parsed;
        }
        else if (!bind.Equals(IPAddress.Any))
        {
            ResolvedAdvertisedAddress = bind;
        }
        else if (FirstNonLoopbackIPv4() is { } found)
        {
            ResolvedAdvertisedAddress = found;
        }
        else
        {
            return $"{Section}:AdvertisedAddress is needed: the bind address is 0.0.0.0 and the machine has no non-loopback IPv4 address";
        }

        if (!IsAzureTable)
        {
            return null;
        }

        if (storageProvider != "postgres")
        {
            return $"{Section}:Mode '{AzureTableMode}' needs Monitoring:Host:StorageProvider=postgres (every silo must share the data), not '{storageProvider}'";
        }

        if (AzureTableConnectionString is { Length: > 0 } && AzureTableConnectionStringFile is { Length: > 0 })
        {
            return $"set one of {Section}:AzureTableConnectionString and {Section}:AzureTableConnectionStringFile, not both";
        }

        if (AzureTableConnectionStringFile is { Length: > 0 } file)
        {
            try
            {
                ResolvedConnectionString = File.ReadAllText(file).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return $"{Section}:AzureTableConnectionStringFile '{file}' cannot be read: {e.GetType().Name}";
            }

            if (ResolvedConnectionString.Length == 0)
            {
                return $"{Section}:AzureTableConnectionStringFile '{file}' is empty";
            }
        }
        else
        {
            ResolvedConnectionString = AzureTableConnectionString;
        }

        if (string.IsNullOrWhiteSpace(ResolvedConnectionString))
        {
            return $"{Section}:Mode '{AzureTableMode}' needs {Section}:AzureTableConnectionString or {Section}:AzureTableConnectionStringFile";
        }

        // Shape only: the value itself never goes into the message.
        if (!ResolvedConnectionString.Contains("TableEndpoint=", StringComparison.OrdinalIgnoreCase)
            && !ResolvedConnectionString.Contains("AccountName=", StringComparison.OrdinalIgnoreCase)
            && !ResolvedConnectionString.Contains("UseDevelopmentStorage=", StringComparison.OrdinalIgnoreCase))
        {
            return $"{Section}:AzureTableConnectionString is not an Azure Storage connection string (no TableEndpoint= or AccountName=)";
        }

        return null;
    }

    private static IPAddress? FirstNonLoopbackIPv4() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdPattern();
}
