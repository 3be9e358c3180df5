using Microsoft.Extensions.Hosting;

namespace Monitoring.Storage.Hosting;

/// <summary>
/// Brings the database to the current schema version (versioned migrations) when the host starts, before the silo and
/// the listeners: a bad database, or one newer than this binary, fails the start.
/// </summary>
internal sealed class MonitoringStorageInitializer(DurableEventLog eventLog, SqlReportStore reportStore, SqlDocumentStore documentStore) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await eventLog.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await reportStore.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await documentStore.InitializeAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
