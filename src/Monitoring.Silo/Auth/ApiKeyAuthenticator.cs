using System.Collections.Concurrent;
using Monitoring.Storage.Auth;

namespace Monitoring.Silo.Auth;

/// <summary>Why a presented key was not accepted.</summary>
public enum KeyRejection
{
    /// <summary>Accepted.</summary>
    None,

    /// <summary>No key was sent.</summary>
    Missing,

    /// <summary>Not of the key format, unknown id, or wrong secret (the client is told only "invalid").</summary>
    Invalid,

    /// <summary>The right secret of a revoked key.</summary>
    Revoked,

    /// <summary>The right secret of an expired key.</summary>
    Expired,
}

/// <summary>
/// Checks presented keys against the store. A key record read from the store (or its absence) is trusted for
/// <see cref="AuthOptions.CacheSeconds"/> (default 5 s): a key created or revoked with <c>monitoring keys</c> takes
/// effect on a running silo within that time, while a busy ingest path does not read the store per request. The secret
/// is checked on every request (SHA-256, constant-time compare); the cache holds only hashes.
/// </summary>
public sealed class ApiKeyAuthenticator(IApiKeyStore store, AuthOptions options, TimeProvider time)
{
    /// <summary>Entries kept before the cache is emptied (bounds memory against floods of made-up key ids).</summary>
    public const int MaxCachedKeys = 10_000;

    private readonly ConcurrentDictionary<string, (StoredApiKey? Key, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>The caller for <paramref name="presented"/>, or why there is none.</summary>
    public async ValueTask<(Caller? Caller, KeyRejection Rejection, string? KeyId)> AuthenticateAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return (null, KeyRejection.Missing, null);
        }

        if (!ApiKeyToken.TryParse(presented, out var id, out var secret))
        {
            return (null, KeyRejection.Invalid, null);
        }

        var stored = await FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (stored is null || !ApiKeyToken.Matches(secret, stored.SecretHash))
        {
            return (null, KeyRejection.Invalid, id);
        }

        var key = stored.Key;
        if (key.RevokedAt is not null)
        {
            return (null, KeyRejection.Revoked, id);
        }

        return key.IsActive(time.GetUtcNow()) ? (new Caller(key.Id, key.IsAllTenants ? null : key.Tenant, key.Scopes), KeyRejection.None, id) : (null, KeyRejection.Expired, id);
    }

    private async ValueTask<StoredApiKey?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(id, out var cached) && now < cached.Until)
        {
            return cached.Key;
        }

        var key = await store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (options.CacheSeconds > 0)
        {
            if (_cache.Count >= MaxCachedKeys)
            {
                _cache.Clear();
            }

            _cache[id] = (key, now.AddSeconds(options.CacheSeconds));
        }

        return key;
    }
}
