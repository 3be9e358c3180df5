using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Events;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Grains.Sharding;
using Monitoring.Abstractions.Limits;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Time;
using Monitoring.Abstractions.Totals;
using Monitoring.Storage;
using Monitoring.Storage.Hosting;
using Monitoring.Storage.Tests.Support;

namespace Monitoring.Benchmarks;

/// <summary>
/// Issue 10, hot models: how fast one model grain takes records, against the same silo taking the same records for
/// 8 models (the bound on any split of one model's work: eight grains that share nothing), and with its numeric values
/// folded by shard grains. An Orleans silo runs in this process on the embedded default's storage (SQLite event log,
/// grain state and reports in a temp directory) or, in the "postgres" cases, on a private PostgreSQL started for the
/// case (Debian's initdb + pg_ctl in a temp directory, default durability, the storage tests' helper); localhost
/// clustering on free loopback ports. Concurrent callers append 16,384 predictions per operation in batches of 512 (8
/// callers) or, in the "batches of 64" cases, 64 (64 callers: many clients each sending little, so per-batch costs such
/// as a commit weigh more), each record 18 numeric (120 in the "wide" cases) + 2 categorical features, a score, 3
/// segments and a unique prediction id, through the ingest path's grain calls (<see cref="ShardedIngest"/>, what the
/// OTLP receivers call), spread round-robin over the case's models. Each call is the grain's whole serial path: the
/// durable append (transaction, prediction-id index) and the fold into the open window and its performance sketch, then
/// the shards' fold of the numeric values. OTLP decoding is not in it, so this is the grain's ceiling, not the silo's.
/// <see cref="EventLogOnly"/> is the durable append alone, through the same event log. Op/s = records per second.
/// </summary>
public class HotModelBenchmarks
{
    private const int BatchesPerCaller = 4;
    private const int Records = 16_384;

    private static readonly string[] Countries = ["US", "DE", "BR", "FR", "IN", "JP", "MX", "GB"];
    private static readonly string[] Devices = ["ios", "android", "web"];
    private static readonly string[] Plans = ["free", "pro", "team"];

    private IHost _host = null!;
    private IGrainFactory _grains = null!;
    private IEventLog _eventLog = null!;
    private string _directory = "";
    private PostgresServer? _postgres;
    private ModelEvent[] _template = [];
    private long _nextId;
    private int _run;

    /// <summary>
    /// Store, batch size and record width before the colon (embedded SQLite, 512-record batches, 18 numeric features
    /// when absent); models and shards per model after it. "8 models" is the bound on any split of one model's work:
    /// eight grains that share nothing, each with its own serial turn and its own appends.
    /// </summary>
    [Params(
        "1 model", "1 model, 2 shards", "1 model, 4 shards", "8 models",
        "wide: 1 model", "wide: 1 model, 2 shards",
        "batches of 64: 1 model", "batches of 64: 8 models",
        "postgres: 1 model", "postgres: 1 model, 4 shards", "postgres: 8 models",
        "postgres, batches of 64: 1 model", "postgres, batches of 64: 8 models")]
    public string Case { get; set; } = "1 model";

    private string Setting => Case.Contains(':', StringComparison.Ordinal) ? Case[..Case.IndexOf(':', StringComparison.Ordinal)] : "";

    private string Spread => Case[(Case.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();

    /// <summary>Numeric features per record: 18, or 120 in the wide cases (where the numeric fold outweighs the append).</summary>
    private int NumericFeatures => Setting.Contains("wide", StringComparison.Ordinal) ? 120 : 18;

    private bool Postgres => Setting.Contains("postgres", StringComparison.Ordinal);

    /// <summary>Records per batch: 512 (the OpenTelemetry SDK's default export batch), or 64 (many clients each sending little).</summary>
    private int Batch => Setting.Contains("batches of 64", StringComparison.Ordinal) ? 64 : 512;

    /// <summary>Concurrent callers: as many as make <see cref="Records"/> with 4 batches each.</summary>
    private int Callers => Records / BatchesPerCaller / Batch;

    private int Models => Spread.StartsWith("8", StringComparison.Ordinal) ? 8 : 1;

    private int Shards => Spread.EndsWith("shards", StringComparison.Ordinal) ? int.Parse(Spread.Split(' ')[^2], System.Globalization.CultureInfo.InvariantCulture) : 0;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("monitoring-hot-").FullName;
        var path = Path.Combine(_directory, "monitoring.db");
        _postgres = Postgres ? await PostgresServer.StartAsync() : null;
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        var (siloPort, gatewayPort) = (FreePort(), FreePort());
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort);
            silo.Services.AddSingleton(TimeProvider.System);
            silo.Services.AddSingleton(new LimitsOptions());
            silo.Services.AddSingleton(new ShardingOptions { Models = [.. Enumerable.Range(0, 8).Select(m => new ShardedModel { Model = $"default/hot{m}", Shards = Shards })] });
            silo.Services.AddSingleton<GrainTotals>();
            silo.Services.AddSingleton<Monitoring.Grains.Limits.TenantModelLimitLog>();
            if (_postgres is { ConnectionString: var connection })
            {
                silo.Services.AddMonitoringPostgres(connection);
                silo.AddMonitoringPostgresStorage("monitoring", connection);
                silo.AddMonitoringPostgresReminders(connection);
            }
            else
            {
                silo.Services.AddMonitoringSqlite(path);
                silo.AddMonitoringSqliteStorage("monitoring", path);
                silo.AddMonitoringSqliteReminders(path);
            }
        });
        _host = builder.Build();
        await _host.StartAsync();
        _grains = _host.Services.GetRequiredService<IGrainFactory>();
        _eventLog = _host.Services.GetRequiredService<IEventLog>();

        var rng = new Random(BenchData.Seed + 50);
        _template = Enumerable.Range(0, Batch).Select(_ => new ModelEvent
        {
            Kind = EventKind.Prediction,
            EventTimeUnixNano = 0,
            Score = rng.NextDouble(),
            LatencyMs = 5 + (20 * rng.NextDouble()),
            Features = Enumerable.Range(0, NumericFeatures).Select(f => new FeatureValue($"f{f:D2}", Math.Round((rng.NextDouble() * 100) - 20, 3), null))
                .Concat([new FeatureValue("browser", null, $"b{rng.Next(6)}"), new FeatureValue("region", null, $"r{rng.Next(12)}")])
                .ToArray(),
            Segments =
            [
                new SegmentValue("country", Countries[rng.Next(Countries.Length)]),
                new SegmentValue("device", Devices[rng.Next(Devices.Length)]),
                new SegmentValue("plan", Plans[rng.Next(Plans.Length)]),
            ],
        }).ToArray();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _host.StopAsync();
        _host.Dispose();
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; the OS cleans temp.
        }
    }

    /// <summary>Every batch through the model grains (append + fold) and their shards, round-robin over the models.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public Task GrainAppend() => RunAsync((model, batch) => ShardedIngest.AppendAsync(_grains, model, batch, NullLogger.Instance));

    /// <summary>The durable append alone (the grain's event log, no fold), same batches.</summary>
    [Benchmark(OperationsPerInvoke = Records)]
    public Task EventLogOnly() => RunAsync((model, batch) => _eventLog.AppendAsync(new ModelKey(model.Tenant, model.Model + "-log"), batch));

    private Task RunAsync(Func<ModelKey, ModelEvent[], Task> append)
    {
        var run = Interlocked.Increment(ref _run);
        return Task.WhenAll(Enumerable.Range(0, Callers).Select(caller => Task.Run(async () =>
        {
            for (var b = 0; b < BatchesPerCaller; b++)
            {
                var model = new ModelKey("default", $"hot{(caller * BatchesPerCaller + b + run) % Models}");
                await append(model, NewBatch());
            }
        })));
    }

    private ModelEvent[] NewBatch()
    {
        var now = UnixNanos.Now(TimeProvider.System);
        var first = Interlocked.Add(ref _nextId, Batch) - Batch;
        var batch = new ModelEvent[Batch];
        for (var i = 0; i < Batch; i++)
        {
            batch[i] = _template[i] with { PredictionId = $"p{first + i}", EventTimeUnixNano = now, ReceivedUnixNano = now };
        }

        return batch;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
