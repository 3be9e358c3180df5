using System.Data.Common;
using Monitoring.Storage.Events;
using Npgsql;

namespace Monitoring.Storage.Database;

/// <summary>
/// A PostgreSQL database through an <see cref="NpgsqlDataSource"/>. Commits are durable with the server's default
/// <c>synchronous_commit = on</c>. Text keys use the "C" collation so their order is bytewise and locale independent.
/// </summary>
internal sealed class PostgresDatabase(NpgsqlDataSource dataSource, bool ownsDataSource) : StorageDatabase
{
    /// <summary>Advisory lock key held by every migration transaction, so concurrent silos take turns.</summary>
    private const long SchemaLockKey = 0x4D6F6E69746F72;

    public NpgsqlDataSource DataSource { get; } = dataSource;

    public override string BackendName => "postgres";

    /// <inheritdoc />
    public override string ApiKeySchema =>
        """
        CREATE TABLE IF NOT EXISTS api_keys (
            key_id text COLLATE "C" NOT NULL PRIMARY KEY,
            tenant text COLLATE "C" NOT NULL,
            scopes text NOT NULL,
            name text,
            secret_hash bytea NOT NULL,
            created_at bigint NOT NULL,
            expires_at bigint,
            revoked_at bigint
        );
        """;

    public override string EventLogSchema =>
        """
        CREATE TABLE IF NOT EXISTS events (
            model_key text COLLATE "C" NOT NULL,
            seq bigint NOT NULL,
            kind integer NOT NULL,
            prediction_id text COLLATE "C",
            event_time bigint NOT NULL,
            payload bytea NOT NULL,
            received_time bigint,
            PRIMARY KEY (model_key, seq)
        );
        CREATE UNIQUE INDEX IF NOT EXISTS events_prediction ON events (model_key, kind, prediction_id)
            WHERE prediction_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS model_heads (
            model_key text COLLATE "C" NOT NULL PRIMARY KEY,
            last_seq bigint NOT NULL
        );
        """;

    /// <summary>
    /// The payload as stored (<c>pg_column_size</c>: compressed or TOASTed size, without reading TOAST), the model key
    /// three times (heap, primary key, prediction-id index) and the prediction id twice, plus 111 bytes: the heap
    /// tuple's header and line pointer (28), its fixed columns with alignment (~36), the primary-key entry (~25) and the
    /// prediction-id entry (~22) with their headers and line pointers.
    /// </summary>
    public override string EventRowBytesSql =>
        "pg_column_size(e.payload) + 3 * octet_length(e.model_key) + 2 * coalesce(octet_length(e.prediction_id), 0) + 111";

    /// <summary>
    /// The JSON as stored (<c>pg_column_size</c>: compressed or TOASTed size), the model key and kind twice (heap and
    /// primary key) plus 90 bytes: heap tuple header, line pointer and the two window bounds (~44), the primary-key
    /// entry's header, window start and line pointer (~26) and the window-end index entry (~20).
    /// </summary>
    public override string ReportRowBytesSql =>
        "pg_column_size(r.json) + 2 * (octet_length(r.model_key) + octet_length(r.kind)) + 90";

    public override string ReportSchema =>
        """
        CREATE TABLE IF NOT EXISTS reports (
            model_key text COLLATE "C" NOT NULL,
            kind text COLLATE "C" NOT NULL,
            window_start bigint NOT NULL,
            window_end bigint NOT NULL,
            json text NOT NULL,
            PRIMARY KEY (model_key, kind, window_start)
        );
        CREATE INDEX IF NOT EXISTS reports_window_end ON reports (window_end);
        """;

    public override string GrainStateSchema =>
        """
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_type text COLLATE "C" NOT NULL,
            grain_id text COLLATE "C" NOT NULL,
            state_name text COLLATE "C" NOT NULL,
            state bytea NOT NULL,
            etag text NOT NULL,
            PRIMARY KEY (grain_type, grain_id, state_name)
        );
        """;

    public override string DocumentSchema =>
        """
        CREATE TABLE IF NOT EXISTS documents (
            collection text COLLATE "C" NOT NULL,
            id text COLLATE "C" NOT NULL,
            json text NOT NULL,
            PRIMARY KEY (collection, id)
        );
        """;

    public override string ReminderSchema =>
        """
        CREATE TABLE IF NOT EXISTS reminders (
            service_id text COLLATE "C" NOT NULL,
            grain_id text COLLATE "C" NOT NULL,
            reminder_name text COLLATE "C" NOT NULL,
            grain_hash bigint NOT NULL,
            start_time bigint NOT NULL,
            period bigint NOT NULL,
            version bigint NOT NULL,
            PRIMARY KEY (service_id, grain_id, reminder_name)
        );
        CREATE INDEX IF NOT EXISTS reminders_hash ON reminders (service_id, grain_hash);
        """;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override string MigrationTableSchema =>
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer NOT NULL PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        );
        """;

    /// <summary>Looks the table up in the connection's search path (so a test schema sees only its own tables).</summary>
    public override string TableExistsSql => "SELECT CASE WHEN to_regclass(@table) IS NULL THEN 0 ELSE 1 END";

    protected override async Task AddReceivedTimeAsync(DbCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.CommandText = "ALTER TABLE events ADD COLUMN IF NOT EXISTS received_time bigint";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A transaction holding <c>pg_advisory_xact_lock</c> on <see cref="SchemaLockKey"/> (released at its end).</summary>
    public override async Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        var transaction = await npgsql.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey})", npgsql, transaction);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return transaction;
    }

    /// <summary>A transaction with <c>synchronous_commit = off</c> (for it alone): its commit does not wait for the WAL flush.</summary>
    public override async Task<DbTransaction> BeginMaintenanceAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var npgsql = (NpgsqlConnection)connection;
        var transaction = await npgsql.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var command = new NpgsqlCommand("SET LOCAL synchronous_commit = off", npgsql, transaction);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return transaction;
    }

    public override IEventBatchWriter CreateEventWriter() => new PostgresEventWriter(DataSource);

    public override async ValueTask DisposeAsync()
    {
        if (ownsDataSource)
        {
            await DataSource.DisposeAsync().ConfigureAwait(false);
        }
    }
}
