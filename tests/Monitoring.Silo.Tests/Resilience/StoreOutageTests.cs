using System.Net;
using System.Text.Json;
using Monitoring.Storage.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Silo.Tests.Resilience;

/// <summary>
/// PostgreSQL stopped under load and started again: the silo answers 503 with Retry-After (never 500) while it is down,
/// readiness turns 503 naming the store, and once it is back every acknowledged record is counted exactly once.
/// </summary>
public sealed class StoreOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Model = "outage";
    private const int Senders = 4;
    private const int BatchesPerSender = 40;
    private const int RecordsPerBatch = 50;

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-outage-").FullName;
    private PostgresServer _postgres = null!;

    public async Task InitializeAsync() => _postgres = await PostgresServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _postgres.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task PostgreSQL_outage_under_load_answers_503_with_Retry_After_and_loses_nothing_acknowledged()
    {
        await using var silo = await SiloProcess.StartAsync(_data, environment: new Dictionary<string, string>
        {
            ["Monitoring__Host__StorageProvider"] = "postgres",
            ["Monitoring__Host__PostgresConnectionString"] = _postgres.ConnectionString,
            ["Monitoring__Otlp__RetryAfterSeconds"] = "1",
        });
        using var api = new ApiClient(silo.Api);
        var refusedWhileDown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refusals = 0;
        var storeDown = false;
        using var client = new RetryingOtlpClient(silo.OtlpHttp)
        {
            OnRefused = status =>
            {
                if (status == 503 && Volatile.Read(ref storeDown) && Interlocked.Increment(ref refusals) >= 2 * Senders)
                {
                    refusedWhileDown.TrySetResult();
                }
            },
        };

        var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sent = 0;
        var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50)); // steady offered rate: one batch per sender per tick
            for (var b = 0; b < BatchesPerSender; b++)
            {
                await tick.WaitForNextTickAsync();
                var ids = Enumerable.Range(0, RecordsPerBatch).Select(i => $"s{s}-b{b}-{i}");
                Assert.True(await client.SendUntilAckedAsync(RetryingOtlpClient.Predictions(Model, ids), RecordsPerBatch));
                if (Interlocked.Increment(ref sent) == Senders * 5)
                {
                    acked.TrySetResult();
                }
            }
        })).ToArray();

        await acked.Task.WaitAsync(TimeSpan.FromMinutes(2)); // some load acknowledged while the store is up
        await _postgres.StopAsync();
        Volatile.Write(ref storeDown, true);
        await refusedWhileDown.Task.WaitAsync(TimeSpan.FromMinutes(2));

        using (var ready = await api.Http.GetAsync("/health/ready"))
        {
            var body = await ready.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var store = JsonDocument.Parse(body).RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "store");
            Assert.Equal("unhealthy", store.GetProperty("status").GetString());
            Assert.DoesNotContain("Password", body, StringComparison.OrdinalIgnoreCase);
        }

        // The same over OTLP/gRPC: UNAVAILABLE with a RetryInfo (this record is resent once the store is back).
        var (grpcStatus, grpcDelay) = await RawOtlpGrpc.ExportPredictionAsync(silo.OtlpGrpc, Model, "grpc-during-outage");
        Assert.Equal(Grpc.Core.StatusCode.Unavailable, grpcStatus);
        Assert.Equal(TimeSpan.FromSeconds(1), grpcDelay);

        await _postgres.RestartAsync();
        Volatile.Write(ref storeDown, false);
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromMinutes(3));

        using (var ready = await api.Http.GetAsync("/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        var statuses = string.Join(", ", client.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
        output.WriteLine($"answers {statuses}; connection failures {client.ConnectionFailures}; acked records {client.AckedRecords}");
        Assert.All(client.Statuses.Keys, status => Assert.Contains(status, new[] { 200, 503 }));
        Assert.True(client.Statuses.GetValueOrDefault(503) >= 2 * Senders, statuses);
        Assert.Equal(0, client.RefusalsWithoutRetryAfter);
        Assert.Equal((long)Senders * BatchesPerSender * RecordsPerBatch, client.AckedRecords);
        Assert.Equal((Grpc.Core.StatusCode.OK, (TimeSpan?)null), await RawOtlpGrpc.ExportPredictionAsync(silo.OtlpGrpc, Model, "grpc-during-outage"));
        var totals = (await api.GetJsonAsync($"/api/models/default/{Model}")).GetProperty("totals");
        Assert.Equal(client.AckedRecords + 1, totals.GetProperty("predictions").GetInt64());
    }
}
