using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Mvc;
using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Grains;

namespace Monitoring.Silo.Api;

/// <summary>
/// The two incident links every notification carries, as minimal server-rendered pages that work without JavaScript:
/// <c>GET /incidents/{id}</c> (what fired, evidence, timeline, runbook) and <c>GET /incidents/{id}/ack</c> (a form;
/// only its POST acknowledges, so a link preview or crawler cannot). Every value is HTML-encoded.
/// </summary>
internal static class IncidentPages
{
    private const string Style = "body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}button{font-size:1rem;padding:.4rem 1rem}";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/incidents/{id}", ShowAsync).ExcludeFromDescription();
        app.MapGet("/incidents/{id}/ack", AckFormAsync).ExcludeFromDescription();
        app.MapPost("/incidents/{id}/ack", AckAsync).ExcludeFromDescription().DisableAntiforgery();
    }

    private static IAlertNotifierGrain Notifier([FromServices] IGrainFactory grains) => grains.GetGrain<IAlertNotifierGrain>(0);

    private static async Task<IResult> ShowAsync(string id, [FromServices] IGrainFactory grains) =>
        await Notifier(grains).GetIncidentAsync(id) is { } i ? Page(i.Alert, Body(i, form: false)) : Missing(id);

    private static async Task<IResult> AckFormAsync(string id, [FromServices] IGrainFactory grains) =>
        await Notifier(grains).GetIncidentAsync(id) is { } i ? Page("Acknowledge " + i.Alert, Body(i, form: true)) : Missing(id);

    private static async Task<IResult> AckAsync(string id, HttpRequest request, [FromServices] IGrainFactory grains)
    {
        var by = request.HasFormContentType && (await request.ReadFormAsync()).TryGetValue("by", out var v) && !string.IsNullOrWhiteSpace(v) ? v.ToString().Trim() : "web";
        return await Notifier(grains).AcknowledgeAsync(id, by) is { } i ? Page(i.Alert, Body(i, form: false)) : Missing(id);
    }

    private static string E(string? s) => HtmlEncoder.Default.Encode(s ?? string.Empty);

    private static string Body(IncidentView i, bool form)
    {
        var rows = string.Concat(i.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"<tr><th>{E(l.Key)}</th><td>{E(l.Value)}</td></tr>"));
        var evidence = i.Evidence is { } e
            ? $"<p><b>{E(e.Metric)}</b> = {E(e.Value.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))} {E(e.Operator)} {E(e.Threshold.ToString("G6", System.Globalization.CultureInfo.InvariantCulture))}"
              + (e.WindowStart is null ? string.Empty : $" in the window {E(e.WindowStart)} - {E(e.WindowEnd)}") + "</p>"
              + (SafeUrl(e.ReportUrl) is { } report ? $"<p><a href=\"{E(report)}\">Window report</a></p>" : string.Empty)
              + string.Concat(e.Details.Select(d => $"<p>{E(d)}</p>"))
            : string.Empty;
        var runbook = SafeUrl(i.RunbookUrl) is { } url ? $"<p><a href=\"{E(url)}\">Runbook</a></p>" : string.Empty;
        var timeline = string.Concat(i.Timeline.Select(t => $"<tr><td>{E(t.Time.ToString("u", System.Globalization.CultureInfo.InvariantCulture))}</td><td>{E(t.Event)}</td><td>{E(t.Detail)}</td></tr>"));
        var ack = form && i.State == "triggered"
            ? $"<form method=\"post\" action=\"/incidents/{E(Uri.EscapeDataString(i.Id))}/ack\"><label>Your name <input name=\"by\" required></label> <button type=\"submit\">Acknowledge</button></form>"
            : string.Empty;
        return $"<h1>{E(i.Alert)}</h1><p>State: <b>{E(i.State)}</b>{(i.AcknowledgedBy is null ? string.Empty : $" by {E(i.AcknowledgedBy)}")}</p>"
            + $"<p>{E(i.Annotations.GetValueOrDefault("summary"))}</p>{evidence}{runbook}{ack}<h2>Labels</h2><table>{rows}</table><h2>Timeline</h2><table>{timeline}</table>";
    }

    /// <summary>Only http(s) URLs and paths on this system become links (never <c>javascript:</c> or another scheme).</summary>
    private static string? SafeUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }
        if (url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal))
        {
            return url;
        }
        return Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) ? u.AbsoluteUri : null;
    }

    private static IResult Page(string title, string body) => new HtmlPage(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{E(title)}</title><style>{Style}</style></head><body>{body}</body></html>", 200);

    private static IResult Missing(string id) => new HtmlPage(
        $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><p>No incident {E(id)}.</p></body></html>", 404);

    private sealed class HtmlPage(string html, int status) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            httpContext.Response.Headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
            httpContext.Response.Headers.XContentTypeOptions = "nosniff";
            await httpContext.Response.WriteAsync(html);
        }
    }
}
