namespace Monitoring.Storage.Auth;

/// <summary>What an API key may do. A key holds one or more; none implies another (an admin key that reads needs <c>read</c> too).</summary>
[Flags]
public enum ApiKeyScopes
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Send records over OTLP (gRPC and HTTP).</summary>
    Ingest = 1,

    /// <summary>Read the API (GET) and the pages.</summary>
    Read = 2,

    /// <summary>Change things: references, settings, silences, incident acks, window closes, receiver tests.</summary>
    Admin = 4,
}

/// <summary>Text form of <see cref="ApiKeyScopes"/>: a comma-separated list of <c>ingest</c>, <c>read</c>, <c>admin</c>.</summary>
public static class ApiKeyScopeNames
{
    /// <summary>Every scope name, in order.</summary>
    public static IReadOnlyList<string> All { get; } = ["ingest", "read", "admin"];

    /// <summary>Parses <c>ingest,read</c>; false with the reason for an empty list or an unknown name.</summary>
    public static bool TryParse(string? text, out ApiKeyScopes scopes, out string? error)
    {
        scopes = ApiKeyScopes.None;
        error = null;
        foreach (var part in (text ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var one = One(part);
            if (one == ApiKeyScopes.None)
            {
                error = $"unknown scope '{(part.Length > 32 ? part[..32] + "..." : part)}'; expected {string.Join(", ", All)}";
                return false;
            }

            scopes |= one;
        }

        if (scopes == ApiKeyScopes.None)
        {
            error = $"at least one scope is required ({string.Join(", ", All)})";
            return false;
        }

        return true;
    }

    /// <summary>The comma-separated names, in the order of <see cref="All"/>.</summary>
    public static string Format(ApiKeyScopes scopes) => string.Join(',', All.Where(n => scopes.HasFlag(One(n))));

    private static ApiKeyScopes One(string name) => name.ToLowerInvariant() switch
    {
        "ingest" => ApiKeyScopes.Ingest,
        "read" => ApiKeyScopes.Read,
        "admin" => ApiKeyScopes.Admin,
        _ => ApiKeyScopes.None,
    };
}
