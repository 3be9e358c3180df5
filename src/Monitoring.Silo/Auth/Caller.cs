using Monitoring.Storage.Auth;

namespace Monitoring.Silo.Auth;

/// <summary>Who made a request in <c>api-keys</c> mode: the key's id, tenant and scopes. Absent in open mode.</summary>
/// <param name="KeyId">The key id (never the secret).</param>
/// <param name="Tenant">The one tenant the caller may see and write, or null for an operator key bound to every tenant (<see cref="ApiKeyRecord.AllTenants"/>).</param>
/// <param name="Scopes">What the key may do.</param>
public sealed record Caller(string KeyId, string? Tenant, ApiKeyScopes Scopes)
{
    /// <summary>Whether this is an operator key: it sees every tenant, as every caller does in open mode.</summary>
    public bool AllTenants => Tenant is null;

    /// <summary>The caller of a request, or null (open mode, or an open route).</summary>
    public static Caller? Of(HttpContext? context) => context?.Features.Get<Caller>();

    /// <summary>
    /// The one tenant the request is confined to, or null when it sees every tenant (open mode, an open route, or an
    /// operator key).
    /// </summary>
    public static string? TenantOf(HttpContext? context) => Of(context)?.Tenant;

    /// <summary>Whether the request may see <paramref name="tenant"/>'s data: always in open mode and for an operator key, else only the caller's own tenant.</summary>
    public static bool MaySee(HttpContext? context, string tenant) => TenantOf(context) is not { } own || string.Equals(own, tenant, StringComparison.Ordinal);
}
