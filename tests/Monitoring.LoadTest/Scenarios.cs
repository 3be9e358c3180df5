using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Monitoring.Abstractions.Time;

namespace Monitoring.LoadTest;

/// <summary>Request outcome counts (thread-safe).</summary>
internal sealed class OutcomeCounts
{
    private long _acknowledged;
    private long _partial;
    private long _overloaded;
    private long _failed;
    private long _acknowledgedRecords;
    private string? _firstError;

    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public long Partial => Interlocked.Read(ref _partial);

    public long Overloaded => Interlocked.Read(ref _overloaded);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Records in fully acknowledged requests.</summary>
    public long AcknowledgedRecords => Interlocked.Read(ref _acknowledgedRecords);

    public string? FirstError => Volatile.Read(ref _firstError);

    public void Add(SendOutcome outcome)
    {
        switch (outcome.Status)
        {
            case SendStatus.Acknowledged:
                Interlocked.Increment(ref _acknowledged);
                Interlocked.Add(ref _acknowledgedRecords, outcome.Accepted);
                return;
            case SendStatus.Partial:
                Interlocked.Increment(ref _partial);
                break;
            case SendStatus.Overloaded:
                Interlocked.Increment(ref _overloaded);
                break;
            default:
                Interlocked.Increment(ref _failed);
                break;
        }

        Interlocked.CompareExchange(ref _firstError, outcome.Detail, null);
    }

    public ErrorCounts ToErrors() => new(Partial, Overloaded, Failed, FirstError);
}

/// <summary>Requests that were not fully acknowledged.</summary>
internal sealed record ErrorCounts(long Partial, long Overloaded, long Failed, string? FirstError)
{
    public long Total => Partial + Overloaded + Failed;
}

/// <summary>CPU seconds used by the load generator and by the silo over an interval, per wall second.</summary>
/// <param name="ClientCores">The load generator's CPU seconds per second.</param>
/// <param name="SiloCores">The silo's CPU seconds per second.</param>
/// <param name="MachineCores">All busy CPU time of the machine (from /proc/stat) per second: what remains after client
/// and silo is other work sharing the cores.</param>
internal sealed record CpuUse(double ClientCores, double SiloCores, double MachineCores)
{
    /// <summary>Cores used by neither the client nor the silo (other work on the machine).</summary>
    public double OtherCores => Math.Max(0, MachineCores - ClientCores - SiloCores);
}

/// <summary>A CPU-time reading of the client, the silo and the whole machine.</summary>
internal readonly record struct CpuSample(TimeSpan Client, TimeSpan Silo, TimeSpan Machine)
{
    public static CpuSample Take(SiloUnderTest silo) => new(Process.GetCurrentProcess().TotalProcessorTime, silo.CpuTime(), MachineBusy());

    public static CpuUse PerSecond(CpuSample start, CpuSample end, double seconds) => new(
        (end.Client - start.Client).TotalSeconds / seconds,
        (end.Silo - start.Silo).TotalSeconds / seconds,
        (end.Machine - start.Machine).TotalSeconds / seconds);

    /// <summary>
    /// Waits (at most <paramref name="maxWait"/>) until the whole machine has used less than
    /// <paramref name="threshold"/> cores for three consecutive seconds, so a run does not start while other work
    /// holds the shared cores. Returns whether it got quiet.
    /// </summary>
    public static async Task<bool> WaitForQuietAsync(double threshold, TimeSpan maxWait)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(maxWait.TotalSeconds * Stopwatch.Frequency);
        var quiet = 0;
        var last = MachineBusy();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(1000);
            var now = MachineBusy();
            quiet = (now - last).TotalSeconds < threshold ? quiet + 1 : 0;
            last = now;
            if (quiet >= 3)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Busy time of all CPUs (user, nice, system, irq, softirq, steal) from the first line of /proc/stat.</summary>
    public static TimeSpan MachineBusy()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            long[] busy = [1, 2, 3, 6, 7, 8];
            var jiffies = busy.Sum(i => long.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture));
            return TimeSpan.FromSeconds(jiffies / 100.0); // USER_HZ is 100 on Linux
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }
}

/// <summary>One closed-loop max-throughput run.</summary>
/// <param name="Target">"silo", or "discard" for the baseline receiver that decodes and discards (<see cref="DiscardReceiver"/>).</param>
internal sealed record ThroughputResult(
    string Target,
    string Protocol,
    int Connections,
    double Seconds,
    long Requests,
    long Records,
    double RecordsPerSecond,
    LatencySummary Latency,
    ErrorCounts Errors,
    CpuUse Cpu,
    long? SiloRssBytes,
    long? SiloPeakRssBytes,
    long TotalAcknowledgedRecords,
    long? StoredPredictions,
    long[] RecordsPerSecondTimeline);

/// <summary>The open-loop fixed-rate run.</summary>
/// <param name="RateBasis">How the offered rate was chosen: "fixed" (<c>--rate</c>) or "fraction of measured throughput".</param>
internal sealed record LatencyResult(
    string RateBasis,
    double OfferedRecordsPerSecond,
    double AchievedRecordsPerSecond,
    double Seconds,
    int Connections,
    LatencySummary FromIntendedStart,
    LatencySummary FromActualStart,
    double MaxDispatchLagMs,
    ErrorCounts Errors,
    CpuUse Cpu,
    long? SiloRssBytes,
    SlowRequest[] Slowest);

/// <summary>A request of the fixed-rate run: when it was due (seconds into the recorded interval) and its latency.</summary>
internal sealed record SlowRequest(double AtSeconds, double LatencyMs);

/// <summary>The 1,000-model memory run.</summary>
/// <param name="RssAfterLoadBytes">Right after the burst.</param>
/// <param name="RssSteadyMedianBytes">Median of the once-a-second readings during the steady traffic.</param>
/// <param name="RssSteadyMaxBytes">Largest of them.</param>
/// <param name="RssAfterSteadyBytes">When the steady traffic ended.</param>
/// <param name="RssSettledBytes">After the settle period without traffic.</param>
/// <param name="RssReadyBytes">The idle silo: ready, 2 s later, before any traffic.</param>
/// <param name="BytesPerModelAboveIdle">(steady median - idle) / models: what one more active model costs.</param>
internal sealed record MemoryResult(
    int Models,
    int Features,
    long Records,
    double LoadSeconds,
    long? RssReadyBytes,
    long? RssAfterLoadBytes,
    long? RssSteadyMedianBytes,
    long? RssSteadyMaxBytes,
    long? RssAfterSteadyBytes,
    long? RssSettledBytes,
    long? PeakRssBytes,
    long? BytesPerModelAboveIdle,
    int ModelsListed,
    long? StoredPredictions,
    ErrorCounts Errors,
    long[] SteadyRssMbTimeline);

/// <summary>The scenarios. Each starts its own silo (fresh data directory) and stops it afterwards.</summary>
internal static partial class Scenarios
{
    /// <summary>
    /// Closed loop: <paramref name="connections"/> senders, each posting its next request as soon as the previous one is
    /// answered. Requests go round-robin over the models (one model per request). Counted: records of fully
    /// acknowledged requests that completed inside the measured interval (after the warm-up).
    /// </summary>
    /// <param name="o">Options.</param>
    /// <param name="h2c">HTTP/2 with prior knowledge instead of HTTP/1.1.</param>
    /// <param name="connections">Concurrent connections.</param>
    /// <param name="discard">Send to the baseline receiver (<see cref="DiscardReceiver"/>) instead of the silo.</param>
    public static async Task<ThroughputResult> ThroughputAsync(LoadOptions o, bool h2c, int connections, bool discard = false, bool scrapeMetrics = false)
    {
        var random = new Random(42);
        var templates = Enumerable.Range(0, connections)
            .Select(_ => Enumerable.Range(0, o.Variants).Select(_ => OtlpRequestTemplate.Create(o.Records, o.Features, o.Categorical, random)).ToArray())
            .ToArray();

        await QuietAsync(o);
        await using var silo = discard
            ? await SiloUnderTest.StartDiscardReceiverAsync(o.SiloLog)
            : await SiloUnderTest.StartAsync(o.SiloDll, o.KeepData, o.SiloArguments, o.SiloLog, o.SiloEnvironment);
        Console.Write($"[{(discard ? "discard receiver" : "silo")} pid {silo.ProcessId}] ");
        using var sender = new OtlpSender(silo.OtlpHttp, connections, h2c);
        var models = new ModelAssignment(o.Models, o.Records);
        var counts = new OutcomeCounts();
        var completions = new List<(long At, int Records, long Latency)>[connections];
        long nextRequest = -1;
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + Ticks(o.WarmupSeconds + o.DurationSeconds);

        async Task Worker(int w)
        {
            var mine = completions[w] = new List<(long, int, long)>(4096);
            var own = templates[w];
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
                    mine.Add((t1, outcome.Accepted, t1 - t0));
                }
                else
                {
                    await Task.Delay(50); // do not spin on a failing server
                }
            }
        }

        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(() => Worker(w))).ToArray();
        var scraper = scrapeMetrics ? Task.Run(() => ScrapeEverySecondAsync(silo.Api, stopAt)) : Task.CompletedTask;
        var (windowStart, cpuStart) = await SampleAtAsync(silo, started + Ticks(o.WarmupSeconds));
        var (windowEnd, cpuEnd) = await SampleAtAsync(silo, stopAt);
        await Task.WhenAll(workers);
        await scraper;
        var (rss, peak) = silo.Memory();

        var (records, requests, latency, timeline) = Tally(completions, windowStart, windowEnd, started, stopAt);
        var seconds = Seconds(windowEnd - windowStart);

        var stored = discard ? null : await StoredPredictionsAsync(silo, Enumerable.Range(0, o.Models));
        return new ThroughputResult(discard ? "discard" : "silo", h2c ? "h2c" : "HTTP/1.1", connections, seconds, requests, records, records / seconds,
            latency.Summarize(), counts.ToErrors(), CpuSample.PerSecond(cpuStart, cpuEnd, seconds), rss, peak, counts.AcknowledgedRecords, stored, timeline);
    }

    /// <summary>GETs the silo's /metrics once a second until <paramref name="stopAt"/>, as a (busy) Prometheus would.</summary>
    private static async Task ScrapeEverySecondAsync(Uri api, long stopAt)
    {
        using var http = new HttpClient { BaseAddress = api };
        while (Stopwatch.GetTimestamp() < stopAt)
        {
            using var response = await http.GetAsync("/metrics");
            response.EnsureSuccessStatusCode();
            await response.Content.CopyToAsync(Stream.Null);
            await Task.Delay(1000);
        }
    }

    /// <summary>
    /// Open loop at a fixed offered rate: request i is due at start + i * (records / rate); it is sent then whatever
    /// happened to earlier requests (no coordinated omission), and its latency counts from that due time to the end of
    /// the response (so client-side queueing and dispatch lag count too). A warm-up at the same rate is not recorded.
    /// </summary>
    /// <param name="o">Options.</param>
    /// <param name="rate">Offered records/s.</param>
    /// <param name="basis">How <paramref name="rate"/> was chosen (reported).</param>
    public static async Task<LatencyResult> FixedRateAsync(LoadOptions o, double rate, string basis)
    {
        var random = new Random(7);
        var pool = new ConcurrentBag<OtlpRequestTemplate>();
        var variants = Enumerable.Range(0, o.Variants).Select(_ => OtlpRequestTemplate.Create(o.Records, o.Features, o.Categorical, random)).ToArray();
        for (var i = 0; i < 8 * o.Variants; i++)
        {
            pool.Add(variants[i % variants.Length].Clone());
        }

        await QuietAsync(o);
        await using var silo = await SiloUnderTest.StartAsync(o.SiloDll, o.KeepData, o.SiloArguments, o.SiloLog, o.SiloEnvironment);
        using var sender = new OtlpSender(silo.OtlpHttp, o.RateConnections, h2c: false);
        var models = new ModelAssignment(o.Models, o.Records);
        return await OpenLoopAsync(silo, sender, basis, rate, o.RateConnections, o.Records, o.RateWarmupSeconds, o.RateSeconds,
            i =>
            {
                var template = pool.TryTake(out var pooled) ? pooled : variants[i % variants.Length].Clone();
                template.Patch(NowUnixNano(), i * o.Records, models);
                return template;
            },
            pool.Add,
            o.LatencyTrace);
    }

    /// <summary>
    /// The open-loop engine of <see cref="FixedRateAsync"/>: request i (of <paramref name="recordsPerRequest"/>
    /// records, made by <paramref name="prepare"/> just before it is sent and handed to <paramref name="release"/> once
    /// answered) is due at start + i * (records / rate); the first <paramref name="warmupSeconds"/> worth of requests
    /// are sent but not recorded. <paramref name="completed"/>, if given, hears every request's outcome (warm-up too).
    /// </summary>
    private static async Task<LatencyResult> OpenLoopAsync(SiloUnderTest silo, OtlpSender sender, string basis, double rate, int connections, int recordsPerRequest,
        double warmupSeconds, double recordedSeconds, Func<long, OtlpRequestTemplate> prepare, Action<OtlpRequestTemplate> release, string? tracePath,
        Action<long, SendOutcome>? completed = null)
    {
        var fromIntended = new LatencyRecorder();
        var fromActual = new LatencyRecorder();
        var slow = new ConcurrentBag<SlowRequest>();
        var trace = tracePath is null ? null : new ConcurrentBag<(long I, double Due, double Lag, double Latency)>();
        var counts = new OutcomeCounts();
        var interval = Stopwatch.Frequency * recordsPerRequest / rate;
        var warmupRequests = (long)Math.Round(warmupSeconds * rate / recordsPerRequest);
        var total = warmupRequests + (long)Math.Round(recordedSeconds * rate / recordsPerRequest);
        var inFlight = new List<Task>((int)total);
        long measuredRecords = 0;
        long lastCompletion = 0;
        long measureStart = 0;
        long start = 0;
        var maxLag = 0L;

        async Task SendOne(long i, long due, OtlpRequestTemplate template)
        {
            var sent = Stopwatch.GetTimestamp();
            var outcome = await sender.SendAsync(template, 0);
            var done = Stopwatch.GetTimestamp();
            release(template);
            completed?.Invoke(i, outcome);
            trace?.Add((i, Seconds(due - start), Seconds(sent - due) * 1000, Seconds(done - due) * 1000));
            if (i < warmupRequests)
            {
                return;
            }

            counts.Add(outcome);
            fromIntended.Record(done - due);
            if (Seconds(done - due) > 0.05)
            {
                slow.Add(new SlowRequest(Seconds(due - measureStart), Seconds(done - due) * 1000));
            }

            fromActual.Record(done - sent);
            if (outcome.Status == SendStatus.Acknowledged)
            {
                Interlocked.Add(ref measuredRecords, outcome.Accepted);
            }

            InterlockedMax(ref lastCompletion, done);
        }

        start = Stopwatch.GetTimestamp() + Ticks(0.1);
        measureStart = start + (long)(warmupRequests * interval);
        var cpuStart = default(CpuSample);
        for (long i = 0; i < total; i++)
        {
            if (i == warmupRequests)
            {
                cpuStart = CpuSample.Take(silo);
            }

            var due = start + (long)(i * interval);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(Seconds(wait)));
            }

            var template = prepare(i);
            var lag = Stopwatch.GetTimestamp() - due;
            if (i >= warmupRequests)
            {
                maxLag = Math.Max(maxLag, lag);
            }

            var index = i;
            inFlight.Add(Task.Run(() => SendOne(index, due, template)));
        }

        await Task.WhenAll(inFlight);
        if (trace is not null)
        {
            await File.WriteAllLinesAsync(tracePath!, ["request,due_s,dispatch_lag_ms,latency_ms",
                .. trace.OrderBy(t => t.I).Select(t => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{t.I},{t.Due:F4},{t.Lag:F2},{t.Latency:F2}"))]);
        }

        var end = Math.Max(Interlocked.Read(ref lastCompletion), measureStart + 1);
        var seconds = Seconds(end - measureStart);
        var cpu = CpuSample.PerSecond(cpuStart, CpuSample.Take(silo), seconds);
        return new LatencyResult(basis, rate, measuredRecords / seconds, seconds, connections, fromIntended.Summarize(),
            fromActual.Summarize(), Seconds(maxLag) * 1000, counts.ToErrors(), cpu, silo.Memory().Rss,
            [.. slow.OrderByDescending(r => r.LatencyMs).Take(50).OrderBy(r => r.AtSeconds)]);
    }

    /// <summary>
    /// Phase 1 (burst): sends about <c>MemoryRecordsPerModel</c> records to each of <c>MemoryModels</c> models as fast
    /// as <c>MemoryConnections</c> connections go (runs of <c>MemoryRun</c> records per model, so a request touches
    /// Records / MemoryRun models). Phase 2 (steady): keeps every model active with paced traffic at
    /// <c>MemoryRate</c> records/s for <c>MemorySeconds</c>, reading the silo's RSS every second. Phase 3: no traffic
    /// for <c>MemorySettleSeconds</c>, then the RSS again.
    /// </summary>
    public static async Task<MemoryResult> MemoryAsync(LoadOptions o)
    {
        var random = new Random(11);
        var templates = Enumerable.Range(0, o.MemoryConnections)
            .Select(_ => OtlpRequestTemplate.Create(o.Records, o.Features, o.Categorical, random)).ToArray();
        var pool = new ConcurrentBag<OtlpRequestTemplate>(templates.Select(t => t.Clone()));
        var requests = (long)Math.Ceiling((double)o.MemoryModels * o.MemoryRecordsPerModel / o.Records);

        await QuietAsync(o);
        await using var silo = await SiloUnderTest.StartAsync(o.SiloDll, o.KeepData, o.SiloArguments, o.SiloLog, o.SiloEnvironment);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var ready = silo.Memory().Rss;
        using var sender = new OtlpSender(silo.OtlpHttp, o.MemoryConnections, h2c: false);
        var models = new ModelAssignment(o.MemoryModels, o.MemoryRun);
        var counts = new OutcomeCounts();
        long next = -1;
        var started = Stopwatch.GetTimestamp();

        async Task Worker(int w)
        {
            long request;
            while ((request = Interlocked.Increment(ref next)) < requests)
            {
                templates[w].Patch(NowUnixNano(), request * o.Records, models);
                counts.Add(await sender.SendAsync(templates[w], w));
            }
        }

        await Task.WhenAll(Enumerable.Range(0, o.MemoryConnections).Select(w => Task.Run(() => Worker(w))));
        var loadSeconds = Seconds(Stopwatch.GetTimestamp() - started);
        var afterLoad = silo.Memory().Rss;

        // Steady traffic to every model, paced; RSS sampled once a second.
        var samples = new List<long>();
        var interval = Stopwatch.Frequency * o.Records / o.MemoryRate;
        var steadyRequests = (long)Math.Round(o.MemorySeconds * o.MemoryRate / o.Records);
        var inFlight = new List<Task>();
        var steadyStart = Stopwatch.GetTimestamp();
        var nextSample = steadyStart + Stopwatch.Frequency;
        for (long i = 0; i < steadyRequests; i++)
        {
            var due = steadyStart + (long)(i * interval);
            while (Stopwatch.GetTimestamp() < due)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(0.001, Seconds(due - Stopwatch.GetTimestamp()))));
            }

            if (Stopwatch.GetTimestamp() >= nextSample)
            {
                samples.Add(silo.Memory().Rss ?? 0);
                nextSample += Stopwatch.Frequency;
            }

            var template = pool.TryTake(out var pooled) ? pooled : templates[0].Clone();
            template.Patch(NowUnixNano(), (requests + i) * o.Records, models);
            inFlight.Add(Task.Run(async () =>
            {
                counts.Add(await sender.SendAsync(template, 0));
                pool.Add(template);
            }));
        }

        await Task.WhenAll(inFlight);
        var afterSteady = silo.Memory().Rss;
        await Task.Delay(TimeSpan.FromSeconds(o.MemorySettleSeconds));
        var (settled, peak) = silo.Memory();

        using var api = new HttpClient { BaseAddress = silo.Api };
        using var list = JsonDocument.Parse(await api.GetStringAsync("api/models"));
        var listed = list.RootElement.GetArrayLength();
        var stored = await StoredPredictionsAsync(silo, Enumerable.Range(0, o.MemoryModels));
        var timeline = samples.Select(b => b / 1048576).ToArray();
        samples.Sort();
        long? median = samples.Count > 0 ? samples[samples.Count / 2] : null;
        return new MemoryResult(o.MemoryModels, o.Features, (requests + steadyRequests) * o.Records, loadSeconds, ready, afterLoad,
            median, samples.Count > 0 ? samples[^1] : null, afterSteady, settled, peak,
            median is { } m && ready is { } idle ? (m - idle) / o.MemoryModels : null, listed, stored, counts.ToErrors(), timeline);
    }

    /// <summary>The storage baseline (<see cref="SqliteDirect"/>): 3 s warm-up, then the throughput runs' duration.</summary>
    public static async Task<SqliteDirectResult> SqliteDirectAsync(LoadOptions o)
    {
        await QuietAsync(o);
        return await Task.Run(() => SqliteDirect.Run(o, warmupSeconds: 3, o.DurationSeconds));
    }

    private static async Task QuietAsync(LoadOptions o)
    {
        if (o.QuietSeconds > 0 && !await CpuSample.WaitForQuietAsync(o.QuietThreshold, TimeSpan.FromSeconds(o.QuietSeconds)))
        {
            Console.Write($"[machine not quiet after {o.QuietSeconds} s; running anyway] ");
        }
    }

    /// <summary>Sum of the models' prediction totals (the grains' view of what was appended), or null if unreadable.</summary>
    private static async Task<long?> StoredPredictionsAsync(SiloUnderTest silo, IEnumerable<int> models)
    {
        try
        {
            using var api = new HttpClient { BaseAddress = silo.Api, Timeout = TimeSpan.FromMinutes(2) };
            long sum = 0;
            foreach (var model in models)
            {
                using var response = await api.GetAsync($"api/models/default/{OtlpRequestTemplate.ModelId(model)}");
                if (!response.IsSuccessStatusCode)
                {
                    continue; // a model that got no records
                }

                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                sum += doc.RootElement.GetProperty("totals").GetProperty("predictions").GetInt64();
            }

            return sum;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException)
        {
            Console.Error.WriteLine($"could not read model totals: {e.Message}");
            return null;
        }
    }

    private static async Task<(long At, CpuSample Cpu)> SampleAtAsync(SiloUnderTest silo, long at)
    {
        var wait = at - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(Seconds(wait)));
        }

        return (Stopwatch.GetTimestamp(), CpuSample.Take(silo));
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private static ulong NowUnixNano() => (ulong)UnixNanos.FromDateTimeOffset(DateTimeOffset.UtcNow);

    private static long Ticks(double seconds) => (long)(seconds * Stopwatch.Frequency);

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    /// <summary>
    /// A closed-loop run's completions: the records, requests and latencies of those completed in [windowStart,
    /// windowEnd) (the measured window, after the warm-up), and records per second over the whole run.
    /// </summary>
    private static (long Records, long Requests, LatencyRecorder Latency, long[] Timeline) Tally(
        List<(long At, int Records, long Latency)>[] completions, long windowStart, long windowEnd, long started, long stopAt)
    {
        var latency = new LatencyRecorder();
        long records = 0, requests = 0;
        foreach (var (at, n, lat) in completions.SelectMany(c => c))
        {
            if (at >= windowStart && at < windowEnd)
            {
                records += n;
                requests++;
                latency.Record(lat);
            }
        }

        var timeline = new long[(int)Math.Ceiling(Seconds(stopAt - started))];
        foreach (var (at, n, _) in completions.SelectMany(c => c))
        {
            timeline[Math.Clamp((int)Seconds(at - started), 0, timeline.Length - 1)] += n;
        }

        return (records, requests, latency, timeline);
    }
}
