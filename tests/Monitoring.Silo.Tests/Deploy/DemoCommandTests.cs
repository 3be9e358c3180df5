using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Monitoring.Client.Demo;
using Monitoring.Storage.Auth;
using Xunit;

namespace Monitoring.Silo.Tests.Deploy;

/// <summary>
/// <c>monitoring demo</c> (deploy/compose.yaml's demo client) against a real silo: it sets the demo models up through
/// the API, sends their traffic over OTLP, stops after <c>--duration-seconds</c>, and prints what it sent per model; the
/// models then appear in <c>GET /api/models</c> with exactly those counts. In open mode over OTLP/HTTP (as compose runs
/// it), and in api-keys mode with the key in MONITORING_API_KEY over OTLP/gRPC, where the models land in the key's tenant.
/// </summary>
public sealed partial class DemoCommandTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-demo-cli-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Demo_OpenMode_OverOtlpHttp_ModelsCountWhatItReportsSent()
    {
        await using var silo = await SiloProcess.StartAsync(Path.Combine(_data, "open"));
        var run = await CliProcess.RunAsync("demo", "--server", $"{silo.Api}", "--otlp-endpoint", $"{silo.OtlpHttp}", "--protocol", "http",
            "--rate", "20", "--duration-seconds", "6");
        Assert.True(run.ExitCode == 0, run.Output + run.Error);

        using var api = new ApiClient(silo.Api);
        await AssertModelsCountAsync(api.Http, "default", Sent(run.Output));
    }

    [Fact]
    public async Task Demo_ApiKeysMode_WithMonitoringApiKey_SendsToTheKeysTenant_AndWithoutTenantSaysWhy()
    {
        var data = Path.Combine(_data, "keys");
        Directory.CreateDirectory(data);
        string demoKey, readKey;
        await using (var store = SqlApiKeyStore.CreateSqlite(Path.Combine(data, "monitoring.db")))
        {
            demoKey = (await store.CreateAsync("acme", ApiKeyScopes.Ingest | ApiKeyScopes.Admin, "demo", null)).Key;
            readKey = (await store.CreateAsync("acme", ApiKeyScopes.Read, "dashboards", null)).Key;
        }
        SqliteConnection.ClearAllPools();
        await using var silo = await SiloProcess.StartAsync(data, environment: new Dictionary<string, string> { ["Monitoring__Auth__Mode"] = "api-keys" });
        var environment = new Dictionary<string, string> { ["MONITORING_API_KEY"] = demoKey };

        // Without --tenant the demo would set up default's models, which the key cannot see: it stops and says why.
        var wrong = await CliProcess.RunAsync(environment, "demo", "--server", $"{silo.Api}", "--otlp-endpoint", $"{silo.OtlpGrpc}", "--duration-seconds", "5");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--tenant", wrong.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(demoKey, wrong.Error + wrong.Output, StringComparison.Ordinal);

        var run = await CliProcess.RunAsync(environment, "demo", "--server", $"{silo.Api}", "--otlp-endpoint", $"{silo.OtlpGrpc}", "--protocol", "grpc",
            "--tenant", "acme", "--rate", "20", "--duration-seconds", "6");
        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.DoesNotContain(demoKey, run.Error + run.Output, StringComparison.Ordinal);

        using var api = new ApiClient(silo.Api);
        api.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", readKey);
        await AssertModelsCountAsync(api.Http, "acme", Sent(run.Output));

        // The models are acme's only: the default tenant has none of them.
        using var open = await api.Http.GetAsync($"/api/models/default/{DemoTraffic.CreditRiskModel}");
        Assert.Equal(HttpStatusCode.NotFound, open.StatusCode);
        Assert.DoesNotContain(demoKey, silo.Output, StringComparison.Ordinal);
    }

    /// <summary>Every demo model is listed for <paramref name="tenant"/> and its totals equal what the command said it sent.</summary>
    private static async Task AssertModelsCountAsync(HttpClient http, string tenant, IReadOnlyDictionary<string, (long Predictions, long Labels)> sent)
    {
        Assert.Equal(DemoSetup.Models.Order(StringComparer.Ordinal), sent.Keys.Order(StringComparer.Ordinal));
        var listed = JsonDocument.Parse(await http.GetStringAsync("/api/models")).RootElement.EnumerateArray()
            .Select(m => m.GetProperty("key").GetString()!).ToList();
        foreach (var (model, (predictions, labels)) in sent)
        {
            Assert.Contains($"{tenant}/{model}", listed);
            Assert.True(predictions > 0, $"{model}: no predictions sent");
            var totals = JsonDocument.Parse(await http.GetStringAsync($"/api/models/{tenant}/{model}")).RootElement.GetProperty("totals");
            Assert.Equal(predictions, totals.GetProperty("predictions").GetInt64());
            Assert.Equal(labels, totals.GetProperty("labels").GetInt64());
            Assert.Equal(0, totals.GetProperty("duplicates").GetInt64());
        }
    }

    /// <summary>The command's closing lines: <c>demo: sent {model}: {n} predictions, {m} labels</c>.</summary>
    private static Dictionary<string, (long Predictions, long Labels)> Sent(string output) =>
        SentLine().Matches(output).ToDictionary(
            m => m.Groups["model"].Value,
            m => (long.Parse(m.Groups["p"].Value, CultureInfo.InvariantCulture), long.Parse(m.Groups["l"].Value, CultureInfo.InvariantCulture)),
            StringComparer.Ordinal);

    [GeneratedRegex(@"^demo: sent (?<model>[^:]+): (?<p>\d+) predictions, (?<l>\d+) labels$", RegexOptions.Multiline)]
    private static partial Regex SentLine();
}
