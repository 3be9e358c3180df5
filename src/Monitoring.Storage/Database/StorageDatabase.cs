using System.Data.Common;
using Monitoring.Storage.Events;

namespace Monitoring.Storage.Database;

/// <summary>
/// One backend (SQLite file or PostgreSQL database): opens connections, creates the schema and makes the event-log
/// batch writer. SQL shared by both backends (reads, report upserts, grain-state etag checks) is written once against
/// <see cref="DbConnection"/> with <c>@name</c> parameters, which both providers accept.
/// </summary>
internal abstract class StorageDatabase : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgres", for logs.</summary>
    public abstract string BackendName { get; }

    /// <summary>The event log tables: <c>events</c> and <c>model_heads</c>.</summary>
    public abstract string EventLogSchema { get; }

    /// <summary>The <c>reports</c> table.</summary>
    public abstract string ReportSchema { get; }

    /// <summary>The <c>grain_state</c> table.</summary>
    public abstract string GrainStateSchema { get; }

    /// <summary>
    /// What prediction-id lookups read from: the <c>events</c> table, with an index hint where the backend's planner
    /// needs one.
    /// </summary>
    public virtual string PredictionLookupSource => "events";

    /// <summary>Opens a pooled connection, ready for commands.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Runs idempotent DDL, serialized against other processes creating the same schema.</summary>
    public abstract Task EnsureSchemaAsync(string ddl, CancellationToken cancellationToken);

    /// <summary>A writer that owns its own connection and is used by one writer loop at a time.</summary>
    public abstract IEventBatchWriter CreateEventWriter();

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>Adds a parameter to a command.</summary>
    public static DbParameter AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
