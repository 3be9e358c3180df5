using System.Net;
using System.Text.Json;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Cli.Drift;
using Monitoring.Reports.Components.Shared;

namespace Monitoring.Cli.Rollouts;

/// <summary>What <c>monitoring rollout compare --model M --baseline v3 --candidate v4</c> asks a running silo.</summary>
/// <param name="Server">API address of the silo.</param>
/// <param name="Tenant">Tenant of the model.</param>
/// <param name="Model">Model id.</param>
/// <param name="Baseline">The version in production.</param>
/// <param name="Candidate">The version being rolled out.</param>
/// <param name="From">Windows starting at or after (ISO 8601, Unix seconds or ns); null: from the candidate's first window.</param>
/// <param name="To">Windows starting before; null: up to now.</param>
/// <param name="Format">Table or JSON.</param>
/// <param name="VerdictExitCode">Exit 0 promote, 3 hold, 4 rollback.</param>
public sealed record RolloutServerOptions(
    string Server, string Tenant, string Model, string Baseline, string Candidate, string? From, string? To, OutputFormat Format, bool VerdictExitCode);

/// <summary>
/// Runs <c>monitoring rollout compare --model M --baseline v3 --candidate v4 [--from --to] --server URL</c>: reads the
/// comparison and verdict from <c>GET /api/models/{tenant}/{model}/versions/compare</c> (the silo's guardrails,
/// <c>Monitoring:Rollouts</c>) and prints it like the offline form. Errors name the option; exit 2 on input or server
/// errors, and the verdict exit codes of <see cref="RolloutCommand"/> with <c>--verdict-exit-code</c>.
/// </summary>
public static class RolloutServerCommand
{
    /// <summary>Runs the command and returns the process exit code.</summary>
    public static async Task<int> RunAsync(RolloutServerOptions options, TextWriter output, TextWriter error, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            if (!Uri.TryCreate(options.Server, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
            {
                throw new CliException($"--server '{options.Server}' is not an absolute http(s) URL");
            }

            using var http = Output.ServerClient.Create(server);
            var query = string.Join("&", new[] { ("baseline", options.Baseline), ("candidate", options.Candidate), ("from", options.From), ("to", options.To) }
                .Where(p => p.Item2 is not null).Select(p => $"{p.Item1}={Uri.EscapeDataString(p.Item2!)}"));
            using var response = await http.GetAsync($"/api/models/{Links.Segment(options.Tenant)}/{Links.Segment(options.Model)}/versions/compare?{query}", ct);
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
            {
                var (field, reason) = await ReasonAsync(response, ct);
                throw new CliException($"--{field ?? "model"}: {reason}");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new CliException($"reading the comparison from the silo: {(await ReasonAsync(response, ct)).Reason}");
            }

            var json = await response.Content.ReadAsStringAsync(ct);
            VersionComparisonReport report;
            try
            {
                report = JsonSerializer.Deserialize<VersionComparisonReport>(json, ReportJson.Options) ?? throw new CliException("reading the comparison from the silo: empty body");
            }
            catch (JsonException e)
            {
                throw new CliException($"reading the comparison from the silo: not the expected JSON ({e.Message})");
            }

            if (options.Format == OutputFormat.Json)
            {
                await output.WriteLineAsync(json);
            }
            else
            {
                RolloutTableWriter.Write(report, output);
            }

            return !options.VerdictExitCode ? 0 : report.Verdict.Decision switch
            {
                RolloutVerdict.Rollback => RolloutCommand.RollbackExitCode,
                RolloutVerdict.Hold => RolloutCommand.HoldExitCode,
                _ => 0,
            };
        }
        catch (CliException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return CliException.ExitCode;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"error: --server: cannot reach the silo: {e.Message}");
            return CliException.ExitCode;
        }
    }

    /// <summary>The API's <c>{"error": ..., "field": ...}</c>, or the status and body.</summary>
    private static async Task<(string? Field, string Reason)> ReasonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            var e = JsonDocument.Parse(text).RootElement;
            var field = e.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            return (field, $"{e.GetProperty("error").GetString()} ({(int)response.StatusCode})");
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, $"{(int)response.StatusCode}: {text}");
        }
    }
}
