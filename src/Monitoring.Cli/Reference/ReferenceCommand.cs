using System.Net.Http.Headers;

namespace Monitoring.Cli.Reference;

/// <summary>
/// <c>monitoring reference set</c>: uploads a reference file (CSV or Parquet) to a running silo's API
/// (<c>PUT /api/models/{tenant}/{model}/reference</c>) and prints the reference it installed.
/// </summary>
public static class ReferenceCommand
{
    /// <summary>Default API address of the embedded silo.</summary>
    public const string DefaultServer = "http://127.0.0.1:8080";

    /// <summary>Uploads the file; returns the exit code (0 ok, 2 input or server error).</summary>
    public static async Task<int> SetAsync(string server, string tenant, string model, string file, string? scoreColumn, string? categorical, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (!File.Exists(file))
        {
            await error.WriteLineAsync($"error: {file}: file not found.");
            return CliException.ExitCode;
        }

        if (!Uri.TryCreate(server, UriKind.Absolute, out var baseUri))
        {
            await error.WriteLineAsync($"error: --server '{server}' is not an absolute URL.");
            return CliException.ExitCode;
        }

        var query = $"source={Uri.EscapeDataString(Path.GetFileName(file))}";
        if (scoreColumn is not null)
        {
            query += $"&score_column={Uri.EscapeDataString(scoreColumn)}";
        }

        if (categorical is not null)
        {
            query += $"&categorical={Uri.EscapeDataString(categorical)}";
        }

        var uri = new Uri(baseUri, $"/api/models/{Uri.EscapeDataString(tenant)}/{Uri.EscapeDataString(model)}/reference?{query}");
        using var http = Output.ServerClient.Create();
        await using var stream = File.OpenRead(file);
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue(file.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase) ? "application/vnd.apache.parquet" : "text/csv");
        try
        {
            using var response = await http.PutAsync(uri, content, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                await error.WriteLineAsync($"error: the server refused the reference ({(int)response.StatusCode}): {body}");
                return CliException.ExitCode;
            }

            await output.WriteLineAsync(body);
            return 0;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"error: cannot reach {baseUri}: {e.Message}");
            return CliException.ExitCode;
        }
    }
}
