using Monitoring.Storage.Auth;

namespace Monitoring.Silo.Auth;

/// <summary>What a route needs in <c>api-keys</c> mode.</summary>
public enum Access
{
    /// <summary>Nothing: health checks and the sign-in page.</summary>
    Open,

    /// <summary>Scope <c>ingest</c> (the OTLP receivers).</summary>
    Ingest,

    /// <summary>Scope <c>read</c>.</summary>
    Read,

    /// <summary>Scope <c>admin</c>.</summary>
    Admin,

    /// <summary><see cref="Read"/> for GET and HEAD, <see cref="Admin"/> for every other method (the API and page groups).</summary>
    ReadOrAdminByMethod,
}

/// <summary>Endpoint metadata: the route's auth decision. A route without one is refused in <c>api-keys</c> mode.</summary>
/// <param name="Required">What the route needs.</param>
public sealed record EndpointAccess(Access Required)
{
    /// <summary>Paths that stay open whatever their metadata says (liveness and readiness probes).</summary>
    public static IReadOnlySet<string> HealthPaths { get; } = new HashSet<string>(["/healthz", "/health/live", "/health/ready"], StringComparer.Ordinal);

    /// <summary>The scope a request with <paramref name="method"/> needs, or <see cref="ApiKeyScopes.None"/> for an open route.</summary>
    public ApiKeyScopes ScopeFor(string method) => Required switch
    {
        Access.Open => ApiKeyScopes.None,
        Access.Ingest => ApiKeyScopes.Ingest,
        Access.Read => ApiKeyScopes.Read,
        Access.Admin => ApiKeyScopes.Admin,
        _ => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? ApiKeyScopes.Read : ApiKeyScopes.Admin,
    };

    /// <summary>The decision for an endpoint (the last <see cref="EndpointAccess"/> added wins), or null when it has none.</summary>
    public static EndpointAccess? Of(Endpoint endpoint, string path)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return HealthPaths.Contains(path) || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null
            ? new EndpointAccess(Access.Open)
            : endpoint.Metadata.GetMetadata<EndpointAccess>();
    }
}

/// <summary>Attaches auth decisions to routes.</summary>
public static class EndpointAccessExtensions
{
    /// <summary>The route (or every route of a group) needs <paramref name="access"/>.</summary>
    public static TBuilder RequireAccess<TBuilder>(this TBuilder builder, Access access)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(endpoint => endpoint.Metadata.Add(new EndpointAccess(access)));
        return builder;
    }
}
