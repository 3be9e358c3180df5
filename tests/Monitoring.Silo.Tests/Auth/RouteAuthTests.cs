using System.Net;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Silo.Tests.Auth;

/// <summary>
/// Every route the silo maps, read from its own endpoint table (<c>GET /api/auth/routes</c>, built from the app's
/// EndpointDataSource): each has an access decision, and each answers 401 without a key, 403 with a key lacking the
/// scope, neither with the right key, and 404 to another tenant's key on a model route. A new route without a decision,
/// or with a route parameter this test cannot fill, fails here.
/// </summary>
[Collection(AuthSiloCollection.Name)]
public sealed class RouteAuthTests(AuthSilo silo, ITestOutputHelper output)
{
    /// <summary>Values for route parameters; a parameter missing here fails the test (add one).</summary>
    private static readonly Dictionary<string, string> Values = new(StringComparer.Ordinal)
    {
        ["tenant"] = AuthSilo.Acme,
        ["model"] = AuthSilo.AcmeModel,
        ["start"] = "2026-01-01T00:00:00Z",
        ["feature"] = "age",
        ["id"] = "no-such-id",
        ["name"] = "no-such-name",
        ["documentName"] = "v1",
    };

    private sealed record Route(string Pattern, string[] Methods, string Access);

    private async Task<IReadOnlyList<Route>> RoutesAsync()
    {
        using var http = silo.Api(silo.AcmeAdmin);
        var body = await http.GetStringAsync(new Uri("/api/auth/routes", UriKind.Relative));
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(r => new Route(
            r.GetProperty("route").GetString()!,
            [.. r.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!)],
            r.GetProperty("access").GetString()!))];
    }

    /// <summary>The routes served on the API port, one (path, method, access) per method.</summary>
    private async Task<IReadOnlyList<(string Pattern, string Path, string Method, string Scope)>> ApiRoutesAsync()
    {
        var list = new List<(string, string, string, string)>();
        foreach (var route in await RoutesAsync())
        {
            if (route.Access == "ingest")
            {
                Assert.True(route.Pattern == "/v1/logs" || route.Pattern.Contains("LogsService", StringComparison.Ordinal) || route.Pattern.Contains("grpcunimplemented", StringComparison.Ordinal),
                    $"{route.Pattern}: only the OTLP routes need scope ingest");
                continue; // the OTLP ports: OtlpAuthTests
            }

            var path = System.Text.RegularExpressions.Regex.Replace(route.Pattern, @"\{(\w+)[^}]*\}", m =>
                Values.TryGetValue(m.Groups[1].Value, out var v) ? v : throw new Xunit.Sdk.XunitException($"{route.Pattern}: no test value for route parameter '{m.Groups[1].Value}'; add one to Values"));
            foreach (var method in route.Methods.Length == 0 ? ["GET"] : route.Methods)
            {
                var scope = route.Access switch
                {
                    "read-or-admin-by-method" => method is "GET" or "HEAD" ? "read" : "admin",
                    "open" or "read" or "admin" => route.Access,
                    _ => throw new Xunit.Sdk.XunitException($"{route.Pattern}: access '{route.Access}' (a route without an access decision is refused in api-keys mode; give it RequireAccess)"),
                };
                list.Add((route.Pattern, path, method, scope));
            }
        }

        return list;
    }

    private static async Task<(HttpStatusCode Status, string Body)> CallAsync(HttpClient http, string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EveryRoute_HasAnAccessDecision_AndTheHealthAndSignInRoutesAreOpen()
    {
        var routes = await RoutesAsync();
        Assert.True(routes.Count > 40, $"only {routes.Count} routes listed");
        Assert.Empty(routes.Where(r => r.Access == "none").Select(r => r.Pattern));
        Assert.Equal("open", routes.Single(r => r.Pattern == "/healthz").Access);
        Assert.All(routes.Where(r => r.Pattern.StartsWith("/health/", StringComparison.Ordinal)), r => Assert.Equal("open", r.Access));
        Assert.Equal(["/healthz", "/signin", "/signin", "/signout"], routes.Where(r => r.Access == "open").Select(r => r.Pattern).Where(p => !p.StartsWith("/health/", StringComparison.Ordinal)));
        Assert.Equal("read", routes.Single(r => r.Pattern == "/metrics").Access); // scoped per tenant: TenancyTests
        Assert.Equal("ingest", routes.Single(r => r.Pattern == "/v1/logs").Access);
    }

    [Fact]
    public async Task EveryRoute_WithoutAKey_Is401_ExceptTheOpenOnes()
    {
        using var http = silo.Api(null);
        foreach (var (pattern, path, method, scope) in await ApiRoutesAsync())
        {
            var (status, body) = await CallAsync(http, method, path);
            output.WriteLine($"{method} {path} ({scope}) without a key: {(int)status}");
            if (scope == "open")
            {
                Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {pattern}: {(int)status} {body}");
            }
            else
            {
                Assert.True(status == HttpStatusCode.Unauthorized, $"{method} {pattern}: expected 401 without a key, got {(int)status} {body}");
            }
        }
    }

    [Fact]
    public async Task EveryRoute_WithAKeyLackingTheScope_Is403()
    {
        using var ingestOnly = silo.Api(silo.AcmeIngest);
        using var readOnly = silo.Api(silo.AcmeRead);
        foreach (var (pattern, path, method, scope) in (await ApiRoutesAsync()).Where(r => r.Scope != "open"))
        {
            var (status, body) = await CallAsync(scope == "read" ? ingestOnly : readOnly, method, path);
            Assert.True(status == HttpStatusCode.Forbidden, $"{method} {pattern} needs {scope}: expected 403 with a key without it, got {(int)status} {body}");
        }
    }

    [Fact]
    public async Task EveryRoute_WithTheRightScope_IsNeither401Nor403()
    {
        using var read = silo.Api(silo.AcmeRead);
        using var admin = silo.Api(silo.AcmeAdmin);
        foreach (var (pattern, path, method, scope) in (await ApiRoutesAsync()).Where(r => r.Scope != "open"))
        {
            var (status, body) = await CallAsync(scope == "read" ? read : admin, method, path);
            output.WriteLine($"{method} {path} with scope {scope}: {(int)status}");
            Assert.True(status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), $"{method} {pattern} with scope {scope}: {(int)status} {body}");
        }
    }

    [Fact]
    public async Task EveryModelRoute_ForAnotherTenantsKey_Is404_LikeAModelThatDoesNotExist()
    {
        using var globex = silo.Api(silo.GlobexAll);
        var modelRoutes = (await ApiRoutesAsync()).Where(r => r.Pattern.Contains("{tenant}", StringComparison.Ordinal)).ToList();
        Assert.True(modelRoutes.Count >= 20, $"only {modelRoutes.Count} model routes");
        foreach (var (pattern, path, method, _) in modelRoutes)
        {
            var (status, body) = await CallAsync(globex, method, path);
            Assert.True(status == HttpStatusCode.NotFound, $"{method} {pattern} with globex's key on acme's model: expected 404, got {(int)status} {body}");
            Assert.Contains($"unknown model '{AuthSilo.Acme}/{AuthSilo.AcmeModel}'", JsonText(body), StringComparison.Ordinal);
        }

        // The same answer as for a model of globex's own tenant that does not exist.
        var (ownStatus, ownBody) = await CallAsync(globex, "GET", $"/api/models/{AuthSilo.Globex}/no-such-model");
        var (otherStatus, otherBody) = await CallAsync(globex, "GET", $"/api/models/{AuthSilo.Acme}/{AuthSilo.AcmeModel}");
        Assert.Equal(ownStatus, otherStatus);
        Assert.Equal(ownBody.Replace($"{AuthSilo.Globex}/no-such-model", "X", StringComparison.Ordinal), otherBody.Replace($"{AuthSilo.Acme}/{AuthSilo.AcmeModel}", "X", StringComparison.Ordinal));
    }

    /// <summary>The error text of a JSON error body, or the page text of an HTML one.</summary>
    private static string JsonText(string body) =>
        body.TrimStart().StartsWith('{') ? JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()! : System.Net.WebUtility.HtmlDecode(body);

    [Fact]
    public async Task ModelList_ShowsOnlyTheCallersTenant()
    {
        var acme = await silo.ModelsAsync(silo.AcmeRead);
        var globex = await silo.ModelsAsync(silo.GlobexAll);

        Assert.Contains($"{AuthSilo.Acme}/{AuthSilo.AcmeModel}", acme);
        Assert.All(acme, k => Assert.StartsWith(AuthSilo.Acme + "/", k, StringComparison.Ordinal));
        Assert.Contains($"{AuthSilo.Globex}/{AuthSilo.GlobexModel}", globex);
        Assert.All(globex, k => Assert.StartsWith(AuthSilo.Globex + "/", k, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OverviewPage_ListsOnlyTheCallersModels()
    {
        using var http = silo.Api(silo.AcmeRead);
        var page = await http.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Contains(AuthSilo.AcmeModel, page, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthSilo.GlobexModel, page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("revoked")]
    [InlineData("expired")]
    [InlineData("malformed")]
    public async Task RevokedExpiredOrMalformedKey_Is401(string which)
    {
        var key = which switch { "revoked" => silo.Revoked, "expired" => silo.Expired, _ => silo.AcmeRead[..^1] + "x" };
        using var http = silo.Api(key);

        var (status, body) = await CallAsync(http, "GET", "/api/models");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains(which == "malformed" ? "invalid API key" : which, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfiguredHeader_CarriesTheKeyToo()
    {
        using var http = silo.Api(null);
        http.DefaultRequestHeaders.Add(AuthSilo.ExtraHeader, silo.AcmeRead);

        var (status, _) = await CallAsync(http, "GET", "/api/models");

        Assert.Equal(HttpStatusCode.OK, status);
    }
}
