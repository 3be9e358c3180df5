using Microsoft.Data.Sqlite;

namespace Monitoring.Storage.Database;

/// <summary>
/// Moves the WAL into the database file off the writers' path: one background thread per database file runs a
/// <c>PASSIVE</c> checkpoint every <see cref="Period"/> on its own connection, and every connection has
/// <c>wal_autocheckpoint = 0</c>. With SQLite's automatic checkpoints the connection that committed past the threshold
/// copied the WAL inline, so the event-log writer (the single writer every acknowledgement waits for) stalled for the
/// copy and its fsync; label traffic, whose random prediction ids dirty a different index page per row, made that most
/// of a commit's time. A passive checkpoint never waits for or blocks a writer; the next writer after a complete one
/// restarts the WAL from its beginning (<c>journal_size_limit</c> then trims the file); past <see cref="RestartFrames"/>
/// a <c>RESTART</c> checkpoint makes sure it does. Shared by every
/// <see cref="SqliteDatabase"/> of one file (reference counted): event log, report store and grain storage.
/// </summary>
internal sealed class SqliteCheckpointer
{
    /// <summary>Time between checkpoints.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// WAL frames (4 KiB pages) above which a passive checkpoint is followed by a <c>RESTART</c> one. A passive
    /// checkpoint never makes the next writer start the WAL over while readers are active, and prediction lookups
    /// read all the time: measured, the WAL grew past 7 GB in a label run and every append extended the file. RESTART
    /// waits (at most <see cref="RestartBusyTimeoutMs"/>) for the readers of old frames to finish, holding writers
    /// off meanwhile; right after a passive pass little is left to copy, so the pause is short. At 16,384 frames (64 MiB)
    /// label traffic (a WAL frame per label) crossed the threshold every period and the waits stalled the writer for
    /// seconds at a time; at 65,536 the label join holds 50,000 labels/s (docs/load.md).
    /// </summary>
    public const long RestartFrames = 65_536;

    /// <summary>How long a RESTART checkpoint waits for readers and writers before giving up until the next period.</summary>
    public const int RestartBusyTimeoutMs = 100;

    private static readonly Dictionary<string, SqliteCheckpointer> Running = new(StringComparer.Ordinal);

    private readonly string _path;
    private readonly Func<SqliteConnection> _open;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private int _users;

    /// <summary>
    /// The in-process writers' turn on this file (event log, report store, grain storage, documents): SQLite has one
    /// writer at a time, and a writer that meets the lock waits in SQLite's busy handler, which blocks its thread and
    /// sleeps in steps of up to 100 ms, so the lock goes to whoever wakes first rather than to who waited longest.
    /// Measured in the alerting load test (1,000 models closing windows while their timers checkpoint): thread time
    /// mostly blocked in that handler and Orleans turns of 1-3 s. Waiting here is asynchronous and first come, first
    /// served. Never disposed: it outlives every user of the file, and a semaphore without a wait handle holds nothing.
    /// </summary>
    public SemaphoreSlim WriteTurn { get; } = new(1, 1);

    private SqliteCheckpointer(string path, Func<SqliteConnection> open)
    {
        _path = path;
        _open = open;
        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite-checkpoint" };
    }

    /// <summary>Starts (or joins) the checkpointer of <paramref name="path"/>.</summary>
    public static SqliteCheckpointer Acquire(string path, Func<SqliteConnection> open)
    {
        var key = Path.GetFullPath(path);
        lock (Running)
        {
            if (!Running.TryGetValue(key, out var checkpointer))
            {
                checkpointer = new SqliteCheckpointer(key, open);
                Running[key] = checkpointer;
                checkpointer._thread.Start();
            }

            checkpointer._users++;
            return checkpointer;
        }
    }

    /// <summary>Leaves; the last user stops the thread after a final checkpoint.</summary>
    public void Release()
    {
        lock (Running)
        {
            if (--_users > 0)
            {
                return;
            }

            Running.Remove(_path);
        }

        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            while (!_stop.Token.WaitHandle.WaitOne(Period))
            {
                connection = Checkpoint(connection);
            }

            connection = Checkpoint(connection);
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>Runs one checkpoint; returns the WAL's frames at that moment (-1 when busy).</summary>
    private static long Run(SqliteConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        using var reader = command.ExecuteReader();
        return reader.Read() && reader.GetInt64(0) == 0 ? reader.GetInt64(1) : -1;
    }

    private SqliteConnection? Checkpoint(SqliteConnection? connection)
    {
        try
        {
            if (connection is null)
            {
                connection = _open();
                using var timeout = connection.CreateCommand();
                timeout.CommandText = $"PRAGMA busy_timeout = {RestartBusyTimeoutMs};";
                timeout.ExecuteNonQuery();
            }

            if (Run(connection, "PASSIVE") >= RestartFrames)
            {
                Run(connection, "RESTART");
            }

            return connection;
        }
        catch (SqliteException)
        {
            // Busy or the file went away (a test deleting its directory): try again next period on a new connection.
            connection?.Dispose();
            return null;
        }
    }
}
