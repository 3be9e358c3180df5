using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
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
/// models then appear in <c>GET /api/models</c> with exactly those counts. In open mode over OTLP/HTTP stopped by SIGTERM
/// (as compose runs and stops it), and in api-keys mode with the key in MONITORING_API_KEY over OTLP/gRPC, stopped by
/// <c>--duration-seconds</c>, where the models land in the key's tenant.
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
    public async Task Demo_OpenMode_OverOtlpHttp_StoppedBySigterm_ModelsCountWhatItReportsSent()
    {
        await using var silo = await SiloProcess.StartAsync(Path.Combine(_data, "open"));

        // As compose runs it (OTLP/HTTP to one silo), and stopped as `docker compose stop` does: SIGTERM.
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "monitoring.dll"), "demo", "--server", $"{silo.Api}", "--otlp-endpoint", $"{silo.OtlpHttp}", "--protocol", "http", "--rate", "20" })
        {
            start.ArgumentList.Add(a);
        }

        using var demo = Process.Start(start)!;
        var output = new StringBuilder();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        demo.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data?.StartsWith("demo: 3 models", StringComparison.Ordinal) == true)
            {
                running.TrySetResult();
            }
        };
        var error = demo.StandardError.ReadToEndAsync();
        demo.BeginOutputReadLine();
        await running.Task.WaitAsync(TimeSpan.FromMinutes(1)); // set up and sending
        // Some traffic for each model: the silo has counted predictions of all three (a real condition, polled with a deadline).
        using var api = new ApiClient(silo.Api);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60);
        while (!await AllModelsHavePredictionsAsync(api.Http))
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the demo's predictions did not reach all three models within 60 s");
            await Task.Delay(250); // between reads of a real condition, bounded by the deadline
        }

        Assert.Equal(0, SendSignal(demo.Id, SigTerm));
        await demo.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        demo.WaitForExit(); // the output is read to the end
        var text = output.ToString();
        Assert.True(demo.ExitCode == 0, $"exit code {demo.ExitCode}\n{text}{await error}");
        await AssertModelsCountAsync(api.Http, "default", Sent(text));
    }

    private static async Task<bool> AllModelsHavePredictionsAsync(HttpClient http)
    {
        foreach (var model in DemoSetup.Models)
        {
            using var response = await http.GetAsync($"/api/models/default/{model}");
            if (!response.IsSuccessStatusCode
                || JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("totals").GetProperty("predictions").GetInt64() == 0)
            {
                return false;
            }
        }

        return true;
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

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
