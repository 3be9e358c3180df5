using Microsoft.Extensions.Logging;
using Monitoring.Storage.Database.Migrations;

namespace Monitoring.Storage.Database;

/// <summary>
/// Brings the database to the current schema version once, on first use (the host does it at start, before anything is
/// served; see <see cref="SchemaMigrator"/>); a failed attempt is retried by the next caller, except a database newer
/// than the binary (<see cref="SchemaVersionException"/>), which is refused for good.
/// </summary>
internal sealed class SchemaGate(StorageDatabase database, string component, ILogger logger)
{
    private readonly Lock _gate = new();
    private Task? _ready;

    /// <summary>Completes when the schema is current.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task ready;
        lock (_gate)
        {
            if (_ready is null || (_ready.IsFaulted && _ready.Exception?.InnerException is not SchemaVersionException) || _ready.IsCanceled)
            {
                _ready = CreateAsync();
            }

            ready = _ready;
        }

        return ready.IsCompletedSuccessfully ? ready : ready.WaitAsync(cancellationToken);
    }

    private async Task CreateAsync()
    {
        await SchemaMigrator.MigrateAsync(database, logger, CancellationToken.None).ConfigureAwait(false);
        StorageLog.SchemaReady(logger, component, database.BackendName);
    }
}
