using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Storage;

namespace Monitoring.LoadTest;

/// <summary>
/// Disk use of the event log over a simulated month, against the storage layer directly (no silo): two SQLite event
/// logs get the same traffic, day by day, with synthetic receive times; one is never compacted, the other is asked
/// at the start of each day, as a model grain would after its checkpoint, to delete what its checkpoint covers and what
/// arrived before now - max(retention, label horizon). That compaction runs while the day's appends go on. After each
/// day both WALs are checkpointed into their files and the files measured.
/// </summary>
internal static class RetentionMonth
{
    private const long NanosPerDay = 86_400L * 1_000_000_000;

    /// <summary>Simulated day 0 starts here (2026-01-01T00:00Z).</summary>
    private static readonly long Epoch = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds() * 1_000_000;

    public const string Usage =
        """
        dotnet run -c Release --project tests/Monitoring.LoadTest -- retention [options]
          --days 30                 simulated days
          --models 10               models
          --events-per-day 10000    predictions per model and day (20 features: 18 numbers, 2 strings)
          --retention-days 7        model retention
          --label-horizon-days 14   model label horizon (the cutoff is now - the later of the two)
          --batch 512               records per append
          --out PATH                JSON results (default artifacts/loadtest/retention.json; .md beside it)
          --keep-data               keep the two database files
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        Options o;
        try
        {
            o = Options.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var directory = Path.Combine(Path.GetTempPath(), "monitoring-retention-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        var keptPath = Path.Combine(directory, "kept.db");
        var compactedPath = Path.Combine(directory, "compacted.db");
        var cutoffDays = Math.Max(o.RetentionDays, o.LabelHorizonDays);
        Console.WriteLine($"# Event log disk use over {o.Days} simulated days ({DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC)");
        Console.WriteLine($"{o.Models} models x {o.EventsPerDay:N0} predictions/day x 20 features, appended in batches of {o.Batch}; " +
                          $"retention {o.RetentionDays} d, label horizon {o.LabelHorizonDays} d: records received more than {cutoffDays} d ago go once checkpointed");
        Console.WriteLine($"files: {directory}");
        Console.WriteLine();

        var models = Enumerable.Range(0, o.Models).Select(m => new ModelKey("retention", $"model-{m:D3}")).ToArray();
        var days = new List<DayResult>();
        var kept = DurableEventLog.CreateSqlite(keptPath);
        var compacted = DurableEventLog.CreateSqlite(compactedPath);
        try
        {
            Console.WriteLine("| day | records appended | not compacted: file | compacted: file | free pages | footprint (sum) | records kept | append rate not compacted / compacted |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
            var heads = new long[o.Models];
            long appended = 0;
            for (var day = 1; day <= o.Days; day++)
            {
                var dayStart = Epoch + ((day - 1) * NanosPerDay);

                // The grains checkpointed at the end of the previous day (covering every record so far) and ask now.
                var cutoff = dayStart - (cutoffDays * NanosPerDay);
                for (var m = 0; m < models.Length; m++)
                {
                    compacted.Compact(models[m], heads[m], cutoff);
                }

                var keptSeconds = await AppendDayAsync(kept, models, day, dayStart, o, heads: null);
                var compactedSeconds = await AppendDayAsync(compacted, models, day, dayStart, o, heads);
                var waitStarted = Stopwatch.GetTimestamp();
                await compacted.WhenCompactedAsync();
                var compactionWait = Stopwatch.GetElapsedTime(waitStarted).TotalSeconds;
                appended += (long)o.Models * o.EventsPerDay;

                long footprintBytes = 0, footprintEvents = 0;
                foreach (var model in models)
                {
                    var f = await compacted.FootprintAsync(model);
                    footprintBytes += f.Bytes;
                    footprintEvents += f.Events;
                }

                var keptFile = Measure(keptPath, dbstat: false);
                var compactedFile = Measure(compactedPath, dbstat: day == o.Days);
                var perDay = (double)o.Models * o.EventsPerDay;
                var result = new DayResult(
                    day, appended, keptFile.FileBytes, compactedFile.FileBytes, compactedFile.FreeBytes, footprintBytes, footprintEvents,
                    perDay / keptSeconds, perDay / compactedSeconds, compactionWait, compactedFile.EventBtreeBytes);
                days.Add(result);
                Console.WriteLine(Row(result));
            }
        }
        finally
        {
            await kept.DisposeAsync();
            await compacted.DisposeAsync();
            SqliteConnection.ClearAllPools();
            if (!o.KeepData)
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        var last = days[^1];
        var table = Table(o, days);
        Console.WriteLine();
        Console.WriteLine(
            $"after {o.Days} days: not compacted {Mib(last.KeptFileBytes)}, compacted {Mib(last.CompactedFileBytes)} " +
            $"({(double)last.CompactedFileBytes / last.KeptFileBytes:P0}); compacted file's largest size {Mib(days.Max(d => d.CompactedFileBytes))}" +
            (last.EventBtreeBytes is { } b ? $"; dbstat: events table and index take {Mib(b)} against a footprint estimate of {Mib(last.FootprintBytes)}" : "; dbstat not available"));

        var output = Path.GetFullPath(o.Output);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        var json = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        await File.WriteAllTextAsync(output, JsonSerializer.Serialize(new { timestamp = DateTimeOffset.UtcNow, machine = Machine.Describe(), options = o, days }, json));
        await File.WriteAllTextAsync(Path.ChangeExtension(output, ".md"), table);
        Console.WriteLine($"results: {output} (+ .md)");
        return 0;
    }

    /// <summary>Appends one simulated day of every model, received evenly over the day; returns the seconds taken.</summary>
    private static async Task<double> AppendDayAsync(DurableEventLog log, ModelKey[] models, int day, long dayStart, Options o, long[]? heads)
    {
        var spacing = NanosPerDay / o.EventsPerDay;
        var started = Stopwatch.GetTimestamp();

        // One caller per model, as one grain per model appends; the log's writer groups them.
        await Task.WhenAll(models.Select((model, m) => Task.Run(async () =>
        {
            var random = new Random((day * 10_007) + m);
            for (var first = 0; first < o.EventsPerDay; first += o.Batch)
            {
                var count = Math.Min(o.Batch, o.EventsPerDay - first);
                var batch = new ModelEvent[count];
                for (var i = 0; i < count; i++)
                {
                    var received = dayStart + ((first + i) * spacing);
                    batch[i] = Prediction($"d{day}-{first + i}", received, random);
                }

                var outcome = await log.AppendAsync(model, batch);
                if (heads is not null && outcome.Appended.Count > 0)
                {
                    heads[m] = outcome.Appended[^1].Sequence;
                }
            }
        })));
        return Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static ModelEvent Prediction(string id, long received, Random random)
    {
        var features = new FeatureValue[20];
        for (var f = 0; f < 18; f++)
        {
            features[f] = new FeatureValue($"f{f}", Math.Round(random.NextDouble() * 1000, 3), null);
        }

        features[18] = new FeatureValue("f18", null, $"category-{random.Next(5)}");
        features[19] = new FeatureValue("f19", null, $"category-{random.Next(5)}");
        return new ModelEvent
        {
            Kind = EventKind.Prediction,
            PredictionId = id,
            EventTimeUnixNano = received - 1_000_000_000,
            ReceivedUnixNano = received,
            Score = random.NextDouble(),
            Features = features,
            Source = "retention",
        };
    }

    /// <summary>Checkpoints the WAL into the file (TRUNCATE), then reads the file size and its free pages.</summary>
    private static FileMeasure Measure(string path, bool dbstat)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 60000; PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
        command.CommandText = "PRAGMA page_size";
        var pageSize = (long)command.ExecuteScalar()!;
        command.CommandText = "PRAGMA freelist_count";
        var free = (long)command.ExecuteScalar()! * pageSize;
        long? btrees = null;
        if (dbstat)
        {
            try
            {
                command.CommandText = "SELECT sum(pgsize) FROM dbstat WHERE name IN ('events', 'events_prediction')";
                btrees = (long)command.ExecuteScalar()!;
            }
            catch (SqliteException)
            {
                // This SQLite build has no dbstat table.
            }
        }

        return new FileMeasure(new FileInfo(path).Length, free, btrees);
    }

    private static string Row(DayResult d) => string.Create(CultureInfo.InvariantCulture,
        $"| {d.Day} | {d.RecordsAppended:N0} | {Mib(d.KeptFileBytes)} | {Mib(d.CompactedFileBytes)} | {Mib(d.CompactedFreeBytes)} | {Mib(d.FootprintBytes)} | " +
        $"{d.FootprintEvents:N0} | {d.KeptRecordsPerSecond / 1000:N0}k / {d.CompactedRecordsPerSecond / 1000:N0}k |");

    private static string Table(Options o, List<DayResult> days)
    {
        var s = new StringBuilder();
        s.AppendLine(CultureInfo.InvariantCulture,
            $"{o.Models} models x {o.EventsPerDay:N0} predictions/day, retention {o.RetentionDays} d, label horizon {o.LabelHorizonDays} d");
        s.AppendLine();
        s.AppendLine("| day | records appended | not compacted: file | compacted: file | free pages | footprint (sum) | records kept | append rate not compacted / compacted |");
        s.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var d in days)
        {
            s.AppendLine(Row(d));
        }

        return s.ToString();
    }

    private static string Mib(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0:N1} MiB");

    private sealed record FileMeasure(long FileBytes, long FreeBytes, long? EventBtreeBytes);

    /// <summary>One simulated day, measured after its appends and its compaction.</summary>
    private sealed record DayResult(
        int Day, long RecordsAppended, long KeptFileBytes, long CompactedFileBytes, long CompactedFreeBytes, long FootprintBytes, long FootprintEvents,
        double KeptRecordsPerSecond, double CompactedRecordsPerSecond, double CompactionWaitSeconds, long? EventBtreeBytes);

    private sealed class Options
    {
        public int Days { get; set; } = 30;

        public int Models { get; set; } = 10;

        public int EventsPerDay { get; set; } = 10_000;

        public int RetentionDays { get; set; } = 7;

        public int LabelHorizonDays { get; set; } = 14;

        public int Batch { get; set; } = 512;

        public string Output { get; set; } = Path.Combine("artifacts", "loadtest", "retention.json");

        public bool KeepData { get; set; }

        public static Options Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                var name = args[i];
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
                int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
                switch (name)
                {
                    case "--days": o.Days = Int(); break;
                    case "--models": o.Models = Int(); break;
                    case "--events-per-day": o.EventsPerDay = Int(); break;
                    case "--retention-days": o.RetentionDays = Int(); break;
                    case "--label-horizon-days": o.LabelHorizonDays = Int(); break;
                    case "--batch": o.Batch = Int(); break;
                    case "--out": o.Output = Value(); break;
                    case "--keep-data": o.KeepData = true; break;
                    default: throw new ArgumentException($"unknown option {name}");
                }
            }

            if (o.Days < 1 || o.Models < 1 || o.EventsPerDay < 1 || o.RetentionDays < 1 || o.LabelHorizonDays < 1 || o.Batch < 1)
            {
                throw new ArgumentException("out-of-range option value");
            }

            return o;
        }
    }
}
