using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Client;
using Monitoring.Silo.Hosting;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>The start-up warm-up runs before the silo reports ready and leaves no model and no row behind.</summary>
public sealed class WarmupTests : IAsyncLifetime
{
    private static readonly string[] Tables = ["events", "model_heads", "reports", "grain_state"];

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-warmup-").FullName;
    private SiloProcess _silo = null!;

    public async Task InitializeAsync() =>
        _silo = await SiloProcess.StartAsync(_data, environment: new Dictionary<string, string>
        {
            ["Logging__LogLevel__Monitoring.Silo.Hosting.Warmup"] = "Debug",
        });

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Warm_up_runs_before_ready_and_leaves_no_model_and_no_row()
    {
        // It ran, on every synthetic record (64 predictions and 64 labels, JSON and protobuf), before "ready".
        var output = _silo.Output;
        var warmup = output.IndexOf("Warm-up: ingest and fold path run on 256 synthetic records", StringComparison.Ordinal);
        Assert.True(warmup >= 0, output);
        Assert.True(warmup < output.IndexOf("Monitoring silo ready", StringComparison.Ordinal), output);
        Assert.DoesNotContain("Warm-up failed", output, StringComparison.Ordinal);

        using var api = new ApiClient(_silo.Api);
        Assert.Equal(0, (await api.GetJsonAsync("/api/models")).GetArrayLength());
        Assert.All(Tables, table => Assert.Equal(0, Rows(table)));

        // The same checks see one real export (so they would see the warm-up's records had it stored any).
        Traffic.SendAndAck(_silo.OtlpHttp, OtlpProtocol.HttpProtobuf,
            [Traffic.Prediction("after-warmup", "p-1", DateTimeOffset.UtcNow, 40, "BR", 0.7)]);
        var models = await api.GetJsonAsync("/api/models");
        Assert.Equal(["default/after-warmup"], models.EnumerateArray().Select(m => m.GetProperty("key").GetString()));
        Assert.Equal(1, Rows("events"));
    }

    [Fact]
    public async Task A_pass_accepts_and_folds_every_synthetic_record_without_a_host()
    {
        await using var services = new ServiceCollection().BuildServiceProvider();

        Assert.Equal(2 * 2 * Warmup.Records, await Warmup.RunAsync(services, CancellationToken.None));
    }

    private long Rows(string table)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "monitoring.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table}";
        return (long)command.ExecuteScalar()!;
    }
}
