using Monitoring.Client;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>Acknowledged records survive SIGKILL of the silo and a restart on the same SQLite file, counted once.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-kill-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task KilledSilo_RestartsWithEveryAcknowledgedRecordCountedOnce()
    {
        const string model = "durable";
        var now = DateTimeOffset.UtcNow;
        var batches = Enumerable.Range(0, 6)
            .Select(b => Enumerable.Range(0, 500).Select(i => Traffic.Prediction(model, $"b{b}-{i}", now, i % 90, "DE", 0.2)).ToArray())
            .ToArray();
        var ports = default(SiloProcess.Ports);
        await using (var silo = await SiloProcess.StartAsync(_data))
        {
            ports = silo.Endpoints;
            foreach (var batch in batches)
            {
                Traffic.SendAndAck(silo.OtlpHttp, OtlpProtocol.HttpProtobuf, batch);
            }

            silo.Kill(); // SIGKILL right after the last acknowledgement: no graceful shutdown, no final checkpoint
        }

        await using var restarted = await SiloProcess.StartAsync(_data, ports);
        using var api = new ApiClient(restarted.Api);
        Assert.Equal(3000, await api.PredictionsAsync(model));

        Traffic.SendAndAck(restarted.OtlpGrpc, OtlpProtocol.Grpc, batches[2]); // a client retrying a batch it had already delivered

        var totals = (await api.GetJsonAsync($"/api/models/default/{model}")).GetProperty("totals");
        Assert.Equal(3000, totals.GetProperty("predictions").GetInt64());
        Assert.Equal(500, totals.GetProperty("duplicates").GetInt64());
    }
}
