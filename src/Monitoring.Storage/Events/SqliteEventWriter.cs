using System.Text;
using Microsoft.Data.Sqlite;
using Monitoring.Storage.Database;

namespace Monitoring.Storage.Events;

/// <summary>
/// Writes a group in one <c>BEGIN IMMEDIATE</c> transaction on a dedicated connection: reads each model's head, numbers
/// the rows from it, inserts them, moves the heads and commits (synced: synchronous=FULL). The write lock taken by
/// BEGIN IMMEDIATE makes the head read and the numbering safe against other processes too.
/// </summary>
/// <remarks>
/// Rows go in chunks of <see cref="ChunkSize"/>, each numbered from the heads and inserted by one multi-row statement
/// with <c>ON CONFLICT (model_key, kind, prediction_id) DO NOTHING</c>. When the statement inserted the whole chunk
/// (the common case) it is done; when it skipped some row (already logged) the chunk's inserted rows are deleted again
/// (their (model, seq) keys are new, above the heads read under the write lock) and the chunk goes row by row: a row
/// that changes nothing is a duplicate and uses up no sequence number. The remainder of a group goes row by row.
/// </remarks>
internal sealed class SqliteEventWriter : IEventBatchWriter
{
    /// <summary>Rows per multi-row statement (6 parameters each, well under SQLite's 32766 limit).</summary>
    internal const int ChunkSize = 32;

    private const string Columns = "INSERT INTO events (model_key, seq, kind, prediction_id, event_time, payload) VALUES ";
    private const string OnConflict = " ON CONFLICT (model_key, kind, prediction_id) WHERE prediction_id IS NOT NULL DO NOTHING";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _readHead;
    private readonly SqliteCommand _insertOne;
    private readonly SqliteCommand _insertChunk;
    private readonly SqliteCommand _deleteOne;
    private readonly SqliteCommand _writeHead;
    private readonly Dictionary<string, long> _heads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _startHeads = new(StringComparer.Ordinal);

    public SqliteEventWriter(SqliteDatabase database)
    {
        _connection = database.Open();
        using (var tuning = _connection.CreateCommand())
        {
            // A 64 MiB page cache keeps the hot b-tree pages of every model in memory; checkpointing every 4096 WAL
            // pages (16 MiB) instead of SQLite's 1000 coalesces repeated page writes (checkpoints run inside the
            // writer's commits, so with the defaults they took a large share of its time). The WAL file is truncated
            // back to 64 MiB after a checkpoint.
            tuning.CommandText = "PRAGMA cache_size = -65536; PRAGMA wal_autocheckpoint = 4096; PRAGMA journal_size_limit = 67108864;";
            tuning.ExecuteNonQuery();
        }

        _readHead = Command("SELECT last_seq FROM model_heads WHERE model_key = @model", ("@model", SqliteType.Text));
        _insertOne = CreateInsert(1, OnConflict);
        _insertChunk = CreateInsert(ChunkSize, OnConflict);

        _deleteOne = Command(
            "DELETE FROM events WHERE model_key = @model AND seq = @seq", ("@model", SqliteType.Text), ("@seq", SqliteType.Integer));

        _writeHead = Command(
            """
            INSERT INTO model_heads (model_key, last_seq) VALUES (@model, @seq)
            ON CONFLICT (model_key) DO UPDATE SET last_seq = excluded.last_seq
            """,
            ("@model", SqliteType.Text),
            ("@seq", SqliteType.Integer));
    }

    public Task WriteAsync(IReadOnlyList<PendingRow> rows, CancellationToken cancellationToken)
    {
        _heads.Clear();
        _startHeads.Clear();
        using var transaction = _connection.BeginTransaction(deferred: false);
        _readHead.Transaction = transaction;
        _insertOne.Transaction = transaction;
        _insertChunk.Transaction = transaction;
        _deleteOne.Transaction = transaction;
        _writeHead.Transaction = transaction;

        var start = 0;
        for (; start + ChunkSize <= rows.Count; start += ChunkSize)
        {
            if (!TryInsertChunk(rows, start))
            {
                for (var i = start; i < start + ChunkSize; i++)
                {
                    InsertOne(rows[i]);
                }
            }
        }

        for (var i = start; i < rows.Count; i++)
        {
            InsertOne(rows[i]);
        }

        foreach (var (model, head) in _heads)
        {
            if (head != _startHeads[model])
            {
                _writeHead.Parameters[0].Value = model;
                _writeHead.Parameters[1].Value = head;
                _writeHead.ExecuteNonQuery();
            }
        }

        transaction.Commit();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _readHead.Dispose();
        _insertOne.Dispose();
        _insertChunk.Dispose();
        _deleteOne.Dispose();
        _writeHead.Dispose();
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Inserts a chunk in one statement; false (and nothing changed) when some row of it is already logged.</summary>
    private bool TryInsertChunk(IReadOnlyList<PendingRow> rows, int start)
    {
        var insert = _insertChunk.Parameters;
        for (var i = 0; i < ChunkSize; i++)
        {
            var row = rows[start + i];
            var sequence = Head(row.ModelKey) + 1;
            row.Sequence = sequence;
            _heads[row.ModelKey] = sequence;
            Bind(insert, 6 * i, row, sequence);
        }

        if (_insertChunk.ExecuteNonQuery() == ChunkSize)
        {
            return true;
        }

        // Undo in reverse so each model's head ends at the sequence before its first row in the chunk.
        for (var i = ChunkSize - 1; i >= 0; i--)
        {
            var row = rows[start + i];
            _deleteOne.Parameters[0].Value = row.ModelKey;
            _deleteOne.Parameters[1].Value = row.Sequence;
            _deleteOne.ExecuteNonQuery();
            _heads[row.ModelKey] = row.Sequence - 1;
            row.Sequence = 0;
        }

        return false;
    }

    private void InsertOne(PendingRow row)
    {
        var candidate = Head(row.ModelKey) + 1;
        Bind(_insertOne.Parameters, 0, row, candidate);
        if (_insertOne.ExecuteNonQuery() == 1)
        {
            row.Sequence = candidate;
            _heads[row.ModelKey] = candidate;
        }
        else
        {
            row.Sequence = 0;
        }
    }

    private long Head(string model)
    {
        if (_heads.TryGetValue(model, out var head))
        {
            return head;
        }

        _readHead.Parameters[0].Value = model;
        head = _readHead.ExecuteScalar() is long stored ? stored : 0;
        _startHeads[model] = head;
        _heads[model] = head;
        return head;
    }

    private static void Bind(SqliteParameterCollection parameters, int offset, PendingRow row, long sequence)
    {
        parameters[offset].Value = row.ModelKey;
        parameters[offset + 1].Value = sequence;
        parameters[offset + 2].Value = (int)row.Event.Kind;
        parameters[offset + 3].Value = (object?)row.Event.PredictionId ?? DBNull.Value;
        parameters[offset + 4].Value = row.Event.EventTimeUnixNano;
        parameters[offset + 5].Value = row.Payload;
    }

    private SqliteCommand CreateInsert(int rows, string suffix)
    {
        var text = new StringBuilder(Columns);
        var command = _connection.CreateCommand();
        for (var i = 0; i < rows; i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append($"(@m{i}, @s{i}, @k{i}, @p{i}, @t{i}, @b{i})");
            command.Parameters.Add($"@m{i}", SqliteType.Text);
            command.Parameters.Add($"@s{i}", SqliteType.Integer);
            command.Parameters.Add($"@k{i}", SqliteType.Integer);
            command.Parameters.Add($"@p{i}", SqliteType.Text);
            command.Parameters.Add($"@t{i}", SqliteType.Integer);
            command.Parameters.Add($"@b{i}", SqliteType.Blob);
        }

        command.CommandText = text.Append(suffix).ToString();
        return command;
    }

    private SqliteCommand Command(string text, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = text;
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }

        return command;
    }
}
