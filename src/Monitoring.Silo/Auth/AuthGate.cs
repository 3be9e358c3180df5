using System.Text.Json;
using Google.Protobuf;
using Monitoring.Abstractions.Conventions;
using Monitoring.Reports.Components.Errors;
using Monitoring.Reports.Components.Shared;
using Monitoring.Reports.Rendering;
using Monitoring.Silo.Api;
using Monitoring.Silo.Hosting;
using Monitoring.Silo.Pages;
using Monitoring.Storage.Auth;

namespace Monitoring.Silo.Auth;

/// <summary>
/// The <c>api-keys</c> mode's one checkpoint, after routing: finds the route's <see cref="EndpointAccess"/> (none: refused,
/// so a new route cannot slip through), reads the key (<c>Authorization: Bearer</c>, the configured header, or on the API
/// port the sign-in cookie), checks it and its scope, and keeps each tenant to its own data. It answers in the
/// dialect of the port: OTLP/HTTP gets a <c>google.rpc.Status</c> (protobuf or JSON) with 401/403, OTLP/gRPC a
/// trailers-only UNAUTHENTICATED / PERMISSION_DENIED, the API JSON errors, the pages HTML (401 is the sign-in page).
/// Another tenant's model or incident is a 404 identical to an unknown one, so its existence is not revealed. An
/// operator key (bound to every tenant) passes with nothing pinned or hidden, like every caller in open mode.
/// On the OTLP ports the tenant header is pinned to the key's tenant, which the receivers already honour over a
/// record's <c>ml.tenant</c>.
/// </summary>
public sealed class AuthGate(RequestDelegate next, AuthOptions options, MonitoringHostOptions host, ApiKeyAuthenticator authenticator, ILogger<AuthGate> logger)
{
    /// <summary>Name of the sign-in cookie (HttpOnly, SameSite=Strict; holds the key itself, see <see cref="AuthEndpoints"/>).</summary>
    public const string CookieName = "monitoring_key";

    // gRPC status codes (google.rpc.Code) of the refusals.
    private const int GrpcUnauthenticated = 16;
    private const int GrpcPermissionDenied = 7;
    private const int GrpcNotFound = 5;

    private enum Dialect
    {
        Grpc,
        OtlpHttp,
        Json,
        Page,
    }

    /// <summary>Middleware entry point.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!options.RequiresKeys || context.GetEndpoint() is not { } endpoint)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var path = context.Request.Path.Value ?? string.Empty;
        var dialect = DialectOf(context, path);
        if (EndpointAccess.Of(endpoint, path) is not { } access)
        {
            SiloLog.RouteWithoutAccessDecision(logger, endpoint.DisplayName ?? path);
            await RefuseAsync(context, dialect, StatusCodes.Status403Forbidden, GrpcPermissionDenied, "this route has no access decision; it is refused in api-keys mode").ConfigureAwait(false);
            return;
        }

        var scope = access.ScopeFor(context.Request.Method);
        if (scope == ApiKeyScopes.None)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var (caller, rejection, keyId) = await authenticator.AuthenticateAsync(ReadKey(context, dialect), context.RequestAborted).ConfigureAwait(false);
        if (caller is null)
        {
            SiloLog.KeyRejected(logger, rejection.ToString().ToLowerInvariant(), keyId ?? "-", path);
            var reason = rejection switch
            {
                KeyRejection.Missing => $"an API key is required: send the header Authorization: Bearer KEY{(options.Header is { } h ? $" (or {h}: KEY)" : string.Empty)}",
                KeyRejection.Revoked => $"API key {keyId} is revoked",
                KeyRejection.Expired => $"API key {keyId} has expired",
                _ => "invalid API key",
            };
            if (dialect != Dialect.Grpc && dialect != Dialect.OtlpHttp)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }

            await RefuseAsync(context, dialect, StatusCodes.Status401Unauthorized, GrpcUnauthenticated, reason).ConfigureAwait(false);
            return;
        }

        if (!caller.Scopes.HasFlag(scope))
        {
            SiloLog.ScopeMissing(logger, caller.KeyId, ApiKeyScopeNames.Format(scope), path);
            await RefuseAsync(context, dialect, StatusCodes.Status403Forbidden, GrpcPermissionDenied,
                $"API key {caller.KeyId} lacks scope '{ApiKeyScopeNames.Format(scope)}' (it has {ApiKeyScopeNames.Format(caller.Scopes)})").ConfigureAwait(false);
            return;
        }

        context.Features.Set(caller);
        if (caller.Tenant is null)
        {
            // An operator key (every tenant): the tenant header and ml.tenant are honoured as in open mode, and nothing is hidden.
            await next(context).ConfigureAwait(false);
            return;
        }

        if (dialect is Dialect.Grpc or Dialect.OtlpHttp)
        {
            var named = context.Request.Headers[OtlpConventions.TenantHeader];
            if (named.Count > 0 && (named.Count > 1 || !string.Equals(named[0], caller.Tenant, StringComparison.Ordinal)))
            {
                await RefuseAsync(context, dialect, StatusCodes.Status403Forbidden, GrpcPermissionDenied,
                    $"{OtlpConventions.TenantHeader} names another tenant than API key {caller.KeyId}'s; records go to the key's tenant, so leave the header out").ConfigureAwait(false);
                return;
            }

            context.Request.Headers[OtlpConventions.TenantHeader] = caller.Tenant;
        }
        else if (await HiddenAsync(context, caller.Tenant).ConfigureAwait(false) is { } hidden)
        {
            await WriteNotFoundAsync(context, dialect, hidden.Field, hidden.Message).ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>The 404 for another tenant's model or incident (the same text as for one that does not exist), or null.</summary>
    private static async Task<(string Field, string Message)?> HiddenAsync(HttpContext context, string own)
    {
        var values = context.Request.RouteValues;
        if (values.TryGetValue("tenant", out var t) && t is string tenant && !string.Equals(tenant, own, StringComparison.Ordinal))
        {
            var model = values.TryGetValue("model", out var m) && m is string s ? Links.PathValue(s) : string.Empty;
            return ("model", $"unknown model '{tenant}/{model}': no records received for it");
        }

        var path = context.Request.Path.Value ?? string.Empty;
        if (values.TryGetValue("id", out var i) && i is string id && (path.StartsWith("/incidents/", StringComparison.Ordinal) || path.StartsWith("/api/incidents/", StringComparison.Ordinal)))
        {
            var grains = context.RequestServices.GetRequiredService<IGrainFactory>();
            if (await AlertingReads.Notifier(grains).GetIncidentAsync(id).ConfigureAwait(false) is { } incident && !AlertingReads.Visible(incident, own))
            {
                return ("id", $"no incident '{id}'");
            }
        }

        return null;
    }

    private Dialect DialectOf(HttpContext context, string path)
    {
        var port = context.Connection.LocalPort;
        return port == host.OtlpGrpcPort ? Dialect.Grpc
            : port == host.OtlpHttpPort ? Dialect.OtlpHttp
            : path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/openapi/", StringComparison.Ordinal) || path == "/metrics" ? Dialect.Json
            : Dialect.Page;
    }

    /// <summary>The configured header, else <c>Authorization: Bearer</c>, else (API port only) the sign-in cookie.</summary>
    private string? ReadKey(HttpContext context, Dialect dialect)
    {
        var headers = context.Request.Headers;
        if (options.Header is { } header && headers[header].ToString() is { Length: > 0 } value)
        {
            value = value.Trim();
            return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value["Bearer ".Length..].Trim() : value;
        }

        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        if (authorization.Length > 0)
        {
            return authorization; // another scheme: reported as an invalid key, not as a missing one
        }

        return dialect is Dialect.Json or Dialect.Page ? context.Request.Cookies[CookieName] : null;
    }

    /// <summary>The very 404 the endpoint gives for a model or incident that does not exist (same status, shape and text).</summary>
    private static Task WriteNotFoundAsync(HttpContext context, Dialect dialect, string field, string message) =>
        dialect == Dialect.Page
            ? WritePageAsync(context, new ErrorPage(StatusCodes.Status404NotFound, "Not found", field, message))
            : ApiResults.NotFound(field, message).ExecuteAsync(context);

    private static async Task RefuseAsync(HttpContext context, Dialect dialect, int status, int grpcCode, string message)
    {
        switch (dialect)
        {
            case Dialect.Grpc:
                // Trailers-only response: HTTP 200, the gRPC status in the headers (gRPC over HTTP/2, "Responses").
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/grpc";
                context.Response.Headers["grpc-status"] = grpcCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
                break;
            case Dialect.OtlpHttp:
                await WriteRpcStatusAsync(context, status, grpcCode, message).ConfigureAwait(false);
                break;
            case Dialect.Json:
                await WriteJsonAsync(context, status, message, "authorization").ConfigureAwait(false);
                break;
            default:
                if (status == StatusCodes.Status401Unauthorized)
                {
                    var back = context.Request.Path + context.Request.QueryString;
                    await WritePageAsync(context, new Reports.Components.Auth.SignInPage(HttpMethods.IsGet(context.Request.Method) ? back : "/", message, null), status).ConfigureAwait(false);
                }
                else
                {
                    await WritePageAsync(context, new ErrorPage(status, "Forbidden", "authorization", message)).ConfigureAwait(false);
                }

                break;
        }
    }

    /// <summary>An OTLP/HTTP error body: <c>google.rpc.Status</c> as JSON for a JSON request, else protobuf.</summary>
    private static async Task WriteRpcStatusAsync(HttpContext context, int status, int code, string message)
    {
        var json = context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true;
        byte[] body;
        if (json)
        {
            body = JsonSerializer.SerializeToUtf8Bytes(new { code, message });
        }
        else
        {
            using var buffer = new MemoryStream();
            var output = new CodedOutputStream(buffer);
            output.WriteTag(1, WireFormat.WireType.Varint);
            output.WriteInt32(code);
            output.WriteTag(2, WireFormat.WireType.LengthDelimited);
            output.WriteString(message);
            output.Flush();
            body = buffer.ToArray();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = json ? "application/json" : "application/x-protobuf";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, string message, string field)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new { error = message, field });
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static Task WritePageAsync(HttpContext context, ErrorPage page) => WritePageAsync<ErrorView, ErrorPage>(context, page, page.Status);

    private static Task WritePageAsync(HttpContext context, Reports.Components.Auth.SignInPage page, int status) =>
        WritePageAsync<Reports.Components.Auth.SignInView, Reports.Components.Auth.SignInPage>(context, page, status);

    private static async Task WritePageAsync<TView, TModel>(HttpContext context, TModel model, int status)
        where TView : Microsoft.AspNetCore.Components.IComponent
    {
        var pages = context.RequestServices.GetRequiredService<PageRenderer>();
        var html = await pages.RenderAsync<TView, TModel>(model).ConfigureAwait(false);
        await new HtmlPage(html, status).ExecuteAsync(context).ConfigureAwait(false);
    }
}
