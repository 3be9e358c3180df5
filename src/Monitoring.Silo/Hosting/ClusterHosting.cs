using System.Net;
using Azure.Data.Tables;
using Monitoring.Storage.Hosting;
using Orleans.Configuration;

namespace Monitoring.Silo.Hosting;

/// <summary>Orleans membership, endpoints and reminders for the configured <see cref="MonitoringClusterOptions.Mode"/>.</summary>
public static class ClusterHosting
{
    /// <summary>
    /// <c>localhost</c>: one silo on loopback, reminders in the silo's own database (SQLite file or PostgreSQL).
    /// <c>azure-table</c>: membership and reminders in Azure Table storage; the silo listens on <paramref name="bind"/>
    /// and advertises <see cref="MonitoringClusterOptions.ResolvedAdvertisedAddress"/> to the other silos.
    /// </summary>
    public static ISiloBuilder UseMonitoringCluster(this ISiloBuilder silo, MonitoringClusterOptions cluster, MonitoringHostOptions host, IPAddress bind)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(bind);
        if (!cluster.IsAzureTable)
        {
            silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            return host.StorageProvider == "postgres"
                ? silo.AddMonitoringPostgresReminders(host.PostgresConnectionString!)
                : silo.AddMonitoringSqliteReminders(host.SqlitePath);
        }

        var connection = cluster.ResolvedConnectionString!;
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        silo.ConfigureEndpoints(cluster.ResolvedAdvertisedAddress, host.SiloPort, host.GatewayPort, listenOnAnyHostAddress: bind.Equals(IPAddress.Any));
        silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connection));
        silo.UseAzureTableReminderService(o => o.TableServiceClient = new TableServiceClient(connection));
        if (cluster.Kubernetes)
        {
            // After the settings above, so the pod's name, IP and labels win over ClusterId, ServiceId and AdvertisedAddress.
            silo.UseKubernetesHosting();
        }

        return silo;
    }

    /// <summary>Logs the cluster mode at start (never the connection string).</summary>
    public static void LogCluster(ILogger logger, MonitoringClusterOptions cluster, MonitoringHostOptions host)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(host);
        var reminders = cluster.IsAzureTable ? "Azure Table storage" : $"the {host.StorageProvider} database";
        SiloLog.Cluster(logger, cluster.Mode, cluster.ClusterId, cluster.ServiceId, cluster.ResolvedAdvertisedAddress.ToString(), host.SiloPort, reminders);
    }
}
