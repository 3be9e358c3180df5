using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Reports;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Time;
using Monitoring.Grains.Alerting;
using static Monitoring.Silo.Api.ApiResults;

namespace Monitoring.Silo.Api;

/// <summary>
/// Alerts, rules, incidents, silences and receivers: <c>GET /api/alerts</c>, <c>GET /api/rules</c>, <c>GET /api/slos</c>,
/// <c>GET /api/incidents?state=</c>, <c>GET /api/incidents/{id}</c>, <c>POST /api/incidents/{id}/ack|resolve</c>,
/// <c>GET|POST /api/silences</c>, <c>DELETE /api/silences/{id}</c>, <c>POST /api/receivers/{name}/test</c>. No
/// response ever carries a receiver URL or key.
/// </summary>
internal static class AlertingEndpoints
{
    private static readonly string[] IncidentStates = ["triggered", "acknowledged", "resolved"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/alerts", AlertsAsync).WithSummary("Pending and firing alerts of every model, with state, since and value.");
        api.MapGet("/rules", Rules).WithSummary("Loaded alert rules and SLOs, the last evaluation and errors, and load errors.");
        api.MapGet("/slos", SlosAsync).WithSummary("Every model's SLOs: burn rate per window, error budget remaining, page and ticket decisions.");
        api.MapGet("/incidents", IncidentsAsync).WithSummary("Incidents, newest first (state=triggered|acknowledged|resolved).");
        api.MapGet("/incidents/{id}", IncidentAsync).WithSummary("One incident with its timeline and evidence.");
        api.MapPost("/incidents/{id}/ack", AckAsync).WithSummary("Acknowledge: stops repeat notifications; PagerDuty receives acknowledge.");
        api.MapPost("/incidents/{id}/resolve", ResolveAsync).WithSummary("Resolve by hand: receivers get the resolve; this activation sends nothing more.");
        api.MapGet("/silences", SilencesAsync).WithSummary("Silences and maintenance windows (in api-keys mode: the caller's tenant's).");
        api.MapGet("/silences/{id}", SilenceAsync).WithSummary("One silence.");
        api.MapPost("/silences", AddSilenceAsync).WithSummary("Create a silence by matchers, optionally recurring (a maintenance window); a tenant key's silence mutes only its tenant's alerts.");
        api.MapDelete("/silences/{id}", ExpireSilenceAsync).WithSummary("Expire a silence now.");
        api.MapPost("/receivers/{name}/test", TestReceiverAsync).WithSummary("Send a test notification through every integration of a receiver.");
    }

    private static IAlertNotifierGrain Notifier(IGrainFactory grains) => AlertingReads.Notifier(grains);

    private static async Task<IResult> AlertsAsync([FromServices] ModelReads reads, [FromServices] IGrainFactory grains, CancellationToken ct) =>
        Json(await AlertingReads.AlertsAsync(reads, grains, ct));

    private static async Task<IResult> SlosAsync([FromServices] ModelReads reads, [FromServices] IGrainFactory grains, CancellationToken ct)
    {
        var models = await reads.ModelsAsync(ct);
        var lists = await Task.WhenAll(models.Select(m => grains.GetGrain<IModelAlertsGrain>(m.GrainKey).GetSlosAsync()));
        return Json(lists.SelectMany(l => l).OrderBy(s => s.ErrorBudgetRemaining).ToArray());
    }

    private static IResult Rules([FromServices] AlertingRuntime runtime) => Json(AlertingReads.Rules(runtime));

    private static async Task<IResult> IncidentsAsync(HttpContext context, [FromServices] IGrainFactory grains, string? state = null)
    {
        if (state is not null && !IncidentStates.Contains(state))
        {
            return BadRequest("state", "expected triggered, acknowledged or resolved");
        }
        return Json(AlertingReads.Visible(await Notifier(grains).ListIncidentsAsync(state), context));
    }

    private static async Task<IResult> IncidentAsync(string id, [FromServices] IGrainFactory grains) =>
        await Notifier(grains).GetIncidentAsync(id) is { } incident ? Json(incident) : NotFound("id", $"no incident '{id}'");

    private sealed record ActorBody(string? By);

    private static async Task<string> ByAsync(HttpRequest request)
    {
        if (request.HasJsonContentType())
        {
            try
            {
                var body = await request.ReadFromJsonAsync<ActorBody>(ReportJson.Options);
                if (!string.IsNullOrWhiteSpace(body?.By))
                {
                    return body.By.Trim();
                }
            }
            catch (JsonException)
            {
                // Fall back to the default actor: the action itself is what matters.
            }
        }
        return "api";
    }

    private static async Task<IResult> AckAsync(string id, HttpRequest request, [FromServices] IGrainFactory grains) =>
        await Notifier(grains).AcknowledgeAsync(id, await ByAsync(request)) is { } incident ? Json(incident) : NotFound("id", $"no incident '{id}'");

    private static async Task<IResult> ResolveAsync(string id, HttpRequest request, [FromServices] IGrainFactory grains) =>
        await Notifier(grains).ResolveAsync(id, await ByAsync(request)) is { } incident ? Json(incident) : NotFound("id", $"no incident '{id}'");

    private static async Task<IResult> SilencesAsync(HttpContext context, [FromServices] IGrainFactory grains) =>
        Json(await Notifier(grains).ListSilencesAsync(Auth.Caller.TenantOf(context)));

    /// <summary>Another tenant's silence answers as one that does not exist.</summary>
    private static async Task<IResult> SilenceAsync(string id, HttpContext context, [FromServices] IGrainFactory grains) =>
        await Notifier(grains).GetSilenceAsync(id, Auth.Caller.TenantOf(context)) is { } silence ? Json(silence) : NotFound("id", $"no silence '{id}'");

    private static async Task<IResult> AddSilenceAsync(HttpRequest request, [FromServices] IGrainFactory grains)
    {
        if (!request.HasJsonContentType())
        {
            return Results.Json(new { error = "expected application/json", field = "content-type" }, statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        SilenceRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<SilenceRequest>(ReportJson.Options);
        }
        catch (JsonException e)
        {
            return BadRequest(e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "body", "not valid JSON for a silence: " + e.Message.Split('.')[0]);
        }
        if (body is null)
        {
            return BadRequest("body", "expected a silence object");
        }
        if (Auth.Caller.TenantOf(request.HttpContext) is { } own)
        {
            // A tenant key's silence is its tenant's, bound in the stored silence (matchers cannot widen it).
            if (body.Tenant is { } named && !string.Equals(named, own, StringComparison.Ordinal))
            {
                return BadRequest("tenant", "a tenant key makes silences of its own tenant only; leave tenant out");
            }
            body = body with { Tenant = own };
        }
        try
        {
            var silence = await Notifier(grains).AddSilenceAsync(body);
            return Results.Text(JsonSerializer.Serialize(silence, ReportJson.Options), "application/json", statusCode: StatusCodes.Status201Created);
        }
        catch (ArgumentException e)
        {
            var message = e.Message.Split(" (Parameter", 2)[0];
            var colon = message.IndexOf(':', StringComparison.Ordinal);
            return BadRequest(colon > 0 ? message[..colon] : "body", colon > 0 ? message[(colon + 1)..].Trim() : message);
        }
    }

    private static async Task<IResult> ExpireSilenceAsync(string id, HttpContext context, [FromServices] IGrainFactory grains) =>
        await Notifier(grains).ExpireSilenceAsync(id, Auth.Caller.TenantOf(context)) ? Results.NoContent() : NotFound("id", $"no active or pending silence '{id}'");

    private static async Task<IResult> TestReceiverAsync(string name, [FromServices] IGrainFactory grains) =>
        await Notifier(grains).TestReceiverAsync(name) is { } result ? Json(result) : NotFound("name", $"no receiver '{name}'");
}
