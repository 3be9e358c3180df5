using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Time;
using Monitoring.Storage;
using Monitoring.Storage.Tests.Support;
using Monitoring.Testing;
using Npgsql;

namespace Monitoring.LoadTest;

/// <summary>CPU per wall second of every process of a cluster run, in cores.</summary>
/// <param name="Client">This load generator.</param>
/// <param name="Silos">Each silo process.</param>
/// <param name="Postgres">The PostgreSQL server (postmaster and backends); 0 on SQLite.</param>
/// <param name="Azurite">Azurite (membership and reminder tables); 0 in localhost mode.</param>
/// <param name="Machine">All busy CPU time of the machine.</param>
internal sealed record ClusterCpu(double Client, double[] Silos, double Postgres, double Azurite, double Machine)
{
    /// <summary>All silos together.</summary>
    public double SilosTotal => Silos.Sum();

    /// <summary>What serves the records: silos, PostgreSQL and Azurite.</summary>
    public double Server => SilosTotal + Postgres + Azurite;

    /// <summary>Cores used by none of these processes (other work on the shared machine).</summary>
    public double Other => Math.Max(0, Machine - Client - Server);
}

/// <summary>One closed-loop run against one configuration (1..N silos).</summary>
/// <param name="Name">"sqlite localhost", "postgres localhost" or "cluster xN".</param>
/// <param name="ServerMicrosecondsPerRecord">Server CPU (silos + PostgreSQL + Azurite) per acknowledged record, in CPU microseconds.</param>
/// <param name="ModelsMismatched">Models whose stored prediction count (read through the API) differs from the records acknowledged for them.</param>
internal sealed record ClusterRun(
    string Name,
    string Storage,
    string Membership,
    int Silos,
    int Connections,
    double Seconds,
    long Requests,
    long Records,
    double RecordsPerSecond,
    LatencySummary Latency,
    ErrorCounts Errors,
    ClusterCpu Cpu,
    double ServerMicrosecondsPerRecord,
    long TotalAcknowledgedRecords,
    long? StoredPredictions,
    int ModelsChecked,
    int ModelsMismatched,
    string? FirstMismatch,
    long[] RecordsPerSecondTimeline);

/// <summary>The event log appending straight into PostgreSQL from this process (no silo): the storage ceiling.</summary>
/// <param name="Writers">Event logs (each one connection, one writer loop with group commit), as if that many silos.</param>
/// <param name="CallersPerWriter">Concurrent appenders of 512-record batches per event log.</param>
/// <param name="PostgresMicrosecondsPerRow">PostgreSQL's CPU per appended row, in CPU microseconds.</param>
internal sealed record PostgresAppendResult(
    int Writers,
    int CallersPerWriter,
    int RowsPerAppend,
    double Seconds,
    long Rows,
    double RowsPerSecond,
    LatencySummary AppendLatency,
    double ClientCores,
    double PostgresCores,
    double OtherCores,
    double PostgresMicrosecondsPerRow);

/// <summary>Same-run ratios of a cluster run.</summary>
internal sealed record ClusterRatio(string Name, int Round, double OverSqliteLocalhost, double OverPostgresLocalhost, double OverOneSiloCluster, double OverPostgresAppend);

/// <summary>Everything the cluster scenario measured.</summary>
internal sealed record ClusterResult(IReadOnlyList<ClusterRun> Runs, IReadOnlyList<PostgresAppendResult> PostgresAppend, IReadOnlyList<ClusterRatio> Ratios, string PostgresVersion);

internal static partial class Scenarios
{
    /// <summary>
    /// Issue 10: throughput with 1, 2 and 3 silos. Starts a private PostgreSQL (Debian's initdb/pg_ctl in a temporary
    /// directory) and Azurite, then per round: the single silo on SQLite and on PostgreSQL in localhost mode (the
    /// baselines), a fresh cluster (own cluster id, own database) of each size in <see cref="LoadOptions.Silos"/>, all
    /// driven closed-loop like the throughput scenario with each connection bound to one silo (connection i to silo
    /// i mod N); and the event log appending straight into PostgreSQL with no silo (the storage ceiling). After each
    /// run every model's stored count is read through the API and compared with what was acknowledged for it.
    /// </summary>
    public static async Task<ClusterResult> ClusterAsync(LoadOptions o)
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using var azurite = await AzuriteServer.StartAsync();
        var secret = Path.Combine(Path.GetTempPath(), "monitoring-load-azure-" + Guid.NewGuid().ToString("N")[..12]);
        await File.WriteAllTextAsync(secret, azurite.ConnectionString + "\n");
        var version = await PostgresVersionAsync(postgres.ConnectionString);
        Console.WriteLine($"[postgres {version} on 127.0.0.1:{postgres.Port}, azurite-table on 127.0.0.1:{azurite.Port}]");
        bool IsPostgres(string commandLine) => commandLine.Contains("/postgres ", StringComparison.Ordinal) &&
                                               commandLine.Contains($" -p {postgres.Port} ", StringComparison.Ordinal);
        bool IsAzurite(string commandLine) => commandLine.Contains("azurite", StringComparison.Ordinal) &&
                                              commandLine.Contains($"--tablePort {azurite.Port} ", StringComparison.Ordinal);

        var runs = new List<ClusterRun>();
        var appends = new List<PostgresAppendResult>();
        var ratios = new List<ClusterRatio>();
        try
        {
            for (var round = 1; round <= o.ClusterRounds; round++)
            {
                var sqlite = await ClusterRunAsync(o, $"sqlite localhost (round {round})", "sqlite", "localhost", 1, new Dictionary<string, string>(), IsPostgres, IsAzurite);
                runs.Add(sqlite);
                var localDb = await CreateDatabaseAsync(postgres.ConnectionString, $"load_local_r{round}");
                var local = await ClusterRunAsync(o, $"postgres localhost (round {round})", "postgres", "localhost", 1, PostgresEnvironment(localDb), IsPostgres, IsAzurite);
                runs.Add(local);
                var clusters = new List<ClusterRun>();
                foreach (var n in o.Silos)
                {
                    var db = await CreateDatabaseAsync(postgres.ConnectionString, $"load_cluster{n}_r{round}");
                    var clusterId = $"load-{n}-" + Guid.NewGuid().ToString("N")[..8];
                    var environment = PostgresEnvironment(db);
                    environment["Monitoring__Cluster__Mode"] = "azure-table";
                    environment["Monitoring__Cluster__ClusterId"] = clusterId;
                    environment["Monitoring__Cluster__ServiceId"] = clusterId;
                    environment["Monitoring__Cluster__AzureTableConnectionStringFile"] = secret;
                    environment["Monitoring__Auth__AllowOpen"] = "true"; // a cluster refuses to run open unless told; loopback only
                    var run = await ClusterRunAsync(o, $"cluster x{n} (round {round})", "postgres", "azure-table", n, environment, IsPostgres, IsAzurite);
                    runs.Add(run);
                    clusters.Add(run);
                }

                var roundAppends = new List<PostgresAppendResult>();
                foreach (var writers in o.PostgresWriters)
                {
                    var db = await CreateDatabaseAsync(postgres.ConnectionString, $"load_append{writers}_r{round}");
                    Console.Write($"postgres append alone, {writers} event log(s) x {o.PostgresCallers} appenders of {o.Records} rows (round {round}): ");
                    var a = await PostgresAppendAsync(o, db, writers, IsPostgres);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{a.RowsPerSecond:N0} rows/s over {a.Seconds:F1} s, append p50 {a.AppendLatency.P50:F1} ms p99 {a.AppendLatency.P99:F1} ms, " +
                        $"cpu client {a.ClientCores:F2} postgres {a.PostgresCores:F2} other {a.OtherCores:F2} cores, postgres {a.PostgresMicrosecondsPerRow:F1} CPU-us per row"));
                    roundAppends.Add(a);
                }

                appends.AddRange(roundAppends);
                var oneSilo = clusters.FirstOrDefault(c => c.Silos == 1) ?? clusters.FirstOrDefault();
                var ceiling = roundAppends.Count > 0 ? roundAppends.Max(a => a.RowsPerSecond) : double.NaN;
                foreach (var c in new[] { local }.Concat(clusters))
                {
                    var ratio = new ClusterRatio(c.Name, round, c.RecordsPerSecond / sqlite.RecordsPerSecond, c.RecordsPerSecond / local.RecordsPerSecond,
                        oneSilo is null ? double.NaN : c.RecordsPerSecond / oneSilo.RecordsPerSecond, c.RecordsPerSecond / ceiling);
                    ratios.Add(ratio);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"ratio {c.Name}: / sqlite localhost {ratio.OverSqliteLocalhost:F2}, / postgres localhost {ratio.OverPostgresLocalhost:F2}, " +
                        $"/ cluster x1 {ratio.OverOneSiloCluster:F2}, / postgres append alone (best) {ratio.OverPostgresAppend:F2}"));
                }
            }
        }
        finally
        {
            File.Delete(secret);
        }

        return new ClusterResult(runs, appends, ratios, version);
    }

    /// <summary>The cluster scenario's Markdown table.</summary>
    public static string ClusterTable(ClusterResult r)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture, $"PostgreSQL {r.PostgresVersion}; CPU in cores (per wall second); us = CPU microseconds per record");
        s.AppendLine();
        s.AppendLine("| run | records/s | p50 / p99 ms | CPU client | CPU silos (each) | CPU PostgreSQL | CPU Azurite | CPU other | server us/record | errors | acknowledged = stored (per model) |");
        s.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var x in r.Runs)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {x.Name} | {x.RecordsPerSecond:N0} | {x.Latency.P50:F1} / {x.Latency.P99:F1} | {x.Cpu.Client:F2} | {x.Cpu.SilosTotal:F2} ({string.Join(" + ", x.Cpu.Silos.Select(c => c.ToString("F2", CultureInfo.InvariantCulture)))}) | " +
                $"{x.Cpu.Postgres:F2} | {x.Cpu.Azurite:F2} | {x.Cpu.Other:F2} | {x.ServerMicrosecondsPerRecord:F1} | {x.Errors.Total} | " +
                $"{(x.ModelsMismatched == 0 && x.StoredPredictions is not null ? "yes" : "**no**")}: {x.TotalAcknowledgedRecords:N0} = {x.StoredPredictions:N0}, {x.ModelsMismatched} of {x.ModelsChecked} models differ |");
        }

        s.AppendLine();
        s.AppendLine("| postgres append alone | rows/s | append p50 / p99 ms | CPU client | CPU PostgreSQL | CPU other | PostgreSQL us/row |");
        s.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var a in r.PostgresAppend)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| {a.Writers} event log(s) x {a.CallersPerWriter} appenders x {a.RowsPerAppend} rows | {a.RowsPerSecond:N0} | {a.AppendLatency.P50:F1} / {a.AppendLatency.P99:F1} | {a.ClientCores:F2} | {a.PostgresCores:F2} | {a.OtherCores:F2} | {a.PostgresMicrosecondsPerRow:F1} |");
        }

        s.AppendLine();
        s.AppendLine("| run | / sqlite localhost | / postgres localhost | / cluster x1 | / postgres append alone (best) |");
        s.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var x in r.Ratios)
        {
            s.AppendLine(CultureInfo.InvariantCulture, $"| {x.Name} | {x.OverSqliteLocalhost:F2} | {x.OverPostgresLocalhost:F2} | {x.OverOneSiloCluster:F2} | {x.OverPostgresAppend:F2} |");
        }

        return s.ToString();
    }

    private static Dictionary<string, string> PostgresEnvironment(string connectionString) => new(StringComparer.Ordinal)
    {
        ["Monitoring__Host__StorageProvider"] = "postgres",
        ["Monitoring__Host__PostgresConnectionString"] = connectionString,
    };

    /// <summary>
    /// Starts <paramref name="siloCount"/> silos with <paramref name="environment"/>, drives them closed-loop for the
    /// throughput warm-up and duration, checks acknowledged = stored per model, and stops them.
    /// </summary>
    private static async Task<ClusterRun> ClusterRunAsync(LoadOptions o, string name, string storage, string membership, int siloCount,
        Dictionary<string, string> environment, Func<string, bool> isPostgres, Func<string, bool> isAzurite)
    {
        var connections = o.ClusterConnections;
        var random = new Random(42);
        var templates = Enumerable.Range(0, connections)
            .Select(_ => Enumerable.Range(0, o.Variants).Select(_ => OtlpRequestTemplate.Create(o.Records, o.Features, o.Categorical, random)).ToArray())
            .ToArray();
        foreach (var (key, value) in o.SiloEnvironment)
        {
            environment[key] = value;
        }

        await QuietAsync(o);
        Console.Write($"{name}: {siloCount} silo(s), {connections} connections: ");
        var silos = new List<SiloUnderTest>();
        try
        {
            // Started together, as a deployment would; each is ready once it has joined the cluster and warmed up.
            var starts = Enumerable.Range(0, siloCount)
                .Select(_ => SiloUnderTest.StartAsync(o.SiloDll, o.KeepData, o.SiloArguments, o.SiloLog, environment))
                .ToList();
            foreach (var start in starts)
            {
                silos.Add(await start);
            }

            Console.Write($"[pids {string.Join(' ', silos.Select(s => s.ProcessId))}] ");
            var senders = silos.Select((s, i) => new OtlpSender(s.OtlpHttp, Enumerable.Range(0, connections).Count(w => w % siloCount == i), h2c: false)).ToArray();
            var models = new ModelAssignment(o.Models, o.Records);
            var acknowledgedPerModel = new long[o.Models];
            var counts = new OutcomeCounts();
            var completions = new List<(long At, int Records, long Latency)>[connections];
            long nextRequest = -1;
            var started = Stopwatch.GetTimestamp();
            var stopAt = started + Ticks(o.WarmupSeconds + o.DurationSeconds);

            async Task Worker(int w)
            {
                var mine = completions[w] = new List<(long, int, long)>(4096);
                var own = templates[w];
                var sender = senders[w % siloCount];
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    var request = Interlocked.Increment(ref nextRequest);
                    var template = own[request % own.Length];
                    template.Patch(NowUnixNano(), request * o.Records, models);
                    var t0 = Stopwatch.GetTimestamp();
                    var outcome = await sender.SendAsync(template, w);
                    var t1 = Stopwatch.GetTimestamp();
                    counts.Add(outcome);
                    if (outcome.Status == SendStatus.Acknowledged)
                    {
                        Interlocked.Add(ref acknowledgedPerModel[models.ModelOf(request * o.Records)], outcome.Accepted);
                        mine.Add((t1, outcome.Accepted, t1 - t0));
                    }
                    else
                    {
                        await Task.Delay(50); // do not spin on a failing server
                    }
                }
            }

            ClusterCpuSample Sample() => new(Process.GetCurrentProcess().TotalProcessorTime, [.. silos.Select(s => s.CpuTime())],
                ProcessCpu.OfTree(isPostgres), ProcessCpu.OfTree(isAzurite), CpuSample.MachineBusy());

            var workers = Enumerable.Range(0, connections).Select(w => Task.Run(() => Worker(w))).ToArray();
            await WaitUntilAsync(started + Ticks(o.WarmupSeconds));
            var (windowStart, cpuStart) = (Stopwatch.GetTimestamp(), Sample());
            await WaitUntilAsync(stopAt);
            var (windowEnd, cpuEnd) = (Stopwatch.GetTimestamp(), Sample());
            await Task.WhenAll(workers);
            foreach (var sender in senders)
            {
                sender.Dispose();
            }

            var (records, requests, latency, timeline) = Tally(completions, windowStart, windowEnd, started, stopAt);
            var seconds = Seconds(windowEnd - windowStart);

            var cpu = ClusterCpuSample.PerSecond(cpuStart, cpuEnd, seconds);
            var (stored, mismatched, firstMismatch) = await CheckStoredPerModelAsync(silos[^1], acknowledgedPerModel);
            var result = new ClusterRun(name, storage, membership, siloCount, connections, seconds, requests, records, records / seconds, latency.Summarize(),
                counts.ToErrors(), cpu, cpu.Server / (records / seconds) * 1e6, counts.AcknowledgedRecords, stored, o.Models, mismatched, firstMismatch, timeline);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.RecordsPerSecond:N0} records/s over {seconds:F1} s ({requests} requests), p50 {result.Latency.P50:F1} ms p99 {result.Latency.P99:F1} ms, " +
                $"errors {result.Errors.Total}{(result.Errors.FirstError is { } fe ? $" ({fe})" : string.Empty)}, cpu client {cpu.Client:F2} silos {cpu.SilosTotal:F2} " +
                $"({string.Join(" + ", cpu.Silos.Select(c => c.ToString("F2", CultureInfo.InvariantCulture)))}) postgres {cpu.Postgres:F2} azurite {cpu.Azurite:F2} other {cpu.Other:F2} cores, " +
                $"server {result.ServerMicrosecondsPerRecord:F1} CPU-us per record; acknowledged {result.TotalAcknowledgedRecords:N0} / stored {stored:N0}, " +
                $"{mismatched} of {o.Models} models differ{(firstMismatch is null ? string.Empty : $" ({firstMismatch})")}"));
            Console.WriteLine($"  per second: {string.Join(' ', timeline.Select(n => (n / 1000).ToString(CultureInfo.InvariantCulture) + "k"))}");
            return result;
        }
        finally
        {
            foreach (var silo in silos)
            {
                await silo.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Reads every model's stored prediction count through one silo's API (in a cluster the read is routed to the
    /// model's grain wherever it lives) and compares it with what was acknowledged for that model.
    /// </summary>
    private static async Task<(long? Stored, int Mismatched, string? First)> CheckStoredPerModelAsync(SiloUnderTest silo, long[] acknowledged)
    {
        try
        {
            using var api = new HttpClient { BaseAddress = silo.Api, Timeout = TimeSpan.FromMinutes(2) };
            long sum = 0;
            var mismatched = 0;
            string? first = null;
            for (var model = 0; model < acknowledged.Length; model++)
            {
                using var response = await api.GetAsync($"api/models/default/{OtlpRequestTemplate.ModelId(model)}");
                long stored = 0;
                if (response.IsSuccessStatusCode)
                {
                    using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    stored = doc.RootElement.GetProperty("totals").GetProperty("predictions").GetInt64();
                }

                sum += stored;
                if (stored != acknowledged[model])
                {
                    mismatched++;
                    first ??= $"{OtlpRequestTemplate.ModelId(model)}: acknowledged {acknowledged[model]}, stored {stored} (HTTP {(int)response.StatusCode})";
                }
            }

            return (sum, mismatched, first);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException)
        {
            return (null, acknowledged.Length, $"could not read model totals: {e.Message}");
        }
    }

    /// <summary>
    /// The storage ceiling: <paramref name="writers"/> event logs (<see cref="DurableEventLog"/> on PostgreSQL, each one
    /// connection and one writer loop, as one silo has) each fed by <see cref="LoadOptions.PostgresCallers"/> concurrent
    /// appenders of 512-record batches (the throughput traffic's records, one model per batch, fresh prediction ids), for
    /// 3 s of warm-up and the throughput duration. Everything a silo's append does happens (encode, lock the heads,
    /// duplicate check, binary COPY, commit with synchronous_commit=on); nothing else a silo does.
    /// </summary>
    private static async Task<PostgresAppendResult> PostgresAppendAsync(LoadOptions o, string connectionString, int writers, Func<string, bool> isPostgres)
    {
        var random = new Random(42);
        var variants = Enumerable.Range(0, o.Variants).Select(_ => Events(o, random)).ToArray();
        var logs = Enumerable.Range(0, writers).Select(_ => DurableEventLog.CreatePostgres(connectionString)).ToArray();
        try
        {
            await logs[0].InitializeAsync();
            await QuietAsync(o);
            var callers = writers * o.PostgresCallers;
            var latency = new LatencyRecorder();
            long next = -1, rows = 0;
            var started = Stopwatch.GetTimestamp();
            var measureFrom = started + Ticks(3);
            var stopAt = measureFrom + Ticks(o.DurationSeconds);

            async Task Caller(int c)
            {
                var log = logs[c % writers];
                while (Stopwatch.GetTimestamp() < stopAt)
                {
                    var request = Interlocked.Increment(ref next);
                    var model = new ModelKey(ModelKey.DefaultTenant, OtlpRequestTemplate.ModelId((int)(request % o.Models)));
                    var now = (long)UnixNanos.FromDateTimeOffset(DateTimeOffset.UtcNow);
                    var batch = variants[request % variants.Length]
                        .Select((e, i) => e with { PredictionId = "lt-" + ((request * o.Records) + i).ToString("x16", CultureInfo.InvariantCulture), EventTimeUnixNano = now, ReceivedUnixNano = now })
                        .ToArray();
                    var t0 = Stopwatch.GetTimestamp();
                    var outcome = await log.AppendAsync(model, batch);
                    var t1 = Stopwatch.GetTimestamp();
                    if (t1 >= measureFrom && t1 < stopAt)
                    {
                        Interlocked.Add(ref rows, outcome.Appended.Count);
                        latency.Record(t1 - t0);
                    }
                }
            }

            var tasks = Enumerable.Range(0, callers).Select(c => Task.Run(() => Caller(c))).ToArray();
            await WaitUntilAsync(measureFrom);
            var (client0, pg0, machine0, t) = (Process.GetCurrentProcess().TotalProcessorTime, ProcessCpu.OfTree(isPostgres), CpuSample.MachineBusy(), Stopwatch.GetTimestamp());
            await WaitUntilAsync(stopAt);
            var (client1, pg1, machine1, t1) = (Process.GetCurrentProcess().TotalProcessorTime, ProcessCpu.OfTree(isPostgres), CpuSample.MachineBusy(), Stopwatch.GetTimestamp());
            await Task.WhenAll(tasks);
            var seconds = Seconds(t1 - t);
            var clientCores = (client1 - client0).TotalSeconds / seconds;
            var pgCores = (pg1 - pg0).TotalSeconds / seconds;
            var machineCores = (machine1 - machine0).TotalSeconds / seconds;
            var rowsPerSecond = Interlocked.Read(ref rows) / Seconds(stopAt - measureFrom);
            return new PostgresAppendResult(writers, o.PostgresCallers, o.Records, seconds, rows, rowsPerSecond, latency.Summarize(), clientCores, pgCores,
                Math.Max(0, machineCores - clientCores - pgCores), pgCores / rowsPerSecond * 1e6);
        }
        finally
        {
            foreach (var log in logs)
            {
                await log.DisposeAsync();
            }

            NpgsqlConnection.ClearAllPools();
        }
    }

    /// <summary>One request's records as the receiver decodes the throughput traffic: a score and the same features.</summary>
    private static ModelEvent[] Events(LoadOptions o, Random random)
    {
        string[] categories = ["web", "ios", "android", "partner", "batch"];
        var events = new ModelEvent[o.Records];
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

            events[r] = new ModelEvent { Kind = EventKind.Prediction, EventTimeUnixNano = 0, Score = random.NextDouble(), Features = features };
        }

        return events;
    }

    /// <summary>Creates a fresh database on the private server and returns the connection string of it.</summary>
    private static async Task<string> CreateDatabaseAsync(string serverConnectionString, string name)
    {
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task<string> PostgresVersionAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SHOW server_version", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task WaitUntilAsync(long at)
    {
        var wait = at - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(Seconds(wait)));
        }
    }

    /// <summary>CPU time of every process of a cluster run at one instant.</summary>
    private readonly record struct ClusterCpuSample(TimeSpan Client, TimeSpan[] Silos, TimeSpan Postgres, TimeSpan Azurite, TimeSpan Machine)
    {
        public static ClusterCpu PerSecond(ClusterCpuSample a, ClusterCpuSample b, double seconds) => new(
            (b.Client - a.Client).TotalSeconds / seconds,
            [.. b.Silos.Zip(a.Silos, (end, start) => (end - start).TotalSeconds / seconds)],
            (b.Postgres - a.Postgres).TotalSeconds / seconds,
            (b.Azurite - a.Azurite).TotalSeconds / seconds,
            (b.Machine - a.Machine).TotalSeconds / seconds);
    }
}
