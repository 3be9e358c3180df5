using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Monitoring.Alerting.Tests.Support;
using Monitoring.Storage.Tests.Support;
using Monitoring.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Silo.Tests.Cluster;

/// <summary>
/// Issue #10's cluster evidence: PostgreSQL and Azurite started here on loopback ports in temporary directories, three
/// real silo processes in azure-table mode (a cluster id of their own), a load client retrying as the OTLP
/// specification says, spreading records of several models over all three silos; the silo that delivered the first
/// drift notification is killed with SIGKILL mid-run. Then: every model answers again through the survivors (the time
/// is written to the test output), every model's count read through the API equals what the client got acknowledged,
/// and the drift notified before the kill is not notified again, while one fired after the kill is notified once.
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int SiloCount = 3;
    private const int RecordsPerModelPerBatch = 10;
    private static readonly string[] LoadModels = [.. Enumerable.Range(0, 6).Select(i => $"load-{i}")];
    private static readonly TimeSpan BatchInterval = TimeSpan.FromMilliseconds(250);

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-cluster-").FullName;
    private readonly List<SiloProcess> _silos = [];
    private PostgresServer _postgres = null!;
    private AzuriteServer _azurite = null!;
    private FakeReceiver _hook = null!;

    public async Task InitializeAsync()
    {
        var postgres = PostgresServer.StartAsync();
        var azurite = AzuriteServer.StartAsync();
        var hook = FakeReceiver.StartAsync();
        _postgres = await postgres;
        _azurite = await azurite;
        _hook = await hook;

        var rules = await DriftAlerting.WriteRulesAsync(_data, "cluster");
        var config = await DriftAlerting.WriteWebhookRouteAsync(_data, _hook.Url("hook"), "alertname, model", sendResolved: false);
        var secret = Path.Combine(_data, "azure-table-connection");
        await File.WriteAllTextAsync(secret, _azurite.ConnectionString + "\n");
        var clusterId = "failover-" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string>
        {
            ["Monitoring__Host__StorageProvider"] = "postgres",
            ["Monitoring__Host__PostgresConnectionString"] = _postgres.ConnectionString,
            ["Monitoring__Cluster__Mode"] = "azure-table",
            ["Monitoring__Cluster__ClusterId"] = clusterId,
            ["Monitoring__Cluster__ServiceId"] = clusterId,
            ["Monitoring__Cluster__AzureTableConnectionStringFile"] = secret,
            ["Monitoring__Alerting__RulesPath"] = rules,
            ["Monitoring__Alerting__ConfigFile"] = config,
            ["Monitoring__Alerting__AllowPrivateTargets"] = "true",
            ["Monitoring__Auth__AllowOpen"] = "true", // a cluster refuses to run open unless told; keys are the auth tests' subject
        };
        var starts = Enumerable.Range(0, SiloCount)
            .Select(i => SiloProcess.StartAsync(Path.Combine(_data, $"silo-{i}"), environment: environment))
            .ToList();
        foreach (var start in starts)
        {
            try
            {
                _silos.Add(await start);
            }
            catch (InvalidOperationException e)
            {
                output.WriteLine(e.Message);
                throw;
            }
        }
    }

    public async Task DisposeAsync()
    {
        // Silos before Azurite: a silo whose membership table is gone takes long to stop.
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        await _hook.DisposeAsync();
        await _azurite.DisposeAsync();
        await _postgres.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task ThreeSilos_OneKilledUnderLoad_LosesNothing_CountsNothingTwice_AndNotifiesEachDriftOnce()
    {
        using var client = new OtlpRetryingClient([.. _silos.Select(s => s.OtlpHttp)]);
        var deadline = DateTimeOffset.UtcNow.AddMinutes(3);
        await SetUpDriftModelAsync("drift-before", client, _silos[0], deadline);
        await SetUpDriftModelAsync("drift-after", client, _silos[1], deadline);

        // Load: one sender per silo (its first endpoint), each a batch of every load model per interval.
        var acknowledged = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var batches = 0L;
        var rejected = 0L;
        var clock = Stopwatch.StartNew();
        var killedAt = TimeSpan.MaxValue;
        var firstAckStartedAfterKill = TimeSpan.MaxValue;
        var milestones = new List<(long Batches, TaskCompletionSource Reached)>();
        Task Reached(long count)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (milestones)
            {
                if (Interlocked.Read(ref batches) >= count)
                {
                    return Task.CompletedTask;
                }

                milestones.Add((count, tcs));
            }

            return tcs.Task.WaitAsync(TimeSpan.FromSeconds(90));
        }

        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, SiloCount).Select(sender => Task.Run(async () =>
        {
            var rng = new Random(sender);
            using var pace = new PeriodicTimer(BatchInterval);
            for (var n = 0; await pace.WaitForNextTickAsync(CancellationToken.None) && !stop.IsCancellationRequested; n++)
            {
                var now = DateTimeOffset.UtcNow;
                var records = LoadModels.SelectMany(m => Enumerable.Range(0, RecordsPerModelPerBatch)
                    .Select(i => (m, $"s{sender}-b{n}-{i}", 40 + (10 * Traffic.Gaussian(rng)), rng.NextDouble(), now))).ToList();
                var startedAt = clock.Elapsed;
                Interlocked.Add(ref rejected, await client.ExportAsync(OtlpRetryingClient.Predictions(records), sender, deadline));
                foreach (var model in LoadModels)
                {
                    acknowledged.AddOrUpdate(model, RecordsPerModelPerBatch, (_, c) => c + RecordsPerModelPerBatch);
                }

                lock (milestones)
                {
                    if (startedAt > killedAt && clock.Elapsed < firstAckStartedAfterKill)
                    {
                        firstAckStartedAfterKill = clock.Elapsed;
                    }

                    var total = Interlocked.Increment(ref batches);
                    foreach (var m in milestones.Where(m => total >= m.Batches).ToList())
                    {
                        milestones.Remove(m);
                        m.Reached.TrySetResult();
                    }
                }
            }
        })).ToList();

        // Mid-run: drift fires, its notification is delivered; the silo that delivered it (the notifier's) is killed.
        await Reached(40);
        await FireDriftAsync("drift-before", client, _silos[2], deadline);
        var first = await NextNotificationAsync();
        Assert.Contains("drift-before", first.Body, StringComparison.Ordinal);
        var notifier = await WhichSiloLoggedAsync("Notified hook");
        var victim = _silos[notifier];
        var survivors = _silos.Where(s => s != victim).ToList();
        var beforeKill = Interlocked.Read(ref batches);
        lock (milestones)
        {
            killedAt = clock.Elapsed;
        }

        victim.Kill();
        var perBatch = LoadModels.Length * RecordsPerModelPerBatch;
        output.WriteLine($"offered {SiloCount * perBatch / BatchInterval.TotalSeconds:F0} records/s ({SiloCount} senders, {perBatch} records per {BatchInterval.TotalMilliseconds} ms); " +
            $"killed silo {notifier} (the notifier's) {killedAt.TotalSeconds:F1} s into the run after {beforeKill} acknowledged batches ({beforeKill * perBatch / killedAt.TotalSeconds:F0} records/s acknowledged until then)");

        // Every model answers again through the survivors (polled with a deadline; a read is a grain call that routes).
        var answered = await UntilEveryModelAnswersAsync(survivors, [.. LoadModels, "drift-before"], clock, killedAt);
        await Reached(Interlocked.Read(ref batches) + 20); // load keeps being acknowledged after the failover

        // A drift after the kill: notified once, by the notifier reactivated on a survivor, and the one before not again.
        await FireDriftAsync("drift-after", client, survivors[0], deadline);
        var second = await NextNotificationAsync();
        Assert.Contains("drift-after", second.Body, StringComparison.Ordinal);

        await stop.CancelAsync();
        await Task.WhenAll(senders);

        using var api = new ApiClient(survivors[1].Api);
        long duplicates = 0;
        foreach (var model in LoadModels)
        {
            var totals = (await api.GetJsonAsync($"/api/models/default/{model}")).GetProperty("totals");
            Assert.Equal(acknowledged[model], totals.GetProperty("predictions").GetInt64());
            duplicates += totals.GetProperty("duplicates").GetInt64();
        }

        Assert.Equal(0, Interlocked.Read(ref rejected));
        Assert.Equal(2, _hook.Requests.Count);
        Assert.Single(_hook.Requests, r => r.Body.Contains("drift-before", StringComparison.Ordinal));
        Assert.DoesNotContain(_silos, s => s.Output.Contains(AzuriteServer.AccountKey, StringComparison.Ordinal));

        var reads = answered.Max(a => a.Value) - killedAt;
        var ingest = firstAckStartedAfterKill - killedAt;
        output.WriteLine($"records acknowledged: {acknowledged.Values.Sum()} in {Interlocked.Read(ref batches)} batches over {LoadModels.Length} models; " +
            $"client retries {client.Retries}; duplicates dropped by the event log {duplicates}; rejected 0");
        output.WriteLine($"every model answered again {reads.TotalSeconds:F1} s after the kill " +
            $"(per model: {string.Join(", ", answered.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key} {(a.Value - killedAt).TotalSeconds:F1} s"))})");
        output.WriteLine($"first batch sent after the kill and acknowledged (all {LoadModels.Length} models) {ingest.TotalSeconds:F1} s after the kill");
    }

    /// <summary>A model with an uploaded reference (age ~ N(40, 10)), one-minute windows and a current record.</summary>
    private static async Task SetUpDriftModelAsync(string model, OtlpRetryingClient client, SiloProcess silo, DateTimeOffset deadline)
    {
        // Settings before the first record: sent first, the record opened a window of the default hour, keyed by its
        // start, which would take in the drift window's records if that window started at the same hour (a drift fired
        // 3-4 minutes past the hour of the set-up never closed).
        using var api = new ApiClient(silo.Api);
        await DriftAlerting.ConfigureModelAsync(api, model, new Random(model.Length), referenceRows: 3000, withCountry: true);
        await client.ExportAsync(OtlpRetryingClient.Predictions([(model, "warmup", 40, 0.5, DateTimeOffset.UtcNow)]), 0, deadline);
    }

    /// <summary>A window three minutes back with age shifted by 0.8 standard deviations, then closed through another silo's API.</summary>
    private static async Task FireDriftAsync(string model, OtlpRetryingClient client, SiloProcess silo, DateTimeOffset deadline)
    {
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);
        var rng = new Random(7);
        var records = Enumerable.Range(0, 800).Select(i => (model, $"d{i}", 48 + (10 * Traffic.Gaussian(rng)), 0.4, start.AddMilliseconds(i * 50)));
        Assert.Equal(0, await client.ExportAsync(OtlpRetryingClient.Predictions(records), 1, deadline));
        using var api = new ApiClient(silo.Api);
        using var close = await api.Http.PostAsync($"/api/models/default/{model}/windows/close", null);
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
    }

    /// <summary>The next webhook request, within two minutes (a loaded machine evaluates and delivers slowly); on a timeout the silos' alerting lines go to the output.</summary>
    private async Task<ReceivedRequest> NextNotificationAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await _hook.NextAsync(); // 30 s each
            }
            catch (OperationCanceledException) when (attempt < 3)
            {
            }
            catch (OperationCanceledException)
            {
                for (var i = 0; i < _silos.Count; i++)
                {
                    var lines = _silos[i].Output.Split('\n').Where(l => l.Contains("Alert", StringComparison.Ordinal) || l.Contains("Notif", StringComparison.Ordinal) || l.Contains("eminder", StringComparison.Ordinal) || l.Contains("fail", StringComparison.Ordinal));
                    output.WriteLine($"-- silo {i}:\n{string.Join('\n', lines.TakeLast(40))}");
                }

                throw;
            }
        }
    }

    private async Task<int> WhichSiloLoggedAsync(string text)
    {
        var waits = _silos.Select(s => s.WaitForLineAsync(text)).ToList();
        var done = await Task.WhenAny(waits);
        await done;
        return waits.IndexOf(done);
    }

    /// <summary>
    /// Reads every model through the survivors (round robin) until each has answered 200 once; returns when each first
    /// did (stopwatch time). Polls a real condition with a deadline of a minute.
    /// </summary>
    private static async Task<Dictionary<string, TimeSpan>> UntilEveryModelAnswersAsync(IReadOnlyList<SiloProcess> survivors, IReadOnlyList<string> models, Stopwatch clock, TimeSpan killedAt)
    {
        var answered = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        for (var round = 0; answered.Count < models.Count; round++)
        {
            Assert.True(clock.Elapsed - killedAt < TimeSpan.FromMinutes(1), $"models not answering a minute after the kill: {string.Join(", ", models.Except(answered.Keys))}");
            var pending = models.Where(m => !answered.ContainsKey(m)).ToList();
            await Task.WhenAll(pending.Select(async (model, i) =>
            {
                var silo = survivors[(round + i) % survivors.Count];
                try
                {
                    using var response = await http.GetAsync(new Uri(silo.Api, $"/api/models/default/{model}"));
                    if (response.IsSuccessStatusCode)
                    {
                        lock (answered)
                        {
                            answered[model] = clock.Elapsed;
                        }
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // not yet
                }
            }));

            if (answered.Count < models.Count)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200)); // between polls of the condition above
            }
        }

        return answered;
    }
}
