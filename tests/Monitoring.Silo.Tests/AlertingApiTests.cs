using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>The alerting API's inputs and errors on a real silo (default rules, the built-in console receiver).</summary>
public sealed class AlertingApiTests : SiloTest
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, string json)
    {
        using var response = await Api.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement);
    }

    [Fact]
    public async Task Silence_IsCreatedListedAndExpired()
    {
        var (status, created) = await PostAsync("/api/silences", """
            {"matchers": ["model=\"credit-risk\"", "severity=~\"page|ticket\""], "ends_at": "2099-01-01T00:00:00Z",
             "created_by": "alice", "comment": "deploy", "recurrence": {"times": ["02:00-04:00"], "weekdays": ["saturday", "sunday"], "location": "Europe/Berlin"}}
            """);
        Assert.Equal(HttpStatusCode.Created, status);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("active", created.GetProperty("state").GetString());
        var list = await Api.GetJsonAsync("/api/silences");
        Assert.Contains(list.EnumerateArray(), s => s.GetProperty("id").GetString() == id);
        using (var expire = await Api.Http.DeleteAsync($"/api/silences/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, expire.StatusCode);
        }
        using (var again = await Api.Http.DeleteAsync($"/api/silences/{id}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
        var after = (await Api.GetJsonAsync("/api/silences")).EnumerateArray().Single(s => s.GetProperty("id").GetString() == id);
        Assert.Equal("expired", after.GetProperty("state").GetString());
    }

    [Theory]
    [InlineData("""{"matchers": ["model=~\".*\""], "ends_at": "2099-01-01T00:00:00Z", "created_by": "a", "comment": "c"}""", "matchers", "must not match the empty string")]
    [InlineData("""{"matchers": ["model=~\"(\""], "ends_at": "2099-01-01T00:00:00Z", "created_by": "a", "comment": "c"}""", "matchers", "does not compile")]
    [InlineData("""{"matchers": ["model=\"m\""], "created_by": "a", "comment": "c"}""", "endsAt", "is required")]
    [InlineData("""{"matchers": ["model=\"m\""], "ends_at": "2099-01-01T00:00:00Z", "comment": "c"}""", "createdBy", "is required")]
    [InlineData("""{"matchers": ["model=\"m\""], "ends_at": "2099-01-01T00:00:00Z", "created_by": "a", "comment": "c", "recurrence": {"times": ["25:00-26:00"]}}""", "recurrence", "")]
    [InlineData("""{"matchers": "model", "ends_at": 5}""", "matchers", "not valid JSON")]
    public async Task BadSilence_Is400_NamingTheField(string json, string field, string reason)
    {
        var (status, body) = await PostAsync("/api/silences", json);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, body.GetProperty("field").GetString());
        Assert.Contains(reason, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silence_WithoutJson_Is415()
    {
        using var response = await Api.Http.PostAsync("/api/silences", new StringContent("model=m", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task UnknownIncidentsAndReceivers_Are404_AndABadStateIs400()
    {
        using (var ack = await Api.Http.PostAsJsonAsync("/api/incidents/nope/ack", new { by = "x" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, ack.StatusCode);
        }
        using (var test = await Api.Http.PostAsync("/api/receivers/nope/test", null))
        {
            Assert.Equal(HttpStatusCode.NotFound, test.StatusCode);
        }
        using (var state = await Api.Http.GetAsync("/api/incidents?state=open"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, state.StatusCode);
        }
        using var page = await Api.Http.GetAsync("/incidents/%3Cscript%3E/ack");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsoleReceiver_TestNotification_IsDelivered()
    {
        using var response = await Api.Http.PostAsync("/api/receivers/console/test", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var integration = Assert.Single(body.GetProperty("integrations").EnumerateArray().ToList());
        Assert.Equal("console", integration.GetProperty("kind").GetString());
        Assert.True(integration.GetProperty("delivered").GetBoolean());
        await Silo.WaitForLineAsync("TestNotification");
    }

    [Fact]
    public async Task Rules_ListTheExampleRules_WithNoErrors()
    {
        var rules = await Api.GetJsonAsync("/api/rules");
        Assert.Empty(rules.GetProperty("errors").EnumerateArray());
        var names = rules.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("rules").EnumerateArray()).Select(r => r.GetProperty("alert").GetString()).ToList();
        Assert.Contains("FeatureDrift", names);
        Assert.Equal(2, rules.GetProperty("slos").GetArrayLength());
    }
}
