using System.Diagnostics;
using Microsoft.Playwright;
using Xunit;

namespace Monitoring.Silo.Tests.Pages;

/// <summary>
/// <c>monitoring report</c> against the pages fixture's real silo: the CLI process writes one HTML file, which headless
/// Chromium opens from disk with every network request recorded. The file names the model and its drifted features,
/// embeds its charts as PNG data URIs with their titles as alt text (decoded by the browser), requests nothing,
/// references nothing but #fragments, data: URIs and the silo it came from, and shows hostile identifiers as text. Bad arguments give exit code 2 and name the option.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class ReportTests(PagesFixture fx) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monitoring-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Report_FromSilo_IsOneSelfContainedFile_WithTheDriftedFeaturesAndInlineCharts()
    {
        var file = Path.Combine(_dir, "credit.html");
        var run = await CliProcess.RunAsync("report", "--server", fx.Silo.Api.ToString(), "--model", PagesFixture.Model, "--out", file);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains(file, run.Output);

        var newest = await fx.Api.GetJsonAsync($"/api/models/default/{PagesFixture.Model}/windows/{fx.Window2}");
        var drifted = newest.GetProperty("drifted_features").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.NotEmpty(drifted);

        var html = await File.ReadAllTextAsync(file);
        var (page, requests, dialogs) = await OpenAsync(file);
        await AssertOnlyLocalReferencesAsync(page, html, fx.Silo.Api);
        Assert.Contains(PagesFixture.Model, await page.TitleAsync());
        Assert.Contains(PagesFixture.Model, await page.Locator("h1").InnerTextAsync());
        foreach (var feature in drifted)
        {
            Assert.Equal(1, await page.Locator($"tr.drifted[data-feature='{feature}']").CountAsync());
            // Its distribution chart is a PNG with alt text naming it.
            var alt = await page.Locator($"tr[data-feature='{feature}'] figure.chart img").First.GetAttributeAsync("alt");
            Assert.Contains(feature, alt);
        }

        Assert.Equal(0, await page.Locator("svg").CountAsync());
        Assert.Equal(0, await page.Locator("script").CountAsync());
        var charts = page.Locator("figure.chart img");
        Assert.True(await charts.CountAsync() >= drifted.Count + 1, "a distribution chart per drifted feature and trend charts");
        Assert.Equal(await charts.CountAsync(), await page.Locator("figure.chart img[alt][src^='data:image/png;base64,']").CountAsync());
        // The browser decoded every PNG at its stated size.
        Assert.True(await page.EvaluateAsync<bool>("() => [...document.querySelectorAll('figure.chart img')].every(i => i.complete && i.naturalWidth > 0 && String(i.naturalWidth) === i.getAttribute('width') && String(i.naturalHeight) === i.getAttribute('height'))"));
        Assert.True(await page.Locator("figure[data-chart='drift-over-time'] img").CountAsync() >= 1);
        Assert.True(await page.Locator("section.slices table.worst tbody tr").CountAsync() >= 1, "the silo's slice report is in the file");

        // The one link back is absolute, to the silo the report came from.
        var live = await page.Locator("a", new() { HasText = "live page" }).GetAttributeAsync("href");
        Assert.StartsWith(fx.Silo.Api.ToString(), live, StringComparison.Ordinal);
        Assert.Equal([new Uri(file).AbsoluteUri], requests);
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task Report_OfOneWindow_ShowsThatWindow()
    {
        var file = Path.Combine(_dir, "window1.html");
        var run = await CliProcess.RunAsync("report", "--server", fx.Silo.Api.ToString(), "--model", PagesFixture.Model, "--window", fx.Window1, "--out", file);
        Assert.True(run.ExitCode == 0, run.Error);
        var (page, requests, _) = await OpenAsync(file);
        Assert.Contains(fx.Window1[..16].Replace('T', ' '), await page.Locator("p.sub").First.InnerTextAsync());
        Assert.Contains("1 window(s) in range", await page.Locator("p.sub").First.InnerTextAsync());
        Assert.Single(requests);
    }

    [Fact]
    public async Task Report_OfHostileModel_ShowsHostileNamesAsText()
    {
        var file = Path.Combine(_dir, "hostile.html");
        var run = await CliProcess.RunAsync("report", "--server", fx.Silo.Api.ToString(), "--model", PagesFixture.Hostile, "--out", file);
        Assert.True(run.ExitCode == 0, run.Error);
        var html = await File.ReadAllTextAsync(file);
        Assert.DoesNotContain(PagesFixture.Hostile, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        var (page, requests, dialogs) = await OpenAsync(file);
        await AssertOnlyLocalReferencesAsync(page, html, fx.Silo.Api);
        Assert.Equal(0, await page.Locator("script").CountAsync());
        Assert.Equal(0, await page.Locator("img:not(figure.chart > img), img:not([src^='data:image/png;base64,'])").CountAsync());
        Assert.Contains(PagesFixture.Hostile, await page.Locator("h1").InnerTextAsync());
        Assert.True(await page.EvaluateAsync<bool>("f => [...document.querySelectorAll('tr[data-feature]')].some(r => r.dataset.feature === f)", PagesFixture.HostileAttr));
        Assert.Single(requests);
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task BadArguments_ExitTwo_NamingTheOption()
    {
        var api = fx.Silo.Api.ToString();
        var file = Path.Combine(_dir, "bad.html");

        var unknown = await CliProcess.RunAsync("report", "--server", api, "--model", "no-such-model", "--out", file);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--model", unknown.Error);
        Assert.Contains("no-such-model", unknown.Error);

        var both = await CliProcess.RunAsync("report", "--server", api, "--model", PagesFixture.Model, "--window", fx.Window1, "--from", fx.Window1, "--out", file);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--window", both.Error);
        Assert.Contains("--from/--to", both.Error);

        var empty = await CliProcess.RunAsync("report", "--server", api, "--model", PagesFixture.Model, "--from", "2001-01-01T00:00:00Z", "--to", "2001-01-02T00:00:00Z", "--out", file);
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("no closed window", empty.Error);

        var noWindow = await CliProcess.RunAsync("report", "--server", api, "--model", PagesFixture.Model, "--window", "2001-01-01T00:00:00Z", "--out", file);
        Assert.Equal(2, noWindow.ExitCode);
        Assert.Contains("--window", noWindow.Error);

        var unwritable = Path.Combine(_dir, "missing-dir", "r.html");
        var cannotWrite = await CliProcess.RunAsync("report", "--server", api, "--model", PagesFixture.Model, "--out", unwritable);
        Assert.Equal(2, cannotWrite.ExitCode);
        Assert.Contains(unwritable, cannotWrite.Error);
        Assert.False(File.Exists(file));
    }

    /// <summary>
    /// Every src, href, action or poster attribute of every element (SVG included), and every CSS url( in style
    /// elements and attributes, is a #fragment, a data: URI, or under the silo's own URL; no element loads anything.
    /// </summary>
    private static async Task AssertOnlyLocalReferencesAsync(IPage page, string html, Uri silo)
    {
        var references = await page.EvaluateAsync<string[]>("""
            () => {
              const out = [];
              for (const e of document.querySelectorAll('*')) {
                for (const a of e.attributes) {
                  if (['src', 'href', 'xlink:href', 'action', 'poster', 'srcset', 'data'].includes(a.name)) out.push(a.value);
                  if (a.name === 'style') for (const m of a.value.matchAll(/url\(\s*['"]?([^'")]*)/g)) out.push(m[1]);
                }
              }
              for (const s of document.querySelectorAll('style')) for (const m of s.textContent.matchAll(/url\(\s*['"]?([^'")]*)/g)) out.push(m[1]);
              return out;
            }
            """);
        Assert.NotEmpty(references);
        foreach (var value in references.Select(v => v.Trim()))
        {
            Assert.True(
                value.StartsWith('#') || value.StartsWith("data:", StringComparison.OrdinalIgnoreCase) || value.StartsWith(silo.ToString(), StringComparison.Ordinal),
                $"external or relative reference: {value}");
        }

        Assert.Equal(0, await page.Locator("script, link, iframe, object, embed, video, audio, source").CountAsync());
        // The only images are the charts: PNG data URIs with alt text.
        Assert.Equal(0, await page.Locator("img:not(figure.chart > img), img:not([src^='data:image/png;base64,']), img:not([alt])").CountAsync());
        Assert.DoesNotMatch("(?i)@import|<link\\b|<script\\b|<iframe\\b|<object\\b|<embed\\b", html);
    }

    private async Task<(IPage Page, List<string> Requests, List<string> Dialogs)> OpenAsync(string file)
    {
        var page = await fx.Browser.NewPageAsync();
        var requests = new List<string>();
        var dialogs = new List<string>();
        page.Request += (_, r) => { lock (requests) { requests.Add(r.Url); } };
        page.Dialog += async (_, d) => { lock (dialogs) { dialogs.Add(d.Message); } await d.DismissAsync(); };
        await page.GotoAsync(new Uri(file).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });
        return (page, requests, dialogs);
    }
}
