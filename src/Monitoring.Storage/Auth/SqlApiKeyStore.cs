using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Storage.Database;
using Npgsql;

namespace Monitoring.Storage.Auth;

/// <summary>API keys: create (the secret is returned once and only its hash is kept), list, find by id, revoke.</summary>
public interface IApiKeyStore
{
    /// <summary>
    /// Creates a key for <paramref name="tenant"/> (or, with <see cref="ApiKeyRecord.AllTenants"/>, an operator key for
    /// every tenant); returns it with its full text, which is never available again.
    /// </summary>
    Task<(ApiKeyRecord Record, string Key)> CreateAsync(string tenant, ApiKeyScopes scopes, string? name, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Every key (revoked and expired ones too), oldest first; never a secret.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>The key with this id and its secret's hash, or null.</summary>
    Task<StoredApiKey?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key (at once for this store; a silo sees it within its cache time); false when no such key exists.</summary>
    Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default);
}

/// <summary>
/// API keys in the <c>api_keys</c> table of the SQLite file or PostgreSQL database the silo uses. The table is this
/// class's own (created on first use with idempotent DDL, in the same style as the other tables), so the CLI can manage
/// keys against the store directly, before any key exists.
/// </summary>
public sealed class SqlApiKeyStore : IApiKeyStore, IAsyncDisposable
{
    /// <summary>Longest tenant name accepted.</summary>
    public const int MaxTenantLength = 200;

    /// <summary>Longest key name accepted.</summary>
    public const int MaxNameLength = 200;

    private const string Columns = "key_id, tenant, scopes, name, secret_hash, created_at, expires_at, revoked_at";

    private readonly StorageDatabase _database;
    private readonly SchemaGate _schema;
    private readonly TimeProvider _time;

    internal SqlApiKeyStore(StorageDatabase database, TimeProvider? time, ILogger logger)
    {
        _database = database;
        _time = time ?? TimeProvider.System;
        _schema = new SchemaGate(database, "api keys", logger);
    }

    /// <summary>Opens the key store in a SQLite database file (the silo's <c>monitoring.db</c>).</summary>
    public static SqlApiKeyStore CreateSqlite(string databasePath, TimeProvider? time = null, ILoggerFactory? loggerFactory = null) =>
        new(new SqliteDatabase(databasePath), time, CreateLogger(loggerFactory));

    /// <summary>Opens the key store in a PostgreSQL database.</summary>
    public static SqlApiKeyStore CreatePostgres(string connectionString, TimeProvider? time = null, ILoggerFactory? loggerFactory = null) =>
        new(new PostgresDatabase(NpgsqlDataSource.Create(connectionString), ownsDataSource: true), time, CreateLogger(loggerFactory));

    /// <summary>Checks a tenant name: non-empty, at most <see cref="MaxTenantLength"/> characters, no '/' and no control characters.</summary>
    public static string? ValidateTenant(string? tenant) =>
        string.IsNullOrWhiteSpace(tenant) ? "a tenant is required"
        : tenant.Length > MaxTenantLength ? $"a tenant is at most {MaxTenantLength} characters"
        : tenant.Contains('/', StringComparison.Ordinal) ? "a tenant must not contain '/'"
        : tenant.Any(char.IsControl) ? "a tenant must not contain control characters"
        : null;

    /// <inheritdoc />
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(
        string tenant, ApiKeyScopes scopes, string? name, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default)
    {
        if (!string.Equals(tenant, ApiKeyRecord.AllTenants, StringComparison.Ordinal) && ValidateTenant(tenant) is { } tenantError)
        {
            throw new ArgumentException($"tenant: {tenantError}", nameof(tenant));
        }

        if (scopes == ApiKeyScopes.None || (scopes & ~(ApiKeyScopes.Ingest | ApiKeyScopes.Read | ApiKeyScopes.Admin)) != 0)
        {
            throw new ArgumentException("scopes: at least one of ingest, read, admin is required", nameof(scopes));
        }

        if (name is { Length: > MaxNameLength } || (name is not null && name.Any(char.IsControl)))
        {
            throw new ArgumentException($"name: at most {MaxNameLength} characters, no control characters", nameof(name));
        }

        var now = _time.GetUtcNow();
        if (expiresAt is { } e && e <= now)
        {
            throw new ArgumentException("expires: must be in the future", nameof(expiresAt));
        }

        var (id, key, hash) = ApiKeyToken.Create();
        var record = new ApiKeyRecord(id, tenant, scopes, string.IsNullOrEmpty(name) ? null : name, Truncate(now), expiresAt is { } x ? Truncate(x) : null, null);
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteWriteAsync(
            $"INSERT INTO api_keys ({Columns}) VALUES (@id, @tenant, @scopes, @name, @hash, @created, @expires, NULL)",
            command =>
            {
                StorageDatabase.AddParameter(command, "id", record.Id);
                StorageDatabase.AddParameter(command, "tenant", record.Tenant);
                StorageDatabase.AddParameter(command, "scopes", ApiKeyScopeNames.Format(record.Scopes));
                StorageDatabase.AddParameter(command, "name", record.Name);
                StorageDatabase.AddParameter(command, "hash", hash);
                StorageDatabase.AddParameter(command, "created", record.CreatedAt.ToUnixTimeMilliseconds());
                StorageDatabase.AddParameter(command, "expires", record.ExpiresAt?.ToUnixTimeMilliseconds());
            },
            cancellationToken).ConfigureAwait(false);
        return (record, key);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken = default) =>
        (await QueryAsync($"SELECT {Columns} FROM api_keys ORDER BY created_at, key_id", null, cancellationToken).ConfigureAwait(false))
            .Select(k => k.Key).ToList();

    /// <inheritdoc />
    public async Task<StoredApiKey?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var rows = await QueryAsync($"SELECT {Columns} FROM api_keys WHERE key_id = @id", c => StorageDatabase.AddParameter(c, "id", id), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc />
    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var changed = await ExecuteWriteAsync(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, @now) WHERE key_id = @id",
            command =>
            {
                StorageDatabase.AddParameter(command, "now", _time.GetUtcNow().ToUnixTimeMilliseconds());
                StorageDatabase.AddParameter(command, "id", id);
            },
            cancellationToken).ConfigureAwait(false);
        return changed > 0;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _database.DisposeAsync();

    private async Task<int> ExecuteWriteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        using var turn = await _database.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await _database.BeginWriteAsync(connection, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var command = connection.CreateCommand();
                await using (command.ConfigureAwait(false))
                {
                    command.Transaction = transaction;
                    command.CommandText = sql;
                    bind(command);
                    var changed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return changed;
                }
            }
        }
    }

    private async Task<List<StoredApiKey>> QueryAsync(string sql, Action<DbCommand>? bind, CancellationToken cancellationToken)
    {
        await _schema.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = connection.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = sql;
                bind?.Invoke(command);
                var keys = new List<StoredApiKey>();
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        ApiKeyScopeNames.TryParse(reader.GetString(2), out var scopes, out _);
                        keys.Add(new StoredApiKey(
                            new ApiKeyRecord(
                                reader.GetString(0),
                                reader.GetString(1),
                                scopes,
                                reader.IsDBNull(3) ? null : reader.GetString(3),
                                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                                reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                                reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))),
                            (byte[])reader.GetValue(4)));
                    }
                }

                return keys;
            }
        }
    }

    private static DateTimeOffset Truncate(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());

    private static ILogger CreateLogger(ILoggerFactory? loggerFactory) =>
        loggerFactory?.CreateLogger<SqlApiKeyStore>() ?? (ILogger)NullLogger.Instance;
}
