using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation;
using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Reports;
using Monitoring.Aggregation.Windows;
using Monitoring.Ingest;
using Monitoring.Stats.Drift;
using Monitoring.Storage.Codec;
using Orleans.Storage;

namespace Monitoring.Silo.Hosting;

/// <summary>
/// Compiles the ingest and fold path before the silo takes traffic. A fresh process otherwise JIT-compiles it on the
/// first requests: the first one waited 0.5-5 s while requests to other models queued behind it (docs/load.md,
/// "Start-of-run stall"). Runs synthetic OTLP/HTTP exports (JSON and protobuf) through the receiver's own handler, then
/// folds their records into a throw-away model state the way the model grain does (drift windows, prediction counts and
/// scores, label join, reference built from the window, window and performance reports, event-log codec, state
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
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"empty export answered {(int)response.StatusCode}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
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
        var sink = new CapturingSink();
        var statuses = await OtlpReceiverWarmup.RunAsync(services, sink, Records, cancellationToken);
        if (statuses.Any(s => s != StatusCodes.Status200OK))
        {
            throw new InvalidOperationException($"the synthetic requests were answered {string.Join(", ", statuses)}");
        }

        var events = sink.Batches.SelectMany(b => b.Events).ToList();
        Fold(events, services.GetService<IGrainStorageSerializer>());
        return events.Count;
    }

    /// <summary>What <c>ModelGrain</c> does with appended records, on a state nobody keeps.</summary>
    private static void Fold(List<ModelEvent> events, IGrainStorageSerializer? stateSerializer)
    {
        const string Model = "warmup";
        var state = new ModelState();
        var folder = new WindowFolder();
        folder.UseReference(0, null, []);
        var performance = new Dictionary<long, PerformanceAccumulator>();
        var predictions = new Dictionary<string, ModelEvent>(StringComparer.Ordinal);
        var sequence = 0L;
        ReferenceProfile? reference = null;

        // Twice: without a reference (a new model), then against one built from the first pass's window.
        for (var round = 0; round < 2; round++)
        {
            foreach (var e in events)
            {
                // The event log's row format, both ways.
                var logged = new LoggedEvent(++sequence, ModelEventCodec.Decode(ModelEventCodec.Encode(e)));
                folder.Fold(state, logged.Event);
                var window = state.Open.Values.Last();
                if (!performance.TryGetValue(window.Start, out var acc))
                {
                    acc = new PerformanceAccumulator { Start = window.Start, End = window.End, ReferenceVersion = folder.CurrentReferenceVersion };
                    performance[window.Start] = acc;
                }

                if (e.Kind == EventKind.Prediction)
                {
                    predictions[e.PredictionId ?? string.Empty] = e;
                    acc.Predictions++;
                    acc.PairDimensionNames ??= [.. window.Segments.Keys.Order(StringComparer.Ordinal).Take(PerformanceAccumulator.PairDimensions)];
                    if (e.Score is { } score)
                    {
                        acc.AddScore(score);
                        folder.AddSliceScores(e, score, acc);
                    }
                }
                else if (e.PredictionId is { } id && predictions.TryGetValue(id, out var prediction))
                {
                    acc.Labeled++;
                    LabelFold.Fold(prediction, e, acc);
                    state.LabelDelaySeconds.Add(Math.Max(0, e.EventTimeUnixNano - prediction.EventTimeUnixNano) / 1e9, null);
                }
            }

            // Closing the window: its drift report and sketch, the performance report, a rolling reference from it.
            var closing = state.Open.Values.Last();
            var report = WindowReportBuilder.Build(Model, ReportKinds.Window, closing, reference, state.Settings);
            _ = JsonSerializer.Serialize(report, WindowReport.JsonOptions);
            var sketch = JsonSerializer.Deserialize<WindowAccumulator>(JsonSerializer.Serialize(closing, WindowReport.JsonOptions), WindowReport.JsonOptions)!;
            foreach (var acc in performance.Values)
            {
                var frozen = acc.Freeze();
                _ = JsonSerializer.Deserialize<PerformanceAccumulator>(JsonSerializer.Serialize(frozen, WindowReport.JsonOptions), WindowReport.JsonOptions);
                var slices = new SliceScoreReference("warmup", frozen.SliceScores);
                _ = PerformanceReportBuilder.Build(Model, frozen, slices, DriftPolicy.Default with { MinimumSampleSize = state.Settings.MinimumSampleSize }, state.Settings.SliceTopValues).ToJsonString();
                acc.Thaw();
            }

            var day = new WindowAccumulator { Start = sketch.Start, End = sketch.End };
            day.Merge(sketch);
            reference = ReferenceProfile.FromWindows([sketch], round + 1, ReferenceMode.RollingWindows, ReferenceProfile.RollingSource(1), closing.End, closing.Start, closing.End);
            _ = JsonSerializer.Serialize(reference, WindowReport.JsonOptions);
            folder.UseReference(reference.Version, reference.NumericKernels(), state.Open.Values.Select(w => w.ReferenceVersion));
            state.Reference = reference;

            // The checkpoint's state write, serialized and read back (not stored).
            if (stateSerializer is not null)
            {
                _ = stateSerializer.Deserialize<ModelState>(stateSerializer.Serialize(state));
            }
        }
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

    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Warm-up: ingest and fold path run on {Records} synthetic records, {Methods} grain and storage methods compiled, in {Milliseconds:F0} ms (nothing stored)")]
    private static partial void Completed(ILogger logger, int records, int methods, double milliseconds);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Warm-up failed; the first requests will compile the ingest path themselves")]
    private static partial void Failed(ILogger logger, Exception exception);
}
