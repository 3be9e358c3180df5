using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Monitoring.Client;
using Xunit;

namespace Monitoring.Silo.Tests.Sharding;

/// <summary>
/// Hot models through the real silo (issue 10): a model listed in <c>Monitoring:Sharding:Models</c> and an unsharded
/// twin receive the same predictions over OTLP (the OpenTelemetry SDK's exporter); each closed window's feature report
/// is the same, the sharded model says it has its shards, and a bad setting stops the silo with exit code 2 naming it.
/// </summary>
public sealed class HotModelTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-hot-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task ShardedModel_OverOtlp_ReportsTheSameFeaturesAsItsUnshardedTwin()
    {
        await using var silo = await SiloProcess.StartAsync(_data, switches:
            ["--Monitoring:Sharding:Models:0:Model=default/hot", "--Monitoring:Sharding:Models:0:Shards=3"]);
        using var api = new ApiClient(silo.Api);
        var rng = new Random(11);
        var csv = new StringBuilder("age,country\n");
        for (var i = 0; i < 2000; i++)
        {
            csv.Append((40 + (10 * Traffic.Gaussian(rng))).ToString("R", CultureInfo.InvariantCulture)).Append(",US\n");
        }

        foreach (var model in new[] { "hot", "twin" })
        {
            using (var settings = await api.PutJsonAsync($"/api/models/default/{model}/settings", new { window_seconds = 60, allowed_lateness_seconds = 600 }))
            {
                Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
            }

            using var upload = await api.Http.PutAsync($"/api/models/default/{model}/reference?source=train.csv", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        }

        // The minute before last: ended, within the allowed lateness, so closing it now includes every record. 1,800
        // records per model: the SDK's batch processor drops what exceeds its queue of 2,048 when logged at once.
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset(((DateTimeOffset.UtcNow.UtcTicks / window.Ticks) - 2) * window.Ticks, TimeSpan.Zero);
        var ages = Enumerable.Range(0, 1800).Select(_ => 46 + (10 * Traffic.Gaussian(rng))).ToArray();
        foreach (var model in new[] { "hot", "twin" })
        {
            Traffic.SendAndAck(silo.OtlpHttp, OtlpProtocol.HttpProtobuf,
                ages.Select((age, i) => Traffic.Prediction(model, $"p{i}", start.AddMilliseconds(i * 15), i % 100 == 50 ? double.NaN : age, i % 3 == 0 ? "DE" : "US", 0.3)));
            Assert.Equal(HttpStatusCode.OK, (await api.Http.PostAsync($"/api/models/default/{model}/windows/close", null)).StatusCode);
        }

        var startNanos = (start.ToUnixTimeMilliseconds() * 1_000_000L).ToString(CultureInfo.InvariantCulture);
        var hot = await api.GetJsonAsync($"/api/models/default/hot/windows/{startNanos}");
        var twin = await api.GetJsonAsync($"/api/models/default/twin/windows/{startNanos}");
        var hotAge = Feature(hot, "age");
        Assert.Equal(1782, hotAge.GetProperty("count").GetInt64()); // 1,800 less the 18 NaN (nulls)
        Assert.Equal(18, hotAge.GetProperty("nulls").GetInt64());
        Assert.Equal("exact", hotAge.GetProperty("binning").GetString()); // counted against the reference's own edges
        Assert.Equal(Feature(twin, "age").GetProperty("distribution").GetRawText(), hotAge.GetProperty("distribution").GetRawText());
        Assert.Equal(Feature(twin, "age").GetProperty("psi").GetDouble(), hotAge.GetProperty("psi").GetDouble(), 12);
        Assert.Equal(Feature(twin, "country").GetRawText(), Feature(hot, "country").GetRawText());
        Assert.Equal(3, (await api.GetJsonAsync("/api/models/default/hot")).GetProperty("numeric_shards").GetInt32());
        Assert.Equal(0, (await api.GetJsonAsync("/api/models/default/twin")).GetProperty("numeric_shards").GetInt32());
    }

    [Fact]
    public async Task BadShardSetting_StopsTheSiloWithExitCode2_NamingTheKey()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _data,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Monitoring.Silo.dll"));
        start.ArgumentList.Add("--Monitoring:Host:DataDirectory=" + _data);
        start.ArgumentList.Add("--Monitoring:Sharding:Models:0:Model=default/hot");
        start.ArgumentList.Add("--Monitoring:Sharding:Models:0:Shards=500");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        _ = await stdout;
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Monitoring:Sharding:Models:0:Shards must be 0 to 64 (got 500)", await stderr, StringComparison.Ordinal);
    }

    private static JsonElement Feature(JsonElement report, string name) =>
        report.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);
}
