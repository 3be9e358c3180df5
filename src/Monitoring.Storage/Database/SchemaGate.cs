using Microsoft.Extensions.Logging;

namespace Monitoring.Storage.Database;

/// <summary>
/// Creates a component's tables once, on first use (idempotent DDL); a failed attempt is retried by the next caller.
/// </summary>
internal sealed class SchemaGate(StorageDatabase database, Func<CancellationToken, Task> create, string component, ILogger logger)
{
    /// <summary>A gate that runs <paramref name="ddl"/>.</summary>
    public SchemaGate(StorageDatabase database, string ddl, string component, ILogger logger)
        : this(database, ct => database.EnsureSchemaAsync(ddl, ct), component, logger)
    {
    }

    private readonly Lock _gate = new();
    private Task? _ready;

    /// <summary>Completes when the schema exists.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        Task ready;
        lock (_gate)
        {
            if (_ready is null || _ready.IsFaulted || _ready.IsCanceled)
            {
                _ready = CreateAsync();
            }

            ready = _ready;
        }

        return ready.IsCompletedSuccessfully ? ready : ready.WaitAsync(cancellationToken);
    }

    private async Task CreateAsync()
    {
        await create(CancellationToken.None).ConfigureAwait(false);
        StorageLog.SchemaReady(logger, component, database.BackendName);
    }
}
