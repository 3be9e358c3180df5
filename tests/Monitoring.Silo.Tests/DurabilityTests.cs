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

    [Fact]
    public async Task KilledSilo_KeepsJoinedLabelCountsExact()
    {
        const string model = "labelled";
        var now = DateTimeOffset.UtcNow;
        var predictions = Enumerable.Range(0, 1000).Select(i => Traffic.Prediction(model, $"q{i}", now, i % 70, "US", (i % 10) / 10.0)).ToArray();
        var labels = Enumerable.Range(0, 600).Select(i => ($"q{i}", i % 3 == 0 ? 1 : 0)).ToArray();
        SiloProcess.Ports ports;
        await using (var silo = await SiloProcess.StartAsync(_data))
        {
            ports = silo.Endpoints;
            Traffic.SendAndAck(silo.OtlpGrpc, OtlpProtocol.Grpc, predictions);
            Traffic.SendLabelsAndAck(silo.OtlpHttp, OtlpProtocol.HttpProtobuf, model, labels);
            silo.Kill();
        }

        await using var restarted = await SiloProcess.StartAsync(_data, ports);
        using var api = new ApiClient(restarted.Api);
        var afterRestart = await api.GetJsonAsync($"/api/models/default/{model}");
        Assert.True(afterRestart.GetProperty("labels").GetProperty("joined").GetInt64() == 600, afterRestart.ToString());

        Traffic.SendLabelsAndAck(restarted.OtlpGrpc, OtlpProtocol.Grpc, model, labels.Take(100)); // a retried batch
        var describe = await api.GetJsonAsync($"/api/models/default/{model}");
        Assert.Equal(600, describe.GetProperty("labels").GetProperty("joined").GetInt64());
        Assert.Equal(100, describe.GetProperty("totals").GetProperty("duplicates").GetInt64());
        var series = await api.GetJsonAsync($"/api/models/default/{model}/performance");
        Assert.Equal(600, series.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("labeled").GetInt64()));
    }
}
