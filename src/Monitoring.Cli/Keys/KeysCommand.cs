using System.Globalization;
using System.Text.Json;
using Monitoring.Alerting.Time;
using Monitoring.Storage.Auth;

namespace Monitoring.Cli.Keys;

/// <summary>Where the keys are: the silo's SQLite file (its data directory) or its PostgreSQL database.</summary>
/// <param name="DataDirectory">The silo's <c>Monitoring:Host:DataDirectory</c> (the file is <c>monitoring.db</c> in it).</param>
/// <param name="PostgresConnectionString">The silo's PostgreSQL connection string, when it uses PostgreSQL.</param>
public sealed record KeyStoreLocation(string DataDirectory, string? PostgresConnectionString)
{
    /// <summary>Environment variable the silo also reads for its PostgreSQL connection string (keeps the password off the command line).</summary>
    public const string PostgresVariable = "Monitoring__Host__PostgresConnectionString";

    /// <summary>Opens the store.</summary>
    public SqlApiKeyStore Open() => PostgresConnectionString is { Length: > 0 } postgres
        ? SqlApiKeyStore.CreatePostgres(postgres)
        : SqlApiKeyStore.CreateSqlite(Path.GetFullPath(Path.Combine(DataDirectory, "monitoring.db")));

    /// <summary>The file or database, without a password.</summary>
    public string Describe() => PostgresConnectionString is { Length: > 0 } ? "the PostgreSQL database" : Path.GetFullPath(Path.Combine(DataDirectory, "monitoring.db"));
}

/// <summary>
/// <c>monitoring keys create|list|revoke</c>: manages API keys in the silo's own store directly (not through the API), so
/// whoever can write the silo's data directory or database can make the first key: that access is the root of trust.
/// A running silo sees a new or revoked key within its key cache time (<c>Monitoring:Auth:CacheSeconds</c>, default 5 s).
/// </summary>
public static class KeysCommand
{
    /// <summary>
    /// Creates a key and prints it once (stdout: the key alone, so <c>KEY=$(monitoring keys create ...)</c> works; the rest
    /// on stderr). Exactly one of <paramref name="tenant"/> and <paramref name="allTenants"/> (an operator key that sees
    /// every tenant: never the default, always asked for by name).
    /// </summary>
    public static async Task<int> CreateAsync(KeyStoreLocation location, string? tenant, bool allTenants, string scopes, string? name, string? expires, TimeProvider time, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (allTenants == (tenant is not null))
        {
            await error.WriteLineAsync(allTenants
                ? "error: --tenant: give either --tenant or --all-tenants, not both"
                : "error: --tenant: a tenant is required (or --all-tenants for an operator key that sees every tenant)");
            return CliException.ExitCode;
        }

        if (!allTenants && SqlApiKeyStore.ValidateTenant(tenant) is { } tenantError)
        {
            await error.WriteLineAsync($"error: --tenant: {tenantError}");
            return CliException.ExitCode;
        }

        if (!ApiKeyScopeNames.TryParse(scopes, out var parsed, out var scopeError))
        {
            await error.WriteLineAsync($"error: --scopes: {scopeError}");
            return CliException.ExitCode;
        }

        DateTimeOffset? expiresAt = null;
        if (expires is not null)
        {
            if (ParseExpiry(expires, time.GetUtcNow()) is not { } at)
            {
                await error.WriteLineAsync("error: --expires: expected a duration (30d, 12h, 4w) or an ISO 8601 time");
                return CliException.ExitCode;
            }

            if (at <= time.GetUtcNow())
            {
                await error.WriteLineAsync("error: --expires: must be in the future");
                return CliException.ExitCode;
            }

            expiresAt = at;
        }

        try
        {
            await using var store = location.Open();
            var (record, key) = await store.CreateAsync(allTenants ? ApiKeyRecord.AllTenants : tenant!, parsed, name, expiresAt, cancellationToken);
            await output.WriteLineAsync(key);
            await error.WriteLineAsync(
                $"Created key {record.Id} for {TenantText(record)}, scopes {ApiKeyScopeNames.Format(record.Scopes)}, " +
                $"expires {(record.ExpiresAt is { } e ? e.ToString("u", CultureInfo.InvariantCulture) : "never")}, in {location.Describe()}. " +
                "The key above is shown only now: store it in your secret manager.");
            return 0;
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"error: --{e.Message}");
            return CliException.ExitCode;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: cannot write the key store ({location.Describe()}): {e.Message}");
            return CliException.ExitCode;
        }
    }

    /// <summary>Lists every key: id, tenant, scopes, name, created, expires, state. Never a secret.</summary>
    public static async Task<int> ListAsync(KeyStoreLocation location, bool json, TimeProvider time, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        IReadOnlyList<ApiKeyRecord> keys;
        try
        {
            await using var store = location.Open();
            keys = await store.ListAsync(cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: cannot read the key store ({location.Describe()}): {e.Message}");
            return CliException.ExitCode;
        }

        var now = time.GetUtcNow();
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(keys.Select(k => new
            {
                id = k.Id,
                tenant = k.IsAllTenants ? null : k.Tenant,
                all_tenants = k.IsAllTenants,
                scopes = ApiKeyScopeNames.Format(k.Scopes).Split(','),
                name = k.Name,
                created_at = k.CreatedAt,
                expires_at = k.ExpiresAt,
                revoked_at = k.RevokedAt,
                state = k.State(now),
            })));
            return 0;
        }

        if (keys.Count == 0)
        {
            await output.WriteLineAsync($"No keys in {location.Describe()}. Create one: monitoring keys create --tenant default --scopes ingest,read");
            return 0;
        }

        static string Time(DateTimeOffset? t) => t is { } v ? v.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "-";
        var rows = keys.Select(k => new[] { k.Id, k.IsAllTenants ? "* (all tenants)" : k.Tenant, ApiKeyScopeNames.Format(k.Scopes), k.Name ?? "-", Time(k.CreatedAt), Time(k.ExpiresAt), k.State(now) }).ToList();
        string[] header = ["ID", "TENANT", "SCOPES", "NAME", "CREATED", "EXPIRES", "STATE"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        foreach (var row in rows.Prepend(header))
        {
            await output.WriteLineAsync(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }

        return 0;
    }

    /// <summary>Revokes a key by id (or by the whole key, whose id is used).</summary>
    public static async Task<int> RevokeAsync(KeyStoreLocation location, string id, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var keyId = ApiKeyToken.TryParse(id, out var fromKey, out _) ? fromKey : id.Trim();
        if (!ApiKeyToken.IsKeyId(keyId))
        {
            await error.WriteLineAsync($"error: id: expected a key id of {ApiKeyToken.IdLength} lowercase hex digits (the ID column of `monitoring keys list`)");
            return CliException.ExitCode;
        }

        try
        {
            await using var store = location.Open();
            if (!await store.RevokeAsync(keyId, cancellationToken))
            {
                await error.WriteLineAsync($"error: id: no key '{keyId}' in {location.Describe()}");
                return CliException.ExitCode;
            }
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: cannot write the key store ({location.Describe()}): {e.Message}");
            return CliException.ExitCode;
        }

        await output.WriteLineAsync($"Revoked key {keyId}. A running silo refuses it within its key cache time (Monitoring:Auth:CacheSeconds, default 5 s).");
        return 0;
    }

    private static string TenantText(ApiKeyRecord key) => key.IsAllTenants ? "every tenant (an operator key: all models, silences and /metrics series)" : $"tenant {key.Tenant}";

    /// <summary>A duration from now (<c>30d</c>, <c>12h</c>, <c>4w</c>) or an absolute ISO 8601 time; null when neither.</summary>
    internal static DateTimeOffset? ParseExpiry(string text, DateTimeOffset now)
    {
        if (PromDuration.TryParse(text, out var duration, out _))
        {
            return now + duration;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
    }
}
