namespace Monitoring.Cli.Health;

/// <summary>
/// <c>monitoring health</c>: asks a silo whether it is alive (<c>/health/live</c>) or ready to serve
/// (<c>/health/ready</c>: store and cluster reachable). Exit 0 when it is, 1 when it answers that it is not, 2 when it
/// cannot be reached. The container image's HEALTHCHECK runs it, so the image needs no curl.
/// </summary>
public static class HealthCommand
{
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
