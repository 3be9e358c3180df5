using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Client;
using Monitoring.Storage.Auth;
using Xunit;

namespace Monitoring.Silo.Tests.Auth;

/// <summary>
/// One real silo in api-keys mode (with <c>x-api-key</c> as the extra header, and --verbose so request logs are on for
/// the secrecy check) with keys made in its store before start: acme ingest / read / admin / all three, globex all
/// three, an operator key (every tenant, read and admin), a revoked and an expired acme key. acme's model "fraud" and
/// globex's "churn" have records.
/// </summary>
public sealed class AuthSilo : IAsyncLifetime
{
    public const string Acme = "acme";
    public const string Globex = "globex";
    public const string AcmeModel = "fraud";
    public const string GlobexModel = "churn";
    public const string ExtraHeader = "x-api-key";

    public string Data { get; } = Directory.CreateTempSubdirectory("monitoring-auth-").FullName;

    public SiloProcess Silo { get; private set; } = null!;

    public string AcmeIngest { get; private set; } = null!;

    public string AcmeRead { get; private set; } = null!;

    public string AcmeAdmin { get; private set; } = null!;

    public string AcmeAll { get; private set; } = null!;

    public string GlobexAll { get; private set; } = null!;

    /// <summary>An operator key: bound to every tenant (<c>keys create --all-tenants</c>), scopes read and admin.</summary>
    public string Operator { get; private set; } = null!;

    public string Revoked { get; private set; } = null!;

    public string Expired { get; private set; } = null!;

    /// <summary>Every key made for this silo (none may appear in its output).</summary>
    public IReadOnlyList<string> AllKeys => [AcmeIngest, AcmeRead, AcmeAdmin, AcmeAll, GlobexAll, Operator, Revoked, Expired];

    public string DatabasePath => Path.Combine(Data, "monitoring.db");

    public async Task InitializeAsync()
    {
        await using (var store = SqlApiKeyStore.CreateSqlite(DatabasePath))
        {
            AcmeIngest = (await store.CreateAsync(Acme, ApiKeyScopes.Ingest, "acme collector", null)).Key;
            AcmeRead = (await store.CreateAsync(Acme, ApiKeyScopes.Read, "acme dashboards", null)).Key;
            AcmeAdmin = (await store.CreateAsync(Acme, ApiKeyScopes.Admin, "acme admin only", null)).Key;
            AcmeAll = (await store.CreateAsync(Acme, ApiKeyScopes.Ingest | ApiKeyScopes.Read | ApiKeyScopes.Admin, null, null)).Key;
            GlobexAll = (await store.CreateAsync(Globex, ApiKeyScopes.Ingest | ApiKeyScopes.Read | ApiKeyScopes.Admin, null, null)).Key;
            Operator = (await store.CreateAsync(ApiKeyRecord.AllTenants, ApiKeyScopes.Read | ApiKeyScopes.Admin, "operator", null)).Key;
            var (revoked, revokedKey) = await store.CreateAsync(Acme, ApiKeyScopes.Read, "revoked", null);
            await store.RevokeAsync(revoked.Id);
            Revoked = revokedKey;
        }

        // A key that expired yesterday: made by a store whose clock says it is three days ago.
        await using (var past = SqlApiKeyStore.CreateSqlite(DatabasePath, new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-3))))
        {
            Expired = (await past.CreateAsync(Acme, ApiKeyScopes.Read, "expired", DateTimeOffset.UtcNow.AddDays(-1))).Key;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Silo = await SiloProcess.StartAsync(
            Data,
            environment: new Dictionary<string, string> { ["Monitoring__Auth__Mode"] = "api-keys", ["Monitoring__Auth__Header"] = ExtraHeader },
            switches: ["--verbose"]);

        var at = DateTimeOffset.UtcNow;
        Send(OtlpProtocol.HttpProtobuf, AcmeIngest, AcmeModel, 20, at);
        Send(OtlpProtocol.HttpProtobuf, GlobexAll, GlobexModel, 20, at);
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        Directory.Delete(Data, recursive: true);
    }

    /// <summary>Sends predictions through the OpenTelemetry SDK's exporter with the key as <c>Authorization: Bearer</c>.</summary>
    public void Send(OtlpProtocol protocol, string? key, string model, int count, DateTimeOffset at, IReadOnlyDictionary<string, string>? headers = null)
    {
        var all = new Dictionary<string, string>(headers ?? new Dictionary<string, string>());
        if (key is not null)
        {
            all["Authorization"] = "Bearer " + key;
        }

        using var logger = new PredictionLogger(new PredictionLoggerOptions
        {
            Endpoint = protocol == OtlpProtocol.Grpc ? Silo.OtlpGrpc : Silo.OtlpHttp,
            Protocol = protocol,
            ServiceName = "auth-tests",
            Headers = all,
        });
        for (var i = 0; i < count; i++)
        {
            logger.LogPrediction(Traffic.Prediction(model, $"{model}-{Guid.NewGuid():N}", at, 30 + i, "BR", 0.4));
        }
    }

    /// <summary>A client of the API port sending <paramref name="key"/> (if any) as a Bearer token; no redirects, no cookies.</summary>
    public HttpClient Api(string? key)
    {
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Silo.Api };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    /// <summary>The model ids <c>GET /api/models</c> lists for <paramref name="key"/>.</summary>
    public async Task<IReadOnlyList<string>> ModelsAsync(string key)
    {
        using var http = Api(key);
        var body = await http.GetStringAsync(new Uri("/api/models", UriKind.Relative));
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(m => m.GetProperty("key").GetString()!)];
    }
}

/// <summary>The tests sharing the api-keys silo.</summary>
[CollectionDefinition(Name)]
public sealed class AuthSiloCollection : ICollectionFixture<AuthSilo>
{
    public const string Name = "auth-silo";
}
