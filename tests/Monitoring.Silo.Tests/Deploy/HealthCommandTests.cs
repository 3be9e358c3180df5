using System.Text.Json;
using Monitoring.Storage.Tests.Support;
using Monitoring.Testing;
using Xunit;

namespace Monitoring.Silo.Tests.Deploy;

/// <summary>
/// <c>monitoring health</c> (the container image's HEALTHCHECK) against a real silo on PostgreSQL: exit 0 and the
/// endpoint's answer when the silo is live and ready; 2 when nothing answers; with the store stopped, liveness (what the
/// HEALTHCHECK asks) still exits 0 while <c>--ready</c> exits 1 naming the store.
/// </summary>
public sealed class HealthCommandTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-health-cli-").FullName;
    private PostgresServer _postgres = null!;
    private SiloProcess _silo = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _silo = await SiloProcess.StartAsync(_data, environment: new Dictionary<string, string>
        {
            ["Monitoring__Host__StorageProvider"] = "postgres",
            ["Monitoring__Host__PostgresConnectionString"] = _postgres.ConnectionString,
        });
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        await _postgres.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Health_IsZeroWhenLiveAndReady_TwoWhenUnreachable_AndLivenessStaysZeroWhileTheStoreIsDown()
    {
        var server = _silo.Api.ToString().TrimEnd('/');

        // Ready silo: liveness and readiness both exit 0 and print what the endpoint answered.
        var live = await CliProcess.RunAsync("health", "--server", server);
        Assert.True(live.ExitCode == 0, live.Output + live.Error);
        Assert.StartsWith("/health/live: 200 ", live.Output, StringComparison.Ordinal);
        Assert.Equal("healthy", Json(live.Output).GetProperty("status").GetString());
        var ready = await CliProcess.RunAsync("health", "--server", server, "--ready");
        Assert.True(ready.ExitCode == 0, ready.Output + ready.Error);
        Assert.StartsWith("/health/ready: 200 ", ready.Output, StringComparison.Ordinal);
        Assert.Equal(["cluster", "shutdown", "store"], Checks(ready.Output).Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(Checks(ready.Output), c => Assert.Equal("healthy", c.Status));

        // The image's exact command (no --server) finds the silo through the silo's own API port setting.
        var image = await CliProcess.RunAsync(new Dictionary<string, string> { ["Monitoring__Host__ApiPort"] = $"{_silo.Endpoints.Api}" }, "health");
        Assert.True(image.ExitCode == 0, image.Output + image.Error);
        Assert.StartsWith("/health/live: 200 ", image.Output, StringComparison.Ordinal);

        // Nothing on the port (a free one, not the silo's): exit 2, "cannot reach", nothing on stdout.
        var freePort = LoopbackPorts.Take(1)[0];
        var unreachable = await CliProcess.RunAsync("health", "--server", $"http://127.0.0.1:{freePort}");
        Assert.Equal(2, unreachable.ExitCode);
        Assert.Contains($"error: cannot reach http://127.0.0.1:{freePort}/health/live", unreachable.Error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, unreachable.Output);
        var bad = await CliProcess.RunAsync("health", "--server", "not a url");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--server 'not a url' is not an absolute URL", bad.Error, StringComparison.Ordinal);

        // Store down: the process still serves (liveness 0: the container is not restarted for the database's sake),
        // readiness says 1 and names the store.
        await _postgres.StopAsync();
        var notReady = await CliProcess.RunAsync("health", "--server", server, "--ready");
        Assert.True(notReady.ExitCode == 1, notReady.Output + notReady.Error);
        Assert.StartsWith("/health/ready: 503 ", notReady.Error, StringComparison.Ordinal);
        Assert.Equal("unhealthy", Checks(notReady.Error).Single(c => c.Name == "store").Status);
        Assert.DoesNotContain(_postgres.ConnectionString, notReady.Error, StringComparison.Ordinal);
        var stillLive = await CliProcess.RunAsync("health", "--server", server);
        Assert.True(stillLive.ExitCode == 0, stillLive.Output + stillLive.Error);

        // Back: ready again (the first check after the restart may still meet a connection the outage broke).
        await _postgres.RestartAsync();
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        (int ExitCode, string Output, string Error) again;
        while ((again = await CliProcess.RunAsync("health", "--server", server, "--ready")).ExitCode != 0)
        {
            Assert.True(again.ExitCode == 1 && DateTimeOffset.UtcNow < deadline, again.Output + again.Error);
        }
        Assert.StartsWith("/health/ready: 200 ", again.Output, StringComparison.Ordinal);
    }

    /// <summary>The JSON body after "path: status " on the command's line.</summary>
    private static JsonElement Json(string line)
    {
        var text = line.Trim();
        return JsonDocument.Parse(text[text.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
    }

    private static List<(string Name, string Status)> Checks(string line) =>
        [.. Json(line).GetProperty("checks").EnumerateArray().Select(c => (c.GetProperty("name").GetString()!, c.GetProperty("status").GetString()!))];
}
