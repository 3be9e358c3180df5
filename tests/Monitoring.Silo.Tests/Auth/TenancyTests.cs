using System.Net;
using System.Text;
using System.Text.Json;
using Monitoring.Client;
using Monitoring.Silo.Tests.Telemetry;
using Xunit;

namespace Monitoring.Silo.Tests.Auth;

/// <summary>
/// Silences and <c>/metrics</c> per tenant on the api-keys silo: a tenant key sees, gets and expires only its tenant's
/// silences (another tenant's answers 404 like one that does not exist), a silence it makes is bound to its tenant
/// whatever its matchers say, a scrape holds only its tenant's series, and the operator key (<c>--all-tenants</c>) sees
/// everything. That a bound silence mutes only its tenant's alerts is shown where the muting runs: SilenceTests
/// (Monitoring.Alerting.Tests) and NotifierPipelineTests (the real notifier grain and a webhook listener).
/// </summary>
[Collection(AuthSiloCollection.Name)]
public sealed class TenancyTests(AuthSilo silo)
{
    private static string SilenceBody(string matchers, string? tenant = null) =>
        $$"""{"matchers": {{matchers}}, "ends_at": "{{DateTimeOffset.UtcNow.AddHours(2):O}}", "created_by": "on-call", "comment": "deploy"{{(tenant is null ? "" : $", \"tenant\": \"{tenant}\"")}}}""";

    private static async Task<(HttpStatusCode Status, string Body)> CallAsync(HttpClient http, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> CreateSilenceAsync(HttpClient http, string json)
    {
        var (status, body) = await CallAsync(http, HttpMethod.Post, "/api/silences", json);
        Assert.True(status == HttpStatusCode.Created, $"{(int)status} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<string[]> SilenceIdsAsync(HttpClient http) =>
        [.. JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/silences", UriKind.Relative))).RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];

    [Fact]
    public async Task Silence_OfOneTenant_IsHiddenFromAnother_LikeOneThatDoesNotExist()
    {
        using var acme = silo.Api(silo.AcmeAll);
        using var globex = silo.Api(silo.GlobexAll);
        using var ops = silo.Api(silo.Operator);
        var created = await CreateSilenceAsync(acme, SilenceBody("""["alertname=\"FraudDrift\"", "model=\"fraud\""]"""));
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal(AuthSilo.Acme, created.GetProperty("tenant").GetString());

        Assert.Contains(id, await SilenceIdsAsync(acme));
        Assert.Contains(id, await SilenceIdsAsync(ops));
        Assert.DoesNotContain(id, await SilenceIdsAsync(globex));
        var page = await globex.GetStringAsync(new Uri("/silences", UriKind.Relative));
        Assert.DoesNotContain(id, page, StringComparison.Ordinal);
        Assert.DoesNotContain("fraud", page, StringComparison.Ordinal); // acme's matchers name its model

        // Get and expire (API and page form) answer exactly as for an id that never existed.
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/silences/{0}"), (HttpMethod.Delete, "/api/silences/{0}"), (HttpMethod.Post, "/silences/{0}/expire") })
        {
            var (status, body) = await CallAsync(globex, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, id));
            var (missingStatus, missingBody) = await CallAsync(globex, method, string.Format(System.Globalization.CultureInfo.InvariantCulture, path, "0123456789abcdef"));
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal(missingStatus, status);
            Assert.Equal(missingBody.Replace("0123456789abcdef", "X", StringComparison.Ordinal), body.Replace(id, "X", StringComparison.Ordinal));
        }

        var (own, ownBody) = await CallAsync(acme, HttpMethod.Get, $"/api/silences/{id}");
        Assert.Equal(HttpStatusCode.OK, own);
        Assert.Equal("active", JsonDocument.Parse(ownBody).RootElement.GetProperty("state").GetString()); // globex's expire did nothing
        Assert.Equal(HttpStatusCode.NoContent, (await CallAsync(acme, HttpMethod.Delete, $"/api/silences/{id}")).Status);
    }

    [Fact]
    public async Task Silence_WithAMatcherForEveryTenant_StaysBoundToTheCallersTenant_AndNamingAnotherTenantIs400()
    {
        using var acme = silo.Api(silo.AcmeAll);
        using var globex = silo.Api(silo.GlobexAll);
        using var ops = silo.Api(silo.Operator);

        var widened = await CreateSilenceAsync(acme, SilenceBody("""["tenant=~\".*\"", "alertname=\"FraudDrift\""]"""));
        Assert.Equal(AuthSilo.Acme, widened.GetProperty("tenant").GetString());
        Assert.DoesNotContain(widened.GetProperty("id").GetString()!, await SilenceIdsAsync(globex));

        var (status, body) = await CallAsync(acme, HttpMethod.Post, "/api/silences", SilenceBody("""["alertname=\"X\""]""", tenant: AuthSilo.Globex));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("tenant", JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());

        // The operator chooses: a silence for globex (globex sees it, acme does not), or one for every tenant (no tenant sees it).
        var forGlobex = await CreateSilenceAsync(ops, SilenceBody("""["alertname=\"X\""]""", tenant: AuthSilo.Globex));
        Assert.Equal(AuthSilo.Globex, forGlobex.GetProperty("tenant").GetString());
        Assert.Contains(forGlobex.GetProperty("id").GetString()!, await SilenceIdsAsync(globex));
        Assert.DoesNotContain(forGlobex.GetProperty("id").GetString()!, await SilenceIdsAsync(acme));
        var everyone = await CreateSilenceAsync(ops, SilenceBody("""["alertname=\"Y\""]"""));
        Assert.False(everyone.TryGetProperty("tenant", out _));
        Assert.DoesNotContain(everyone.GetProperty("id").GetString()!, await SilenceIdsAsync(acme));
        Assert.DoesNotContain(everyone.GetProperty("id").GetString()!, await SilenceIdsAsync(globex));
        Assert.Contains(everyone.GetProperty("id").GetString()!, await SilenceIdsAsync(ops));
    }

    [Fact]
    public async Task Metrics_ForATenantKey_HoldOnlyThatTenantsSeries_AndTheOperatorKeySeesEveryTenant()
    {
        // A closed window for one model of each tenant, so each has per-model series.
        const string acmeModel = "acme-metered";
        const string globexModel = "globex-metered";
        var minute = TimeSpan.FromMinutes(1);
        var at = new DateTimeOffset((DateTimeOffset.UtcNow.UtcTicks / minute.Ticks - 3) * minute.Ticks, TimeSpan.Zero);
        foreach (var (key, tenant, model) in new[] { (silo.AcmeAll, AuthSilo.Acme, acmeModel), (silo.GlobexAll, AuthSilo.Globex, globexModel) })
        {
            using var http = silo.Api(key);
            var (settings, settingsBody) = await CallAsync(http, HttpMethod.Put, $"/api/models/{tenant}/{model}/settings", """{"window_seconds": 60, "allowed_lateness_seconds": 900}""");
            Assert.True(settings == HttpStatusCode.OK, settingsBody);
            silo.Send(OtlpProtocol.HttpProtobuf, key, model, 20, at);
            var (close, closeBody) = await CallAsync(http, HttpMethod.Post, $"/api/models/{tenant}/{model}/windows/close");
            Assert.True(close == HttpStatusCode.OK, closeBody);
        }

        async Task<PrometheusText> ScrapeAsync(string key)
        {
            using var http = silo.Api(key);
            return PrometheusText.Parse(await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));
        }

        var acme = await ScrapeAsync(silo.AcmeRead);
        Assert.Contains(acme.Samples, s => s.Labels.GetValueOrDefault("model") == acmeModel);
        Assert.All(acme.Samples, s => Assert.Equal(AuthSilo.Acme, s.Labels.GetValueOrDefault("tenant")));
        Assert.DoesNotContain(globexModel, acme.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthSilo.Globex, acme.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("monitoring_records_received", acme.Text, StringComparison.Ordinal); // process-wide: the operator's
        Assert.All(acme.Types.Keys, family => Assert.NotEmpty(acme.Family(family))); // no header without samples

        var globex = await ScrapeAsync(silo.GlobexAll);
        Assert.Contains(globex.Samples, s => s.Labels.GetValueOrDefault("model") == globexModel);
        Assert.All(globex.Samples, s => Assert.Equal(AuthSilo.Globex, s.Labels.GetValueOrDefault("tenant")));
        Assert.DoesNotContain(acmeModel, globex.Text, StringComparison.Ordinal);

        var all = await ScrapeAsync(silo.Operator);
        Assert.Contains(all.Samples, s => s.Labels.GetValueOrDefault("model") == acmeModel);
        Assert.Contains(all.Samples, s => s.Labels.GetValueOrDefault("model") == globexModel);
        Assert.Contains(all.Samples, s => s.Name == "monitoring_records_received_total");
    }

    [Fact]
    public async Task Cli_SilenceCommands_WorkWithATenantKey_AndSeeOnlyItsTenant()
    {
        var server = silo.Silo.Api.ToString().TrimEnd('/');
        var acme = new Dictionary<string, string> { ["MONITORING_API_KEY"] = silo.AcmeAll };
        var globex = new Dictionary<string, string> { ["MONITORING_API_KEY"] = silo.GlobexAll };

        var added = await CliProcess.RunAsync(acme, "silence", "add", "--server", server, "--matcher", "alertname=\"CliDrift\"", "--comment", "cli", "--by", "acme on-call");
        Assert.True(added.ExitCode == 0, added.Error);
        var id = added.Output.Split(' ')[1];

        var listed = await CliProcess.RunAsync(acme, "silence", "list", "--server", server);
        Assert.True(listed.ExitCode == 0, listed.Error);
        var row = listed.Output.Split('\n').Single(l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.Contains(AuthSilo.Acme, row, StringComparison.Ordinal);
        Assert.DoesNotContain(id, (await CliProcess.RunAsync(globex, "silence", "list", "--server", server)).Output, StringComparison.Ordinal);

        var refused = await CliProcess.RunAsync(globex, "silence", "expire", "--server", server, id);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains($"no active or pending silence '{id}'", refused.Error, StringComparison.Ordinal);
        var expired = await CliProcess.RunAsync(acme, "silence", "expire", "--server", server, id);
        Assert.True(expired.ExitCode == 0, expired.Error);

        // --tenant: the operator's choice; a tenant key naming another tenant is refused, naming the field.
        var ops = new Dictionary<string, string> { ["MONITORING_API_KEY"] = silo.Operator };
        var forGlobex = await CliProcess.RunAsync(ops, "silence", "add", "--server", server, "--matcher", "alertname=\"CliDrift\"", "--comment", "ops", "--tenant", AuthSilo.Globex);
        Assert.True(forGlobex.ExitCode == 0, forGlobex.Error);
        Assert.Contains(forGlobex.Output.Split(' ')[1], (await CliProcess.RunAsync(globex, "silence", "list", "--server", server)).Output, StringComparison.Ordinal);
        var other = await CliProcess.RunAsync(acme, "silence", "add", "--server", server, "--matcher", "alertname=\"CliDrift\"", "--comment", "x", "--tenant", AuthSilo.Globex);
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("400: tenant:", other.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_AllTenantsKey_IsExplicit_AndSeesEveryTenantsModels()
    {
        var created = await CliProcess.RunAsync("keys", "create", "--data-dir", silo.Data, "--all-tenants", "--scopes", "read", "--name", "prometheus");
        Assert.True(created.ExitCode == 0, created.Error);
        var key = created.Output.Trim();
        Assert.Contains("for every tenant", created.Error, StringComparison.Ordinal);

        var models = await silo.ModelsAsync(key);
        Assert.Contains($"{AuthSilo.Acme}/{AuthSilo.AcmeModel}", models);
        Assert.Contains($"{AuthSilo.Globex}/{AuthSilo.GlobexModel}", models);

        var listed = await CliProcess.RunAsync("keys", "list", "--data-dir", silo.Data, "--format", "json");
        var entry = JsonDocument.Parse(listed.Output).RootElement.EnumerateArray().Single(k => k.GetProperty("id").GetString() == key[4..20]);
        Assert.True(entry.GetProperty("all_tenants").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("tenant").ValueKind);
        Assert.Contains("* (all tenants)", (await CliProcess.RunAsync("keys", "list", "--data-dir", silo.Data)).Output, StringComparison.Ordinal);
    }
}
