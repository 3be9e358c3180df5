using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Monitoring.LoadTest;

// dotnet run -c Release --project tests/Monitoring.LoadTest [-- options]   (see docs/load.md)
if (args.Length == 2 && args[0] == DiscardReceiver.Command)
{
    return await DiscardReceiver.RunAsync(int.Parse(args[1], CultureInfo.InvariantCulture));
}

if (args.FirstOrDefault() == "retention")
{
    // Event-log disk use over a simulated month, against the storage layer (no silo): RetentionMonth.cs.
    return args.Contains("--help") ? Print(RetentionMonth.Usage) : await RetentionMonth.RunAsync(args[1..]);
}

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(LoadOptions.Usage);
    return 2;
}

if (!File.Exists(options.SiloDll))
{
    Console.Error.WriteLine($"error: silo not found at {options.SiloDll} (build the solution, or pass --silo)");
    return 2;
}

var machine = Machine.Describe();
Console.WriteLine($"# Monitoring load test ({DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC)");
Console.WriteLine($"machine: {machine.Cpu}, {machine.Cores} cores, {machine.MemoryGib:F1} GiB, {machine.Os}, {machine.Runtime}");
Console.WriteLine($"silo: {options.SiloDll}");
Console.WriteLine($"requests: {options.Records} records x {options.Features} features ({options.Categorical} strings), " +
                  "pre-encoded before the clock starts; ids, model and time patched in place per request");
Console.WriteLine("client and server share the same cores");
Console.WriteLine();

var throughput = new List<ThroughputResult>();
var discard = new List<ThroughputResult>();
SqliteDirectResult? sqliteDirect = null;
var ratios = new List<ThroughputRatio>();
LatencyResult? latency = null;
LatencyResult? latencyAtFraction = null;
MemoryResult? memory = null;
LabelJoinResult? labels = null;
AlertingResult? alerting = null;

if (options.Scenarios.Contains("throughput"))
{
    foreach (var (h2c, connections) in options.Connections.Select(c => (false, c)).Concat(options.H2cConnections.Select(c => (true, c))))
    {
        foreach (var toDiscard in options.Baselines ? [false, true] : new[] { false })
        {
            Console.Write($"throughput {(toDiscard ? "discard receiver" : "silo")} {(h2c ? "h2c" : "HTTP/1.1")} x{connections}: ");
            var r = await Scenarios.ThroughputAsync(options, h2c, connections, toDiscard);
            (toDiscard ? discard : throughput).Add(r);
            Console.WriteLine(
                $"{r.RecordsPerSecond:N0} records/s over {r.Seconds:F1} s ({r.Requests} requests), p50 {r.Latency.P50:F1} ms p99 {r.Latency.P99:F1} ms, " +
                $"errors {r.Errors.Total}{(r.Errors.FirstError is { } fe ? $" ({fe})" : string.Empty)}, cpu client {r.Cpu.ClientCores:F2} {r.Target} {r.Cpu.SiloCores:F2} other {r.Cpu.OtherCores:F2} cores, " +
                $"{r.Target} RSS {Mb(r.SiloRssBytes)}" + (toDiscard ? string.Empty : $", acknowledged {r.TotalAcknowledgedRecords:N0} / stored {r.StoredPredictions:N0}"));
            Console.WriteLine($"  per second: {string.Join(' ', r.RecordsPerSecondTimeline.Select(n => (n / 1000).ToString(CultureInfo.InvariantCulture) + "k"))}");
        }
    }

    if (options.Baselines)
    {
        Console.Write($"SQLite straight, {options.Records} rows per transaction, one thread: ");
        sqliteDirect = await Scenarios.SqliteDirectAsync(options);
        Console.WriteLine(
            $"{sqliteDirect.RowsPerSecond:N0} rows/s over {sqliteDirect.Seconds:F1} s ({sqliteDirect.PayloadBytes:F0}-byte payloads), commit p50 {sqliteDirect.CommitLatency.P50:F1} ms " +
            $"p99 {sqliteDirect.CommitLatency.P99:F1} ms, cpu {sqliteDirect.ClientCores:F2} other {sqliteDirect.OtherCores:F2} cores");
    }

    foreach (var r in throughput)
    {
        var d = discard.FirstOrDefault(x => x.Protocol == r.Protocol && x.Connections == r.Connections);
        ratios.Add(new ThroughputRatio(r.Protocol, r.Connections, r.RecordsPerSecond, d?.RecordsPerSecond, r.RecordsPerSecond / d?.RecordsPerSecond,
            sqliteDirect?.RowsPerSecond, r.RecordsPerSecond / sqliteDirect?.RowsPerSecond));
    }

    foreach (var x in ratios.Where(x => x.SiloOverDiscard is not null || x.SiloOverSqlite is not null))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio {x.Protocol} x{x.Connections}: silo / discard receiver {x.SiloOverDiscard:F2}, silo / SQLite straight {x.SiloOverSqlite:F2}"));
    }
}

IReadOnlyList<TelemetryPair>? telemetry = null;
if (options.Scenarios.Contains("telemetry"))
{
    // Self-telemetry off vs on, alternating twice per connection count (docs/telemetry.md).
    var pairs = new List<TelemetryPair>();
    foreach (var connections in options.Connections)
    {
        pairs.AddRange(await Scenarios.TelemetryAsync(options, connections, rounds: 2));
    }

    telemetry = pairs;
    foreach (var group in pairs.GroupBy(p => p.Off.Connections))
    {
        var off = group.Average(p => p.Off.RecordsPerSecond);
        var on = group.Average(p => p.On.RecordsPerSecond);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"telemetry x{group.Key}: off {off:N0} records/s, on {on:N0} records/s (means of {group.Count()} rounds), ratio on / off {on / off:F3} (per round: {string.Join(", ", group.Select(p => p.OnOverOff.ToString("F3", CultureInfo.InvariantCulture)))})"));
    }
}

if (options.Scenarios.Contains("pages"))
{
    // The model page (50 features x 24 windows) and the overview (1,000 models) through HTTP (README, Benchmarks: Pages).
    await Scenarios.PagesAsync(options, requests: 20);
}

if (options.Scenarios.Contains("latency"))
{
    var best = throughput.Count > 0 ? throughput.Max(r => r.RecordsPerSecond) : 0;
    if (options.RateFraction > 0 && best > 0)
    {
        var rate = Math.Round(options.RateFraction * best / 100) * 100;
        Console.Write($"latency at {options.RateFraction:P0} of {best:N0} records/s = {rate:N0} records/s for {options.RateSeconds} s after {options.RateWarmupSeconds} s: ");
        latencyAtFraction = await Scenarios.FixedRateAsync(options, rate, string.Create(CultureInfo.InvariantCulture, $"{options.RateFraction} of the best silo throughput of this run ({best:F0} records/s)"));
        PrintLatency(latencyAtFraction);
    }

    if (options.Rate > 0)
    {
        Console.Write($"latency at {options.Rate:N0} records/s for {options.RateSeconds} s after {options.RateWarmupSeconds} s: ");
        latency = await Scenarios.FixedRateAsync(options, options.Rate, "fixed");
        PrintLatency(latency);
    }
}

if (options.Scenarios.Contains("memory"))
{
    Console.Write($"memory with {options.MemoryModels} models x {options.Features} features: ");
    memory = await Scenarios.MemoryAsync(options);
    Console.WriteLine(
        $"RSS idle (ready + 2 s) {Mb(memory.RssReadyBytes)}, per active model above idle {Kb(memory.BytesPerModelAboveIdle)}, after burst {Mb(memory.RssAfterLoadBytes)}, steady median {Mb(memory.RssSteadyMedianBytes)} max {Mb(memory.RssSteadyMaxBytes)}, " +
        $"end {Mb(memory.RssAfterSteadyBytes)}, settled {Mb(memory.RssSettledBytes)}, peak {Mb(memory.PeakRssBytes)}; " +
        $"{memory.Records:N0} records (burst {memory.LoadSeconds:F1} s), {memory.ModelsListed} models listed, stored {memory.StoredPredictions:N0}, errors {memory.Errors.Total}");
    Console.WriteLine($"  RSS MiB each second of steady traffic: {string.Join(' ', memory.SteadyRssMbTimeline)}");
}

if (options.Scenarios.Contains("labels"))
{
    Console.Write($"label join, {options.Models} models: ");
    labels = await Scenarios.LabelsAsync(options);
    Console.WriteLine();
    var r = labels.Rate;
    var l = r.FromIntendedStart;
    Console.WriteLine(
        $"  predictions: {labels.Predictions:N0} logged first ({labels.PredictionSeconds:F1} s, {labels.Predictions / labels.PredictionSeconds:N0}/s, {labels.PredictionRetries} resent); " +
        $"labels shuffled per model, {labels.OlderWindowFraction:P0} of them for predictions in an earlier window than the newest; silo wrote {Kb(labels.PredictionWrittenBytesPerRecord)} per prediction");
    Console.WriteLine(
        $"  labels at {r.OfferedRecordsPerSecond:N0}/s for {options.LabelSeconds} s: achieved {r.AchievedRecordsPerSecond:N0} labels/s; p50 {l.P50:F1} p90 {l.P90:F1} p99 {l.P99:F1} p99.9 {l.P999:F1} max {l.Max:F1} ms " +
        $"(from actual send: p99 {r.FromActualStart.P99:F1} ms; max dispatch lag {r.MaxDispatchLagMs:F1} ms), errors {r.Errors.Total}{(r.Errors.FirstError is { } fe ? $" ({fe})" : string.Empty)}, " +
        $"cpu client {r.Cpu.ClientCores:F2} silo {r.Cpu.SiloCores:F2} other {r.Cpu.OtherCores:F2} cores, silo wrote {Kb(labels.RateWrittenBytesPerLabel)} per label");
    Console.WriteLine($"    labels acknowledged per second (warm-up included): {string.Join(' ', labels.RateLabelsPerSecondTimeline.Select(n => (n / 1000).ToString(CultureInfo.InvariantCulture) + "k"))}");
    if (r.Slowest.Length > 0)
    {
        Console.WriteLine("    over 50 ms (s into the run: ms): " + string.Join(", ", r.Slowest.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.AtSeconds:F1}: {x.LatencyMs:F0}"))));
    }

    foreach (var b in labels.Bursts)
    {
        Console.WriteLine(
            $"  labels closed loop x{b.Connections}: {b.LabelsPerSecond:N0} labels/s ({b.Labels:N0} in {b.Seconds:F1} s), p50 {b.Latency.P50:F1} ms p99 {b.Latency.P99:F1} ms, " +
            $"errors {b.Errors.Total}{(b.Errors.FirstError is { } be ? $" ({be})" : string.Empty)}, cpu client {b.Cpu.ClientCores:F2} silo {b.Cpu.SiloCores:F2} other {b.Cpu.OtherCores:F2} cores, " +
            $"silo wrote {Kb(b.WrittenBytesPerLabel)} per label");
    }

    var c = labels.Check;
    Console.WriteLine(
        $"  join check: acknowledged {c.LabelsAcknowledged:N0} labels, joined {c.Joined:N0}, labeled over windows {c.Labeled:N0} ({c.Windows} windows, {c.WindowMismatches} differ; " +
        $"{c.ModelMismatches} models differ), pending {c.Pending}, unmatched {c.Unmatched}, past horizon {c.PastHorizon}: exact match {(c.ExactMatch ? "yes" : "NO")}" +
        (c.Problem is { } problem ? $" ({problem})" : string.Empty));
}

if (options.Scenarios.Contains("alerting"))
{
    Console.Write($"alerting, {options.AlertingModels} models, {options.AlertingRules:N0} rules, group_wait 0s, webhook to a loopback listener: ");
    alerting = await Scenarios.AlertingAsync(options);
    var a = alerting;
    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  traffic: {a.Models} requests (one per model) in {a.TrafficSeconds:F1} s, errors {a.TrafficErrors.Total}; {a.Notified} of {a.Closed} closed windows notified ({a.Notifications} webhook requests)"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  close response to notification: p50 {a.FromCloseResponse.P50:F1} p99 {a.FromCloseResponse.P99:F1} max {a.FromCloseResponse.Max:F1} ms; " +
        $"from close request: p50 {a.FromCloseRequest.P50:F1} p99 {a.FromCloseRequest.P99:F1} max {a.FromCloseRequest.Max:F1} ms; " +
        $"close round trip (baseline): p50 {a.CloseRoundTrip.P50:F1} p99 {a.CloseRoundTrip.P99:F1} max {a.CloseRoundTrip.Max:F1} ms; " +
        $"ratio p50 (from request) / close round trip p50 {a.FromCloseRequest.P50 / a.CloseRoundTrip.P50:F2}"));
}

ClusterResult? cluster = null;
if (options.Scenarios.Contains("cluster"))
{
    // Issue 10: 1, 2, 3 silos on PostgreSQL + Azurite against the single silo on SQLite and PostgreSQL (Scenarios.Cluster.cs).
    try
    {
        cluster = await Scenarios.ClusterAsync(options);
    }
    catch (InvalidOperationException e) when (e.Message.Contains("not found", StringComparison.Ordinal) || e.Message.Contains("were not found", StringComparison.Ordinal))
    {
        // PostgreSQL or Azurite is not installed: scripts/load-cluster.sh installs both.
        Console.Error.WriteLine($"error: {e.Message}");
        Console.Error.WriteLine("scripts/load-cluster.sh installs PostgreSQL (Debian's postgresql) and Azurite (npm) and runs this scenario.");
        return 2;
    }
}

var table = Table(throughput, ratios, sqliteDirect, latencyAtFraction, latency, memory, labels);
if (cluster is not null)
{
    // A cluster-only run has nothing for the targets table: print the cluster tables alone.
    var targetsEmpty = throughput.Count == 0 && latencyAtFraction is null && latency is null && memory is null && labels is null;
    table = (targetsEmpty ? string.Empty : table + Environment.NewLine) + Scenarios.ClusterTable(cluster);
}

Console.WriteLine();
Console.WriteLine(table);

var output = Path.GetFullPath(options.Output);
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
var json = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
await File.WriteAllTextAsync(output, JsonSerializer.Serialize(new
{
    timestamp = DateTimeOffset.UtcNow,
    machine,
    note = "client and server run on the same machine and share its cores",
    options = new
    {
        options.Records, options.Features, options.Categorical, options.Variants, options.Models, options.Connections,
        options.H2cConnections, options.WarmupSeconds, options.DurationSeconds, options.Rate, options.RateFraction, options.Baselines, options.RateWarmupSeconds,
        options.RateSeconds, options.RateConnections, options.MemoryModels, options.MemoryRecordsPerModel, options.MemoryRun,
        options.MemoryConnections, options.MemoryRate, options.MemorySeconds, options.MemorySettleSeconds, options.QuietSeconds,
        options.QuietThreshold, options.SiloArguments, options.SiloEnvironment, options.LabelPredictions, options.LabelLogConnections,
        options.LabelOlderFraction, options.LabelRate, options.LabelWarmupSeconds, options.LabelSeconds, options.LabelConnections, options.LabelBurst,
        options.AlertingModels, options.AlertingRules, options.AlertingTimeoutSeconds,
        options.Silos, options.ClusterConnections, options.ClusterRounds, options.PostgresWriters, options.PostgresCallers,
    },
    throughput,
    baselines = new { discard_receiver = discard, sqlite_direct = sqliteDirect },
    ratios,
    latency_at_fraction = latencyAtFraction,
    latency,
    memory,
    labels,
    alerting,
    telemetry,
    cluster,
}, json));
await File.WriteAllTextAsync(Path.ChangeExtension(output, ".md"), table);
Console.WriteLine($"results: {output} (+ .md)");
return 0;

static int Print(string text)
{
    Console.WriteLine(text);
    return 0;
}

static string Kb(double? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1024:F1} KB") : "n/a";

static string Mb(long? bytes) => bytes is { } b ? string.Create(CultureInfo.InvariantCulture, $"{b / 1048576.0:F0} MiB ({b / 1e6:F0} MB)") : "n/a";

static void PrintLatency(LatencyResult r)
{
    var l = r.FromIntendedStart;
    Console.WriteLine(
        $"achieved {r.AchievedRecordsPerSecond:N0} records/s; p50 {l.P50:F1} p90 {l.P90:F1} p99 {l.P99:F1} p99.9 {l.P999:F1} max {l.Max:F1} ms " +
        $"(from actual send: p99 {r.FromActualStart.P99:F1} ms; max dispatch lag {r.MaxDispatchLagMs:F1} ms), errors {r.Errors.Total}, " +
        $"cpu client {r.Cpu.ClientCores:F2} silo {r.Cpu.SiloCores:F2} other {r.Cpu.OtherCores:F2} cores");
    if (r.Slowest.Length > 0)
    {
        Console.WriteLine("  over 50 ms (s into the recorded interval: ms): " + string.Join(", ", r.Slowest.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.AtSeconds:F1}: {x.LatencyMs:F0}"))));
    }
}

static string Table(List<ThroughputResult> throughput, List<ThroughputRatio> ratios, SqliteDirectResult? sqliteDirect, LatencyResult? latencyAtFraction, LatencyResult? latency, MemoryResult? memory, LabelJoinResult? labels)
{
    var s = new StringBuilder();
    s.AppendLine("| scenario | measured | target | met |");
    s.AppendLine("| --- | --- | --- | --- |");
    foreach (var r in throughput)
    {
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| max throughput, {r.Protocol} x{r.Connections} | {r.RecordsPerSecond:N0} records/s (p50 {r.Latency.P50:F0} ms, p99 {r.Latency.P99:F0} ms; " +
            $"CPU: client {r.Cpu.ClientCores:F2}, silo {r.Cpu.SiloCores:F2}, other work {r.Cpu.OtherCores:F2} cores; {r.Errors.Total} errors) | >= 100,000 records/s | {Met(r.RecordsPerSecond >= 100_000 && r.Errors.Total == 0)} |");
    }

    foreach (var x in ratios.Where(x => x.SiloOverDiscard is not null || x.SiloOverSqlite is not null))
    {
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| throughput ratios, {x.Protocol} x{x.Connections} (same run) | silo / discard receiver **{x.SiloOverDiscard:F2}** ({x.DiscardRecordsPerSecond:N0} records/s); " +
            $"silo / SQLite straight **{x.SiloOverSqlite:F2}** ({x.SqliteRowsPerSecond:N0} rows/s, {sqliteDirect?.RowsPerTransaction} per transaction) | none (relative figures) | - |");
    }

    foreach (var l in new[] { latencyAtFraction, latency }.OfType<LatencyResult>())
    {
        var p = l.FromIntendedStart;
        var fixedRate = l.RateBasis == "fixed";
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| ack latency at {l.OfferedRecordsPerSecond:N0} records/s{(fixedRate ? string.Empty : " (" + l.RateBasis + ")")} (achieved {l.AchievedRecordsPerSecond:N0}) | p50 {p.P50:F1} / p90 {p.P90:F1} / p99 {p.P99:F1} / max {p.Max:F1} ms " +
            $"(CPU: client {l.Cpu.ClientCores:F2}, silo {l.Cpu.SiloCores:F2}, other work {l.Cpu.OtherCores:F2} cores; {l.Errors.Total} errors) | p99 <= 50 ms | {Met(p.P99 <= 50 && l.Errors.Total == 0)} |");
    }

    if (memory is { } m)
    {
        // The steady-state figure is the median of the readings under steady traffic; the largest reading is shown too
        // (the first round of grain checkpoints, ~30 s after the models activate, lifts it for a while). RSS is shown in
        // MiB and decimal MB; the target is read as 300 MiB.
        const long limit = 300L * 1048576;
        var met = m.Errors.Total == 0 && m.RssSteadyMedianBytes <= limit
            ? m.RssSteadyMaxBytes <= limit ? "yes" : "median yes, max **no**"
            : "**no**";
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| silo memory, {m.Models:N0} active models x {m.Features} features | RSS {Mb(m.RssSteadyMedianBytes)} median / {Mb(m.RssSteadyMaxBytes)} max under steady traffic " +
            $"({m.Records:N0} records; {Mb(m.RssAfterLoadBytes)} after the burst, {Mb(m.RssSettledBytes)} after the traffic, idle before it {Mb(m.RssReadyBytes)}, peak {Mb(m.PeakRssBytes)}; " +
            $"**{Kb(m.BytesPerModelAboveIdle)} per active model above the idle process**) | <= 300 MiB | {met} |");
    }

    if (labels is { } j)
    {
        var r = j.Rate;
        var p = r.FromIntendedStart;
        var c = j.Check;
        s.AppendLine(CultureInfo.InvariantCulture,
            $"| label join, open loop at {r.OfferedRecordsPerSecond:N0} labels/s (achieved {r.AchievedRecordsPerSecond:N0}; {j.Predictions:N0} predictions over {j.Models} models logged first) | " +
            $"p50 {p.P50:F1} / p90 {p.P90:F1} / p99 {p.P99:F1} / max {p.Max:F1} ms (CPU: client {r.Cpu.ClientCores:F2}, silo {r.Cpu.SiloCores:F2}, other work {r.Cpu.OtherCores:F2} cores; {r.Errors.Total} errors) | " +
            $">= 50,000 labels/s | {Met(r.AchievedRecordsPerSecond >= 0.99 * r.OfferedRecordsPerSecond && r.OfferedRecordsPerSecond >= 50_000 && r.Errors.Total == 0)} |");
        foreach (var b in j.Bursts)
        {
            s.AppendLine(CultureInfo.InvariantCulture,
                $"| label join, max throughput x{b.Connections} | {b.LabelsPerSecond:N0} labels/s (p50 {b.Latency.P50:F0} ms, p99 {b.Latency.P99:F0} ms; " +
                $"CPU: client {b.Cpu.ClientCores:F2}, silo {b.Cpu.SiloCores:F2}, other work {b.Cpu.OtherCores:F2} cores; {b.Errors.Total} errors) | >= 50,000 labels/s | {Met(b.LabelsPerSecond >= 50_000 && b.Errors.Total == 0)} |");
        }

        s.AppendLine(CultureInfo.InvariantCulture,
            $"| label join, joined = acknowledged | {c.Joined:N0} joined, {c.Labeled:N0} labeled over {c.Windows} windows, of {c.LabelsAcknowledged:N0} acknowledged " +
            $"({j.OlderWindowFraction:P0} for earlier windows; {c.Pending} pending, {c.Unmatched} unmatched) | exact | {Met(c.ExactMatch)} |");
    }

    return s.ToString();
}

static string Met(bool met) => met ? "yes" : "**no**";

/// <summary>The silo's max throughput against the same run's baselines (null where a baseline was not run).</summary>
/// <param name="SiloOverDiscard">Silo records/s over the discard receiver's, same connections.</param>
/// <param name="SiloOverSqlite">Silo records/s over the rows/s of SQLite straight (512-row transactions, one thread).</param>
internal sealed record ThroughputRatio(string Protocol, int Connections, double SiloRecordsPerSecond, double? DiscardRecordsPerSecond, double? SiloOverDiscard, double? SqliteRowsPerSecond, double? SiloOverSqlite);

/// <summary>What the numbers were measured on.</summary>
internal sealed record Machine(string Cpu, int Cores, double MemoryGib, string Os, string Runtime)
{
    public static Machine Describe()
    {
        var cpu = "unknown CPU";
        double memory = 0;
        try
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
            var total = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            memory = long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1048576.0;
        }
        catch (IOException)
        {
        }

        return new Machine(cpu, Environment.ProcessorCount, memory, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
    }
}
