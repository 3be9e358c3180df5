using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Monitoring.Abstractions.Events;

namespace Monitoring.LoadTest;

/// <summary>The storage baseline's result: rows/s inserted straight into SQLite, 512 per transaction.</summary>
/// <param name="RowsPerTransaction">Rows per transaction (one request's records).</param>
/// <param name="PayloadBytes">Mean encoded payload per row (the silo's event codec).</param>
/// <param name="Seconds">Measured interval.</param>
/// <param name="Rows">Rows committed in it.</param>
/// <param name="RowsPerSecond">Rows / seconds.</param>
/// <param name="CommitLatency">Per transaction, BEGIN to COMMIT returned.</param>
/// <param name="ClientCores">CPU of the load generator (which runs the inserts) per second.</param>
/// <param name="OtherCores">CPU of everything else on the machine per second.</param>
internal sealed record SqliteDirectResult(int RowsPerTransaction, double PayloadBytes, double Seconds, long Rows, double RowsPerSecond, LatencySummary CommitLatency, double ClientCores, double OtherCores);

/// <summary>
/// The storage baseline: the throughput scenario's rows (same models, ids, times, 20 features encoded with the silo's
/// <see cref="ModelEventCodec"/>) inserted straight into a fresh SQLite file in this process, one prepared single-row
/// INSERT per row, one transaction per request's worth of rows (512), committed with the silo's durability
/// (<c>journal_mode=WAL</c>, <c>synchronous=FULL</c>), into the event log's schema (the <c>events</c> table and its
/// unique prediction-id index, the per-model head upserted once per transaction). Everything else is SQLite's
/// default (inline automatic checkpoints, 2 MB page cache). One thread, as fast as it commits; the payloads are
/// encoded before the clock starts. The silo's records/s over this is the share of plain SQLite's insert rate that
/// it keeps while also receiving, decoding, folding and answering.
/// </summary>
internal static class SqliteDirect
{
    /// <summary>The event log's tables as src/Monitoring.Storage/Database/SqliteDatabase.cs creates them.</summary>
    private const string Schema =
        """
        CREATE TABLE events (
            model_key TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            prediction_id TEXT,
            event_time INTEGER NOT NULL,
            payload BLOB NOT NULL,
            PRIMARY KEY (model_key, seq)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX events_prediction ON events (model_key, kind, prediction_id)
            WHERE prediction_id IS NOT NULL;
        CREATE TABLE model_heads (
            model_key TEXT NOT NULL PRIMARY KEY,
            last_seq INTEGER NOT NULL
        );
        """;

    /// <summary>Inserts for <paramref name="warmupSeconds"/> + <paramref name="seconds"/>, counting the second part.</summary>
    public static SqliteDirectResult Run(LoadOptions o, double warmupSeconds, double seconds)
    {
        var random = new Random(42);
        var variants = Enumerable.Range(0, o.Variants).Select(_ => Payloads(o, random)).ToArray();
        var directory = Path.Combine(Path.GetTempPath(), "monitoring-sqlite-direct-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, "direct.db");
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
            Execute(connection, Schema);

            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO events (model_key, seq, kind, prediction_id, event_time, payload) VALUES (@m, @s, @k, @p, @t, @b)";
            var model = insert.Parameters.Add("@m", SqliteType.Text);
            var seq = insert.Parameters.Add("@s", SqliteType.Integer);
            insert.Parameters.Add("@k", SqliteType.Integer).Value = (int)EventKind.Prediction;
            var id = insert.Parameters.Add("@p", SqliteType.Text);
            var time = insert.Parameters.Add("@t", SqliteType.Integer);
            var payload = insert.Parameters.Add("@b", SqliteType.Blob);
            using var head = connection.CreateCommand();
            head.CommandText = "INSERT INTO model_heads (model_key, last_seq) VALUES (@m, @s) ON CONFLICT (model_key) DO UPDATE SET last_seq = excluded.last_seq";
            var headModel = head.Parameters.Add("@m", SqliteType.Text);
            var headSeq = head.Parameters.Add("@s", SqliteType.Integer);

            var heads = new long[o.Models];
            var commits = new LatencyRecorder();
            var started = Stopwatch.GetTimestamp();
            var measureFrom = started + (long)(warmupSeconds * Stopwatch.Frequency);
            var stopAt = measureFrom + (long)(seconds * Stopwatch.Frequency);
            var client = TimeSpan.Zero;
            var machine = TimeSpan.Zero;
            var measuring = false;
            long rows = 0;
            for (long request = 0; ; request++)
            {
                var now = Stopwatch.GetTimestamp();
                if (!measuring && now >= measureFrom)
                {
                    measuring = true;
                    measureFrom = now;
                    (client, machine) = (Process.GetCurrentProcess().TotalProcessorTime, CpuSample.MachineBusy());
                }

                if (now >= stopAt)
                {
                    break;
                }

                var m = (int)(request % o.Models);
                var key = "default/" + OtlpRequestTemplate.ModelId(m);
                var payloads = variants[request % variants.Length];
                var eventTime = (long)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
                var t0 = Stopwatch.GetTimestamp();
                using (var transaction = connection.BeginTransaction(deferred: false))
                {
                    insert.Transaction = transaction;
                    head.Transaction = transaction;
                    model.Value = key;
                    time.Value = eventTime;
                    for (var r = 0; r < payloads.Length; r++)
                    {
                        seq.Value = ++heads[m];
                        id.Value = "lt-" + ((request * o.Records) + r).ToString("x16", CultureInfo.InvariantCulture);
                        payload.Value = payloads[r];
                        insert.ExecuteNonQuery();
                    }

                    headModel.Value = key;
                    headSeq.Value = heads[m];
                    head.ExecuteNonQuery();
                    transaction.Commit();
                }

                if (measuring)
                {
                    rows += payloads.Length;
                    commits.Record(Stopwatch.GetTimestamp() - t0);
                }
            }

            var elapsed = (double)(Stopwatch.GetTimestamp() - measureFrom) / Stopwatch.Frequency;
            var clientCores = (Process.GetCurrentProcess().TotalProcessorTime - client).TotalSeconds / elapsed;
            var machineCores = (CpuSample.MachineBusy() - machine).TotalSeconds / elapsed;
            var meanPayload = variants.SelectMany(v => v).Average(b => b.Length);
            return new SqliteDirectResult(o.Records, meanPayload, elapsed, rows, rows / elapsed, commits.Summarize(), clientCores, Math.Max(0, machineCores - clientCores));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// One request's rows as the silo's event codec encodes them: a prediction with a score, the throughput traffic's
    /// features (numeric ones from the same distributions, the last <c>Categorical</c> ones strings) and an id of the
    /// same length.
    /// </summary>
    private static byte[][] Payloads(LoadOptions o, Random random)
    {
        string[] categories = ["web", "ios", "android", "partner", "batch"];
        var now = (long)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        var payloads = new byte[o.Records][];
        for (var r = 0; r < o.Records; r++)
        {
            var features = new FeatureValue[o.Features];
            for (var f = 0; f < o.Features; f++)
            {
                var name = "f" + f.ToString(CultureInfo.InvariantCulture);
                features[f] = f >= o.Features - o.Categorical
                    ? new FeatureValue(name, null, categories[random.Next(categories.Length)])
                    : new FeatureValue(name, Math.Round(((random.NextDouble() - 0.5) * 4 * (1 + f)) + (10 * f), 4), null);
            }

            payloads[r] = ModelEventCodec.Encode(new ModelEvent
            {
                Kind = EventKind.Prediction,
                PredictionId = "lt-" + r.ToString("x16", CultureInfo.InvariantCulture),
                EventTimeUnixNano = now,
                ReceivedUnixNano = now,
                Score = random.NextDouble(),
                Features = features,
            });
        }

        return payloads;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
