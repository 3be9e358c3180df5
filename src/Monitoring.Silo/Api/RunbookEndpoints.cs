using System.Collections.Frozen;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.AutoIdentifiers;
using Markdig.Renderers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using Microsoft.Extensions.Options;
using Monitoring.Silo.Hosting;

namespace Monitoring.Silo.Api;

/// <summary>Where the on-call runbooks are read from (section <c>Monitoring:Alerting</c>).</summary>
public sealed class RunbookOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Monitoring:Alerting";

    /// <summary>Default folder: <c>runbooks/</c> next to the binary (the repository's runbooks, copied there by the build).</summary>
    public static readonly string DefaultRunbooksPath = Path.Combine(AppContext.BaseDirectory, "runbooks");

    /// <summary>Folder of <c>{name}.md</c> files (names <c>[a-z0-9-]+</c>; <c>README.md</c> is the index).</summary>
    public string RunbooksPath { get; set; } = DefaultRunbooksPath;
}

/// <summary>The runbooks folder must exist: a silo that would answer every runbook link with 404 does not start.</summary>
internal sealed class RunbookOptionsValidator : IValidateOptions<RunbookOptions>
{
    public ValidateOptionsResult Validate(string? name, RunbookOptions options) =>
        !string.IsNullOrWhiteSpace(options.RunbooksPath) && Directory.Exists(options.RunbooksPath)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{RunbookOptions.Section}:RunbooksPath: folder '{options.RunbooksPath}' does not exist (it holds the runbook Markdown files)");
}

/// <summary>
/// The runbooks as HTML pages on the API port: <c>GET /runbooks</c> (the index, <c>README.md</c>) and
/// <c>GET /runbooks/{name}</c>. The Markdown files are read and rendered once at start (edit, then restart the silo).
/// Rendering is Markdig with raw HTML disabled, links limited to http, https, mailto and relative targets (anything
/// else becomes plain text), and links to <c>{name}.md</c> rewritten to the served page; every page is self-contained
/// (inline CSS allowed by its hash in the Content-Security-Policy, no script, no external resource).
/// </summary>
internal static partial class RunbookEndpoints
{
    /// <summary>Registers the runbook catalog and its options (validated at start: the folder must exist).</summary>
    public static IServiceCollection AddRunbooks(this IServiceCollection services)
    {
        services.AddOptions<RunbookOptions>().BindConfiguration(RunbookOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RunbookOptions>, RunbookOptionsValidator>();
        services.AddSingleton<RunbookCatalog>();
        return services;
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        // Resolved here so the files are read, and a bad folder reported, when the silo starts rather than at the first page.
        _ = app.ServiceProvider.GetRequiredService<RunbookCatalog>();
        app.MapGet("/runbooks", (RunbookCatalog catalog) => catalog.Index).ExcludeFromDescription();
        app.MapGet("/runbooks/{name}", (string name, RunbookCatalog catalog) => catalog.Find(name)).ExcludeFromDescription();
    }

    [GeneratedRegex("^[a-z0-9-]+$", RegexOptions.CultureInvariant)]
    internal static partial Regex NamePattern();
}

/// <summary>The rendered runbooks, read once from <see cref="RunbookOptions.RunbooksPath"/>.</summary>
internal sealed partial class RunbookCatalog
{
    /// <summary>The page's only style; the Content-Security-Policy allows exactly this text by its SHA-256.</summary>
    private const string Css =
        "body{font:16px/1.55 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1f24;background:#fff;margin:0}" +
        "nav{background:#24292f;padding:.6rem 1.2rem}nav a{color:#fff;text-decoration:none;font-weight:600}" +
        "main{max-width:56rem;margin:0 auto;padding:1rem 1.2rem 3rem}" +
        "h1,h2,h3{line-height:1.25}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:2rem}" +
        "a{color:#0550ae}code{font:.9em ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f4f6;padding:.1em .3em;border-radius:4px}" +
        "pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.8rem;overflow-x:auto}pre code{background:none;padding:0}" +
        "table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left;vertical-align:top}" +
        "th{background:#f6f8fa}blockquote{margin:0;padding:0 1rem;border-left:4px solid #d0d7de;color:#57606a}" +
        "@media (prefers-color-scheme:dark){body{background:#0d1117;color:#e6edf3}a{color:#58a6ff}code,pre,th{background:#161b22}" +
        "pre,th,td,h2{border-color:#30363d}}";

    /// <summary>Served with every runbook page and error: no script, no frames, no external resource, nothing but the inline CSS.</summary>
    internal static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Css)))}'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string IndexFile = "README.md";

    /// <summary>Raw HTML off; tables, GitHub-style heading ids and task lists on. No generic-attributes extension (it would admit event handlers).</summary>
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseAutoIdentifiers(AutoIdentifierOptions.GitHub)
        .UseTaskLists()
        .DisableHtml()
        .Build();

    private static readonly string[] SafeSchemes = ["http", "https", "mailto"];

    private readonly FrozenDictionary<string, Page> _pages;

    public RunbookCatalog(IOptions<RunbookOptions> options, ILogger<RunbookCatalog> logger)
    {
        var folder = Path.GetFullPath(options.Value.RunbooksPath);
        var pages = new Dictionary<string, Page>(StringComparer.Ordinal);
        Page? index = null;
        foreach (var file in Directory.EnumerateFiles(folder, "*.md").Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(file);
            var name = Path.GetFileNameWithoutExtension(file);
            if (fileName == IndexFile)
            {
                index = Render(File.ReadAllText(file), "Runbooks");
            }
            else if (RunbookEndpoints.NamePattern().IsMatch(name))
            {
                pages[name] = Render(File.ReadAllText(file), name);
            }
            else
            {
                SiloLog.RunbookSkipped(logger, fileName);
            }
        }

        _pages = pages.ToFrozenDictionary(StringComparer.Ordinal);
        Index = index ?? GeneratedIndex(_pages);
        SiloLog.RunbooksLoaded(logger, _pages.Count, folder);
    }

    /// <summary>The index page.</summary>
    public IResult Index { get; }

    /// <summary>A runbook's page, or a 404 page naming what was asked for.</summary>
    public IResult Find(string name) =>
        RunbookEndpoints.NamePattern().IsMatch(name) && _pages.TryGetValue(name, out var page)
            ? page
            : new Page(
                "Runbook not found",
                $"<h1>Runbook not found</h1>\n<p>No runbook named <code>{WebUtility.HtmlEncode(name)}</code>" +
                (RunbookEndpoints.NamePattern().IsMatch(name) ? "" : " (names are lower-case letters, digits and hyphens)") +
                ".</p>\n<p><a href=\"/runbooks\">All runbooks</a></p>\n",
                StatusCodes.Status404NotFound);

    private static Page Render(string markdown, string fallbackTitle)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            if (!autolink.IsEmail && SafeUrl(autolink.Url) is null)
            {
                autolink.ReplaceBy(new LiteralInline(autolink.Url));
            }
        }

        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            if (SafeUrl(link.Url) is { } url)
            {
                link.Url = url;
            }
            else
            {
                // Keep the link's text, drop the link.
                link.ReplaceBy(new ContainerInline(), copyChildren: true);
            }
        }

        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.Render(document);
        var title = document.Descendants<HeadingBlock>().FirstOrDefault(h => h.Level == 1) is { Inline: { } inline } ? PlainText(inline) : fallbackTitle;
        return new Page(title, writer.ToString(), StatusCodes.Status200OK);
    }

    /// <summary>
    /// The URL to serve, or null when it must not be a link: a scheme other than http, https and mailto (judged on the
    /// text before the first ':' that precedes any '/', '?' or '#', so <c>java&#x09;script:</c> counts as a scheme too).
    /// Relative links to <c>{name}.md</c> (and <c>README.md</c>) become the served page.
    /// </summary>
    internal static string? SafeUrl(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return url;
        }

        var colon = url.IndexOf(':', StringComparison.Ordinal);
        var boundary = url.IndexOfAny(['/', '?', '#']);
        if (colon >= 0 && (boundary < 0 || colon < boundary))
        {
            var scheme = url[..colon].ToLowerInvariant();
            return SafeSchemes.Contains(scheme, StringComparer.Ordinal) ? url : null;
        }

        if (RunbookLink().Match(url) is { Success: true } m)
        {
            var target = m.Groups["name"].Value == "README" ? "/runbooks" : "/runbooks/" + m.Groups["name"].Value;
            return target + m.Groups["fragment"].Value;
        }

        return url;
    }

    private static string PlainText(ContainerInline inline)
    {
        var text = new StringBuilder();
        foreach (var leaf in inline.Descendants<LeafInline>())
        {
            text.Append(leaf switch
            {
                LiteralInline literal => literal.Content.ToString(),
                CodeInline code => code.Content,
                _ => " ",
            });
        }

        return text.ToString().Trim();
    }

    private static Page GeneratedIndex(FrozenDictionary<string, Page> pages)
    {
        var html = new StringBuilder("<h1>Runbooks</h1>\n<ul>\n");
        foreach (var (name, page) in pages.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            html.Append($"<li><a href=\"/runbooks/{name}\">{WebUtility.HtmlEncode(page.Title)}</a></li>\n");
        }

        return new Page("Runbooks", html.Append("</ul>\n").ToString(), StatusCodes.Status200OK);
    }

    [GeneratedRegex(@"^(?:\./)?(?<name>[a-z0-9-]+|README)\.md(?<fragment>#[A-Za-z0-9_-]*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex RunbookLink();

    /// <summary>A rendered page: the title (plain text, encoded when written) and the body HTML Markdig made.</summary>
    private sealed class Page(string title, string bodyHtml, int status) : IResult
    {
        private readonly byte[] _bytes = Encoding.UTF8.GetBytes(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n" +
            $"<title>{WebUtility.HtmlEncode(title)} - Monitoring runbooks</title>\n<style>{Css}</style>\n</head>\n<body>\n" +
            $"<nav><a href=\"/runbooks\">Monitoring runbooks</a></nav>\n<main>\n{bodyHtml}</main>\n</body>\n</html>\n");

        public string Title { get; } = title;

        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            response.ContentType = "text/html; charset=utf-8";
            response.ContentLength = _bytes.Length;
            response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
            response.Headers.XContentTypeOptions = "nosniff";
            response.Headers["Referrer-Policy"] = "no-referrer";
            response.Headers.XFrameOptions = "DENY";
            return HttpMethods.IsHead(httpContext.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(_bytes).AsTask();
        }
    }
}
