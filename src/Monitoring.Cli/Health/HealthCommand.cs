namespace Monitoring.Cli.Health;

/// <summary>
/// <c>monitoring health</c>: asks a silo whether it is alive (<c>/health/live</c>) or ready to serve
/// (<c>/health/ready</c>: store and cluster reachable). Exit 0 when it is, 1 when it answers that it is not, 2 when it
/// cannot be reached. The container image's HEALTHCHECK runs it, so the image needs no curl; it asks for liveness, so
/// a store outage (readiness 503) does not make the container unhealthy and restarted (a restart would not bring the
/// database back); load balancers and Kubernetes' readiness probe read <c>/health/ready</c> instead.
/// </summary>
public static class HealthCommand
{
    /// <summary>The silo's API port setting as an environment variable (<c>Monitoring:Host:ApiPort</c>).</summary>
    public const string ApiPortVariable = "Monitoring__Host__ApiPort";

    /// <summary>The silo's default API port.</summary>
    public const int DefaultApiPort = 8080;

    /// <summary>
    /// <c>http://127.0.0.1:{port}</c> with the silo's configured API port (<paramref name="apiPortSetting"/>, the value of
    /// <see cref="ApiPortVariable"/>) when it is a port number, else <see cref="DefaultApiPort"/>.
    /// </summary>
    public static string DefaultServer(string? apiPortSetting) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"http://127.0.0.1:{(int.TryParse(apiPortSetting, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535 ? port : DefaultApiPort)}");

    /// <summary>Asks once; returns the exit code.</summary>
    public static async Task<int> CheckAsync(string server, bool ready, TimeSpan timeout, TextWriter output, TextWriter error, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!Uri.TryCreate(server, UriKind.Absolute, out var baseUri))
        {
            await error.WriteLineAsync($"error: --server '{server}' is not an absolute URL.");
            return CliException.ExitCode;
        }

        var path = ready ? "/health/ready" : "/health/live";
        using var http = new HttpClient { Timeout = timeout };
        try
        {
            using var response = await http.GetAsync(new Uri(baseUri, path), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            await (response.IsSuccessStatusCode ? output : error).WriteLineAsync($"{path}: {(int)response.StatusCode} {body}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            await error.WriteLineAsync($"error: cannot reach {new Uri(baseUri, path)}: {e.Message}");
            return CliException.ExitCode;
        }
    }
}
