using System.Text;
using Microsoft.Data.Sqlite;
using Monitoring.Abstractions.Events;
using Monitoring.Storage.Database;

namespace Monitoring.Storage.Events;

/// <summary>
/// Writes a group in one <c>BEGIN IMMEDIATE</c> transaction on a dedicated connection: reads each model's head, numbers
/// the rows from it, inserts them, moves the heads and commits (synced: synchronous=FULL). The write lock taken by
/// BEGIN IMMEDIATE makes the head read and the duplicate check safe against other processes too.
/// </summary>
/// <remarks>
/// Rows go in chunks of <see cref="ChunkSize"/>, each first tried as one multi-row INSERT without a conflict clause:
/// if some row of the chunk is already logged, the unique index fails that statement, SQLite undoes just that
/// statement (the transaction goes on) and the chunk is inserted row by row with
/// <c>ON CONFLICT (model_key, kind, prediction_id) DO NOTHING</c>, where a row that changed nothing is a duplicate and
/// uses up no sequence number. The remainder of a group is inserted row by row the same way. Duplicates are rare
/// (client retries), so the common path costs one statement per chunk and no separate lookup.
/// </remarks>
internal sealed class SqliteEventWriter : IEventBatchWriter
{
    /// <summary>
    /// Rows per multi-row statement (7 parameters each). Small on purpose: Microsoft.Data.Sqlite binds every parameter
    /// by name and SQLite resolves a name by scanning the statement's parameter list, so binding costs grow with the
    /// square of the parameters per statement (measured with 512-record batches: 32 rows ~131k, 8 rows ~155k events/s).
    /// </summary>
    internal const int ChunkSize = 8;

    /// <summary>Columns bound per row.</summary>
    private const int ParametersPerRow = 7;

    /// <summary>SQLITE_CONSTRAINT_UNIQUE: the statement would have added a second row with the same unique key.</summary>
    private const int SqliteConstraintUnique = 2067;

    private const string Columns = "INSERT INTO events (model_key, seq, kind, prediction_id, event_time, payload, received_time) VALUES ";
    private const string OnConflict = " ON CONFLICT (model_key, kind, prediction_id) WHERE prediction_id IS NOT NULL DO NOTHING";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _readHead;
    private readonly SqliteCommand _insertOne;
    private readonly SqliteCommand _insertChunk;
    private readonly SqliteCommand _writeHead;
    private readonly Dictionary<string, long> _heads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _startHeads = new(StringComparer.Ordinal);
    private readonly long[] _chunkSequences = new long[ChunkSize];

    public SqliteEventWriter(SqliteDatabase database)
    {
        _connection = database.Open();
        using (var tuning = _connection.CreateCommand())
        {
            // Checkpoints run in the background (SqliteCheckpointer), not in this writer's commits. The WAL file is
            // truncated back to 512 MiB once a checkpoint has restarted it (it restarts past 256 MiB). An 8 MiB page cache holds the hot pages
            // (each model appends at the right edge of its key range in the table and the index: a few pages per
            // model, a few thousand for 1,000 models); 16 MiB measured no faster once checkpoints left the commits
            // (163-168k records/s either way) and cost ~10 MiB of RSS against the 300 MB budget (docs/load.md).
            tuning.CommandText = "PRAGMA cache_size = -8192; PRAGMA journal_size_limit = 536870912;";
            tuning.ExecuteNonQuery();
        }

        _readHead = Command("SELECT last_seq FROM model_heads WHERE model_key = @model", ("@model", SqliteType.Text));
        _insertOne = CreateInsert(1, OnConflict);
        _insertChunk = CreateInsert(ChunkSize, string.Empty);

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
        _writeHead.Dispose();
        _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Inserts a chunk in one statement; false (and nothing changed) when some row of it is already logged. The
    /// numbering is applied only once the statement succeeded.
    /// </summary>
    private bool TryInsertChunk(IReadOnlyList<PendingRow> rows, int start)
    {
        var insert = _insertChunk.Parameters;
        for (var i = 0; i < ChunkSize; i++)
        {
            var row = rows[start + i];

            // Heads move only on success, so count this chunk's earlier rows of the same model by hand.
            var sequence = Head(row.ModelKey) + 1;
            for (var j = 0; j < i; j++)
            {
                if (string.Equals(rows[start + j].ModelKey, row.ModelKey, StringComparison.Ordinal))
                {
                    sequence = Math.Max(sequence, _chunkSequences[j] + 1);
                }
            }

            _chunkSequences[i] = sequence;
            Bind(insert, ParametersPerRow * i, row, sequence);
        }

        try
        {
            var inserted = _insertChunk.ExecuteNonQuery();
            if (inserted != ChunkSize)
            {
                // Cannot happen without a conflict clause (every row is inserted or the statement fails).
                throw new InvalidOperationException($"Inserted {inserted} of {ChunkSize} rows.");
            }
        }
        catch (SqliteException e) when (e.SqliteExtendedErrorCode == SqliteConstraintUnique)
        {
            // SQLite rolled back this statement only; the transaction and the rows before the chunk stand.
            return false;
        }

        for (var i = 0; i < ChunkSize; i++)
        {
            var row = rows[start + i];
            row.Sequence = _chunkSequences[i];
            _heads[row.ModelKey] = Math.Max(_heads[row.ModelKey], _chunkSequences[i]);
        }

        return true;
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
        parameters[offset + 6].Value = row.ReceivedTime;
    }

    private SqliteCommand CreateInsert(int rows, string suffix)
    {
        var text = new StringBuilder(Columns);
        var command = _connection.CreateCommand();
        for (var i = 0; i < rows; i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append($"(@m{i}, @s{i}, @k{i}, @p{i}, @t{i}, @b{i}, @r{i})");
            command.Parameters.Add($"@m{i}", SqliteType.Text);
            command.Parameters.Add($"@s{i}", SqliteType.Integer);
            command.Parameters.Add($"@k{i}", SqliteType.Integer);
            command.Parameters.Add($"@p{i}", SqliteType.Text);
            command.Parameters.Add($"@t{i}", SqliteType.Integer);
            command.Parameters.Add($"@b{i}", SqliteType.Blob);
            command.Parameters.Add($"@r{i}", SqliteType.Integer);
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
