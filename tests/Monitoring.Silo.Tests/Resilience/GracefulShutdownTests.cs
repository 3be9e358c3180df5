using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Silo.Tests.Resilience;

/// <summary>
/// SIGTERM under load: requests in flight get their acknowledgements, later ones are refused (503 or no connection),
/// the silo exits 0, and after a restart every acknowledged record is counted.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output) : IDisposable
{
    private const string Model = "draining";
    private const int Senders = 8;
    private const int RecordsPerBatch = 1000;

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-sigterm-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task SIGTERM_drains_in_flight_exports_checkpoints_and_exits_0_with_every_ack_counted_after_restart()
    {
        SiloProcess.Ports ports;
        var inFlightAtSigtermAcked = 0;
        var ambiguousRecords = 0L;
        long acked;
        string statuses;
        await using (var silo = await SiloProcess.StartAsync(_data, environment: new Dictionary<string, string>
        {
            ["Monitoring__Host__ShutdownTimeoutSeconds"] = "60",
        }))
        {
            ports = silo.Endpoints;
            using var client = new RetryingOtlpClient(silo.OtlpHttp);
            var warmedUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var terminating = 0;
            var batches = 0;
            var senders = Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
            {
                for (var b = 0; ; b++)
                {
                    var body = RetryingOtlpClient.Predictions(Model, Enumerable.Range(0, RecordsPerBatch).Select(i => $"s{s}-b{b}-{i}"));
                    var startedBeforeSigterm = Volatile.Read(ref terminating) == 0;
                    var (status, _) = await client.SendOnceAsync(body, RecordsPerBatch);
                    if (status == System.Net.HttpStatusCode.OK)
                    {
                        if (startedBeforeSigterm && Volatile.Read(ref terminating) == 1)
                        {
                            Interlocked.Increment(ref inFlightAtSigtermAcked);
                        }

                        if (Interlocked.Increment(ref batches) == Senders * 3)
                        {
                            warmedUp.TrySetResult();
                        }

                        continue;
                    }

                    if (status is null)
                    {
                        // No answer: the request may have been cut off before or after the silo read it.
                        Interlocked.Add(ref ambiguousRecords, RecordsPerBatch);
                    }

                    Assert.True(Volatile.Read(ref terminating) == 1, $"refused before SIGTERM: {status}");
                    return; // refused (503 while draining) or no connection: this sender stops, as a client would fail over
                }
            })).ToArray();

            await warmedUp.Task.WaitAsync(TimeSpan.FromMinutes(2));
            Volatile.Write(ref terminating, 1);
            var exitCode = await silo.TerminateAsync();
            await Task.WhenAll(senders).WaitAsync(TimeSpan.FromMinutes(2));
            acked = client.AckedRecords;
            statuses = string.Join(", ", client.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
            output.WriteLine($"answers {statuses}; connection failures {client.ConnectionFailures}; acked {acked}; " +
                $"acked after SIGTERM though sent before it: {inFlightAtSigtermAcked}; records without an answer {ambiguousRecords}");
            Assert.True(exitCode == 0, $"exit code {exitCode}:\n{silo.Output}");
            Assert.Contains("Monitoring silo stopped", silo.Output, StringComparison.Ordinal);
            Assert.All(client.Statuses.Keys, status => Assert.Contains(status, new[] { 200, 503 }));
        }

        Assert.True(inFlightAtSigtermAcked > 0, "no request was in flight at SIGTERM: " + statuses);
        await using var restarted = await SiloProcess.StartAsync(_data, ports, new Dictionary<string, string>
        {
            ["Logging__LogLevel__Monitoring.Grains"] = "Information",
        });
        using var api = new ApiClient(restarted.Api);
        var counted = await api.PredictionsAsync(Model);
        output.WriteLine($"counted after restart {counted}");
        Assert.InRange(counted, acked, acked + ambiguousRecords);

        // The grain checkpointed when it was deactivated at shutdown, so its reactivation replays nothing.
        await restarted.WaitForLineAsync($"Model default/{Model} activated at log position");
        Assert.Matches($@"Model default/{Model} activated at log position \d+; replayed 0 records", restarted.Output);
    }
}
