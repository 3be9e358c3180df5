using Npgsql;
using NpgsqlTypes;

namespace Monitoring.Storage.Events;

/// <summary>
/// Writes a group in one transaction on a dedicated connection: creates missing <c>model_heads</c> rows and locks the
/// group's heads in key order (<c>FOR UPDATE</c>, so writers in other processes queue per model and cannot deadlock),
/// binary-COPYs the rows into a session temp table, then one statement drops the rows already logged, numbers the rest
/// per model from the head, inserts them with <c>ON CONFLICT DO NOTHING RETURNING</c> and moves the heads.
/// </summary>
internal sealed class PostgresEventWriter(NpgsqlDataSource dataSource) : IEventBatchWriter
{
    private const string CreateIncoming =
        """
        CREATE TEMP TABLE IF NOT EXISTS incoming (
            ord integer NOT NULL,
            model_key text COLLATE "C" NOT NULL,
            kind integer NOT NULL,
            prediction_id text COLLATE "C",
            event_time bigint NOT NULL,
            payload bytea NOT NULL
        ) ON COMMIT DELETE ROWS
        """;

    private const string LockHeads =
        """
        INSERT INTO model_heads (model_key, last_seq)
        SELECT k, 0 FROM unnest(@keys::text[]) AS k ORDER BY k COLLATE "C"
        ON CONFLICT (model_key) DO NOTHING;
        SELECT model_key FROM model_heads WHERE model_key = ANY(@keys::text[]) ORDER BY model_key FOR UPDATE;
        """;

    private const string Copy = "COPY incoming (ord, model_key, kind, prediction_id, event_time, payload) FROM STDIN (FORMAT BINARY)";

    private const string Insert =
        """
        WITH fresh AS (
            SELECT i.* FROM incoming i
            WHERE i.prediction_id IS NULL OR NOT EXISTS (
                SELECT 1 FROM events e
                WHERE e.model_key = i.model_key AND e.kind = i.kind AND e.prediction_id = i.prediction_id)
        ), numbered AS (
            SELECT f.ord, f.model_key, h.last_seq + row_number() OVER (PARTITION BY f.model_key ORDER BY f.ord) AS seq,
                   f.kind, f.prediction_id, f.event_time, f.payload
            FROM fresh f JOIN model_heads h ON h.model_key = f.model_key
        ), inserted AS (
            INSERT INTO events (model_key, seq, kind, prediction_id, event_time, payload)
            SELECT model_key, seq, kind, prediction_id, event_time, payload FROM numbered
            ON CONFLICT (model_key, kind, prediction_id) WHERE prediction_id IS NOT NULL DO NOTHING
            RETURNING model_key, seq
        ), moved AS (
            UPDATE model_heads h SET last_seq = m.last_seq
            FROM (SELECT model_key, max(seq) AS last_seq FROM inserted GROUP BY model_key) m
            WHERE h.model_key = m.model_key
        )
        SELECT n.ord, n.seq FROM numbered n JOIN inserted USING (model_key, seq)
        """;

    private NpgsqlConnection? _connection;

    public async Task WriteAsync(IReadOnlyList<PendingRow> rows, CancellationToken cancellationToken)
    {
        var connection = await GetConnectionAsync(cancellationToken).ConfigureAwait(false);
        var keys = rows.Select(r => r.ModelKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var lockHeads = new NpgsqlCommand(LockHeads, connection, transaction);
            await using (lockHeads.ConfigureAwait(false))
            {
                lockHeads.Parameters.AddWithValue("keys", keys);
                await lockHeads.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var importer = await connection.BeginBinaryImportAsync(Copy, cancellationToken).ConfigureAwait(false);
            await using (importer.ConfigureAwait(false))
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    var row = rows[i];
                    row.Sequence = 0;
                    await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.ModelKey, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync((int)row.Event.Kind, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    if (row.Event.PredictionId is { } id)
                    {
                        await importer.WriteAsync(id, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    }

                    await importer.WriteAsync(row.Event.EventTimeUnixNano, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.Payload, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
                }

                await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            var insert = new NpgsqlCommand(Insert, connection, transaction);
            await using (insert.ConfigureAwait(false))
            {
                var reader = await insert.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        rows[reader.GetInt32(0)].Sequence = reader.GetInt64(1);
                    }
                }
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
            _connection = null;
        }
    }

    private async Task<NpgsqlConnection> GetConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is not null)
        {
            return _connection;
        }

        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var create = new NpgsqlCommand(CreateIncoming, connection);
            await using (create.ConfigureAwait(false))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        _connection = connection;
        return connection;
    }
}
