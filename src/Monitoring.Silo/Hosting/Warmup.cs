using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Storage;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation;
using Monitoring.Aggregation.Models;
using Monitoring.Ingest;
using Orleans.Storage;

namespace Monitoring.Silo.Hosting;

/// <summary>
/// Compiles the ingest and fold path before the silo takes traffic. A fresh process otherwise JIT-compiles it on the
/// first requests: the first one waited 0.5-5 s while requests to other models queued behind it (docs/load.md,
/// "Start-of-run stall"). Runs synthetic OTLP/HTTP exports (JSON and protobuf) through the receiver's own handler, then
/// hands their records to the model's own <see cref="ModelAggregator"/> over a throw-away state and an in-memory store
/// (drift windows, scores and slices, label join, window close, rolling reference, reports, event-log codec, state
/// serializer). Nothing reaches a grain or storage: no model is created, nothing is written.
/// </summary>
/// <remarks>
/// Registered as a hosted service after the Orleans silo and before <c>app.Build()</c>: hosted services start one after
/// another, before the web server (WebApplication adds its server's hosted service last), so the OTLP ports open and
/// "Monitoring silo ready" is logged only after this has run. A failure here is logged and does not stop the silo.
/// </remarks>
public sealed partial class Warmup(IServiceProvider services, MonitoringHostOptions host, ILogger<Warmup> logger) : IHostedLifecycleService
{
    /// <summary>Predictions (and as many labels) per synthetic request.</summary>
    internal const int Records = 64;

    /// <summary>How many times the whole path runs (later passes let hot methods reach their optimized tier sooner).</summary>
    internal const int Passes = 1;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var events = 0;
            for (var pass = 0; pass < Passes; pass++)
            {
                events = await RunAsync(services, cancellationToken);
            }

            // What cannot run without a model grain or storage is compiled without running: the grain, the storage
            // provider, the event log and its SQLite driver, the Orleans-generated proxies and codecs.
            var methods = Compile(typeof(Monitoring.Grains.ModelGrain).Assembly, typeof(Monitoring.Storage.IEventLog).Assembly,
                typeof(ModelEvent).Assembly, typeof(Microsoft.Data.Sqlite.SqliteConnection).Assembly);

            // Orleans's own call path (messaging, activation, invocation) on a system grain: no model grain, no storage.
            _ = await services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            Completed(logger, events, methods, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Failed(logger, e);
        }
    }

    /// <summary>
    /// Once the listeners are open and before the host reports started ("Monitoring silo ready"): one empty OTLP/HTTP
    /// export over loopback, so Kestrel's connection and request path, the middleware and the route table (built on the
    /// first request) are ready too. An empty export has no records, so it reaches no grain.
    /// </summary>
    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (host.OtlpHttpPort == 0 || !IPAddress.TryParse(host.BindAddress, out var bind))
        {
            return;
        }

        var address = bind.Equals(IPAddress.Any) ? IPAddress.Loopback : bind.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : bind;
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            using var body = new ByteArrayContent([]);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var response = await client.PostAsync(new UriBuilder(Uri.UriSchemeHttp, address.ToString(), host.OtlpHttpPort, "/v1/logs").Uri, body, cancellationToken);
            // 401 in api-keys mode (the warm-up holds no key): the request still went through Kestrel, routing and the gate.
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.Unauthorized)
            {
                throw new HttpRequestException($"empty export answered {(int)response.StatusCode}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Also HttpClient.Timeout (a TaskCanceledException): a slow warm-up on a loaded machine must not stop the host.
            Failed(logger, e);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>One pass: the receiver on synthetic requests, then the fold on their records. Returns the records folded.</summary>
    internal static async Task<int> RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        using var synthetic = Monitoring.Abstractions.Telemetry.SelfTelemetry.Suppress(); // nothing here happened to a model
        var sink = new CapturingSink();
        var statuses = await OtlpReceiverWarmup.RunAsync(services, sink, Records, cancellationToken);
        if (statuses.Any(s => s != StatusCodes.Status200OK))
        {
            throw new InvalidOperationException($"the synthetic requests were answered {string.Join(", ", statuses)}");
        }

        var events = sink.Batches.SelectMany(b => b.Events).ToList();
        await FoldAsync(events, services.GetService<IGrainStorageSerializer>());
        return events.Count;
    }

    /// <summary>
    /// What <c>ModelGrain</c> does with appended records, by the same <see cref="ModelAggregator"/>, on a state and a
    /// store nobody keeps: the records through the event log's row format, folded (windows, scores, slices, label join),
    /// the window closed (drift report, sketch, day roll-up, rolling reference), performance read and flushed, then the
    /// same records again against the reference built from the first window; the state through the grain-storage
    /// serializer.
    /// </summary>
    private static async Task FoldAsync(List<ModelEvent> events, IGrainStorageSerializer? stateSerializer)
    {
        var clock = new ScratchClock(DateTimeOffset.UtcNow);
        var store = new ScratchStore();
        var state = new ModelState { Settings = new ModelSettings { Window = TimeSpan.FromMinutes(1) } };
        var model = new ModelAggregator(new ModelKey("warmup", "warmup"), state, store, clock);
        await model.ActivateAsync();
        var sequence = 0L;
        for (var round = 0; round < 2; round++)
        {
            var now = UnixNanos.Now(clock);
            var logged = events.Select(e => new LoggedEvent(++sequence, ModelEventCodec.Decode(ModelEventCodec.Encode(
                e with { PredictionId = $"{round}-{e.PredictionId}", EventTimeUnixNano = now, ReceivedUnixNano = now })))).ToList();
            store.Log(logged);
            await model.FoldAllAsync(logged);
            _ = await model.PerformanceAsync(long.MinValue, long.MaxValue);
            clock.Now = clock.Now.AddMinutes(2);
            _ = await model.CloseDueAsync(0);
            await model.FlushPerformanceAsync();
            _ = model.Describe();
        }

        // The checkpoint's state write, serialized and read back (not stored).
        if (stateSerializer is not null)
        {
            _ = stateSerializer.Deserialize<ModelState>(stateSerializer.Serialize(state));
        }
    }

    /// <summary>A clock the warm-up moves by hand (windows close without waiting).</summary>
    private sealed class ScratchClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>A model store in memory, dropped with the warm-up: the aggregator's reads and writes, nothing persisted.</summary>
    private sealed class ScratchStore : IModelStore
    {
        private readonly Dictionary<(EventKind, string), LoggedEvent> _events = [];
        private readonly SortedDictionary<(string Kind, long Start), string> _documents = [];

        public void Log(IEnumerable<LoggedEvent> logged)
        {
            foreach (var l in logged)
            {
                _events[(l.Event.Kind, l.Event.PredictionId ?? string.Empty)] = l;
            }
        }

        public Task<LoggedEvent?> FindAsync(EventKind kind, string predictionId) => Task.FromResult(_events.GetValueOrDefault((kind, predictionId)));

        public Task<IReadOnlyDictionary<string, LoggedEvent>> FindManyAsync(EventKind kind, IReadOnlyCollection<string> predictionIds) =>
            Task.FromResult<IReadOnlyDictionary<string, LoggedEvent>>(predictionIds
                .Where(id => _events.ContainsKey((kind, id))).Distinct().ToDictionary(id => id, id => _events[(kind, id)]));

        public Task SaveAsync(string kind, long windowStartUnixNano, long windowEndUnixNano, string json)
        {
            _documents[(kind, windowStartUnixNano)] = json;
            return Task.CompletedTask;
        }

        public Task<string?> GetAsync(string kind, long windowStartUnixNano) => Task.FromResult(_documents.GetValueOrDefault((kind, windowStartUnixNano)));

        public Task<IReadOnlyList<string>> ListAsync(string kind, long fromUnixNano, long toUnixNano) =>
            Task.FromResult<IReadOnlyList<string>>(_documents.Where(d => d.Key.Kind == kind && d.Key.Start >= fromUnixNano && d.Key.Start < toUnixNano).Select(d => d.Value).ToList());

        public Task DeleteEndedBeforeAsync(long cutoffUnixNano) => Task.CompletedTask;
    }

    /// <summary>
    /// JIT-compiles (first tier, as a first call would) every non-generic method with a body in the given assemblies,
    /// compiler-generated ones (async state machines, lambdas) included. Returns how many were compiled.
    /// </summary>
    internal static int Compile(params Assembly[] assemblies)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var compiled = 0;
        foreach (var type in assemblies.SelectMany(LoadableTypes).Where(t => !t.ContainsGenericParameters && !t.IsInterface))
        {
            foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
            {
                if (method.IsAbstract || method.ContainsGenericParameters || method.GetMethodBody() is null)
                {
                    continue;
                }

                try
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                    compiled++;
                }
                catch (Exception e) when (e is ArgumentException or TypeLoadException or BadImageFormatException or MissingMethodException or FileNotFoundException or InvalidProgramException)
                {
                    // Not compilable on its own (e.g. needs a missing optional dependency): its first call will tell.
                }
            }
        }

        return compiled;
    }

    private static Type[] LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return [.. e.Types.OfType<Type>()];
        }
    }

    /// <summary>Keeps the receiver's batches in memory; acknowledges them as if stored.</summary>
    private sealed class CapturingSink : IEventSink
    {
        public List<EventBatch> Batches { get; } = [];

        public Task<AppendResult> AppendAsync(EventBatch batch, CancellationToken cancellationToken)
        {
            lock (Batches)
            {
                Batches.Add(batch);
            }

            return Task.FromResult(new AppendResult(batch.Events.Length, 0, batch.Events.Length));
        }
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Debug, Message = "Warm-up: ingest and fold path run on {Records} synthetic records, {Methods} grain and storage methods compiled, in {Milliseconds:F0} ms (nothing stored)")]
    private static partial void Completed(ILogger logger, int records, int methods, double milliseconds);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Warning, Message = "Warm-up failed; the first requests will compile the ingest path themselves")]
    private static partial void Failed(ILogger logger, Exception exception);
}
