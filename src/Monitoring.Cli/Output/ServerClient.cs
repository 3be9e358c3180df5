using System.Net.Http.Headers;

namespace Monitoring.Cli.Output;

/// <summary>The HTTP client of the commands that talk to a running silo: sends <see cref="KeyVariable"/>'s key, if set, as a Bearer token.</summary>
public static class ServerClient
{
    /// <summary>Environment variable holding the API key the commands send (needed when the silo runs with <c>Monitoring:Auth:Mode=api-keys</c>).</summary>
    public const string KeyVariable = "MONITORING_API_KEY";

    /// <summary>A client for <paramref name="baseAddress"/> with the key from the environment, if any.</summary>
    public static HttpClient Create(Uri? baseAddress = null)
    {
        var http = new HttpClient();
        if (baseAddress is not null)
        {
            http.BaseAddress = baseAddress;
        }

        if (Environment.GetEnvironmentVariable(KeyVariable) is { Length: > 0 } key)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        }

        return http;
    }
}
