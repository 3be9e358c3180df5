using Npgsql;
using NpgsqlTypes;

namespace Monitoring.Storage.Events;

/// <summary>
/// Writes a group in one transaction on a dedicated connection:
/// <list type="number">
/// <item>creates missing <c>model_heads</c> rows and locks the group's heads in key order (<c>FOR UPDATE</c>), so
/// writers in other processes queue per model (and cannot deadlock) and the heads read are current;</item>
/// <item>one query finds which of the rows' (model, kind, prediction id) are already logged;</item>
/// <item>the rest are numbered from the heads and binary-COPYed straight into <c>events</c>;</item>
/// <item>the heads move and the transaction commits (durable with the default synchronous_commit=on).</item>
/// </list>
/// Under the head locks no other writer can add a row for these models, so the duplicate check cannot race; a row
/// that still collided would fail the COPY (and the transaction) rather than be stored twice.
/// </summary>
internal sealed class PostgresEventWriter(NpgsqlDataSource dataSource) : IEventBatchWriter
{
    private const string LockHeads =
        """
        INSERT INTO model_heads (model_key, last_seq)
        SELECT k, 0 FROM unnest(@keys::text[]) AS k ORDER BY k COLLATE "C"
        ON CONFLICT (model_key) DO NOTHING;
        SELECT model_key, last_seq FROM model_heads WHERE model_key = ANY(@keys::text[]) ORDER BY model_key FOR UPDATE;
        """;

    private const string FindLogged =
        """
        SELECT c.ord FROM unnest(@ords::int[], @models::text[], @kinds::int[], @ids::text[]) AS c(ord, model_key, kind, prediction_id)
        WHERE EXISTS (
            SELECT 1 FROM events e
            WHERE e.model_key = c.model_key COLLATE "C" AND e.kind = c.kind AND e.prediction_id = c.prediction_id COLLATE "C")
        """;

    private const string Copy = "COPY events (model_key, seq, kind, prediction_id, event_time, payload, received_time) FROM STDIN (FORMAT BINARY)";

    private const string MoveHeads =
        """
        UPDATE model_heads h SET last_seq = m.last_seq
        FROM unnest(@keys::text[], @seqs::bigint[]) AS m(model_key, last_seq)
        WHERE h.model_key = m.model_key COLLATE "C"
        """;

    private readonly Dictionary<string, long> _heads = new(StringComparer.Ordinal);
    private readonly HashSet<int> _logged = [];
    private NpgsqlConnection? _connection;

    public async Task WriteAsync(IReadOnlyList<PendingRow> rows, CancellationToken cancellationToken)
    {
        var connection = _connection ??= await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var keys = rows.Select(r => r.ModelKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        _heads.Clear();
        _logged.Clear();
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            await LockHeadsAsync(connection, transaction, keys, cancellationToken).ConfigureAwait(false);
            await FindLoggedAsync(connection, transaction, rows, cancellationToken).ConfigureAwait(false);

            var importer = await connection.BeginBinaryImportAsync(Copy, cancellationToken).ConfigureAwait(false);
            await using (importer.ConfigureAwait(false))
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    var row = rows[i];
                    if (_logged.Contains(i))
                    {
                        row.Sequence = 0;
                        continue;
                    }

                    var sequence = _heads[row.ModelKey] + 1;
                    _heads[row.ModelKey] = sequence;
                    row.Sequence = sequence;
                    await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(row.ModelKey, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(sequence, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
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
                    await importer.WriteAsync(row.ReceivedTime, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                }

                await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            var move = new NpgsqlCommand(MoveHeads, connection, transaction);
            await using (move.ConfigureAwait(false))
            {
                move.Parameters.AddWithValue("keys", _heads.Keys.ToArray());
                move.Parameters.AddWithValue("seqs", _heads.Values.ToArray());
                await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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

    private async Task LockHeadsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] keys, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(LockHeads, connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddWithValue("keys", keys);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                // The first statement (the INSERT) returns no rows; the heads come from the second.
                do
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        _heads[reader.GetString(0)] = reader.GetInt64(1);
                    }
                }
                while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false));
            }
        }
    }

    private async Task FindLoggedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<PendingRow> rows, CancellationToken cancellationToken)
    {
        var ords = new List<int>(rows.Count);
        var models = new List<string>(rows.Count);
        var kinds = new List<int>(rows.Count);
        var ids = new List<string>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].Event.PredictionId is { } id)
            {
                ords.Add(i);
                models.Add(rows[i].ModelKey);
                kinds.Add((int)rows[i].Event.Kind);
                ids.Add(id);
            }
        }

        if (ords.Count == 0)
        {
            return;
        }

        var command = new NpgsqlCommand(FindLogged, connection, transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.AddWithValue("ords", ords);
            command.Parameters.AddWithValue("models", models);
            command.Parameters.AddWithValue("kinds", kinds);
            command.Parameters.AddWithValue("ids", ids);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    _logged.Add(reader.GetInt32(0));
                }
            }
        }
    }
}
