using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Monitoring.Abstractions.Time;

namespace Monitoring.LoadTest;

/// <summary>The label-join run: predictions logged first, then their labels, joined in the silo.</summary>
/// <param name="Models">Models the predictions and labels are spread over.</param>
/// <param name="Predictions">Predictions logged in phase 1 (every one acknowledged).</param>
/// <param name="PredictionSeconds">How long phase 1 took.</param>
/// <param name="PredictionRetries">Prediction requests that had to be sent again (not acknowledged the first time).</param>
/// <param name="PredictionWrittenBytesPerRecord">Bytes the silo wrote to storage per prediction in phase 1 (/proc/PID/io).</param>
/// <param name="OlderWindowFraction">Share of the labels whose prediction is in an earlier window than the newest one.</param>
/// <param name="Rate">Phase 2a: labels at a fixed offered rate (records are labels).</param>
/// <param name="RateWrittenBytesPerLabel">Bytes the silo wrote to storage per label during phase 2a.</param>
/// <param name="RateLabelsPerSecondTimeline">Labels acknowledged in each second of phase 2a (warm-up included).</param>
/// <param name="Bursts">Phase 2b: closed-loop label throughput per connection count.</param>
/// <param name="Check">Phase 3: what the silo's API says was joined, against what was acknowledged.</param>
internal sealed record LabelJoinResult(
    int Models,
    long Predictions,
    double PredictionSeconds,
    long PredictionRetries,
    double? PredictionWrittenBytesPerRecord,
    double OlderWindowFraction,
    LatencyResult Rate,
    double? RateWrittenBytesPerLabel,
    long[] RateLabelsPerSecondTimeline,
    LabelBurstResult[] Bursts,
    LabelJoinCheck Check);

/// <summary>A closed-loop run of a fixed number of labels over <paramref name="Connections"/> connections.</summary>
/// <param name="WrittenBytesPerLabel">Bytes the silo wrote to storage per label (/proc/PID/io).</param>
internal sealed record LabelBurstResult(
    int Connections,
    long Labels,
    double Seconds,
    double LabelsPerSecond,
    LatencySummary Latency,
    ErrorCounts Errors,
    CpuUse Cpu,
    double? WrittenBytesPerLabel);

/// <summary>
/// The join read back from the API: per model the description's <c>labels</c> counters and the sum of
/// <c>labeled</c> over its windows' performance, against the labels acknowledged for it; per window the
/// <c>labeled</c> count against the acknowledged labels whose prediction falls in that window.
/// </summary>
/// <param name="LabelsAcknowledged">Labels in fully acknowledged requests.</param>
/// <param name="Joined">Sum of <c>labels.joined</c> over the models.</param>
/// <param name="Labeled">Sum of <c>labeled</c> over every model's windows.</param>
/// <param name="Pending">Sum of <c>labels.pending</c> (labels waiting for a prediction).</param>
/// <param name="Unmatched">Sum of <c>labels.unmatched</c>.</param>
/// <param name="PastHorizon">Sum of <c>labels.past_horizon</c>.</param>
/// <param name="Windows">Windows with labels (expected or reported).</param>
/// <param name="WindowMismatches">Windows whose <c>labeled</c> differs from the labels sent for them.</param>
/// <param name="ModelMismatches">Models whose joined count or labeled sum differs from the labels sent for them.</param>
/// <param name="ExactMatch">Every model and every window matches, nothing pending or unmatched, and no label request failed.</param>
internal sealed record LabelJoinCheck(
    long LabelsAcknowledged,
    long Joined,
    long Labeled,
    long Pending,
    long Unmatched,
    long PastHorizon,
    int Windows,
    int WindowMismatches,
    int ModelMismatches,
    bool ExactMatch,
    string? Problem);

/// <summary>
/// Which predictions exist and in which order their labels are sent. Prediction request k is for model k mod M and
/// carries the record numbers k*R .. k*R+R-1 (R records per request); each model has the same whole number of
/// requests. A record's score, label and age are functions of its number, so nothing but the event times (set when
/// the prediction is sent) is stored. Labels go per model in a shuffled order of that model's predictions; label
/// request j is for model j mod M and takes the next R of them.
/// </summary>
internal sealed class LabelPlan
{
    private const ulong ScoreSeed = 0x9E3779B97F4A7C15;
    private const ulong LabelSeed = 0xD1B54A32D192ED03;
    private const ulong AgeSeed = 0x8CB92BA72F3D8DD7;
    private static readonly long HourNanos = UnixNanos.PerHour;

    private readonly long[][] _labelOrder;
    private readonly double _olderFraction;

    private LabelPlan(int models, int records, long requestsPerModel, double olderFraction, int seed)
    {
        Models = models;
        Records = records;
        RequestsPerModel = requestsPerModel;
        _olderFraction = olderFraction;
        EventTimes = new long[PredictionRequests * records];
        _labelOrder = new long[models][];
        for (var m = 0; m < models; m++)
        {
            var order = new long[requestsPerModel * records];
            for (long s = 0, i = 0; s < requestsPerModel; s++)
            {
                var first = ((s * models) + m) * records;
                for (var r = 0; r < records; r++)
                {
                    order[i++] = first + r;
                }
            }

            new Random(seed + m).Shuffle(order);
            _labelOrder[m] = order;
        }
    }

    /// <summary>Models.</summary>
    public int Models { get; }

    /// <summary>Records per request (predictions and labels).</summary>
    public int Records { get; }

    /// <summary>Prediction requests (and at most as many label requests) per model.</summary>
    public long RequestsPerModel { get; }

    /// <summary>All prediction requests.</summary>
    public long PredictionRequests => RequestsPerModel * Models;

    /// <summary>All predictions.</summary>
    public long Predictions => PredictionRequests * Records;

    /// <summary>Event time of each prediction (Unix ns), set as it is sent.</summary>
    public long[] EventTimes { get; }

    /// <summary>At least <paramref name="predictions"/> predictions, rounded up to whole requests per model.</summary>
    public static LabelPlan Create(long predictions, int models, int records, double olderFraction) =>
        new(models, records, (long)Math.Ceiling((double)predictions / ((long)models * records)), olderFraction, 20_26);

    /// <summary>The model of prediction request <paramref name="k"/> (or label request <paramref name="k"/>).</summary>
    public int ModelOf(long k) => (int)(k % Models);

    /// <summary>Fills <paramref name="records"/> for prediction request <paramref name="k"/> with event times relative to <paramref name="nowUnixNano"/>.</summary>
    public void PredictionRequest(long k, long nowUnixNano, Span<RecordPatch> records)
    {
        var model = ModelOf(k);
        for (var i = 0; i < records.Length; i++)
        {
            var n = (k * Records) + i;
            var time = nowUnixNano - AgeNanos(n);
            EventTimes[n] = time;
            records[i] = new RecordPatch(n, model, (ulong)time, Score(n));
        }
    }

    /// <summary>Fills <paramref name="records"/> for label request <paramref name="j"/>, each label timed <paramref name="nowUnixNano"/>.</summary>
    public void LabelRequest(long j, long nowUnixNano, Span<RecordPatch> records)
    {
        var model = ModelOf(j);
        var order = _labelOrder[model].AsSpan((int)(j / Models * Records), Records);
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = new RecordPatch(order[i], model, (ulong)nowUnixNano, Label(order[i]));
        }
    }

    /// <summary>The predictions labelled by label request <paramref name="j"/>.</summary>
    public ReadOnlySpan<long> LabelledBy(long j) => _labelOrder[ModelOf(j)].AsSpan((int)(j / Models * Records), Records);

    /// <summary>The score of prediction <paramref name="n"/>: uniform in [0, 1).</summary>
    public static double Score(long n) => Unit(n, ScoreSeed);

    /// <summary>The label of prediction <paramref name="n"/>: 1 with probability equal to its score (a calibrated model).</summary>
    public static double Label(long n) => Unit(n, LabelSeed) < Score(n) ? 1 : 0;

    /// <summary>
    /// How long before its sending a prediction happened: 0 for most; for <c>olderFraction</c> of them 1 to 3 hours
    /// (with the default 1-hour windows, one of the two or three windows before the newest).
    /// </summary>
    private long AgeNanos(long n)
    {
        var u = Unit(n, AgeSeed);
        return u < _olderFraction ? HourNanos + (long)(2 * HourNanos * (u / _olderFraction)) : 0;
    }

    /// <summary>A uniform number in [0, 1) from the record number (SplitMix64 finalizer).</summary>
    private static double Unit(long n, ulong seed)
    {
        var z = (ulong)n + seed;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}

/// <summary>The label-join scenario.</summary>
internal static partial class Scenarios
{
    private static readonly (string Name, string[] Values)[] LabelSegments =
    [
        ("country", ["US", "DE", "BR", "IN", "JP"]),
        ("device", ["ios", "android", "web"]),
        ("plan", ["free", "pro", "enterprise"]),
    ];

    /// <summary>
    /// Phase 1: logs the plan's predictions (each request one model, round-robin; a share of them one to three hours
    /// old) over <c>LabelLogConnections</c> connections as fast as they are acknowledged, resending any request that
    /// is not. Phase 2a: their labels, shuffled per model, open loop at <c>LabelRate</c> labels/s (warm-up
    /// <c>LabelWarmupSeconds</c>, recorded <c>LabelSeconds</c>). Phase 2b: <c>LabelBurst</c> more labels closed loop per
    /// connection count in <c>LabelConnections</c>. Phase 3: reads every model's label counters and per-window
    /// performance from the API and compares them with the acknowledged labels.
    /// </summary>
    public static async Task<LabelJoinResult> LabelsAsync(LoadOptions o)
    {
        var (rateRequests, burstRequests, labelRequests) = (o.LabelRateRequests, o.LabelBurstRequests, o.LabelRequests);
        var plan = LabelPlan.Create(o.LabelPredictions, o.Models, o.Records, o.LabelOlderFraction);
        if (labelRequests > plan.PredictionRequests)
        {
            throw new ArgumentException($"--label-predictions {o.LabelPredictions} is too few for {labelRequests * o.Records} labels");
        }

        var random = new Random(5);
        var predictionTemplates = Enumerable.Range(0, o.LabelLogConnections)
            .Select(_ => OtlpRequestTemplate.Create(o.Records, o.Features, o.Categorical, random, LabelSegments)).ToArray();
        var labelTemplate = OtlpRequestTemplate.CreateLabels(o.Records);

        await QuietAsync(o);
        await using var silo = await SiloUnderTest.StartAsync(o.SiloDll, o.KeepData, o.SiloArguments, o.SiloLog, o.SiloEnvironment);
        Console.Write($"[silo pid {silo.ProcessId}] ");

        // Phase 1: predictions, every request acknowledged.
        var written = silo.WrittenBytes();
        var (predictionSeconds, retries) = await LogPredictionsAsync(o, silo, plan, predictionTemplates);
        var predictionWritten = PerRecord(written, silo.WrittenBytes(), plan.Predictions);
        Console.Write($"{plan.Predictions:N0} predictions in {predictionSeconds:F1} s ({retries} resent); ");

        var acknowledged = new bool[labelRequests];

        // Phase 2a: labels at a fixed rate.
        await QuietAsync(o);
        var pool = new ConcurrentBag<OtlpRequestTemplate>();
        var records = new RecordPatch[o.Records]; // prepare runs on the one dispatching loop, one request at a time
        var timeline = new long[(int)Math.Ceiling(o.LabelWarmupSeconds + o.LabelSeconds) + 600];
        LatencyResult rate;
        written = silo.WrittenBytes();
        var rateStarted = Stopwatch.GetTimestamp();
        using (var sender = new OtlpSender(silo.OtlpHttp, o.RateConnections, h2c: false))
        {
            rate = await OpenLoopAsync(silo, sender, "fixed", o.LabelRate, o.RateConnections, o.Records, o.LabelWarmupSeconds, o.LabelSeconds,
                j =>
                {
                    var template = pool.TryTake(out var pooled) ? pooled : labelTemplate.Clone();
                    plan.LabelRequest(j, (long)NowUnixNano(), records);
                    template.Patch(records);
                    return template;
                },
                pool.Add,
                null,
                (j, outcome) =>
                {
                    acknowledged[j] = outcome.Status == SendStatus.Acknowledged;
                    if (acknowledged[j])
                    {
                        Interlocked.Add(ref timeline[Math.Min((int)Seconds(Stopwatch.GetTimestamp() - rateStarted), timeline.Length - 1)], outcome.Accepted);
                    }
                });
        }

        var rateWritten = PerRecord(written, silo.WrittenBytes(), rateRequests * o.Records);

        Console.Write($"rate {rate.AchievedRecordsPerSecond:N0} labels/s; ");

        // Phase 2b: closed-loop label throughput per connection count.
        var bursts = new List<LabelBurstResult>();
        var next = rateRequests;
        foreach (var connections in o.LabelConnections)
        {
            await QuietAsync(o);
            bursts.Add(await LabelBurstAsync(silo, plan, labelTemplate, connections, next, burstRequests, acknowledged));
            next += burstRequests;
        }

        // Phase 3: the join as the API reports it.
        var check = await CheckJoinAsync(silo, plan, acknowledged);
        var older = OlderWindowFraction(plan, acknowledged);
        return new LabelJoinResult(plan.Models, plan.Predictions, predictionSeconds, retries, predictionWritten, older, rate, rateWritten,
            [.. timeline.Reverse().SkipWhile(n => n == 0).Reverse()], [.. bursts], check);
    }

    private static double? PerRecord(long? before, long? after, long records) =>
        before is { } b && after is { } a && records > 0 ? (double)(a - b) / records : null;

    private static async Task<(double Seconds, long Retries)> LogPredictionsAsync(LoadOptions o, SiloUnderTest silo, LabelPlan plan, OtlpRequestTemplate[] templates)
    {
        using var sender = new OtlpSender(silo.OtlpHttp, templates.Length, h2c: false);
        long next = -1;
        long retries = 0;
        var started = Stopwatch.GetTimestamp();

        async Task Worker(int w)
        {
            var records = new RecordPatch[plan.Records];
            long k;
            while ((k = Interlocked.Increment(ref next)) < plan.PredictionRequests)
            {
                plan.PredictionRequest(k, (long)NowUnixNano(), records);
                templates[w].Patch(records);
                for (var attempt = 0; ; attempt++)
                {
                    var outcome = await sender.SendAsync(templates[w], w);
                    if (outcome.Status == SendStatus.Acknowledged)
                    {
                        break;
                    }

                    if (attempt == 20)
                    {
                        throw new InvalidOperationException($"prediction request {k} not acknowledged after {attempt + 1} attempts: {outcome.Detail}");
                    }

                    Interlocked.Increment(ref retries);
                    await Task.Delay(200); // back off before resending the same request (its ids make a resend idempotent)
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, templates.Length).Select(w => Task.Run(() => Worker(w))));
        return (Seconds(Stopwatch.GetTimestamp() - started), retries);
    }

    private static async Task<LabelBurstResult> LabelBurstAsync(SiloUnderTest silo, LabelPlan plan, OtlpRequestTemplate labelTemplate, int connections,
        long first, long requests, bool[] acknowledged)
    {
        using var sender = new OtlpSender(silo.OtlpHttp, connections, h2c: false);
        var latency = new LatencyRecorder();
        var counts = new OutcomeCounts();
        var next = first - 1;
        var end = first + requests;
        var cpuStart = CpuSample.Take(silo);
        var written = silo.WrittenBytes();
        var started = Stopwatch.GetTimestamp();

        async Task Worker(int w)
        {
            var template = labelTemplate.Clone();
            var records = new RecordPatch[plan.Records];
            long j;
            while ((j = Interlocked.Increment(ref next)) < end)
            {
                plan.LabelRequest(j, (long)NowUnixNano(), records);
                template.Patch(records);
                var t0 = Stopwatch.GetTimestamp();
                var outcome = await sender.SendAsync(template, w);
                latency.Record(Stopwatch.GetTimestamp() - t0);
                counts.Add(outcome);
                acknowledged[j] = outcome.Status == SendStatus.Acknowledged;
            }
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(w => Task.Run(() => Worker(w))));
        var seconds = Seconds(Stopwatch.GetTimestamp() - started);
        var cpu = CpuSample.PerSecond(cpuStart, CpuSample.Take(silo), seconds);
        return new LabelBurstResult(connections, counts.AcknowledgedRecords, seconds, counts.AcknowledgedRecords / seconds, latency.Summarize(), counts.ToErrors(), cpu,
            PerRecord(written, silo.WrittenBytes(), requests * plan.Records));
    }

    /// <summary>Share of the acknowledged labels whose prediction lies in an earlier window than its model's newest (1-hour windows).</summary>
    private static double OlderWindowFraction(LabelPlan plan, bool[] acknowledged)
    {
        var hour = UnixNanos.PerHour;
        var newest = new long[plan.Models];
        for (long n = 0; n < plan.Predictions; n++)
        {
            var m = plan.ModelOf(n / plan.Records);
            newest[m] = Math.Max(newest[m], plan.EventTimes[n] / hour);
        }

        long older = 0, all = 0;
        for (long j = 0; j < acknowledged.Length; j++)
        {
            if (!acknowledged[j])
            {
                continue;
            }

            foreach (var n in plan.LabelledBy(j))
            {
                all++;
                older += plan.EventTimes[n] / hour < newest[plan.ModelOf(j)] ? 1 : 0;
            }
        }

        return all == 0 ? 0 : (double)older / all;
    }

    private static async Task<LabelJoinCheck> CheckJoinAsync(SiloUnderTest silo, LabelPlan plan, bool[] acknowledged)
    {
        // What was sent: labels per model; per window once the model's window length is known.
        var sentPerModel = new long[plan.Models];
        var failedRequests = 0L;
        for (long j = 0; j < acknowledged.Length; j++)
        {
            if (acknowledged[j])
            {
                sentPerModel[plan.ModelOf(j)] += plan.Records;
            }
            else
            {
                failedRequests++;
            }
        }

        using var api = new HttpClient { BaseAddress = silo.Api, Timeout = TimeSpan.FromMinutes(5) };
        long joined = 0, labeled = 0, pending = 0, unmatched = 0, pastHorizon = 0;
        int windows = 0, windowMismatches = 0, modelMismatches = 0;
        string? problem = failedRequests > 0 ? $"{failedRequests} label requests not acknowledged" : null;
        for (var m = 0; m < plan.Models; m++)
        {
            var model = OtlpRequestTemplate.ModelId(m);
            using var description = JsonDocument.Parse(await api.GetStringAsync($"api/models/default/{model}"));
            var labels = description.RootElement.GetProperty("labels");
            var modelJoined = labels.GetProperty("joined").GetInt64();
            joined += modelJoined;
            pending += labels.GetProperty("pending").GetInt64();
            unmatched += labels.GetProperty("unmatched").GetInt64();
            pastHorizon += labels.GetProperty("past_horizon").GetInt64();
            var windowNanos = (long)(description.RootElement.GetProperty("settings").GetProperty("window_seconds").GetDouble() * 1e9);

            var expected = new Dictionary<long, long>();
            for (var j = (long)m; j < acknowledged.Length; j += plan.Models)
            {
                if (!acknowledged[j])
                {
                    continue;
                }

                foreach (var n in plan.LabelledBy(j))
                {
                    var t = plan.EventTimes[n];
                    var start = t - (((t % windowNanos) + windowNanos) % windowNanos);
                    expected[start] = expected.GetValueOrDefault(start) + 1;
                }
            }

            using var performance = JsonDocument.Parse(await api.GetStringAsync($"api/models/default/{model}/performance"));
            var reported = new Dictionary<long, long>();
            foreach (var point in performance.RootElement.GetProperty("points").EnumerateArray())
            {
                var start = DateTimeOffset.Parse(point.GetProperty("window_start").GetString()!, CultureInfo.InvariantCulture);
                var count = point.GetProperty("labeled").GetInt64();
                if (count > 0)
                {
                    reported[UnixNanos.FromDateTimeOffset(start)] = count;
                }
            }

            var modelLabeled = reported.Values.Sum();
            labeled += modelLabeled;
            foreach (var start in expected.Keys.Union(reported.Keys))
            {
                windows++;
                if (expected.GetValueOrDefault(start) != reported.GetValueOrDefault(start))
                {
                    windowMismatches++;
                }
            }

            if (modelJoined != sentPerModel[m] || modelLabeled != sentPerModel[m])
            {
                modelMismatches++;
                problem ??= $"{model}: sent {sentPerModel[m]}, joined {modelJoined}, labeled {modelLabeled}";
            }
        }

        var exact = failedRequests == 0 && modelMismatches == 0 && windowMismatches == 0 && pending == 0 && unmatched == 0 && pastHorizon == 0;
        return new LabelJoinCheck(sentPerModel.Sum(), joined, labeled, pending, unmatched, pastHorizon, windows, windowMismatches, modelMismatches, exact, problem);
    }
}
