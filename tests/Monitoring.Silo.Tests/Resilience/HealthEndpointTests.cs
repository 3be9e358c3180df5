using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Monitoring.Silo.Tests.Resilience;

/// <summary>Liveness and readiness on the real silo process (embedded default: SQLite, localhost clustering).</summary>
public sealed class HealthEndpointTests : SiloTest
{
    [Fact]
    public async Task Live_and_ready_answer_200_on_the_API_port_with_every_check_named()
    {
        using var live = await Api.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        using var ready = await Api.Http.GetAsync("/health/ready");
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.True(ready.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal(["cluster", "shutdown", "store"], checks.Keys.Order());
        Assert.All(checks.Values, s => Assert.Equal("healthy", s));
    }

    [Fact]
    public async Task Health_endpoints_are_not_served_on_the_OTLP_HTTP_port()
    {
        using var http = new HttpClient { BaseAddress = Silo.OtlpHttp };
        using var live = await http.GetAsync("/health/live");
        using var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.NotFound, live.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, ready.StatusCode);
    }
}

/// <summary>A database migrated by a newer release: the silo refuses to start, says why, and exits non-zero.</summary>
public sealed class SchemaVersionStartupTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-schema-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task Silo_on_a_database_newer_than_it_knows_refuses_to_start_with_a_clear_message()
    {
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "monitoring.db")};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT '');" +
                "INSERT INTO schema_migrations (version, name) VALUES (1, 'a'), (999, 'from a newer release');";
            command.ExecuteNonQuery();
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => SiloProcess.StartAsync(_data));
        Assert.Contains("error: The sqlite database's schema is at version 999, newer than the newest this binary knows", refused.Message, StringComparison.Ordinal);
    }
}
