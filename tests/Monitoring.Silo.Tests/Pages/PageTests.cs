using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Monitoring.Silo.Tests.Pages;

/// <summary>
/// The pages in headless Chromium against a real silo: each page loads and shows its data and charts, the drift table
/// sorts by a header link, every internal link resolves, and the ack and resolve buttons change the incident's state.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class PageTests(PagesFixture fx)
{
    private string ModelPage => $"/models/default/{PagesFixture.Model}";

    [Fact]
    public async Task Overview_ListsEveryModel_DriftedFirst_WithLinksToThem()
    {
        var (page, _) = await fx.NewPageAsync();
        var response = await page.GotoAsync("/");
        Assert.Equal(200, response!.Status);
        Assert.Equal("Models", await page.InnerTextAsync("h1"));
        var rows = await page.Locator("table.overview tbody tr").AllAsync();
        Assert.Equal(2, rows.Count);
        // Both models drifted in their last window; credit has the paging incident and one drifted feature, the
        // hostile model more drifted features: the row order follows ModelHealth.WorstFirst, every row says why.
        foreach (var row in rows)
        {
            Assert.Equal("failing", await row.Locator(".badge").First.InnerTextAsync());
            Assert.Contains("drifted", await row.Locator("td").Last.InnerTextAsync(), StringComparison.Ordinal);
        }

        await page.ClickAsync($"table.overview a[href='{ModelPage}']");
        Assert.EndsWith(ModelPage, page.Url, StringComparison.Ordinal);
        Assert.Equal(PagesFixture.Model, await page.InnerTextAsync("h1"));
    }

    [Fact]
    public async Task ModelPage_ShowsWindowsDriftTableReferenceAndIncident()
    {
        var (page, _) = await fx.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync(ModelPage))!.Status);
        var windows = await page.Locator("table.windows tbody tr").AllAsync();
        Assert.True(windows.Count >= 2);
        Assert.Contains(fx.Window2, Uri.UnescapeDataString(await windows[0].Locator("a").First.GetAttributeAsync("href") ?? ""), StringComparison.Ordinal); // newest first
        Assert.Contains("age", await windows[0].InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("none", await windows[1].InnerTextAsync(), StringComparison.Ordinal);
        var drifted = page.Locator("table.drift tr[data-feature='age']");
        Assert.Equal("drifted", await drifted.Locator(".badge").InnerTextAsync());
        Assert.Contains("train.csv", await page.InnerTextAsync("dl.facts"), StringComparison.Ordinal);
        // The open-incident box lists the model's open incidents (the ack test may have resolved the one there is).
        var open = (await fx.IncidentsAsync()).Count(i => i.GetProperty("labels").GetProperty("model").GetString() == PagesFixture.Model && i.GetProperty("state").GetString() != "resolved");
        if (open > 0)
        {
            Assert.Contains("FeatureDrift", await page.InnerTextAsync(".error-box"), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(0, await page.Locator(".error-box").CountAsync());
        }
        // Charts with their text: one distribution per feature in the table, drift trends, performance, volume.
        Assert.Equal(await page.Locator("table.drift tbody tr").CountAsync(), await page.Locator("table.drift figure.chart[data-chart='feature-distribution'] img").CountAsync());
        var src = await page.GetAttributeAsync("table.drift tr[data-feature='age'] img", "src");
        using var image = await fx.Api.Http.GetAsync(src);
        Assert.Equal("image/svg+xml", image.Content.Headers.ContentType?.MediaType);
        var ageChart = await image.Content.ReadAsStringAsync();
        Assert.Contains("age: reference vs window", ageChart, StringComparison.Ordinal);
        Assert.Contains("PSI", ageChart, StringComparison.Ordinal);
        var img = page.Locator("table.drift tr[data-feature='age'] img");
        await img.ScrollIntoViewIfNeededAsync();
        Assert.True(await img.EvaluateAsync<bool>(
            "i => i.complete && i.naturalWidth > 0 ? true : new Promise(r => { i.addEventListener('load', () => r(i.naturalWidth > 0)); i.addEventListener('error', () => r(false)); })"),
            "the chart image loads");
        var trend = await page.Locator("figure.chart[data-chart='drift-over-time'] svg text").AllTextContentsAsync();
        Assert.Contains(trend, t => t.Contains("age", StringComparison.Ordinal));
        Assert.Equal(1, await page.Locator("figure.chart[data-chart='performance-over-time'] svg").CountAsync());
        Assert.Equal(1, await page.Locator("figure.chart[data-chart='volume-latency'] svg").CountAsync());
    }

    [Fact]
    public async Task DriftTable_SortsOnTheServer_ByHeaderLinks()
    {
        var (page, _) = await fx.NewPageAsync();
        await page.GotoAsync(ModelPage + "?sort=psi&dir=desc");
        var descending = await PsiColumnAsync(page);
        Assert.True(descending.Count >= 3);
        Assert.Equal(descending.OrderByDescending(v => v), descending);

        await page.ClickAsync("table.drift thead a[href*='sort=psi']");
        Assert.Contains("sort=psi&dir=asc", page.Url, StringComparison.Ordinal);
        var ascending = await PsiColumnAsync(page);
        Assert.Equal(ascending.OrderBy(v => v), ascending);
        Assert.Equal(descending.AsEnumerable().Reverse(), ascending);
        Assert.Equal("ascending", await page.GetAttributeAsync("table.drift thead a[aria-sort]", "aria-sort"));

        await page.ClickAsync("table.drift thead a[href*='sort=name']");
        var names = await page.Locator("table.drift tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.feature)");
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
    }

    private static async Task<List<double>> PsiColumnAsync(IPage page)
    {
        var cells = await page.Locator("table.drift tbody tr td:nth-child(3)").AllInnerTextsAsync();
        return [.. cells.Where(c => c != "–").Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture))];
    }

    [Fact]
    public async Task WindowPage_ShowsDriftQualityAndPerformance_WithNeighbourLinks()
    {
        var (page, _) = await fx.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync($"{ModelPage}/windows/{fx.Window2}"))!.Status);
        Assert.Contains(PagesFixture.Model, await page.InnerTextAsync("h1"), StringComparison.Ordinal);
        Assert.Equal("drifted", await page.Locator("table.drift tr[data-feature='age'] .badge").InnerTextAsync());
        var quality = await page.InnerTextAsync("table.quality");
        Assert.Contains("country", quality, StringComparison.Ordinal);
        Assert.Contains("ml.prediction.score", quality, StringComparison.Ordinal);
        Assert.Contains("Accuracy", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Contains(await page.Locator("figure.chart[data-chart='reliability'] svg text").AllTextContentsAsync(), t => t.Contains("reliability", StringComparison.OrdinalIgnoreCase));
        await page.ClickAsync("a[rel=prev]");
        Assert.Contains(fx.Window1, Uri.UnescapeDataString(page.Url), StringComparison.Ordinal);
        Assert.Equal("no", (await page.Locator("table.drift tr[data-feature='age'] td:nth-child(2)").InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task SlicesPage_WorstSliceFirst_AndTheWindowPickerIsAGetForm()
    {
        var (page, _) = await fx.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync($"{ModelPage}/slices"))!.Status);
        var worst = page.Locator("table.worst tbody tr").First;
        Assert.Contains("BR", await worst.GetAttributeAsync("data-slice") ?? "", StringComparison.Ordinal);
        Assert.Equal("significant", await worst.Locator(".badge").First.InnerTextAsync());
        Assert.True(await page.Locator("table.dimension").CountAsync() >= 2);
        Assert.True(await page.Locator("figure.chart[data-chart='slice-comparison'] svg").CountAsync() >= 2);
        Assert.Contains(await page.Locator("figure.chart[data-chart='slice-comparison'] svg text").AllTextContentsAsync(), t => t.Contains("BR", StringComparison.Ordinal));

        await page.SelectOptionAsync("select#window", fx.Window1);
        await page.ClickAsync("form button[type=submit]");
        Assert.Contains("window=" + fx.Window1, Uri.UnescapeDataString(page.Url), StringComparison.Ordinal);
        Assert.Equal(fx.Window1, await page.EvalOnSelectorAsync<string>("select#window", "s => s.value"));
    }

    [Fact]
    public async Task RulesAndSilences_ShowWhatIsLoaded()
    {
        var (page, _) = await fx.NewPageAsync();
        Assert.Equal(200, (await page.GotoAsync("/rules"))!.Status);
        var rule = page.Locator("tr[data-rule='FeatureDrift']");
        Assert.Contains("firing", await rule.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("feature_psi > 0.2", await rule.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#load-errors").CountAsync());

        string id;
        using (var add = await fx.Api.Http.PostAsync("/api/silences", new StringContent(
            $$"""{"matchers": ["model=\"nothing\""], "ends_at": "{{DateTimeOffset.UtcNow.AddHours(1):O}}", "created_by": "pages-test", "comment": "maintenance"}""",
            System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, add.StatusCode);
            id = System.Text.Json.JsonDocument.Parse(await add.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        }

        Assert.Equal(200, (await page.GotoAsync("/silences"))!.Status);
        Assert.Contains("maintenance", await page.InnerTextAsync("table.silences"), StringComparison.Ordinal);
        Assert.Contains("model=\"nothing\"", await page.InnerTextAsync("table.silences"), StringComparison.Ordinal);

        // Its Expire button (a POST form, 303 back to the page) expires it.
        var row = page.Locator($"tr[data-silence='{id}']");
        Assert.Contains("active", await row.Locator("td").First.InnerTextAsync(), StringComparison.Ordinal);
        await row.Locator("form button[type=submit]").ClickAsync();
        await page.WaitForURLAsync("**/silences");
        Assert.Contains("expired", await page.Locator($"tr[data-silence='{id}'] td").First.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator($"tr[data-silence='{id}'] form").CountAsync());
        var listed = await fx.Api.GetJsonAsync("/api/silences");
        Assert.Equal("expired", listed.EnumerateArray().Single(s => s.GetProperty("id").GetString() == id).GetProperty("state").GetString());
    }

    [Fact]
    public async Task EveryInternalLink_Resolves()
    {
        var (page, _) = await fx.NewPageAsync();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>(["/", "/incidents", "/rules", "/silences", ModelPage, $"{ModelPage}/slices"]);
        var origin = fx.Silo.Api.GetLeftPart(UriPartial.Authority);
        var failures = new List<string>();
        while (queue.Count > 0 && seen.Count < 400)
        {
            var path = queue.Dequeue();
            if (!seen.Add(path))
            {
                continue;
            }

            var response = await fx.Api.Http.GetAsync(path);
            if ((int)response.StatusCode >= 400)
            {
                failures.Add($"{path}: {(int)response.StatusCode}");
                continue;
            }

            if (response.Content.Headers.ContentType?.MediaType != "text/html" || path.StartsWith("/runbooks", StringComparison.Ordinal))
            {
                continue;
            }

            await page.GotoAsync(path);
            foreach (var href in await page.Locator("a[href], img[src]").EvaluateAllAsync<string[]>("els => els.map(e => e.href || e.src)"))
            {
                var url = new Uri(href);
                if (href.StartsWith(origin, StringComparison.Ordinal) && url.AbsolutePath != "/openapi/v1.json")
                {
                    queue.Enqueue(url.PathAndQuery);
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(seen.Count > 20, $"crawled {seen.Count} links");
        Assert.Contains(seen, p => p.Contains("/windows/", StringComparison.Ordinal) && !p.StartsWith("/api", StringComparison.Ordinal));
        Assert.Contains(seen, p => p.StartsWith("/incidents/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AckButton_AcknowledgesTheIncident_AndResolveResolvesIt()
    {
        var incident = (await fx.IncidentsAsync("triggered")).First(i => i.GetProperty("labels").GetProperty("model").GetString() == PagesFixture.Model);
        var id = incident.GetProperty("id").GetString()!;
        var (page, _) = await fx.NewPageAsync();

        // The notification's ack link: a GET shows the form and changes nothing.
        Assert.Equal(200, (await page.GotoAsync($"/incidents/{id}/ack"))!.Status);
        Assert.Equal("triggered", (await fx.Api.GetJsonAsync($"/api/incidents/{id}")).GetProperty("state").GetString());
        Assert.Contains("FeatureDrift", await page.InnerTextAsync("h1"), StringComparison.Ordinal);
        Assert.Equal("/runbooks/feature-drift?feature=age", await page.GetAttributeAsync("a#runbook", "href"));

        await page.FillAsync("form[action$='/ack'] input[name=by]", "alice");
        await page.ClickAsync("button#ack");
        Assert.EndsWith($"/incidents/{id}", page.Url, StringComparison.Ordinal);
        Assert.Equal("acknowledged", await page.InnerTextAsync("#state"));
        var acked = await fx.Api.GetJsonAsync($"/api/incidents/{id}");
        Assert.Equal("acknowledged", acked.GetProperty("state").GetString());
        Assert.Equal("alice", acked.GetProperty("acknowledged_by").GetString());
        Assert.Equal(0, await page.Locator("button#ack").CountAsync());

        await page.FillAsync("form[action$='/resolve'] input[name=by]", "bob");
        await page.ClickAsync("button#resolve");
        Assert.Equal("resolved", await page.InnerTextAsync("#state"));
        Assert.Equal("bob", (await fx.Api.GetJsonAsync($"/api/incidents/{id}")).GetProperty("resolved_by").GetString());
        Assert.Contains("bob", await page.InnerTextAsync("table.timeline"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IncidentPage_LinksTheWindowPage_AndShowsTheEvidence()
    {
        var incident = (await fx.IncidentsAsync()).First(i => i.GetProperty("labels").GetProperty("model").GetString() == PagesFixture.Model);
        var (page, _) = await fx.NewPageAsync();
        await page.GotoAsync($"/incidents/{incident.GetProperty("id").GetString()}");
        Assert.Contains("feature_psi", await page.InnerTextAsync("dl.facts"), StringComparison.Ordinal);
        Assert.Contains(await page.Locator("figure.chart[data-chart='incident-metric'] svg text").AllTextContentsAsync(), t => t.Contains("age", StringComparison.Ordinal));
        await page.ClickAsync("dl.facts a[href^='/models/']");
        Assert.Contains($"/windows/{fx.Window2}", Uri.UnescapeDataString(page.Url), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IncidentChartPng_IsTheEvidenceChart_ServedAsACacheablePng()
    {
        var incident = (await fx.IncidentsAsync()).First(i => i.GetProperty("labels").GetProperty("model").GetString() == PagesFixture.Model);
        using var http = new HttpClient { BaseAddress = fx.Silo.Api };
        using var response = await http.GetAsync($"/incidents/{incident.GetProperty("id").GetString()}/chart.png");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=300", response.Headers.CacheControl?.ToString());
        var png = await response.Content.ReadAsByteArrayAsync();
        using var bitmap = SkiaSharp.SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        // The drift-over-time chart (wide), drawn: some ink and dark text pixels.
        Assert.Equal((880, 340), (bitmap.Width, bitmap.Height));
        long ink = 0, dark = 0;
        foreach (var c in bitmap.Pixels)
        {
            ink += c.Red < 250 || c.Green < 250 || c.Blue < 250 ? 1 : 0;
            dark += c.Red < 100 && c.Green < 100 && c.Blue < 100 ? 1 : 0;
        }

        Assert.True(ink > bitmap.Width * bitmap.Height / 50, $"{ink} ink pixels");
        Assert.True(dark > 500, $"{dark} dark pixels");

        using var unknown = await http.GetAsync("/incidents/no-such-incident/chart.png");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task OverTimeCharts_TextIsAtLeast10PixelsAsRendered()
    {
        var incident = (await fx.IncidentsAsync()).First(i => i.GetProperty("labels").GetProperty("model").GetString() == PagesFixture.Model);
        var (page, _) = await fx.NewPageAsync();
        await page.SetViewportSizeAsync(1280, 900);
        foreach (var (path, selector) in new[]
                 {
                     (ModelPage, "figure[data-chart='drift-over-time'] svg, figure[data-chart='performance-over-time'] svg, figure[data-chart='volume-latency'] svg"),
                     ($"/incidents/{incident.GetProperty("id").GetString()}", "figure[data-chart='incident-metric'] svg"),
                 })
        {
            await page.GotoAsync(path);
            // Per chart: how many text elements, and the smallest font size on screen (font size x the SVG's scale).
            var charts = await page.EvaluateAsync<double[][]>("""
                s => [...document.querySelectorAll(s)].map(svg => {
                  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                  const sizes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim().length > 0)
                    .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
                  return [sizes.length, Math.min(...sizes)];
                })
                """, selector);
            Assert.NotEmpty(charts);
            foreach (var chart in charts)
            {
                Assert.True(chart[0] >= 5, $"{path}: a chart with {chart[0]} texts");
                Assert.True(chart[1] >= 10, $"{path}: text rendered at {chart[1]:0.0} px");
            }
        }
    }
}
