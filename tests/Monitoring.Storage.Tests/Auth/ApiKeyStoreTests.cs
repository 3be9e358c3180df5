using Microsoft.Extensions.Time.Testing;
using Monitoring.Storage.Auth;
using Monitoring.Storage.Tests.Support;
using Xunit;

namespace Monitoring.Storage.Tests.Auth;

/// <summary>The API key store on each backend: secrets are returned once and stored hashed; revoke and expiry stick.</summary>
public abstract class ApiKeyStoreTests : BackendTest
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 10, 0, 0, TimeSpan.Zero));

    protected abstract SqlApiKeyStore CreateStore(TimeProvider time);

    [Fact]
    public async Task Created_key_is_found_by_its_id_and_matches_only_its_own_secret()
    {
        var store = Own(CreateStore(_time));
        var (record, key) = await store.CreateAsync("acme", ApiKeyScopes.Ingest | ApiKeyScopes.Read, "collector", null);

        Assert.True(ApiKeyToken.TryParse(key, out var id, out var secret));
        Assert.Equal(record.Id, id);
        var found = await store.FindAsync(id);
        Assert.NotNull(found);
        Assert.Equal(record, found.Key);
        Assert.True(ApiKeyToken.Matches(secret, found.SecretHash));
        Assert.False(ApiKeyToken.Matches(new string('0', ApiKeyToken.SecretLength), found.SecretHash));
        Assert.DoesNotContain(secret, Convert.ToHexStringLower(found.SecretHash), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_holds_every_key_and_no_secret()
    {
        var store = Own(CreateStore(_time));
        var (_, first) = await store.CreateAsync("acme", ApiKeyScopes.Admin, null, null);
        var (_, second) = await store.CreateAsync("globex", ApiKeyScopes.Read, "dashboards", _time.GetUtcNow().AddDays(30));

        var listed = await store.ListAsync();

        Assert.Equal(["acme", "globex"], listed.Select(k => k.Tenant).Order(StringComparer.Ordinal));
        var text = string.Join('\n', listed.Select(k => k.ToString()));
        Assert.DoesNotContain(first[(ApiKeyToken.Prefix.Length + ApiKeyToken.IdLength + 1)..], text, StringComparison.Ordinal);
        Assert.DoesNotContain(second[(ApiKeyToken.Prefix.Length + ApiKeyToken.IdLength + 1)..], text, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow().AddDays(30), listed.Single(k => k.Tenant == "globex").ExpiresAt);
    }

    [Fact]
    public async Task Revoked_key_is_inactive_and_a_second_revoke_keeps_the_first_time()
    {
        var store = Own(CreateStore(_time));
        var (record, _) = await store.CreateAsync("acme", ApiKeyScopes.Ingest, null, null);

        Assert.True(await store.RevokeAsync(record.Id));
        var revokedAt = (await store.FindAsync(record.Id))!.Key.RevokedAt;
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.True(await store.RevokeAsync(record.Id));

        var found = (await store.FindAsync(record.Id))!.Key;
        Assert.Equal(revokedAt, found.RevokedAt);
        Assert.False(found.IsActive(_time.GetUtcNow()));
        Assert.Equal("revoked", found.State(_time.GetUtcNow()));
        Assert.False(await store.RevokeAsync("0123456789abcdef"));
    }

    [Fact]
    public async Task Key_expires_at_its_expiry_time()
    {
        var store = Own(CreateStore(_time));
        var (record, _) = await store.CreateAsync("acme", ApiKeyScopes.Read, null, _time.GetUtcNow().AddHours(1));

        Assert.True(record.IsActive(_time.GetUtcNow()));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.False((await store.FindAsync(record.Id))!.Key.IsActive(_time.GetUtcNow()));
        Assert.Equal("expired", record.State(_time.GetUtcNow()));
    }

    [Theory]
    [InlineData("", "read", "tenant")]
    [InlineData("a/b", "read", "tenant")]
    [InlineData("acme", "", "scopes")]
    public async Task Bad_input_is_refused_naming_the_field(string tenant, string scopes, string field)
    {
        var store = Own(CreateStore(_time));
        ApiKeyScopeNames.TryParse(scopes, out var parsed, out _);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync(tenant, parsed, null, null));

        Assert.StartsWith(field + ":", error.Message, StringComparison.Ordinal);
        Assert.Empty(await store.ListAsync());
    }

    [Fact]
    public async Task All_tenants_key_is_made_only_with_the_explicit_marker_and_reads_back_as_one()
    {
        var store = Own(CreateStore(_time));
        var (operatorKey, _) = await store.CreateAsync(ApiKeyRecord.AllTenants, ApiKeyScopes.Read | ApiKeyScopes.Admin, "operator", null);
        var (tenantKey, _) = await store.CreateAsync("acme", ApiKeyScopes.Read, null, null);

        Assert.True((await store.FindAsync(operatorKey.Id))!.Key.IsAllTenants);
        Assert.False((await store.FindAsync(tenantKey.Id))!.Key.IsAllTenants);

        // Nothing a tenant name may be turns into the marker: it is refused as a tenant.
        Assert.NotNull(SqlApiKeyStore.ValidateTenant(ApiKeyRecord.AllTenants));
        Assert.Single(await store.ListAsync(), k => k.IsAllTenants);
    }

    [Fact]
    public async Task Expiry_in_the_past_is_refused()
    {
        var store = Own(CreateStore(_time));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync("acme", ApiKeyScopes.Read, null, _time.GetUtcNow().AddSeconds(-1)));
        Assert.StartsWith("expires:", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Key format and scope names (no store).</summary>
public sealed class ApiKeyTokenTests
{
    [Fact]
    public void Created_keys_are_distinct_well_formed_and_parse_back()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => ApiKeyToken.Create()).ToList();

        Assert.Equal(100, keys.Select(k => k.Key).Distinct().Count());
        foreach (var (id, key, hash) in keys)
        {
            Assert.Equal(ApiKeyToken.Length, key.Length);
            Assert.StartsWith("mon_" + id + "_", key, StringComparison.Ordinal);
            Assert.True(ApiKeyToken.TryParse(key, out var parsedId, out var secret));
            Assert.Equal(id, parsedId);
            Assert.True(ApiKeyToken.Matches(secret, hash));
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Bearer mon_0123456789abcdef_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("mon_0123456789ABCDEF_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("mon_0123456789abcdef-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("mon_0123456789abcdef_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")]
    [InlineData("key_0123456789abcdef_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Malformed_keys_do_not_parse(string? key) => Assert.False(ApiKeyToken.TryParse(key, out _, out _));

    [Theory]
    [InlineData("ingest,read", ApiKeyScopes.Ingest | ApiKeyScopes.Read, "ingest,read")]
    [InlineData(" admin , READ ", ApiKeyScopes.Admin | ApiKeyScopes.Read, "read,admin")]
    public void Scope_lists_parse_and_format(string text, ApiKeyScopes expected, string formatted)
    {
        Assert.True(ApiKeyScopeNames.TryParse(text, out var scopes, out _));
        Assert.Equal(expected, scopes);
        Assert.Equal(formatted, ApiKeyScopeNames.Format(scopes));
    }

    [Fact]
    public void Unknown_scope_is_named_in_the_error()
    {
        Assert.False(ApiKeyScopeNames.TryParse("read,write", out _, out var error));
        Assert.Contains("'write'", error, StringComparison.Ordinal);
    }
}

/// <summary>API keys in SQLite.</summary>
public sealed class SqliteApiKeyStoreTests : ApiKeyStoreTests
{
    protected override Task<IStorageBackend> CreateBackendAsync() => Task.FromResult<IStorageBackend>(new SqliteBackend());

    protected override SqlApiKeyStore CreateStore(TimeProvider time) => SqlApiKeyStore.CreateSqlite(((SqliteBackend)Backend).DatabasePath, time);
}

/// <summary>API keys in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresApiKeyStoreTests(PostgresFixture fixture) : ApiKeyStoreTests
{
    protected override async Task<IStorageBackend> CreateBackendAsync() => await PostgresBackend.CreateAsync(fixture.Server);

    protected override SqlApiKeyStore CreateStore(TimeProvider time) => SqlApiKeyStore.CreatePostgres(((PostgresBackend)Backend).ConnectionString, time);
}
