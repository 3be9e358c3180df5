using Microsoft.AspNetCore.Mvc;
using Monitoring.Reports.Components.Auth;
using Monitoring.Reports.Rendering;
using Monitoring.Silo.Hosting;
using Monitoring.Silo.Pages;
using Monitoring.Storage.Auth;

namespace Monitoring.Silo.Auth;

/// <summary>
/// Sign-in for the pages (<c>GET|POST /signin</c>, <c>POST /signout</c>) and the route table (<c>GET /api/auth/routes</c>,
/// admin). The cookie holds the key itself, HttpOnly (no script reads it; the pages run none anyway), SameSite=Strict
/// (never sent on a request another site starts, so forms cannot be posted cross-site with it) and Secure when served
/// over HTTPS. Why the key and not a session id: every silo of a cluster accepts it with no shared session store, it
/// survives restarts, and revoking the key ends every browser session within the key cache time, because each request
/// checks the key again.
/// </summary>
internal static class AuthEndpoints
{
    /// <summary>Longest a sign-in cookie lives (less when the key expires sooner).</summary>
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromHours(12);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/signin", SignInFormAsync).ExcludeFromDescription().RequireAccess(Access.Open);
        app.MapPost("/signin", SignInAsync).ExcludeFromDescription().DisableAntiforgery().RequireAccess(Access.Open);
        app.MapPost("/signout", SignOut).ExcludeFromDescription().DisableAntiforgery().RequireAccess(Access.Open);
        app.MapGet("/api/auth/routes", Routes).WithTags("auth").RequireAccess(Access.Admin)
            .WithSummary("Every route of this silo with the scope it needs in api-keys mode (admin).");
    }

    private static async Task<IResult> SignInFormAsync(HttpContext context, [FromServices] AuthOptions options, [FromServices] ApiKeyAuthenticator keys, [FromServices] PageRenderer pages, string? @return = null)
    {
        string? signedIn = null;
        if (context.Request.Cookies[AuthGate.CookieName] is { } cookie)
        {
            var (caller, _, _) = await keys.AuthenticateAsync(cookie, context.RequestAborted);
            signedIn = caller is null ? null : $"{caller.Tenant ?? "every tenant"} (key {caller.KeyId})";
        }

        var problem = options.RequiresKeys ? null : "Authentication is off (Monitoring:Auth:Mode=open): every page is open without signing in.";
        return await PageAsync(pages, new SignInPage(LocalPath(@return), problem, signedIn), StatusCodes.Status200OK);
    }

    private static async Task<IResult> SignInAsync(HttpContext context, [FromServices] ApiKeyAuthenticator keys, [FromServices] PageRenderer pages, [FromServices] MonitoringHostOptions host, [FromServices] TimeProvider time)
    {
        if (PageEndpoints.CrossSite(context.Request, host) is { } crossSite)
        {
            return await PageAsync(pages, new SignInPage("/", crossSite, null), StatusCodes.Status403Forbidden);
        }

        if (!context.Request.HasFormContentType)
        {
            return await PageAsync(pages, new SignInPage("/", "key: send the sign-in form (application/x-www-form-urlencoded)", null), StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var back = LocalPath(form["return"].ToString());
        var presented = form["key"].ToString().Trim();
        var (caller, rejection, keyId) = await keys.AuthenticateAsync(presented, context.RequestAborted);
        if (caller is null)
        {
            var reason = rejection switch
            {
                KeyRejection.Missing => "key: enter an API key",
                KeyRejection.Revoked => $"key: API key {keyId} is revoked",
                KeyRejection.Expired => $"key: API key {keyId} has expired",
                _ => "key: not a valid API key",
            };
            return await PageAsync(pages, new SignInPage(back, reason, null), StatusCodes.Status401Unauthorized);
        }

        if (!caller.Scopes.HasFlag(ApiKeyScopes.Read))
        {
            return await PageAsync(pages, new SignInPage(back, $"key: API key {caller.KeyId} lacks scope 'read', which the pages need", null), StatusCodes.Status403Forbidden);
        }

        var stored = await context.RequestServices.GetRequiredService<IApiKeyStore>().FindAsync(caller.KeyId, context.RequestAborted);
        var lifetime = CookieLifetime;
        if (stored?.Key.ExpiresAt is { } expires && expires - time.GetUtcNow() < lifetime)
        {
            lifetime = expires - time.GetUtcNow();
        }

        context.Response.Cookies.Append(AuthGate.CookieName, presented, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            MaxAge = lifetime,
            IsEssential = true,
        });
        return new SeeOther(back);
    }

    private static IResult SignOut(HttpContext context)
    {
        context.Response.Cookies.Delete(AuthGate.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
        return new SeeOther("/signin");
    }

    private static IResult Routes([FromServices] EndpointDataSource endpoints) =>
        Results.Json(RouteTable(endpoints));

    /// <summary>Every route endpoint with its methods and its decision (<c>none</c> when it has none: refused in api-keys mode).</summary>
    public static IReadOnlyList<RouteAccess> RouteTable(EndpointDataSource endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return [.. endpoints.Endpoints.OfType<RouteEndpoint>()
            .Select(e =>
            {
                var pattern = "/" + (e.RoutePattern.RawText ?? string.Empty).TrimStart('/');
                var methods = e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.ToArray() ?? [];
                var access = EndpointAccess.Of(e, pattern)?.Required;
                return new RouteAccess(pattern, methods, access is { } a ? Name(a) : "none", e.DisplayName ?? pattern);
            })
            .OrderBy(r => r.Route, StringComparer.Ordinal)];
    }

    private static string Name(Access access) => access switch
    {
        Access.ReadOrAdminByMethod => "read-or-admin-by-method",
        _ => access.ToString().ToLowerInvariant(),
    };

    /// <summary>Where to go back to: a path on this site, never another site (<c>//host</c>, <c>/\host</c>, absolute URLs).</summary>
    internal static string LocalPath(string? path) =>
        path is { Length: > 0 } p && p[0] == '/' && (p.Length == 1 || (p[1] != '/' && p[1] != '\\')) && !p.Any(char.IsControl) ? p : "/";

    private static async Task<IResult> PageAsync(PageRenderer pages, SignInPage page, int status) =>
        new HtmlPage(await pages.RenderAsync<SignInView, SignInPage>(page), status);

    /// <summary>One row of the route table.</summary>
    /// <param name="Route">The route pattern.</param>
    /// <param name="Methods">Its HTTP methods (empty: any).</param>
    /// <param name="Access">open, ingest, read, admin, read-or-admin-by-method, or none.</param>
    /// <param name="Name">The endpoint's display name.</param>
    public sealed record RouteAccess(string Route, string[] Methods, string Access, string Name);

    /// <summary>303 See Other.</summary>
    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
