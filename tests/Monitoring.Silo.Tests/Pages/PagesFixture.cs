using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Monitoring.Client;
using Xunit;

namespace Monitoring.Silo.Tests.Pages;

/// <summary>
/// One real silo with demo-like data for the page tests: a rule file, a model <c>credit</c> with an uploaded reference,
/// a normal window and a drifted one (a FeatureDrift incident), labels for slices; and a model whose id, feature names,
/// segment names and values are hostile HTML, with a rule whose annotations hold <c>javascript:</c> links and whose
/// runbook link carries the hostile feature name. Everything goes in through the OpenTelemetry SDK's OTLP exporter.
/// Headless Chromium (Debian's, through Playwright with no browser download) is started once.
/// </summary>
public sealed class PagesFixture : IAsyncLifetime
{
    public const string Model = "credit";
    public const string Hostile = "<script>alert(1)</script>";
    public const string HostileAttr = "\"><img src=x onerror=alert(1)>";
    public const string JavascriptLink = "javascript:alert(1)";

    /// <summary>Debian's chromium.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-pages-").FullName;
    private IPlaywright? _playwright;

    public SiloProcess Silo { get; private set; } = null!;

    public ApiClient Api { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Start of the normal window (ISO 8601, as reports write it).</summary>
    public string Window1 { get; private set; } = string.Empty;

    /// <summary>Start of the drifted window.</summary>
    public string Window2 { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var rules = Path.Combine(_data, "rules.yml");
        await File.WriteAllTextAsync(rules, """
            groups:
              - name: pages
                rules:
                  - alert: FeatureDrift
                    expr: feature_psi > 0.2
                    labels: {severity: page}
                    annotations:
                      summary: "{{ $labels.feature }} drifted on {{ $labels.model }} (PSI {{ $value | printf \"%.3f\" }})"
                      description: "The distribution of {{ $labels.feature }} moved."
                      runbook_url: "{{ $externalURL }}/runbooks/feature-drift?feature={{ $labels.feature }}"
                      dashboard: "javascript:alert(1)"
                      link: "{{ $labels.feature }}"
            """);
        Silo = await SiloProcess.StartAsync(Path.Combine(_data, "silo"), environment: new Dictionary<string, string>
        {
            ["Monitoring__Alerting__RulesPath"] = rules,
        });
        Api = new ApiClient(Silo.Api);

        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);
        await SendCreditAsync(start);
        await SendHostileAsync(start);
        await WaitForIncidentsAsync(Model, Hostile);
        Window1 = start.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        Window2 = start.AddMinutes(1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Api?.Dispose();
        if (Silo is not null)
        {
            await Silo.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }

    /// <summary>A new browser page whose script dialogs are recorded (and dismissed).</summary>
    public async Task<(IPage Page, List<string> Dialogs)> NewPageAsync()
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = Silo.Api.ToString() });
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            lock (dialogs)
            {
                dialogs.Add(dialog.Message);
            }

            await dialog.DismissAsync();
        };
        return (page, dialogs);
    }

    /// <summary>Incidents as the API lists them.</summary>
    public async Task<List<JsonElement>> IncidentsAsync(string? state = null) =>
        [.. (await Api.GetJsonAsync(state is null ? "/api/incidents" : $"/api/incidents?state={state}")).EnumerateArray()];

    /// <summary>
    /// Waits (polling, with a deadline) until each model has an incident: a window close hands its alerts to the
    /// notifier in the background, so the close request can return before the notifier has opened the incident.
    /// </summary>
    private async Task WaitForIncidentsAsync(params string[] models)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var open = (await IncidentsAsync()).Select(i => i.GetProperty("labels").GetProperty("model").GetString()).ToHashSet(StringComparer.Ordinal);
            if (models.All(open.Contains))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no incident for {string.Join(", ", models.Where(m => !open.Contains(m)))} within 30 s of the window close");
            await Task.Delay(100);
        }
    }

    private async Task SendCreditAsync(DateTimeOffset start)
    {
        var rng = new Random(11);
        await ConfigureAsync(Model);
        var csv = new StringBuilder("age,country,score\n");
        for (var i = 0; i < 3000; i++)
        {
            csv.Append((40 + 10 * Traffic.Gaussian(rng)).ToString("R", CultureInfo.InvariantCulture)).Append(i % 3 == 0 ? ",BR," : ",US,")
                .Append(rng.NextDouble().ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        using (var upload = await Api.Http.PutAsync($"/api/models/default/{Model}/reference?source=train.csv&score_column=score", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv")))
        {
            Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        }

        for (var w = 0; w < 2; w++)
        {
            var labels = new List<(string Id, int Label, DateTimeOffset At)>();
            var predictions = new List<Prediction>();
            for (var i = 0; i < 800; i++)
            {
                var country = i % 3 == 0 ? "BR" : "US";
                var score = rng.NextDouble();
                var id = $"w{w}-{i}";
                predictions.Add(Traffic.Prediction(Model, id, start.AddMinutes(w).AddMilliseconds(i * 50), (w == 1 ? 48 : 40) + 10 * Traffic.Gaussian(rng), country, score));
                // Labels agree with the score, except in latam (BR) where the model is wrong half the time.
                var correct = country == "BR" ? rng.NextDouble() < 0.5 : rng.NextDouble() < 0.9;
                labels.Add((id, (score >= 0.5) == correct ? 1 : 0, start.AddMinutes(w).AddMilliseconds((i * 50) + 10)));
            }

            Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc, predictions);
            // Labels carry a time inside their prediction's window, so they open no window of their own.
            using (var logger = Traffic.Logger(Silo.OtlpGrpc, OtlpProtocol.Grpc))
            {
                foreach (var (id, label, at) in labels)
                {
                    logger.LogLabel(Model, id, label, at);
                }
            }

            await CloseAsync(Model);
        }
    }

    private async Task SendHostileAsync(DateTimeOffset start)
    {
        var rng = new Random(12);
        await ConfigureAsync(Uri.EscapeDataString(Hostile));
        for (var w = 0; w < 2; w++)
        {
            var shift = w == 1 ? 30 : 0;
            Traffic.SendAndAck(Silo.OtlpGrpc, OtlpProtocol.Grpc,
                Enumerable.Range(0, 600).Select(i => Hostile1(start.AddMinutes(w).AddMilliseconds(i * 50), shift, rng.NextDouble(), rng, $"h{w}-{i}")));
            await CloseAsync(Uri.EscapeDataString(Hostile));
        }
    }

    private static Prediction Hostile1(DateTimeOffset at, double shift, double score, Random rng, string id = "hwarm") =>
        new(Hostile, Hostile, id, score, null, null, 10,
            new Dictionary<string, object?>
            {
                [HostileAttr] = 50 + shift + 10 * Traffic.Gaussian(rng),
                [Hostile] = rng.Next(3) == 0 ? Hostile : HostileAttr,
                [JavascriptLink] = rng.Next(2) == 0 ? JavascriptLink : "b",
            },
            new Dictionary<string, string> { ["region"] = rng.Next(2) == 0 ? Hostile : HostileAttr, [HostileAttr] = JavascriptLink },
            at);

    private async Task ConfigureAsync(string modelPath)
    {
        using var settings = await Api.PutJsonAsync($"/api/models/default/{modelPath}/settings", new { window_seconds = 60, allowed_lateness_seconds = 600, minimum_sample_size = 100 });
        Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
    }

    private async Task CloseAsync(string modelPath)
    {
        using var close = await Api.Http.PostAsync($"/api/models/default/{modelPath}/windows/close", null);
        Assert.Equal(HttpStatusCode.OK, close.StatusCode);
    }
}

[CollectionDefinition(Name)]
public sealed class PagesCollection : ICollectionFixture<PagesFixture>
{
    public const string Name = "pages";
}
