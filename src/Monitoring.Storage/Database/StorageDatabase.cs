using System.Data.Common;
using Monitoring.Storage.Database.Migrations;
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

    /// <summary>DDL of <c>api_keys</c> (hashed API keys with tenant, scopes, expiry and revocation), idempotent.</summary>
    public abstract string ApiKeySchema { get; }

    /// <summary>
    /// Estimated bytes of one <c>events</c> row (alias <c>e</c>) on disk: its stored columns, its index entries and the
    /// backend's fixed per-row overhead (row and cell headers, pointers).
    /// </summary>
    public abstract string EventRowBytesSql { get; }

    /// <summary>Estimated bytes of one <c>reports</c> row (alias <c>r</c>) on disk, as <see cref="EventRowBytesSql"/>.</summary>
    public abstract string ReportRowBytesSql { get; }

    /// <summary>The <c>reports</c> table.</summary>
    public abstract string ReportSchema { get; }

    /// <summary>The <c>grain_state</c> table.</summary>
    public abstract string GrainStateSchema { get; }

    /// <summary>The <c>documents</c> table (<see cref="SqlDocumentStore"/>).</summary>
    public abstract string DocumentSchema { get; }

    /// <summary>The <c>reminders</c> table (<see cref="Reminders.SqlReminderTable"/>).</summary>
    public abstract string ReminderSchema { get; }

    /// <summary>
    /// Sets the text and the id parameters of a batch lookup of prediction ids (the caller adds <c>@model</c> and
    /// <c>@kind</c>): by default an <c>IN</c> list of one parameter per id.
    /// </summary>
    public virtual void PrepareFindMany(DbCommand command, IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(ids);
        var names = string.Join(", ", Enumerable.Range(0, ids.Count).Select(i => "@id" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        command.CommandText = $"SELECT seq, payload, prediction_id FROM events WHERE model_key = @model AND kind = @kind AND prediction_id IN ({names})";
        for (var i = 0; i < ids.Count; i++)
        {
            AddParameter(command, "id" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[i]);
        }
    }

    /// <summary>Opens a pooled connection, ready for commands.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The schema's versioned migrations, oldest first (applied by <see cref="SchemaMigrator"/>): 1 the event
    /// log tables, 2 <c>events.received_time</c> on tables made before it, 3 reports, 4 grain state, 5 documents, 6 API keys, 7 Orleans reminders (localhost mode).
    /// </summary>
    public IReadOnlyList<SchemaMigration> Migrations =>
    [
        SchemaMigration.Sql(1, "event log: events, model_heads", EventLogSchema),
        new(2, "events.received_time", AddReceivedTimeAsync),
        SchemaMigration.Sql(3, "reports", ReportSchema),
        SchemaMigration.Sql(4, "grain_state", GrainStateSchema),
        SchemaMigration.Sql(5, "documents", DocumentSchema),
        SchemaMigration.Sql(6, "api_keys", ApiKeySchema),
        SchemaMigration.Sql(7, "reminders", ReminderSchema),
    ];

    /// <summary>DDL of <c>schema_migrations</c> (version, name, applied_at), idempotent.</summary>
    public abstract string MigrationTableSchema { get; }

    /// <summary>A query with parameter <c>@table</c> whose scalar result is 1 when that table exists, else 0.</summary>
    public abstract string TableExistsSql { get; }

    /// <summary>Adds <c>events.received_time</c> to an <c>events</c> table made before the column existed (old rows keep it null).</summary>
    protected abstract Task AddReceivedTimeAsync(DbCommand command, CancellationToken cancellationToken);

    /// <summary>Runs once on the migrating connection before the first migration transaction (SQLite: WAL mode).</summary>
    public virtual Task PrepareMigrationAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Begins a migration transaction that holds the database's migration lock until it ends, so concurrent migrators
    /// (other silos) take turns.
    /// </summary>
    public abstract Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the backend has one writer at a time for the whole database (SQLite), so that in-process writers should
    /// take turns rather than meet at the database lock.
    /// </summary>
    public virtual bool HasSingleWriter => false;

    /// <summary>
    /// The turn every in-process writer of the database takes for the length of its write (one per SQLite file, shared
    /// by all its <see cref="StorageDatabase"/> instances), or null where writers may run side by side (PostgreSQL).
    /// </summary>
    public virtual SemaphoreSlim? WriteTurn => null;

    /// <summary>Waits for <see cref="WriteTurn"/> (at once without one); dispose the result to give the turn back.</summary>
    public async ValueTask<WriteTurnScope> EnterWriteAsync(CancellationToken cancellationToken)
    {
        var turn = WriteTurn;
        if (turn is not null)
        {
            await turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return new WriteTurnScope(turn);
    }

    /// <summary>
    /// Begins a transaction for background maintenance (retention deletes): it holds the write lock from its start
    /// (SQLite) and its commit is not synced, because a lost maintenance commit is simply redone later.
    /// </summary>
    public abstract Task<DbTransaction> BeginMaintenanceAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// Begins a durable write transaction (synced at commit) that takes the write lock at its start on SQLite, so a
    /// transaction of several statements never fails half-way on the single-writer lock.
    /// </summary>
    public virtual async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

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

/// <summary>A held <see cref="StorageDatabase.WriteTurn"/>, given back on dispose.</summary>
internal readonly struct WriteTurnScope : IDisposable
{
    private readonly SemaphoreSlim? _turn;

    internal WriteTurnScope(SemaphoreSlim? turn) => _turn = turn;

    /// <inheritdoc />
    public void Dispose() => _turn?.Release();
}
