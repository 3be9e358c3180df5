using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Monitoring.Abstractions.Models;
using Monitoring.Client;
using Monitoring.Client.Demo;

namespace Monitoring.Cli.Demo;

/// <summary>
/// <c>monitoring demo</c>: the demo traffic of <c>--demo</c>, sent from a separate process to any silo (or a load balancer
/// in front of several): sets up the demo models through the API, ships predictions and labels over OTLP with the
/// OpenTelemetry SDK's exporter (which retries as the OTLP specification says), pins credit-risk's reference before its
/// drift, and runs until stopped (or for <c>--duration-seconds</c>). When it stops it flushes the exporter and prints
/// what it sent per model (<c>demo: sent credit-risk: 412 predictions, 96 labels</c>), the counts the silo's
/// <c>GET /api/models/{tenant}/{model}</c> totals then show. The deploy/ compose file runs it against a three-silo cluster.
/// </summary>
public static class DemoCommand
{
    /// <summary>What the command needs.</summary>
    /// <param name="Server">API base address of a silo.</param>
    /// <param name="OtlpEndpoint">OTLP endpoint (gRPC: <c>http://host:4317</c>; HTTP: <c>http://host:4318</c>).</param>
    /// <param name="Protocol">OTLP transport.</param>
    /// <param name="ApiKey">API key (scopes ingest and admin) when the silo runs with <c>Monitoring:Auth:Mode=api-keys</c>.</param>
    /// <param name="Rate">Predictions per second per model.</param>
    /// <param name="DriftAfter">When credit-risk starts drifting.</param>
    /// <param name="WaitForServer">How long to wait for the server to answer at start.</param>
    /// <param name="Tenant">
    /// Tenant of the demo models in the API paths: in api-keys mode the key's tenant (records always go to the key's
    /// tenant); in open mode also sent as the OTLP tenant header. Default <c>default</c>.
    /// </param>
    /// <param name="Duration">Stop after this long; null runs until stopped.</param>
    public sealed record Options(Uri Server, Uri OtlpEndpoint, OtlpProtocol Protocol, string? ApiKey, double Rate, TimeSpan DriftAfter, TimeSpan WaitForServer,
        string Tenant = ModelKey.DefaultTenant, TimeSpan? Duration = null);

    /// <summary>How long the exporter may take to send what is queued when the demo stops.</summary>
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the demo until <paramref name="ct"/> is cancelled; returns the exit code (0 stopped, 2 setup failed).</summary>
    public static async Task<int> RunAsync(Options options, TextWriter output, TextWriter error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var http = new HttpClient { BaseAddress = options.Server, Timeout = TimeSpan.FromSeconds(30) };
        if (options.ApiKey is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        }

        try
        {
            await WaitForServerAsync(http, options.WaitForServer, ct);
            foreach (var model in DemoSetup.Models)
            {
                await SendAsync(http, HttpMethod.Put, $"/api/models/{Uri.EscapeDataString(options.Tenant)}/{model}/settings", new
                {
                    window_seconds = DemoSetup.Window.TotalSeconds,
                    allowed_lateness_seconds = DemoSetup.AllowedLateness.TotalSeconds,
                    rolling_windows = DemoSetup.RollingWindows,
                    minimum_sample_size = DemoSetup.MinimumSampleSize,
                }, ct);
            }
        }
        catch (CliException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            if (options.ApiKey is not null && e.Message.Contains(" answered 404", StringComparison.Ordinal))
            {
                await error.WriteLineAsync($"error: an API key sees only its own tenant's models: pass its tenant with --tenant (now '{options.Tenant}').");
            }
            return CliException.ExitCode;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"demo: {DemoSetup.Models.Count} models at {options.Rate:0.#}/s each to {options.OtlpEndpoint} ({options.Protocol}); credit-risk drifts after {options.DriftAfter.TotalMinutes:0.#} min; pages at {options.Server}"));
        var headers = options.ApiKey is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Authorization"] = "Bearer " + options.ApiKey };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (options.Duration is { } duration)
        {
            stop.CancelAfter(duration);
        }

        CountingSink sent;
        bool flushed;
        using (var logger = new PredictionLogger(new PredictionLoggerOptions
               {
                   Endpoint = options.OtlpEndpoint,
                   Protocol = options.Protocol,
                   ServiceName = "monitoring-demo",
                   Headers = headers,
                   Tenant = options.ApiKey is null && options.Tenant != ModelKey.DefaultTenant ? options.Tenant : null,
               }))
        {
            sent = new CountingSink(logger);
            var traffic = DemoTraffic.RunAsync(new DemoTrafficOptions { PredictionsPerSecondPerModel = options.Rate, DriftAfter = options.DriftAfter }, sent, stop.Token);
            await PinCreditRiskAsync(http, options.Tenant, options.DriftAfter, output, error, stop.Token);
            await traffic;
            flushed = logger.ForceFlush(FlushTimeout);
        }

        foreach (var (model, counts) in sent.ByModel)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"demo: sent {model}: {counts.Predictions} predictions, {counts.Labels} labels"));
        }

        if (!flushed)
        {
            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"warning: the exporter did not finish sending within {FlushTimeout.TotalSeconds:0} s; the last records may be lost"));
        }

        return 0;
    }

    private static async Task PinCreditRiskAsync(HttpClient http, string tenant, TimeSpan driftAfter, TextWriter output, TextWriter error, CancellationToken ct)
    {
        var start = DateTimeOffset.UtcNow;
        try
        {
            await Task.Delay(driftAfter - DemoSetup.PinBeforeDrift, ct);
            var (from, to) = DemoSetup.PinRange(start, DateTimeOffset.UtcNow);
            await SendAsync(http, HttpMethod.Post, $"/api/models/{Uri.EscapeDataString(tenant)}/{DemoTraffic.CreditRiskModel}/reference/pin",
                new { from = from.ToString("O", CultureInfo.InvariantCulture), to = to.ToString("O", CultureInfo.InvariantCulture) }, ct);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"demo: credit-risk's reference pinned to the windows {from:HH:mm}-{to:HH:mm} UTC"));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopped before the drift
        }
        catch (CliException e)
        {
            await error.WriteLineAsync($"warning: credit-risk's reference was not pinned, so its drift fades as the rolling reference follows it: {e.Message}");
        }
    }

    private static async Task WaitForServerAsync(HttpClient http, TimeSpan patience, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + patience;
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            string problem;
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                problem = $"{(int)response.StatusCode} from /health/ready";
            }
            catch (HttpRequestException e)
            {
                problem = e.Message;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                problem = "timed out";
            }

            if (DateTimeOffset.UtcNow + delay > deadline)
            {
                throw new CliException($"{http.BaseAddress} is not ready after {patience.TotalSeconds:0} s: {problem}");
            }

            await Task.Delay(delay, ct); // back-off between polls of a real condition, bounded by the deadline
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, object body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"{method} {path}: {e.Message}");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(ct);
                throw new CliException($"{method} {path} answered {(int)response.StatusCode}: {text}");
            }
        }
    }
}
