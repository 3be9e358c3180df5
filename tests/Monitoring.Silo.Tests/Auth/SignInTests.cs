using System.Net;
using Xunit;

namespace Monitoring.Silo.Tests.Auth;

/// <summary>The pages' sign-in: a key in a form becomes an HttpOnly, SameSite=Strict cookie; the pages then answer with it.</summary>
[Collection(AuthSiloCollection.Name)]
public sealed class SignInTests(AuthSilo silo)
{
    private async Task<HttpResponseMessage> SignInAsync(string key, string back = "/")
    {
        using var http = silo.Api(null);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = key, ["return"] = back });
        return await http.PostAsync(new Uri("/signin", UriKind.Relative), form);
    }

    [Fact]
    public async Task Page_WithoutAKey_Is401_WithTheSignInForm()
    {
        using var http = silo.Api(null);
        using var response = await http.GetAsync(new Uri($"/models/{AuthSilo.Acme}/{AuthSilo.AcmeModel}", UriKind.Relative));
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("<form method=\"post\" action=\"/signin\"", page, StringComparison.Ordinal);
        Assert.Contains($"value=\"/models/{AuthSilo.Acme}/{AuthSilo.AcmeModel}\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithAReadKey_SetsAStrictHttpOnlyCookie_ThatOpensThePages()
    {
        using var response = await SignInAsync(silo.AcmeRead, $"/models/{AuthSilo.Acme}/{AuthSilo.AcmeModel}");

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal($"/models/{AuthSilo.Acme}/{AuthSilo.AcmeModel}", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("monitoring_key=", cookie, StringComparison.Ordinal);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);

        using var http = silo.Api(null);
        http.DefaultRequestHeaders.Add("Cookie", cookie.Split(';')[0]);
        using var overview = await http.GetAsync(new Uri("/", UriKind.Relative));
        var page = await overview.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        Assert.Contains(AuthSilo.AcmeModel, page, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthSilo.GlobexModel, page, StringComparison.Ordinal);
        Assert.DoesNotContain(silo.AcmeRead, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithAWrongKey_Is401_AndDoesNotEchoIt()
    {
        var wrong = silo.AcmeRead[..^4] + "0000";
        using var response = await SignInAsync(wrong);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.DoesNotContain(wrong, page, StringComparison.Ordinal);
        Assert.Contains("not a valid API key", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WithAnIngestOnlyKey_Is403()
    {
        using var response = await SignInAsync(silo.AcmeIngest);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("/\\evil.example")]
    public async Task SignIn_NeverRedirectsToAnotherSite(string back)
    {
        using var response = await SignInAsync(silo.AcmeRead, back);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignOut_DeletesTheCookie()
    {
        using var http = silo.Api(null);
        using var response = await http.PostAsync(new Uri("/signout", UriKind.Relative), new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("monitoring_key=;", cookie, StringComparison.Ordinal);
        Assert.Contains("expires=Thu, 01 Jan 1970", cookie, StringComparison.OrdinalIgnoreCase);
    }
}
