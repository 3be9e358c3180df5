using System.Globalization;
using System.Net;
using System.Text;
using Monitoring.Client;
using Xunit;

namespace Monitoring.Silo.Tests;

/// <summary>
/// Setup shared by the silo tests that make a model drift on its <c>age</c> feature and watch the FeatureDrift alert
/// reach a receiver: the rule and webhook route files, and a model with one-minute windows and an uploaded reference
/// (age ~ N(40, 10)) that a window shifted by 0.8 standard deviations drifts from (PSI well above 0.2).
/// </summary>
internal static class DriftAlerting
{
    /// <summary>Writes <c>rules.yml</c> into <paramref name="directory"/>: one group with FeatureDrift (PSI of age above 0.2); returns its path.</summary>
    public static async Task<string> WriteRulesAsync(string directory, string group)
    {
        var path = Path.Combine(directory, "rules.yml");
        await File.WriteAllTextAsync(path, $$"""
            groups:
              - name: {{group}}
                rules:
                  - alert: FeatureDrift
                    expr: feature_psi{feature="age"} > 0.2
            """);
        return path;
    }

    /// <summary>
    /// Writes <c>alerting.yml</c> into <paramref name="directory"/>: every alert to one webhook receiver named hook at
    /// <paramref name="url"/>, no group wait, one-second group interval, an hour between repeats; send_resolved is
    /// written only when given. Returns its path.
    /// </summary>
    public static async Task<string> WriteWebhookRouteAsync(string directory, Uri url, string groupBy, bool? sendResolved = null)
    {
        var path = Path.Combine(directory, "alerting.yml");
        var resolved = sendResolved is { } send ? $"\n        send_resolved: {(send ? "true" : "false")}" : "";
        await File.WriteAllTextAsync(path, $"""
            route:
              receiver: hook
              group_by: [{groupBy}]
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: hook
                webhook_configs:
                  - url: {url}{resolved}
            """);
        return path;
    }

    /// <summary>
    /// Sets one-minute windows (600 s lateness, 100 records at least) on <paramref name="model"/> and uploads
    /// a reference of <paramref name="referenceRows"/> ages drawn from N(40, 10) with <paramref name="rng"/> (and a
    /// country column of US when <paramref name="withCountry"/>).
    /// </summary>
    /// <remarks>
    /// Call it before the model's first record: a record sent first opens a window of the default hour, and open windows
    /// are keyed by their start, so that hour window took in the records of a test's minute window starting at the same
    /// hour, which then never closed (the alerting tests failed whenever they started 2-4 minutes past an hour).
    /// </remarks>
    public static async Task ConfigureModelAsync(ApiClient api, string model, Random rng, int referenceRows, bool withCountry)
    {
        using (var settings = await api.PutJsonAsync($"/api/models/default/{model}/settings", new { window_seconds = 60, allowed_lateness_seconds = 600, minimum_sample_size = 100 }))
        {
            Assert.Equal(HttpStatusCode.OK, settings.StatusCode);
        }

        var csv = new StringBuilder(withCountry ? "age,country\n" : "age\n");
        for (var i = 0; i < referenceRows; i++)
        {
            csv.Append((40 + (10 * Traffic.Gaussian(rng))).ToString("R", CultureInfo.InvariantCulture)).Append(withCountry ? ",US\n" : "\n");
        }

        using var upload = await api.Http.PutAsync($"/api/models/default/{model}/reference?source=train.csv", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
    }
}
