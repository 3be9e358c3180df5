using System.Net;
using System.Text.Json;
using Monitoring.Client;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>
/// Safe rollouts end to end: a real silo process (per-model guardrails from its configuration), two versions of a model
/// sent through the OpenTelemetry SDK's OTLP exporter, labels arriving after the windows closed, and the comparison and
/// verdict read through the API and the CLI: a canary worse for one segment held and then rolled back, an equal
/// candidate promoted, and shadow pairs joined by request id whichever version's score arrives first.
/// </summary>
public sealed class RolloutEndToEndTests : IAsyncLifetime
{
    private const string Equal = "canary-equal";
    private readonly string _data = Directory.CreateTempSubdirectory("monitoring-rollout-").FullName;
    private SiloProcess _silo = null!;
    private ApiClient _api = null!;

    public async Task InitializeAsync()
    {
        // The equal candidate is judged with looser non-inferiority margins than the defaults (an unpaired AUC interval
        // of 2,000 labels a version is about +-0.02 wide): a per-model override of Monitoring:Rollouts:Guardrails.
        _silo = await SiloProcess.StartAsync(_data, switches:
        [
            $"--Monitoring:Rollouts:Models:default/{Equal}:MaxAucDrop=0.05",
            $"--Monitoring:Rollouts:Models:default/{Equal}:MaxAccuracyDrop=0.05",
        ]);
        _api = new ApiClient(_silo.Api);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _silo.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task CanaryWorseForOneSegment_IsHeldUntilLabelsArrive_ThenRolledBackNamingTheSlice()
    {
        const string Model = "canary-slice";
        var rows = await SendCanaryAsync(Model, seed: 1, candidateBrazilError: 0.45);

        // A few labels: not enough evidence either way.
        SendLabels(Model, rows.Where((_, i) => i < 300));
        var early = await CompareAsync(Model);
        Assert.Equal("hold", Verdict(early));
        Assert.True(early.GetProperty("verdict").GetProperty("labeled_needed").GetInt64() > 0);

        SendLabels(Model, rows.Skip(300));
        var report = await CompareAsync(Model);

        Assert.Equal("rollback", Verdict(report));
        var slice = Assert.Single(report.GetProperty("verdict").GetProperty("reasons").EnumerateArray(),
            r => r.GetProperty("guardrail").GetString() == "max_slice_drop" && r.GetProperty("outcome").GetString() == "broken");
        Assert.Contains("country=BR", slice.GetProperty("message").GetString(), StringComparison.Ordinal);
        // Better overall: the whole-model accuracy did not break its guardrail; only the slice did.
        Assert.DoesNotContain(report.GetProperty("verdict").GetProperty("reasons").EnumerateArray(),
            r => r.GetProperty("guardrail").GetString() == "max_accuracy_drop" && r.GetProperty("outcome").GetString() == "broken");
        var perVersion = rows.GroupBy(r => r.Version).ToDictionary(g => g.Key, g => g.LongCount());
        Assert.Equal(perVersion["v3"], report.GetProperty("baseline_summary").GetProperty("labeled").GetInt64());
        Assert.Equal(perVersion["v4"], report.GetProperty("candidate_summary").GetProperty("labeled").GetInt64());

        // The versions and the closed windows' per-version reports.
        var versions = await _api.GetJsonAsync($"/api/models/default/{Model}/versions");
        var listed = versions.GetProperty("versions").EnumerateArray().ToDictionary(v => v.GetProperty("version").GetString()!, v => v.GetProperty("predictions").GetInt64());
        Assert.Equal(perVersion["v3"] + 1, listed["v3"]); // and the record that created the model
        Assert.Equal(perVersion["v4"], listed["v4"]);
        var windows = await _api.GetJsonAsync($"/api/models/default/{Model}/windows");
        var first = windows.EnumerateArray().First(w => w.GetProperty("volume").GetInt64() > 100);
        var window = await _api.GetJsonAsync($"/api/models/default/{Model}/windows/{first.GetProperty("window_start").GetString()}");
        Assert.Equal(window.GetProperty("volume").GetInt64(), window.GetProperty("by_version").EnumerateArray().Sum(v => v.GetProperty("volume").GetInt64()));

        // The page: the verdict, the broken slice marked, linked from the model page.
        var html = await _api.Http.GetStringAsync($"/models/default/{Model}/versions?baseline=v3&candidate=v4");
        Assert.Contains("data-verdict=\"rollback\"", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"drifted\" data-slice=\"country=BR\">", html, StringComparison.Ordinal);
        Assert.Contains("data-guardrail=\"max_slice_drop\" data-outcome=\"broken\"", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/models/default/{Model}/versions\"", await _api.Http.GetStringAsync($"/models/default/{Model}"), StringComparison.Ordinal);

        // The CLI reads the same comparison from the silo.
        var (exit, output, error) = await CliProcess.RunAsync("rollout", "compare", "--model", Model, "--baseline", "v3", "--candidate", "v4",
            "--server", _silo.Api.ToString(), "--verdict-exit-code");
        Assert.True(exit == 4, $"exit {exit}: {output}{error}");
        Assert.Contains("rollback", output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("BR", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EqualCandidate_IsPromoted()
    {
        var rows = await SendCanaryAsync(Equal, seed: 2, candidateBrazilError: null);
        SendLabels(Equal, rows);

        var report = await CompareAsync(Equal);

        Assert.True(Verdict(report) == "promote", report.GetProperty("verdict").ToString());
        Assert.Equal(0.05, report.GetProperty("guardrails").GetProperty("max_auc_drop").GetDouble());
    }

    [Fact]
    public async Task ShadowPairs_JoinByRequestId_WhicheverVersionArrivesFirst()
    {
        const string Model = "shadow";
        var now = DateTimeOffset.UtcNow;
        var rng = new Random(3);
        // The version in production has been running alone.
        Send([.. Enumerable.Range(0, 20).Select(i => Row(Model, "v3", $"warm{i}", now.AddSeconds(-30), 0.3, "ios", null))]);
        var scores = Enumerable.Range(0, 200).Select(_ => rng.NextDouble()).ToArray();
        // web requests: the shadow calls the other side of the threshold; ios: it agrees.
        double Shadow(int i) => i % 4 == 0 ? 1 - scores[i] : Math.Clamp(scores[i] + (0.02 * (rng.NextDouble() - 0.5)), 0, 1);
        string Device(int i) => i % 4 == 0 ? "web" : "ios";
        // The shadow's scores of the first 100 requests arrive before the baseline's; of the next 100, after.
        Send([.. Enumerable.Range(0, 100).Select(i => Row(Model, "v4", $"s{i}", now, Shadow(i), Device(i), $"r{i}"))]);
        Send([.. Enumerable.Range(0, 200).Select(i => Row(Model, "v3", $"b{i}", now, scores[i], Device(i), $"r{i}"))]);
        Send([.. Enumerable.Range(100, 100).Select(i => Row(Model, "v4", $"s{i}", now, Shadow(i), Device(i), $"r{i}"))]);

        var versions = await _api.GetJsonAsync($"/api/models/default/{Model}/versions");
        Assert.Equal(200, versions.GetProperty("shadow_pairs").GetInt64());
        Assert.Equal(0, versions.GetProperty("shadow_pending").GetInt64());

        var shadow = (await CompareAsync(Model)).GetProperty("shadow");
        Assert.Equal(200, shadow.GetProperty("pairs").GetInt64());
        // Every web pair disagrees; ios pairs only where the small difference crosses the threshold.
        var agreement = shadow.GetProperty("agreement").GetDouble();
        Assert.True(agreement is > 0.6 and < 0.8, shadow.ToString());
        var worst = shadow.GetProperty("slices").EnumerateArray().First();
        Assert.Equal("device", worst.GetProperty("dimension").GetString());
        Assert.Equal("web", worst.GetProperty("value").GetString());
        Assert.Equal(50, worst.GetProperty("pairs").GetInt64());
        Assert.Equal(50, worst.GetProperty("disagreements").GetInt64());
    }

    [Fact]
    public async Task Compare_BadInput_Returns400NamingTheParameter_UnknownVersion404()
    {
        const string Model = "canary-input";
        Send([Row(Model, "v3", "a", DateTimeOffset.UtcNow, 0.4, "ios", null), Row(Model, "v4", "b", DateTimeOffset.UtcNow, 0.4, "ios", null)]);

        await AssertErrorAsync($"/api/models/default/{Model}/versions/compare?candidate=v4", HttpStatusCode.BadRequest, "baseline");
        await AssertErrorAsync($"/api/models/default/{Model}/versions/compare?baseline=v3", HttpStatusCode.BadRequest, "candidate");
        await AssertErrorAsync($"/api/models/default/{Model}/versions/compare?baseline=v3&candidate=v4&from=yesterday", HttpStatusCode.BadRequest, "from");
        await AssertErrorAsync($"/api/models/default/{Model}/versions/compare?baseline=v3&candidate=v9", HttpStatusCode.NotFound, "candidate");
        await AssertErrorAsync($"/api/models/default/no-such-model/versions/compare?baseline=v3&candidate=v4", HttpStatusCode.NotFound, "model");
        await AssertErrorAsync($"/api/models/default/no-such-model/versions", HttpStatusCode.NotFound, "model");
    }

    [Fact]
    public async Task VersionsPage_EncodesVersionNames_AndAsksForBothVersions()
    {
        const string Model = "canary-page";
        const string Hostile = "<i>v5</i>";
        Send([Row(Model, "v3", "a", DateTimeOffset.UtcNow, 0.4, "ios", null), Row(Model, Hostile, "b", DateTimeOffset.UtcNow, 0.6, "<b>web</b>", null)]);

        var html = await _api.Http.GetStringAsync($"/models/default/{Model}/versions");

        Assert.DoesNotContain(Hostile, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>web</b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;i&gt;v5&lt;/i&gt;", html, StringComparison.Ordinal);
        Assert.Contains("data-verdict=\"hold\"", html, StringComparison.Ordinal); // two predictions: not enough evidence
        using var missing = await _api.Http.GetAsync($"/models/default/{Model}/versions?baseline=v3");
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("candidate", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SharedPredictionId_BothVersionsLogged_LabelsJoinBoth_AndTheTestsArePaired()
    {
        const string Model = "shadow-shared";
        var rng = new Random(5);
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);
        Send([Row(Model, "v3", "create", DateTimeOffset.UtcNow, 0.5, "ios", null)]);
        using (var settings = await _api.PutJsonAsync($"/api/models/default/{Model}/settings", new { window_seconds = 60, allowed_lateness_seconds = 600 }))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        var predictions = new List<Prediction>();
        var labels = new List<(string Id, int Label)>();
        for (var i = 0; i < 1500; i++)
        {
            var label = rng.NextDouble() < 0.4 ? 1 : 0;
            var common = (label == 1 ? 0.62 : 0.38) + (0.2 * (rng.NextDouble() - 0.5));
            var at = start.AddMilliseconds(i * 40);
            var baseline = Row(Model, "v3", $"p{i}", at, Math.Clamp(common + (0.1 * (rng.NextDouble() - 0.5)), 0, 1), i % 2 == 0 ? "ios" : "web", null);
            var candidate = Row(Model, "v4", $"p{i}", at, Math.Clamp(common + (0.1 * (rng.NextDouble() - 0.5)), 0, 1), i % 2 == 0 ? "ios" : "web", null);
            // A third of the candidates score first.
            predictions.AddRange(i % 3 == 0 ? [candidate, baseline] : [baseline, candidate]);
            labels.Add(($"p{i}", label));
        }

        Send(predictions);
        Send(predictions.Take(300)); // a client retry: the same ids and versions again are duplicates
        Assert.Equal(3001, await _api.PredictionsAsync(Model));
        Traffic.SendLabelsAndAck(_silo.OtlpGrpc, OtlpProtocol.Grpc, Model, labels.Take(1000));
        Traffic.SendLabelsAndAck(_silo.OtlpGrpc, OtlpProtocol.Grpc, Model, labels.Skip(1000));

        var report = await CompareAsync(Model);

        Assert.Equal("paired", report.GetProperty("pairing").GetString());
        var auc = Assert.Single(report.GetProperty("metrics").EnumerateArray(), m => m.GetProperty("metric").GetString() == "auc");
        Assert.Equal("delong_paired (binned scores)", auc.GetProperty("test").GetString());
        Assert.Contains(report.GetProperty("metrics").EnumerateArray(), m => m.GetProperty("metric").GetString() == "brier" && m.GetProperty("test").GetString() == "paired_z");
        Assert.Equal(1500, report.GetProperty("baseline_summary").GetProperty("labeled").GetInt64());
        Assert.Equal(1500, report.GetProperty("candidate_summary").GetProperty("labeled").GetInt64());
        Assert.Equal(1500, report.GetProperty("shadow").GetProperty("pairs").GetInt64());
        var versions = await _api.GetJsonAsync($"/api/models/default/{Model}/versions");
        Assert.Equal(1500, versions.GetProperty("shadow_pairs").GetInt64());
        Assert.Equal(1500, versions.GetProperty("shadow_labeled").GetInt64());
        Assert.Equal(0, versions.GetProperty("shadow_awaiting_label").GetInt64());
    }

    [Fact]
    public async Task VersionsPage_InHeadlessChromium_ShowsTheVerdictAndTheBrokenSlice_AndComparesTheOtherWayRound()
    {
        const string Model = "canary-browser";
        var rows = await SendCanaryAsync(Model, seed: 1, candidateBrazilError: 0.45);
        SendLabels(Model, rows);
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Pages.PagesFixture.ChromiumPath, Headless = true });
        var page = await browser.NewPageAsync(new() { BaseURL = _silo.Api.ToString() });
        var foreign = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(_silo.Api.ToString(), StringComparison.Ordinal))
            {
                lock (foreign)
                {
                    foreign.Add(request.Url);
                }
            }
        };

        var response = await page.GotoAsync($"/models/default/{Model}/versions");

        Assert.Equal(200, response!.Status);
        Assert.Equal($"{Model}: versions", await page.InnerTextAsync("h1"));
        Assert.Equal(2, await page.Locator("table.versions tbody tr").CountAsync());
        Assert.Equal("v3", await page.EvalOnSelectorAsync<string>("select#baseline", "s => s.value"));
        Assert.Equal("v4", await page.EvalOnSelectorAsync<string>("select#candidate", "s => s.value"));
        Assert.Equal("rollback", await page.GetAttributeAsync("p.verdict", "data-verdict"));
        Assert.Equal("rollback", (await page.InnerTextAsync("p.verdict .badge")).Trim());
        Assert.Equal(1, await page.Locator("table.slices tr.drifted[data-slice='country=BR']").CountAsync());
        Assert.Equal(1, await page.Locator("ul.reasons li[data-guardrail='max_slice_drop'][data-outcome='broken']").CountAsync());
        // The calibration difference has its interval and test.
        var ece = page.Locator("table.compare tr[data-metric='ece'] td");
        Assert.Contains(",", await ece.Nth(4).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("delta_method_z", (await ece.Nth(6).InnerTextAsync()).Trim());
        // The JSON link is the API's comparison of the same pair.
        var json = await page.GetAttributeAsync("a[href*='/versions/compare']", "href");
        Assert.Equal("rollback", (await _api.GetJsonAsync(json!)).GetProperty("verdict").GetProperty("decision").GetString());

        // The form is a GET: swapping the versions compares v3 against v4 the other way round.
        await page.SelectOptionAsync("select#baseline", "v4");
        await page.SelectOptionAsync("select#candidate", "v3");
        await page.ClickAsync("form button[type=submit]");
        Assert.Contains("baseline=v4&candidate=v3", page.Url, StringComparison.Ordinal);
        Assert.Equal("v3 against v4", await page.InnerTextAsync("h2 >> nth=0"));
        Assert.Empty(foreign);
    }

    private async Task AssertErrorAsync(string path, HttpStatusCode status, string field)
    {
        using var response = await _api.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode} {body}");
        Assert.Equal(field, JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());
    }

    /// <summary>
    /// 4,000 requests over two closed one-minute windows, each served by v3 or v4 (canary), labels withheld. Both versions
    /// err 15% of the time; with <paramref name="candidateBrazilError"/> the candidate errs 4% outside Brazil (better
    /// overall) and that often in Brazil (10% of the traffic).
    /// </summary>
    private async Task<List<(string Id, string Version, int Label)>> SendCanaryAsync(string model, int seed, double? candidateBrazilError)
    {
        var rng = new Random(seed);
        var window = TimeSpan.FromMinutes(1);
        var start = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / window.Ticks - 3) * window.Ticks, TimeSpan.Zero);
        Send([Row(model, "v3", "create", DateTimeOffset.UtcNow, 0.5, "ios", null)]);
        using (var settings = await _api.PutJsonAsync($"/api/models/default/{model}/settings", new { window_seconds = 60, allowed_lateness_seconds = 600 }))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        var rows = new List<(string Id, string Version, int Label)>();
        var predictions = new List<Prediction>();
        for (var i = 0; i < 4000; i++)
        {
            var version = i % 2 == 0 ? "v3" : "v4";
            var country = (i / 2) % 10 == 0 ? "BR" : (i / 2) % 3 == 0 ? "DE" : "US";
            var label = rng.NextDouble() < 0.5 ? 1 : 0;
            var error = version == "v4" && candidateBrazilError is { } brazil ? (country == "BR" ? brazil : 0.04) : 0.15;
            var right = rng.NextDouble() >= error;
            var score = (label == 1) == right ? 0.55 + (0.4 * rng.NextDouble()) : 0.05 + (0.4 * rng.NextDouble());
            var id = $"{version}-{i}";
            predictions.Add(new Prediction(model, version, id, score, null, null, 10 + (10 * rng.NextDouble()),
                new Dictionary<string, object?> { ["age"] = 30 + (20 * rng.NextDouble()) },
                new Dictionary<string, string> { ["country"] = country },
                start.AddMilliseconds(i * 30)));
            rows.Add((id, version, label));
        }

        Send(predictions);
        Assert.Equal(4001, await _api.PredictionsAsync(model));
        // The windows close before any label arrives: every label is late and joins its prediction's closed window.
        Assert.Equal(HttpStatusCode.OK, (await _api.Http.PostAsync($"/api/models/default/{model}/windows/close", null)).StatusCode);
        return rows;
    }

    /// <summary>Sends in chunks the SDK's batch queue (2,048 records) holds whole: a larger burst would be dropped by the client.</summary>
    private void SendLabels(string model, IEnumerable<(string Id, string Version, int Label)> rows)
    {
        foreach (var chunk in rows.Chunk(1000))
        {
            Traffic.SendLabelsAndAck(_silo.OtlpGrpc, OtlpProtocol.Grpc, model, chunk.Select(r => (r.Id, r.Label)));
        }
    }

    private void Send(IEnumerable<Prediction> predictions)
    {
        foreach (var chunk in predictions.Chunk(1000))
        {
            Traffic.SendAndAck(_silo.OtlpGrpc, OtlpProtocol.Grpc, chunk);
        }
    }

    private static Prediction Row(string model, string version, string id, DateTimeOffset at, double score, string device, string? request) =>
        new(model, version, id, score, null, null, 12.5, new Dictionary<string, object?>(), new Dictionary<string, string> { ["device"] = device }, at, request);

    private async Task<JsonElement> CompareAsync(string model) =>
        await _api.GetJsonAsync($"/api/models/default/{model}/versions/compare?baseline=v3&candidate=v4");

    private static string? Verdict(JsonElement report) => report.GetProperty("verdict").GetProperty("decision").GetString();
}
