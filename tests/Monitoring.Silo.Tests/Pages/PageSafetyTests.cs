using System.Net;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit;

namespace Monitoring.Silo.Tests.Pages;

/// <summary>
/// Hostile identifiers sent through OTLP (model id, feature names, segment names and values, a rule annotation with a
/// javascript: link) never execute or become links on any page; no page references anything outside this site; a GET
/// never changes state and another site cannot post the forms; bad and unknown values give 400 and 404 pages.
/// </summary>
[Collection(PagesCollection.Name)]
public sealed class PageSafetyTests(PagesFixture fx)
{
    private static readonly string HostileModel = "/models/default/" + Uri.EscapeDataString(PagesFixture.Hostile);

    private async Task<List<string>> HostilePagesAsync()
    {
        var paths = new List<string> { "/", "/incidents", "/rules", HostileModel, HostileModel + "/slices" };
        var windows = await fx.Api.GetJsonAsync($"/api/models/default/{Uri.EscapeDataString(PagesFixture.Hostile)}/windows");
        paths.AddRange(windows.EnumerateArray().Select(w => $"{HostileModel}/windows/{w.GetProperty("window_start").GetString()}"));
        paths.AddRange((await fx.IncidentsAsync()).Select(i => "/incidents/" + Uri.EscapeDataString(i.GetProperty("id").GetString()!)));
        return paths;
    }

    [Fact]
    public async Task HostileIdentifiers_NeverExecute_AndAreShownAsText()
    {
        var paths = await HostilePagesAsync();
        Assert.Contains(paths, p => p.StartsWith("/incidents/", StringComparison.Ordinal));
        var (page, dialogs) = await fx.NewPageAsync();
        foreach (var path in paths)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status == 200, $"{path}: {response.Status}");
            Assert.Equal(0, await page.Locator("script").CountAsync());
            // The only images are our charts (site-relative .svg URLs); an injected <img src=x> would be another.
            Assert.Equal(0, await page.Locator("img:not([src^='/models/'][src$='/distribution.svg'])").CountAsync());
            var handlers = await page.EvaluateAsync<int>("() => [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length");
            Assert.True(handlers == 0, $"{path}: {handlers} elements with event handler attributes");
            foreach (var href in await page.Locator("[href]").EvaluateAllAsync<string[]>("els => els.map(e => e.href || e.getAttribute('href'))"))
            {
                var scheme = new Uri(href).Scheme;
                Assert.True(scheme is "http" or "https", $"{path}: link {href}");
            }
        }

        Assert.Empty(dialogs);

        // The hostile names are there, as text.
        await page.GotoAsync(HostileModel);
        Assert.Equal(PagesFixture.Hostile, await page.InnerTextAsync("h1"));
        var features = await page.Locator("table.drift tbody tr").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.feature)");
        Assert.Contains(PagesFixture.HostileAttr, features);
        Assert.Contains(PagesFixture.Hostile, features);
        await page.GotoAsync(HostileModel + "/slices");
        Assert.Contains(PagesFixture.Hostile, await page.InnerTextAsync("main"), StringComparison.Ordinal);

        var incident = (await fx.IncidentsAsync()).First(i => i.GetProperty("labels").GetProperty("model").GetString() == PagesFixture.Hostile);
        await page.GotoAsync("/incidents/" + incident.GetProperty("id").GetString());
        var text = await page.InnerTextAsync("main");
        Assert.Contains(PagesFixture.JavascriptLink, text, StringComparison.Ordinal); // the dashboard annotation, as text
        Assert.Equal(0, await page.Locator("a[href*='javascript' i]").CountAsync());
        Assert.Empty(dialogs);
    }

    [Fact]
    public async Task NoPage_ReferencesAnExternalUrl()
    {
        var (page, _) = await fx.NewPageAsync();
        var origin = fx.Silo.Api.GetLeftPart(UriPartial.Authority);
        var external = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin, StringComparison.Ordinal))
            {
                external.Add(request.Url);
            }
        };
        var paths = (await HostilePagesAsync()).Concat(["/silences", $"/models/default/{PagesFixture.Model}", $"/models/default/{PagesFixture.Model}/windows/{fx.Window2}", $"/models/default/{PagesFixture.Model}/slices"]);
        foreach (var path in paths)
        {
            await page.GotoAsync(path);
            var html = await page.ContentAsync();
            foreach (var url in await page.Locator("[src], [href], [action]").EvaluateAllAsync<string[]>(
                "els => els.flatMap(e => ['src', 'href', 'action'].map(a => e.getAttribute(a)).filter(v => v !== null))"))
            {
                var local = (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal)) || url.StartsWith('#') || url.StartsWith(origin + "/", StringComparison.Ordinal);
                Assert.True(local, $"{path}: {url}");
            }

            Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"url\(\s*['""]?(?!#)", html); // SVG clip paths refer to their own ids: url(#...)
        }

        Assert.Empty(external);
    }

    [Fact]
    public async Task Pages_SendAPolicyThatAllowsNoScript()
    {
        using var response = await fx.Api.Http.GetAsync("/");
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AckLink_GetChangesNothing_AndAnotherSiteCannotPostTheForm()
    {
        var incident = (await fx.IncidentsAsync()).First(i => i.GetProperty("labels").GetProperty("model").GetString() == PagesFixture.Hostile);
        var id = incident.GetProperty("id").GetString()!;
        var state = incident.GetProperty("state").GetString();
        using (var get = await fx.Api.Http.GetAsync($"/incidents/{Uri.EscapeDataString(id)}/ack"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        }

        using var post = new HttpRequestMessage(HttpMethod.Post, $"/incidents/{Uri.EscapeDataString(id)}/ack")
        {
            Content = new FormUrlEncodedContent([new("by", "mallory")]),
        };
        post.Headers.Add("Origin", "http://evil.example");
        post.Headers.Add("Sec-Fetch-Site", "cross-site");
        using (var refused = await fx.Api.Http.SendAsync(post))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        Assert.Equal(state, (await fx.Api.GetJsonAsync($"/api/incidents/{Uri.EscapeDataString(id)}")).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("/models/default/credit?sort=bogus", 400, "sort")]
    [InlineData("/models/default/credit?dir=up", 400, "dir")]
    [InlineData("/models/default/credit/windows/yesterday", 400, "start")]
    [InlineData("/models/default/credit/slices?window=soon", 400, "window")]
    [InlineData("/incidents?state=open", 400, "state")]
    [InlineData("/models/default/nope", 404, "model")]
    [InlineData("/models/default/nope/slices", 404, "model")]
    [InlineData("/models/default/credit/windows/1000", 404, "start")]
    [InlineData("/models/default/credit/slices?window=1000", 404, "window")]
    [InlineData("/incidents/nope", 404, "id")]
    [InlineData("/incidents/nope/ack", 404, "id")]
    public async Task BadAndUnknownValues_GiveAPageNamingTheParameter(string path, int status, string field)
    {
        using var response = await fx.Api.Http.GetAsync(path);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"<b>{field}</b>:", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
