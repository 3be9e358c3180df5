using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit;

namespace Monitoring.Silo.Tests.Auth;

/// <summary>
/// <c>monitoring keys create|list|revoke</c> (the real CLI) against the running silo's data directory: the new key
/// works on the silo, list shows it without its secret, and after revoke the silo refuses it within its cache time;
/// and no key ever appears in the silo's output.
/// </summary>
[Collection(AuthSiloCollection.Name)]
public sealed class KeyLifecycleTests(AuthSilo silo)
{
    /// <summary>Asks until <paramref name="expected"/> comes back (the silo re-reads a key after its 5 s cache), up to 30 s.</summary>
    private async Task<HttpStatusCode> StatusWithinAsync(string key, HttpStatusCode expected)
    {
        using var http = silo.Api(key);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            using var response = await http.GetAsync(new Uri("/api/models", UriKind.Relative));
            if (response.StatusCode == expected || deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                return response.StatusCode;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250)); // polls a real condition under a deadline
        }
    }

    [Fact]
    public async Task Cli_CreateListRevoke_RoundTrip_OnARunningSilo()
    {
        var created = await CliProcess.RunAsync("keys", "create", "--data-dir", silo.Data, "--tenant", AuthSilo.Acme, "--scopes", "read", "--name", "round trip", "--expires", "30d");
        Assert.True(created.ExitCode == 0, created.Error);
        var key = created.Output.Trim();
        Assert.Matches("^mon_[0-9a-f]{16}_[0-9a-f]{64}$", key);
        var id = key[4..20];
        Assert.Contains($"Created key {id} for tenant {AuthSilo.Acme}", created.Error, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(key, HttpStatusCode.OK));

        var listed = await CliProcess.RunAsync("keys", "list", "--data-dir", silo.Data, "--format", "json");
        Assert.Equal(0, listed.ExitCode);
        Assert.DoesNotContain(key[21..], listed.Output, StringComparison.Ordinal);
        var entry = JsonDocument.Parse(listed.Output).RootElement.EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.Equal(("acme", "round trip", "active"), (entry.GetProperty("tenant").GetString(), entry.GetProperty("name").GetString(), entry.GetProperty("state").GetString()));
        var table = await CliProcess.RunAsync("keys", "list", "--data-dir", silo.Data);
        Assert.Contains(id, table.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key[21..], table.Output, StringComparison.Ordinal);

        var revoked = await CliProcess.RunAsync("keys", "revoke", "--data-dir", silo.Data, id);
        Assert.True(revoked.ExitCode == 0, revoked.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithinAsync(key, HttpStatusCode.Unauthorized));
        var after = await CliProcess.RunAsync("keys", "list", "--data-dir", silo.Data, "--format", "json");
        Assert.Equal("revoked", JsonDocument.Parse(after.Output).RootElement.EnumerateArray().Single(k => k.GetProperty("id").GetString() == id).GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("create --tenant a/b --scopes read", "--tenant: a tenant must not contain '/'")]
    [InlineData("create --tenant acme --scopes read,write", "--scopes: unknown scope 'write'")]
    [InlineData("create --scopes read", "--tenant: a tenant is required (or --all-tenants")]
    [InlineData("create --tenant acme --all-tenants --scopes read", "--tenant: give either --tenant or --all-tenants")]
    [InlineData("create --tenant acme --scopes read --expires yesterday", "--expires: expected a duration")]
    [InlineData("revoke nothex", "id: expected a key id")]
    [InlineData("revoke 0123456789abcdef", "id: no key '0123456789abcdef'")]
    public async Task Cli_BadInput_IsExit2_NamingTheField(string args, string message)
    {
        var result = await CliProcess.RunAsync(["keys", .. args.Split(' ')[..1], "--data-dir", silo.Data, .. args.Split(' ')[1..]]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoKeySecret_AppearsInTheSiloOutput()
    {
        // Requests with every key, good and bad, on both ports (the silo runs --verbose: request logs are on).
        foreach (var key in silo.AllKeys)
        {
            using var http = silo.Api(key);
            using var _ = await http.GetAsync(new Uri("/api/models", UriKind.Relative));
            silo.Send(Client.OtlpProtocol.HttpProtobuf, key, "secrecy", 1, DateTimeOffset.UtcNow);
        }

        var output = silo.Silo.Output;
        Assert.Contains("Request starting", output, StringComparison.Ordinal);
        foreach (var key in silo.AllKeys)
        {
            Assert.DoesNotContain(key[21..], output, StringComparison.Ordinal);
        }
    }
}
