namespace Monitoring.Storage.Auth;

/// <summary>A stored API key: everything but the secret, whose hash only the store sees.</summary>
/// <param name="Id">The key id (the part after <c>mon_</c>).</param>
/// <param name="Tenant">The one tenant the key acts for, or <see cref="AllTenants"/> for an operator key.</param>
/// <param name="Scopes">What it may do.</param>
/// <param name="Name">Optional label (who or what holds it).</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it stops working, or null for never.</param>
/// <param name="RevokedAt">When it was revoked, or null.</param>
public sealed record ApiKeyRecord(
    string Id, string Tenant, ApiKeyScopes Scopes, string? Name, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    /// <summary>
    /// The tenant value of an operator key, bound to every tenant (sees every tenant's data, every silence, every
    /// <c>/metrics</c> series). It contains '/', which no tenant name may (<see cref="SqlApiKeyStore.ValidateTenant"/>),
    /// so no key made before it existed, and no typo, can turn into one: only <c>monitoring keys create --all-tenants</c> makes it.
    /// </summary>
    public const string AllTenants = "/*";

    /// <summary>Whether this is an operator key bound to every tenant (<see cref="AllTenants"/>).</summary>
    public bool IsAllTenants => string.Equals(Tenant, AllTenants, StringComparison.Ordinal);

    /// <summary>Whether the key works at <paramref name="now"/>: not revoked, not expired.</summary>
    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is not { } expires || now < expires);

    /// <summary>"active", "revoked" or "expired" at <paramref name="now"/>.</summary>
    public string State(DateTimeOffset now) => RevokedAt is not null ? "revoked" : IsActive(now) ? "active" : "expired";
}

/// <summary>A key as stored, with the hash of its secret (only for checking a presented key).</summary>
/// <param name="Key">The key.</param>
/// <param name="SecretHash">SHA-256 of the secret.</param>
public sealed record StoredApiKey(ApiKeyRecord Key, byte[] SecretHash);
