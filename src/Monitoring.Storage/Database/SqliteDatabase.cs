using System.Data.Common;
using Microsoft.Data.Sqlite;
using Monitoring.Storage.Events;

namespace Monitoring.Storage.Database;

/// <summary>
/// A SQLite database file in WAL mode. Every connection runs with <c>synchronous=FULL</c> (a commit is synced to the
/// WAL before it returns, so it survives a process kill and a power loss) and a busy timeout, because SQLite has one
/// writer at a time and the event-log writer, report store and grain storage take turns. Checkpoints run in the
/// background (<see cref="SqliteCheckpointer"/>), never inside a commit.
/// </summary>
internal sealed class SqliteDatabase : StorageDatabase
{
    private const int BusyTimeoutMs = 60_000;

    private readonly string _connectionString;
    private readonly SqliteCheckpointer _checkpointer;
    private int _disposed;

    public SqliteDatabase(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMs / 1000,
        }.ToString();
        _checkpointer = SqliteCheckpointer.Acquire(databasePath, Open);
    }

    public override string BackendName => "sqlite";

    /// <summary>
    /// The ids go in one JSON array parameter (<c>IN (SELECT value FROM json_each(@ids))</c>), and the query names the
    /// prediction-id index. One parameter: Microsoft.Data.Sqlite binds by name and SQLite finds a name by scanning the
    /// statement's list, so 400 <c>@idN</c> parameters cost ~80,000 string compares per lookup (8% of the silo's CPU in
    /// a label run). The index hint: without statistics (the database is never ANALYZEd) SQLite's planner costs an
    /// <c>IN</c> list of five or more ids above a scan of the model's whole primary-key range, so a batch lookup read
    /// every row the model ever logged: 365 ms instead of 2 ms for 400 ids against a model with 220,000 rows.
    /// </summary>
    public override void PrepareFindMany(DbCommand command, IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(ids);
        command.CommandText = FindManySql;
        AddParameter(command, "ids", System.Text.Json.JsonSerializer.Serialize(ids));
    }

    /// <summary>The SQLite batch lookup (<c>@model</c>, <c>@kind</c>, <c>@ids</c> a JSON array of strings).</summary>
    internal const string FindManySql =
        "SELECT seq, payload, prediction_id FROM events INDEXED BY events_prediction " +
        "WHERE model_key = @model AND kind = @kind AND prediction_id IN (SELECT value FROM json_each(@ids))";

    /// <inheritdoc />
    public override string ApiKeySchema =>
        """
        CREATE TABLE IF NOT EXISTS api_keys (
            key_id TEXT NOT NULL PRIMARY KEY,
            tenant TEXT NOT NULL,
            scopes TEXT NOT NULL,
            name TEXT,
            secret_hash BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER,
            revoked_at INTEGER
        );
        """;

    public override string EventLogSchema =>
        """
        CREATE TABLE IF NOT EXISTS events (
            model_key TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            prediction_id TEXT,
            event_time INTEGER NOT NULL,
            payload BLOB NOT NULL,
            received_time INTEGER,
            PRIMARY KEY (model_key, seq)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX IF NOT EXISTS events_prediction ON events (model_key, kind, prediction_id)
            WHERE prediction_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS model_heads (
            model_key TEXT NOT NULL PRIMARY KEY,
            last_seq INTEGER NOT NULL
        );
        """;

    /// <summary>
    /// The payload, the model key and prediction id twice (the table's record and the prediction-id index's entry),
    /// plus 45 bytes: the table record's header and integers (~28: header 8, seq 4, event and received time 8 each;
    /// kind 0 or 1 takes no bytes), its cell's size varint and pointer (~5) and the index entry's header, seq and
    /// pointers (~12). Payloads fit in their leaf page (no overflow pages) at the sizes logged here.
    /// </summary>
    public override string EventRowBytesSql =>
        "octet_length(e.payload) + 2 * (octet_length(e.model_key) + coalesce(octet_length(e.prediction_id), 0)) + 45";

    /// <summary>
    /// The JSON's bytes (<c>octet_length</c> of a column reads its size from the record header without loading its
    /// overflow pages), the model key and kind twice (table and primary-key index) plus 50 bytes: the record's header,
    /// window start and end, rowid and cell overhead (~30), and the key and window-end index entries' (~20).
    /// </summary>
    public override string ReportRowBytesSql =>
        "octet_length(r.json) + 2 * (octet_length(r.model_key) + octet_length(r.kind)) + 50";

    public override string ReportSchema =>
        """
        CREATE TABLE IF NOT EXISTS reports (
            model_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            window_start INTEGER NOT NULL,
            window_end INTEGER NOT NULL,
            json TEXT NOT NULL,
            PRIMARY KEY (model_key, kind, window_start)
        );
        CREATE INDEX IF NOT EXISTS reports_window_end ON reports (window_end);
        """;

    public override string GrainStateSchema =>
        """
        CREATE TABLE IF NOT EXISTS grain_state (
            grain_type TEXT NOT NULL,
            grain_id TEXT NOT NULL,
            state_name TEXT NOT NULL,
            state BLOB NOT NULL,
            etag TEXT NOT NULL,
            PRIMARY KEY (grain_type, grain_id, state_name)
        );
        """;

    public override string DocumentSchema =>
        """
        CREATE TABLE IF NOT EXISTS documents (
            collection TEXT NOT NULL,
            id TEXT NOT NULL,
            json TEXT NOT NULL,
            PRIMARY KEY (collection, id)
        );
        """;

    public override string ReminderSchema =>
        """
        CREATE TABLE IF NOT EXISTS reminders (
            service_id TEXT NOT NULL,
            grain_id TEXT NOT NULL,
            reminder_name TEXT NOT NULL,
            grain_hash INTEGER NOT NULL,
            start_time INTEGER NOT NULL,
            period INTEGER NOT NULL,
            version INTEGER NOT NULL,
            PRIMARY KEY (service_id, grain_id, reminder_name)
        );
        CREATE INDEX IF NOT EXISTS reminders_hash ON reminders (service_id, grain_hash);
        """;

    public override ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<DbConnection>(Open());
    }

    /// <summary>Opens a connection with the pragmas every connection needs.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;";
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public override string MigrationTableSchema =>
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        """;

    public override string TableExistsSql => "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @table";

    /// <summary>SQLite's <c>ADD COLUMN</c> has no <c>IF NOT EXISTS</c>: look first.</summary>
    protected override async Task AddReceivedTimeAsync(DbCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.CommandText = "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'received_time'";
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is 0L)
        {
            command.CommandText = "ALTER TABLE events ADD COLUMN received_time INTEGER";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>WAL mode is persistent in the file and cannot change inside a transaction: set it before migrating.</summary>
    public override async Task PrepareMigrationAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = "PRAGMA journal_mode = WAL;";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>BEGIN IMMEDIATE</c>: the file's write lock from the start (other processes wait up to the busy timeout).</summary>
    public override Task<DbTransaction> BeginMigrationAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override bool HasSingleWriter => true;

    /// <inheritdoc />
    public override SemaphoreSlim? WriteTurn => _checkpointer.WriteTurn;

    /// <summary>
    /// <c>synchronous=NORMAL</c> for this connection (in WAL mode a commit then waits for no sync; a power cut may lose
    /// it but never corrupts the file; <see cref="Open"/> sets FULL again when the pooled connection is reused), then
    /// <c>BEGIN IMMEDIATE</c>.
    /// </summary>
    public override Task<DbTransaction> BeginMaintenanceAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var sqlite = (SqliteConnection)connection;
        using (var command = sqlite.CreateCommand())
        {
            command.CommandText = "PRAGMA synchronous = NORMAL;";
            command.ExecuteNonQuery();
        }

        return Task.FromResult<DbTransaction>(sqlite.BeginTransaction(deferred: false));
    }

    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override IEventBatchWriter CreateEventWriter() => new SqliteEventWriter(this);

    public override ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _checkpointer.Release();
        }

        // Close pooled handles so the file is released (tests delete it; a restarted process reopens it).
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }
}
