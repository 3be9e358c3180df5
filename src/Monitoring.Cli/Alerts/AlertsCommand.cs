using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Monitoring.Cli.Alerts;

/// <summary>
/// <c>monitoring alerts | incidents | ack | resolve | silence add|list|expire</c>: the alerting API of a running silo
/// from the command line. Tables by default, the API's JSON with <c>--format json</c>. Exit 0 ok, 2 input or server error.
/// </summary>
public static class AlertsCommand
{
    /// <summary>Pending and firing alerts.</summary>
    public static Task<int> AlertsAsync(string server, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        GetAsync(server, "/api/alerts", json, output, error, ct, body =>
        {
            var rows = body.EnumerateArray().Select(a => new[]
            {
                a.GetProperty("state").GetString()!,
                Label(a, "alertname"),
                $"{Label(a, "tenant")}/{Label(a, "model")}",
                string.Join(" ", a.GetProperty("labels").EnumerateObject().Where(p => p.Name is not ("alertname" or "tenant" or "model")).Select(p => $"{p.Name}={p.Value.GetString()}")),
                a.GetProperty("value").GetDouble().ToString("G4", CultureInfo.InvariantCulture),
                Time(a, "active_at"),
            }).ToList();
            return Table(["STATE", "ALERT", "MODEL", "LABELS", "VALUE", "SINCE"], rows, "no pending or firing alerts");
        });

    /// <summary>Incidents, optionally of one state.</summary>
    public static Task<int> IncidentsAsync(string server, string? state, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        GetAsync(server, "/api/incidents" + (state is null ? string.Empty : "?state=" + Uri.EscapeDataString(state)), json, output, error, ct, body =>
        {
            var rows = body.EnumerateArray().Select(i => new[]
            {
                i.GetProperty("id").GetString()!,
                i.GetProperty("state").GetString()!,
                i.GetProperty("alert").GetString()!,
                $"{Label(i, "tenant")}/{Label(i, "model")}",
                Time(i, "triggered_at"),
                i.TryGetProperty("annotations", out var an) && an.TryGetProperty("summary", out var s) ? s.GetString() ?? string.Empty : string.Empty,
            }).ToList();
            return Table(["ID", "STATE", "ALERT", "MODEL", "TRIGGERED", "SUMMARY"], rows, "no incidents");
        });

    /// <summary>Acknowledges or resolves an incident.</summary>
    public static async Task<int> ActAsync(string server, string id, string action, string by, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (!TryServer(server, error, out var baseUri))
        {
            return CliException.ExitCode;
        }
        using var http = Output.ServerClient.Create(baseUri);
        return await SendAsync(() => http.PostAsJsonAsync($"/api/incidents/{Uri.EscapeDataString(id)}/{action}", new { by }, ct), output, error, ct, body =>
            $"{body.GetProperty("id").GetString()}: {body.GetProperty("state").GetString()} ({body.GetProperty("alert").GetString()})");
    }

    /// <summary>Creates a silence (with <paramref name="tenant"/>, bound to that tenant: open mode and operator keys only).</summary>
    public static async Task<int> SilenceAddAsync(
        string server, IReadOnlyList<string> matchers, TimeSpan duration, DateTimeOffset? start, string by, string comment,
        IReadOnlyList<string> times, IReadOnlyList<string> weekdays, string? location, string? tenant, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (!TryServer(server, error, out var baseUri))
        {
            return CliException.ExitCode;
        }
        var from = start ?? DateTimeOffset.UtcNow;
        var body = new Dictionary<string, object?>
        {
            ["matchers"] = matchers,
            ["starts_at"] = from,
            ["ends_at"] = from + duration,
            ["created_by"] = by,
            ["comment"] = comment,
        };
        if (tenant is not null)
        {
            body["tenant"] = tenant; // an operator's choice; a tenant key's silence is its own tenant's (another is a 400)
        }
        if (times.Count > 0 || weekdays.Count > 0)
        {
            body["recurrence"] = new Dictionary<string, object?> { ["times"] = times, ["weekdays"] = weekdays, ["location"] = location };
        }
        using var http = Output.ServerClient.Create(baseUri);
        return await SendAsync(() => http.PostAsJsonAsync("/api/silences", body, ct), output, error, ct, s =>
            $"silence {s.GetProperty("id").GetString()} {s.GetProperty("state").GetString()} until {Time(s, "ends_at")}");
    }

    /// <summary>Lists silences (TENANT: the one tenant a silence mutes, <c>*</c> for every tenant).</summary>
    public static Task<int> SilenceListAsync(string server, bool json, TextWriter output, TextWriter error, CancellationToken ct) =>
        GetAsync(server, "/api/silences", json, output, error, ct, body =>
        {
            var rows = body.EnumerateArray().Select(s => new[]
            {
                s.GetProperty("id").GetString()!,
                s.GetProperty("state").GetString()!,
                s.TryGetProperty("tenant", out var tenant) ? tenant.GetString() ?? "*" : "*",
                string.Join(", ", s.GetProperty("matchers").EnumerateArray().Select(m => m.GetString())),
                Time(s, "starts_at"),
                Time(s, "ends_at"),
                s.GetProperty("created_by").GetString()!,
                s.GetProperty("comment").GetString()!,
            }).ToList();
            return Table(["ID", "STATE", "TENANT", "MATCHERS", "STARTS", "ENDS", "BY", "COMMENT"], rows, "no silences");
        });

    /// <summary>Expires a silence.</summary>
    public static async Task<int> SilenceExpireAsync(string server, string id, TextWriter output, TextWriter error, CancellationToken ct)
    {
        if (!TryServer(server, error, out var baseUri))
        {
            return CliException.ExitCode;
        }
        using var http = Output.ServerClient.Create(baseUri);
        try
        {
            using var response = await http.DeleteAsync($"/api/silences/{Uri.EscapeDataString(id)}", ct);
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync($"error: {await ErrorOf(response, ct)}");
                return CliException.ExitCode;
            }
            await output.WriteLineAsync($"silence {id} expired");
            return 0;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"error: cannot reach {server}: {e.Message}");
            return CliException.ExitCode;
        }
    }

    private static async Task<int> GetAsync(string server, string path, bool json, TextWriter output, TextWriter error, CancellationToken ct, Func<JsonElement, string> table)
    {
        if (!TryServer(server, error, out var baseUri))
        {
            return CliException.ExitCode;
        }
        using var http = Output.ServerClient.Create(baseUri);
        return await SendAsync(() => http.GetAsync(path, ct), output, error, ct, body => json ? body.GetRawText() : table(body));
    }

    private static async Task<int> SendAsync(Func<Task<HttpResponseMessage>> send, TextWriter output, TextWriter error, CancellationToken ct, Func<JsonElement, string> format)
    {
        try
        {
            using var response = await send();
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync($"error: {await ErrorOf(response, ct)}");
                return CliException.ExitCode;
            }
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            await output.WriteLineAsync(format(body));
            return 0;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"error: cannot reach the silo: {e.Message}");
            return CliException.ExitCode;
        }
    }

    private static async Task<string> ErrorOf(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            var e = JsonDocument.Parse(text).RootElement;
            return $"{(int)response.StatusCode}: {e.GetProperty("field").GetString()}: {e.GetProperty("error").GetString()}";
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return $"{(int)response.StatusCode}: {text}";
        }
    }

    private static bool TryServer(string server, TextWriter error, out Uri baseUri)
    {
        if (Uri.TryCreate(server, UriKind.Absolute, out baseUri!))
        {
            return true;
        }
        error.WriteLine($"error: --server '{server}' is not an absolute URL.");
        return false;
    }

    private static string Label(JsonElement e, string name) =>
        e.GetProperty("labels").TryGetProperty(name, out var v) ? v.GetString() ?? string.Empty : string.Empty;

    private static string Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, out var t)
            ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : string.Empty;

    private static string Table(string[] headers, List<string[]> rows, string empty)
    {
        if (rows.Count == 0)
        {
            return empty;
        }
        var widths = headers.Select((h, i) => Math.Min(60, Math.Max(h.Length, rows.Max(r => r[i].Length)))).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join("  ", headers.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var r in rows)
        {
            sb.AppendLine(string.Join("  ", r.Select((c, i) => (c.Length > widths[i] ? c[..(widths[i] - 1)] + "~" : c).PadRight(widths[i]))).TrimEnd());
        }
        return sb.ToString().TrimEnd();
    }
}
