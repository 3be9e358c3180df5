using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Monitoring.Silo.Api;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>
/// The runbooks served by the real silo process (<see cref="SiloProcess"/>) at <c>/runbooks</c>: every shipped page
/// with its title and working links, safe rendering of hostile Markdown, 404s for unknown and traversal names, the
/// security headers; and every <c>/api/...</c> path a runbook tells on-call to curl is a route the API maps.
/// </summary>
public sealed partial class RunbookTests : IClassFixture<RunbookTests.ShippedRunbooksSilo>
{
    /// <summary>Every alert kind the example rules ship, with the title its page must show.</summary>
    private static readonly (string Name, string Title)[] Kinds =
    [
        ("feature-drift", "Feature drift"),
        ("prediction-drift", "Prediction drift"),
        ("data-quality", "Data quality"),
        ("performance-drop", "Performance drop"),
        ("calibration", "Calibration"),
        ("latency-slo", "Latency SLO"),
        ("label-agreement-slo", "Label agreement SLO"),
        ("volume-drop", "Volume drop"),
        ("ingestion-errors", "Ingestion errors"),
        ("rollout-regression", "Rollout regression"),
    ];

    /// <summary>
    /// Routes the alerting work is building in parallel (incidents and their ack, silences), written in the runbooks as
    /// documented. Tolerated only while no route of their resource is mapped: once any <c>/api/incidents...</c> route
    /// exists, the runbooks must match the real ones.
    /// </summary>
    private static readonly (string Method, string Pattern)[] PlannedRoutes =
    [
        ("POST", "/api/incidents/{id}/ack"),
        ("GET", "/api/incidents"),
        ("GET", "/api/incidents/{id}"),
        ("POST", "/api/silences"),
        ("GET", "/api/silences"),
        ("DELETE", "/api/silences/{id}"),
    ];

    private static readonly string[] Sections = ["What the alert means", "Confirm", "Likely causes", "Mitigate", "Escalate", "Acknowledge / silence"];

    private readonly ShippedRunbooksSilo _silo;

    public RunbookTests(ShippedRunbooksSilo silo) => _silo = silo;

    public static TheoryData<string, string> Shipped()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, title) in Kinds)
        {
            data.Add(name, title);
        }

        return data;
    }

    private static string ShippedFolder => Path.Combine(AppContext.BaseDirectory, "runbooks");

    [Theory]
    [MemberData(nameof(Shipped))]
    public async Task Runbook_Shipped_IsServedAsHtmlWithItsTitle(string name, string title)
    {
        using var response = await _silo.Http.GetAsync($"/runbooks/{name}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains($"<title>{title} - Monitoring runbooks</title>", body, StringComparison.Ordinal);
        Assert.Matches($"<h1 id=\"[a-z0-9-]+\">{Regex.Escape(title)}</h1>", body);
        AssertSecurityHeaders(response);
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Runbook_Shipped_HasEverySection(string name, string title)
    {
        var markdown = File.ReadAllText(Path.Combine(ShippedFolder, name + ".md"));

        Assert.StartsWith($"# {title}\n", markdown, StringComparison.Ordinal);
        foreach (var section in Sections)
        {
            Assert.Contains($"\n## {section}\n", markdown, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Index_LinksEveryShippedRunbook()
    {
        using var response = await _silo.Http.GetAsync("/runbooks");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<title>Runbooks - Monitoring runbooks</title>", body, StringComparison.Ordinal);
        AssertSecurityHeaders(response);
        foreach (var (name, _) in Kinds)
        {
            Assert.Contains($"href=\"/runbooks/{name}\"", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Links_BetweenRunbooks_ReachAServedPageAndItsAnchor()
    {
        var pages = new Dictionary<string, string>(StringComparer.Ordinal) { ["/runbooks"] = await _silo.Http.GetStringAsync("/runbooks") };
        foreach (var (name, _) in Kinds)
        {
            pages[$"/runbooks/{name}"] = await _silo.Http.GetStringAsync($"/runbooks/{name}");
        }

        var checkedLinks = 0;
        foreach (var (page, html) in pages)
        {
            foreach (var href in Hrefs(html).Where(h => h.StartsWith("/runbooks", StringComparison.Ordinal) || h.EndsWith(".md", StringComparison.Ordinal)))
            {
                var cut = href.IndexOf('#', StringComparison.Ordinal);
                var (path, anchor) = cut < 0 ? (href, null) : (href[..cut], href[(cut + 1)..]);
                Assert.True(pages.TryGetValue(path, out var target), $"{page} links to {href}, which is not a served runbook");
                if (anchor is not null)
                {
                    Assert.True(target!.Contains($"id=\"{anchor}\"", StringComparison.Ordinal), $"{page} links to {href}: no heading with id '{anchor}'");
                }

                checkedLinks++;
            }
        }

        Assert.True(checkedLinks >= 2 * Kinds.Length, $"only {checkedLinks} links between runbooks were found");
    }

    [Theory]
    [InlineData("no-such-runbook")]
    [InlineData("README")]
    [InlineData("Feature-Drift")]
    [InlineData("feature-drift.md")]
    [InlineData("..%2Fappsettings.json")]
    [InlineData("..%2F..%2Fappsettings")]
    [InlineData("%2E%2E%2Fappsettings.json")]
    [InlineData("..%5Cappsettings.json")]
    [InlineData("runbooks%2Ffeature-drift")]
    public async Task Runbook_UnknownOrTraversalName_Is404(string name)
    {
        using var response = await _silo.Http.GetAsync($"/runbooks/{name}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("BindAddress", body, StringComparison.Ordinal); // appsettings.json, next to the runbooks folder
        Assert.DoesNotContain("<h2", body, StringComparison.Ordinal); // no runbook's content either
        if (response.Content.Headers.ContentType?.MediaType == "text/html")
        {
            Assert.Contains("Runbook not found", body, StringComparison.Ordinal);
            AssertSecurityHeaders(response);
        }
    }

    [Fact]
    public async Task Runbook_Unknown_NamesWhatWasAskedFor()
    {
        using var response = await _silo.Http.GetAsync("/runbooks/no-such-runbook");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("No runbook named <code>no-such-runbook</code>", body, StringComparison.Ordinal);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task Runbook_HostileMarkdown_RendersNoMarkupAndNoJavascriptLink()
    {
        var folder = Directory.CreateTempSubdirectory("monitoring-runbooks-").FullName;
        var data = Directory.CreateTempSubdirectory("monitoring-silo-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "evil.md"), """
                # Evil <script>alert(0)</script>

                <script>alert(1)</script>

                [x](javascript:alert(1)) [y](JaVaScRiPt:alert(2)) [z](java&#x09;script:alert(3)) [d](data:text/html;base64,PHNjcmlwdD4=)

                <javascript:alert(4)> ![img](javascript:alert(5))

                <img src=x onerror="alert(6)"> <a href="javascript:alert(7)">a</a>

                [ok](feature-drift.md#confirm) [index](README.md) <https://example.com/ok>
                """);
            await File.WriteAllTextAsync(Path.Combine(folder, "feature-drift.md"), "# Feature drift\n\n## Confirm\n");
            await File.WriteAllTextAsync(Path.Combine(folder, "Not A Name.md"), "# skipped\n");

            var silo = await SiloProcess.StartAsync(data, environment: new Dictionary<string, string> { ["Monitoring__Alerting__RunbooksPath"] = folder });
            await using (silo)
            {
                using var http = new HttpClient { BaseAddress = silo.Api };
                using var response = await http.GetAsync("/runbooks/evil");
                var body = await response.Content.ReadAsStringAsync();

                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                AssertSecurityHeaders(response);
                Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("<img", body, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("<a href=\"javascript", body, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(Tag().Matches(body), tag => EventHandler().IsMatch(tag.Value));
                foreach (var href in Hrefs(body).Concat(Srcs(body)))
                {
                    Assert.True(SafeTarget(href), $"unsafe link target rendered: {href}");
                }

                // The hostile text is shown, escaped, rather than dropped, and the link texts survive as text.
                Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", body, StringComparison.Ordinal);
                Assert.Contains("<title>Evil &lt;script&gt;alert(0)&lt;/script&gt; - Monitoring runbooks</title>", body, StringComparison.Ordinal);
                Assert.Contains("x y z d", body, StringComparison.Ordinal);
                Assert.Contains("href=\"/runbooks/feature-drift#confirm\"", body, StringComparison.Ordinal);
                Assert.Contains("href=\"/runbooks\"", body, StringComparison.Ordinal);
                Assert.Contains("href=\"https://example.com/ok\"", body, StringComparison.Ordinal);

                // Without a README the index lists the runbooks; a file whose name is not [a-z0-9-]+ is not served.
                var index = await http.GetStringAsync("/runbooks");
                Assert.Contains("href=\"/runbooks/evil\"", index, StringComparison.Ordinal);
                Assert.Contains("href=\"/runbooks/feature-drift\"", index, StringComparison.Ordinal);
                Assert.DoesNotContain("skipped", index, StringComparison.Ordinal);
                Assert.Contains("Not A Name.md skipped", silo.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public async Task RunbooksPath_Missing_FailsStartNamingTheKeyAndFolder()
    {
        var data = Directory.CreateTempSubdirectory("monitoring-silo-").FullName;
        var missing = Path.Combine(data, "no-runbooks-here");
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                SiloProcess.StartAsync(data, environment: new Dictionary<string, string> { ["Monitoring__Alerting__RunbooksPath"] = missing }));

            Assert.Contains($"Monitoring:Alerting:RunbooksPath: folder '{missing}' does not exist", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Theory]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("JavaScript:alert(1)", null)]
    [InlineData(" javascript:alert(1)", null)]
    [InlineData("java\tscript:alert(1)", null)]
    [InlineData("vbscript:msgbox(1)", null)]
    [InlineData("data:text/html,<script>alert(1)</script>", null)]
    [InlineData("file:///etc/passwd", null)]
    [InlineData("https://example.com/a?b=c:d", "https://example.com/a?b=c:d")]
    [InlineData("http://example.com", "http://example.com")]
    [InlineData("mailto:oncall@example.com", "mailto:oncall@example.com")]
    [InlineData("feature-drift.md", "/runbooks/feature-drift")]
    [InlineData("./data-quality.md#confirm", "/runbooks/data-quality#confirm")]
    [InlineData("README.md#acknowledge-or-silence", "/runbooks#acknowledge-or-silence")]
    [InlineData("#confirm", "#confirm")]
    [InlineData("/api/models", "/api/models")]
    [InlineData("docs/a:b", "docs/a:b")]
    public void SafeUrl_KeepsOnlyWebAndRelativeTargets(string url, string? expected) =>
        Assert.Equal(expected, RunbookCatalog.SafeUrl(url));

    /// <summary>
    /// Every <c>/api/...</c> path in the shipped runbooks (curl commands and prose) matches a route the API maps, with
    /// its method (curl's <c>-X</c>, else POST when it sends data, else GET; in prose the verb before the path): the
    /// route patterns come from the endpoint data sources of an app mapped exactly as the silo maps its API.
    /// </summary>
    [Fact]
    public async Task ApiPaths_InEveryRunbook_AreMappedRoutes()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddModelApi();
        await using var app = builder.Build();
        app.MapModelApi();
        var routes = ((IEndpointRouteBuilder)app).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [], Segments: Segments(e.RoutePattern)))
            .ToList();
        Assert.Contains(routes, r => r.Segments.SequenceEqual(["api", "models", null, null, "windows", null]));

        var problems = new List<string>();
        var checkedPaths = 0;
        foreach (var file in Directory.EnumerateFiles(ShippedFolder, "*.md").Order(StringComparer.Ordinal))
        {
            var curls = 0;
            foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l, i + 1)))
            {
                foreach (Match m in ApiPath().Matches(line))
                {
                    var path = m.Value.TrimEnd('.', ',', ':', ';');
                    var method = MethodOf(line, m.Index);
                    var parts = path.Trim('/').Split('/');
                    checkedPaths++;
                    curls += line.Contains("curl", StringComparison.Ordinal) ? 1 : 0;
                    if (routes.Any(r => Matches(r.Segments, parts) && (method is null || r.Methods.Count == 0 || r.Methods.Contains(method))))
                    {
                        continue;
                    }

                    var planned = PlannedRoutes.FirstOrDefault(p => (method is null || p.Method == method) && Matches(Segments(RoutePatternFactory.Parse(p.Pattern)), parts));
                    var plannedResourceLanded = planned.Pattern is not null &&
                        routes.Any(r => r.Segments.Count > 1 && r.Segments[0] == "api" && r.Segments[1] == parts[1]);
                    if (planned.Pattern is null || plannedResourceLanded)
                    {
                        problems.Add($"{Path.GetFileName(file)}:{number}: {method ?? "(any)"} {path} is not a mapped route");
                    }
                }
            }

            Assert.True(file.EndsWith("README.md", StringComparison.Ordinal) || curls >= 3, $"{Path.GetFileName(file)} has only {curls} curl commands against the API");
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(checkedPaths >= 60, $"only {checkedPaths} API paths found in the runbooks");
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("default-src 'none'", directives);
        Assert.Contains(directives, d => d.StartsWith("style-src 'sha256-", StringComparison.Ordinal) && d.EndsWith('\''));
        Assert.Contains("frame-ancestors 'none'", directives);
        Assert.DoesNotContain(directives, d => d.StartsWith("script-src", StringComparison.Ordinal));
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    /// <summary>The text after <c>href="</c> up to the next quote, HTML entities decoded.</summary>
    private static IEnumerable<string> Hrefs(string html) => Href().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups["url"].Value));

    private static IEnumerable<string> Srcs(string html) => Src().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups["url"].Value));

    private static bool SafeTarget(string url)
    {
        var colon = url.IndexOf(':', StringComparison.Ordinal);
        var boundary = url.IndexOfAny(['/', '?', '#']);
        return colon < 0 || (boundary >= 0 && boundary < colon) || url.StartsWith("https:", StringComparison.Ordinal) || url.StartsWith("http:", StringComparison.Ordinal) || url.StartsWith("mailto:", StringComparison.Ordinal);
    }

    /// <summary>Literal segments as text, parameters as null.</summary>
    private static List<string?> Segments(RoutePattern pattern) =>
        pattern.PathSegments.Select(s => s.IsSimple && s.Parts[0] is RoutePatternLiteralPart literal ? literal.Content : null).ToList();

    private static bool Matches(List<string?> route, string[] path) =>
        route.Count == path.Length && route.Zip(path).All(p => p.Second.Length > 0 && (p.First is null || p.First == p.Second));

    private static string? MethodOf(string line, int at)
    {
        if (line.Contains("curl", StringComparison.Ordinal))
        {
            var explicitMethod = CurlMethod().Match(line);
            return explicitMethod.Success ? explicitMethod.Groups["m"].Value
                : CurlData().IsMatch(line) ? "POST"
                : "GET";
        }

        var verb = ProseMethod().Match(line[..at]);
        return verb.Success ? verb.Groups["m"].Value : null;
    }

    [GeneratedRegex(@"/api/[^\s""'`)\]?#>]+")]
    private static partial Regex ApiPath();

    [GeneratedRegex(@"(?:-X|--request)\s+(?<m>[A-Z]+)")]
    private static partial Regex CurlMethod();

    [GeneratedRegex(@"\s(?:-d|--data(?:-binary|-raw)?|-T|--upload-file|-F)\s")]
    private static partial Regex CurlData();

    [GeneratedRegex(@"\b(?<m>GET|POST|PUT|DELETE|PATCH)\s+$")]
    private static partial Regex ProseMethod();

    [GeneratedRegex("<[a-zA-Z][^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandler();

    [GeneratedRegex("href=\"(?<url>[^\"]*)\"")]
    private static partial Regex Href();

    [GeneratedRegex("src=\"(?<url>[^\"]*)\"")]
    private static partial Regex Src();

    /// <summary>One real silo process serving the runbooks the build copied next to it (the default RunbooksPath).</summary>
    public sealed class ShippedRunbooksSilo : IAsyncLifetime
    {
        private readonly string _data = Directory.CreateTempSubdirectory("monitoring-silo-").FullName;
        private SiloProcess? _silo;

        public HttpClient Http { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _silo = await SiloProcess.StartAsync(_data);
            Http = new HttpClient { BaseAddress = _silo.Api };
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            if (_silo is not null)
            {
                await _silo.DisposeAsync();
            }

            Directory.Delete(_data, recursive: true);
        }
    }
}
