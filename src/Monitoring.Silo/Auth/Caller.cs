using Monitoring.Storage.Auth;

namespace Monitoring.Silo.Auth;

/// <summary>Who made a request in <c>api-keys</c> mode: the key's id, tenant and scopes. Absent in open mode.</summary>
/// <param name="KeyId">The key id (never the secret).</param>
/// <param name="Tenant">The one tenant the caller may see and write.</param>
/// <param name="Scopes">What the key may do.</param>
public sealed record Caller(string KeyId, string Tenant, ApiKeyScopes Scopes)
{
    /// <summary>The caller of a request, or null (open mode, or an open route).</summary>
    public static Caller? Of(HttpContext? context) => context?.Features.Get<Caller>();

    /// <summary>Whether the request may see <paramref name="tenant"/>'s data: always in open mode, else only the caller's own tenant.</summary>
    public static bool MaySee(HttpContext? context, string tenant) => Of(context) is not { } caller || string.Equals(caller.Tenant, tenant, StringComparison.Ordinal);
}
