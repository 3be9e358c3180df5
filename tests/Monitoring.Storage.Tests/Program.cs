using System.Diagnostics;
using System.Globalization;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Storage.Tests.Support;

namespace Monitoring.Storage.Tests;

/// <summary>
/// Entry points of the test assembly run as a child process (<c>dotnet Monitoring.Storage.Tests.dll ...</c>):
/// <list type="bullet">
/// <item><c>durability-probe DB</c>: appends to a SQLite log forever, printing one ACK line per durable batch.</item>
/// <item><c>throughput sqlite|postgres [seconds] [callers] [batch] [features]</c>: appends as fast as it can and prints events/s.</item>
/// <item><c>codec-speed [events]</c>: encode+decode rate of 20-feature records.</item>
/// </list>
/// </summary>
public static class Program
{
    /// <summary>Dispatches on the first argument.</summary>
    public static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "durability-probe" when args.Length == 2:
                await DurabilityProbeAsync(args[1]);
                return 0;
            case "throughput" when args.Length >= 2:
                await ThroughputAsync(args[1], IntArg(args, 2, 10), IntArg(args, 3, 8), IntArg(args, 4, 512), IntArg(args, 5, 20));
                return 0;
            case "codec-speed":
                CodecSpeed(IntArg(args, 1, 1_000_000));
                return 0;
            default:
                await Console.Error.WriteLineAsync("usage: durability-probe DB | throughput sqlite|postgres [seconds] [callers] [batch] [features] | codec-speed [events]");
                return 2;
        }
    }

    private static int IntArg(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

    /// <summary>Four writers, two models; "ACK worker first count" after each durable append.</summary>
    private static async Task DurabilityProbeAsync(string databasePath)
    {
        var log = DurableEventLog.CreateSqlite(databasePath);
        await log.InitializeAsync();
        var output = Console.Out;
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var model = new ModelKey("durability", $"model-{worker % 2}");
            for (var next = 0; ; next += 32)
            {
                var events = TestEvents.Predictions($"w{worker}-", next, 32, featureCount: 8);
                var outcome = await log.AppendAsync(model, events);
                if (outcome.Appended.Count != 32)
                {
                    throw new InvalidOperationException($"expected 32 appended, got {outcome.Appended.Count}");
                }

                lock (gate)
                {
                    output.WriteLine($"ACK {worker} {next} 32");
                    output.Flush();
                }
            }
        })));
    }

    private static async Task ThroughputAsync(string backend, int seconds, int callers, int batchSize, int features)
    {
        PostgresServer? server = null;
        SqliteBackend? sqlite = null;
        DurableEventLog log;
        if (backend == "postgres")
        {
            server = await PostgresServer.StartAsync();
            log = DurableEventLog.CreatePostgres(server.ConnectionString);
        }
        else
        {
            sqlite = new SqliteBackend();
            log = DurableEventLog.CreateSqlite(sqlite.DatabasePath);
        }

        await log.InitializeAsync();
        var total = 0L;
        var calls = 0L;
        var deadline = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            // Records are built outside the storage path (as ingest would): a template batch, re-identified per append.
            var model = new ModelKey("bench", $"model-{caller}");
            var template = TestEvents.Predictions($"c{caller}-", 0, batchSize, features);
            var events = new ModelEvent[batchSize];
            for (var next = 0; deadline.Elapsed.TotalSeconds < seconds; next += batchSize)
            {
                for (var i = 0; i < batchSize; i++)
                {
                    events[i] = template[i] with { PredictionId = $"c{caller}-{next + i}", EventTimeUnixNano = TestEvents.BaseTime + next + i };
                }

                var outcome = await log.AppendAsync(model, events);
                Interlocked.Add(ref total, outcome.Appended.Count);
                Interlocked.Increment(ref calls);
            }
        })));
        var elapsed = deadline.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{backend}: {total} events in {elapsed:F1} s = {total / elapsed:F0} events/s ({callers} callers, batches of {batchSize}, {features} features, {calls} appends)"));

        var read = 0;
        var readClock = Stopwatch.StartNew();
        await foreach (var logged in log.ReadAsync(new ModelKey("bench", "model-0"), 0))
        {
            read += logged.Event.Features.Length > 0 ? 1 : 0;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{backend}: read back {read} events of one model at {read / readClock.Elapsed.TotalSeconds:F0} events/s"));
        await log.DisposeAsync();
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        if (sqlite is not null)
        {
            await sqlite.DisposeAsync();
        }
    }

    private static void CodecSpeed(int count)
    {
        var events = Enumerable.Range(0, 1000).Select(i => TestEvents.Prediction($"pred-{i}", i)).ToArray();
        var encoded = new byte[events.Length][];
        for (var round = 0; round < 2; round++)
        {
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                encoded[i % events.Length] = ModelEventCodec.Encode(events[i % events.Length]);
            }

            var encodeSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            long sink = 0;
            for (var i = 0; i < count; i++)
            {
                sink += ModelEventCodec.Decode(encoded[i % events.Length]).Features.Length;
            }

            var decodeSeconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"codec ({encoded[0].Length} bytes/record): encode {count / encodeSeconds:F0}/s, decode {count / decodeSeconds:F0}/s, encode+decode {count / (encodeSeconds + decodeSeconds):F0}/s ({sink})"));
        }
    }
}
