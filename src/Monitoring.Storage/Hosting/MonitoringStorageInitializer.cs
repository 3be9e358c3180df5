using Microsoft.Extensions.Hosting;

namespace Monitoring.Storage.Hosting;

/// <summary>Creates the event-log, report and document tables when the host starts, so a bad database fails the start.</summary>
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
