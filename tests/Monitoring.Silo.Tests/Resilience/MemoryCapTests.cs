using System.Globalization;
using Monitoring.Silo.Tests.Telemetry;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Silo.Tests.Resilience;

/// <summary>
/// The buffered-records cap (<c>Monitoring:Otlp:MaxBufferedBytes</c>) as the limit that binds: a small cap, the
/// concurrency limit far away, and concurrent requests each estimated at close to half the cap. Every refusal must be
/// the cap's (429 with Retry-After, counted under <c>reason="memory"</c> in <c>monitoring_otlp_refused_total</c>, as
/// many as the client saw), nothing else may refuse, and every acknowledged record is counted once.
/// </summary>
public sealed class MemoryCapTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Clients = 12;
    private const int BatchesPerClient = 3;
    private const int RecordsPerBatch = 1000;
    private const int Models = 3;

    /// <summary>8 MiB: two of the test's ~470 KB OTLP/JSON requests (estimated at 8 bytes per payload byte) fit, a third does not.</summary>
    private const long CapBytes = 8L * 1024 * 1024;

    /// <summary>Allowance above the idle silo's resident set for what the cap does not count (as in <see cref="OverloadTests"/>).</summary>
    private const long AllowanceBytes = 256L * 1024 * 1024;

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-memory-cap-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Concurrent_large_requests_past_a_small_cap_are_refused_by_the_cap_alone_with_429_and_Retry_After_and_acks_are_counted()
    {
        await using var silo = await SiloProcess.StartAsync(_data, environment: new Dictionary<string, string>
        {
            ["Monitoring__Otlp__MaxBufferedBytes"] = CapBytes.ToString(CultureInfo.InvariantCulture),
            ["Monitoring__Otlp__MaxConcurrentRequests"] = "256",
            ["Monitoring__Otlp__RetryAfterSeconds"] = "1",
        });
        using var api = new ApiClient(silo.Api);
        using (var warm = new RetryingOtlpClient(silo.OtlpHttp))
        {
            for (var m = 0; m < Models; m++)
            {
                Assert.True(await warm.SendUntilAckedAsync(RetryingOtlpClient.Predictions($"cap-{m}", [$"warm-{m}"]), 1));
            }
        }

        var bodies = new string[Clients][];
        for (var c = 0; c < Clients; c++)
        {
            bodies[c] = [.. Enumerable.Range(0, BatchesPerClient).Select(b =>
                RetryingOtlpClient.Predictions($"cap-{c % Models}", Enumerable.Range(0, RecordsPerBatch).Select(i => $"c{c}-b{b}-{i}"), padding: 64))];
        }

        var baseline = OverloadTests.ResidentBytes(silo.ProcessId);
        long peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20)); // a measurement's sampling rate, not a wait
            try
            {
                while (await tick.WaitForNextTickAsync(stop.Token))
                {
                    peak = Math.Max(peak, OverloadTests.ResidentBytes(silo.ProcessId));
                }
            }
            catch (OperationCanceledException)
            {
                // Sampling ends with the load.
            }
        });
        using var client = new RetryingOtlpClient(silo.OtlpHttp) { MaxBackoff = TimeSpan.FromMilliseconds(100) };
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            foreach (var body in bodies[c])
            {
                Assert.True(await client.SendUntilAckedAsync(body, RecordsPerBatch));
            }
        }))).WaitAsync(TimeSpan.FromMinutes(3));
        await stop.CancelAsync();
        await sampler;

        var statuses = string.Join(", ", client.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        var scrape = PrometheusText.Parse(await api.Http.GetStringAsync("/metrics"));
        var refusedByReason = scrape.Samples
            .Where(s => s.Name == "monitoring_otlp_refused_total")
            .GroupBy(s => s.Labels.GetValueOrDefault("reason") ?? "")
            .ToDictionary(g => g.Key, g => g.Sum(s => s.Value));
        output.WriteLine($"answers {statuses}; refused by reason in /metrics: {string.Join(", ", refusedByReason.Select(r => $"{r.Key}: {r.Value}"))}; " +
            $"{client.AckedRecords} records acked; resident memory idle {baseline / 1048576} MiB, peak {peak / 1048576} MiB, cap {CapBytes / 1048576} MiB");

        // Only the cap refused: 429s with Retry-After, and as many under reason="memory" as the client saw.
        Assert.Equal([200, 429], client.Statuses.Keys.Order());
        Assert.Equal(0, client.RefusalsWithoutRetryAfter);
        Assert.Equal(0, client.ConnectionFailures);
        Assert.Equal(client.Statuses[429], refusedByReason.GetValueOrDefault("memory"));
        Assert.All(refusedByReason.Where(r => r.Key != "memory"), r => Assert.Equal(0, r.Value));
        Assert.True(peak <= baseline + CapBytes + AllowanceBytes, $"peak resident memory {peak / 1048576} MiB over idle {baseline / 1048576} MiB + cap + allowance");

        // Every acknowledged record is counted, once.
        Assert.Equal((long)Clients * BatchesPerClient * RecordsPerBatch, client.AckedRecords);
        long counted = 0;
        for (var m = 0; m < Models; m++)
        {
            counted += await api.PredictionsAsync($"cap-{m}");
        }

        Assert.Equal(client.AckedRecords + Models, counted);
    }
}
