using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Monitoring.Client;
using Xunit;

namespace Monitoring.Silo.Tests.Auth;

/// <summary>
/// Both OTLP transports of the real silo in api-keys mode: status codes for a missing, wrong-scope, revoked and right
/// key (raw requests, to read the status), and records sent by the OpenTelemetry SDK's exporter with the key in its
/// headers landing in the key's tenant, and nowhere without a key.
/// </summary>
[Collection(AuthSiloCollection.Name)]
public sealed class OtlpAuthTests(AuthSilo silo)
{
    private static readonly Method<byte[], byte[]> Export = new(
        MethodType.Unary, "opentelemetry.proto.collector.logs.v1.LogsService", "Export",
        Marshallers.Create(static (byte[] b) => b, static b => b), Marshallers.Create(static (byte[] b) => b, static b => b));

    private async Task<StatusCode> GrpcExportAsync(string? key, string? tenantHeader = null)
    {
        using var channel = GrpcChannel.ForAddress(silo.Silo.OtlpGrpc);
        var headers = new Metadata();
        if (key is not null)
        {
            headers.Add("authorization", "Bearer " + key);
        }

        if (tenantHeader is not null)
        {
            headers.Add("x-monitoring-tenant", tenantHeader);
        }

        try
        {
            await channel.CreateCallInvoker().AsyncUnaryCall(Export, null, new CallOptions(headers), []);
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    private async Task<(HttpStatusCode Status, int Code, string Message)> HttpExportAsync(string? key, string? tenantHeader = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(silo.Silo.OtlpHttp, "/v1/logs")) { Content = new ByteArrayContent([]) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (tenantHeader is not null)
        {
            request.Headers.Add("x-monitoring-tenant", tenantHeader);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        if (response.IsSuccessStatusCode)
        {
            return (response.StatusCode, 0, string.Empty);
        }

        // google.rpc.Status: 1 = code (varint), 2 = message (string).
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var (code, message) = (0, string.Empty);
        var input = new CodedInputStream(body);
        for (uint tag; (tag = input.ReadTag()) != 0;)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: code = input.ReadInt32(); break;
                case 2: message = input.ReadString(); break;
                default: input.SkipLastField(); break;
            }
        }

        return (response.StatusCode, code, message);
    }

    [Fact]
    public async Task Grpc_MissingKey_IsUnauthenticated_WrongScopeIsPermissionDenied_RightKeyIsOk()
    {
        Assert.Equal(StatusCode.Unauthenticated, await GrpcExportAsync(null));
        Assert.Equal(StatusCode.Unauthenticated, await GrpcExportAsync(silo.Revoked));
        Assert.Equal(StatusCode.Unauthenticated, await GrpcExportAsync(silo.Expired));
        Assert.Equal(StatusCode.Unauthenticated, await GrpcExportAsync("mon_not_a_key"));
        Assert.Equal(StatusCode.PermissionDenied, await GrpcExportAsync(silo.AcmeRead));
        Assert.Equal(StatusCode.PermissionDenied, await GrpcExportAsync(silo.AcmeIngest, tenantHeader: AuthSilo.Globex));
        Assert.Equal(StatusCode.OK, await GrpcExportAsync(silo.AcmeIngest));
        Assert.Equal(StatusCode.OK, await GrpcExportAsync(silo.AcmeIngest, tenantHeader: AuthSilo.Acme));
    }

    [Fact]
    public async Task Http_MissingKey_Is401_WrongScopeIs403_RightKeyIs200_WithAStatusBody()
    {
        var missing = await HttpExportAsync(null);
        Assert.Equal((HttpStatusCode.Unauthorized, 16), (missing.Status, missing.Code));
        Assert.Contains("API key is required", missing.Message, StringComparison.Ordinal);

        var revoked = await HttpExportAsync(silo.Revoked);
        Assert.Equal((HttpStatusCode.Unauthorized, 16), (revoked.Status, revoked.Code));
        Assert.Contains("revoked", revoked.Message, StringComparison.Ordinal);

        var readOnly = await HttpExportAsync(silo.AcmeRead);
        Assert.Equal((HttpStatusCode.Forbidden, 7), (readOnly.Status, readOnly.Code));
        Assert.Contains("lacks scope 'ingest'", readOnly.Message, StringComparison.Ordinal);

        var otherTenant = await HttpExportAsync(silo.AcmeIngest, tenantHeader: AuthSilo.Globex);
        Assert.Equal((HttpStatusCode.Forbidden, 7), (otherTenant.Status, otherTenant.Code));

        Assert.Equal(HttpStatusCode.OK, (await HttpExportAsync(silo.AcmeIngest)).Status);
    }

    [Fact]
    public async Task HttpJson_Refusal_IsAJsonStatus()
    {
        using var http = new HttpClient();
        using var body = new StringContent("""{"resourceLogs":[]}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(silo.Silo.OtlpHttp, "/v1/logs"), body);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var status = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(16, status.GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData(OtlpProtocol.Grpc)]
    [InlineData(OtlpProtocol.HttpProtobuf)]
    public async Task SdkExporter_WithTheKey_LandsInTheKeysTenant_AndWithoutIt_Nowhere(OtlpProtocol protocol)
    {
        var model = $"sdk-{protocol}".ToLowerInvariant();
        var refused = model + "-no-key";
        var wrongScope = model + "-read-key";

        silo.Send(protocol, silo.AcmeIngest, model, 10, DateTimeOffset.UtcNow);
        silo.Send(protocol, null, refused, 10, DateTimeOffset.UtcNow);
        silo.Send(protocol, silo.AcmeRead, wrongScope, 10, DateTimeOffset.UtcNow);

        var acme = await silo.ModelsAsync(silo.AcmeRead);
        Assert.Contains($"{AuthSilo.Acme}/{model}", acme);
        Assert.DoesNotContain(acme.Concat(await silo.ModelsAsync(silo.GlobexAll)), k => k.EndsWith(refused, StringComparison.Ordinal) || k.EndsWith(wrongScope, StringComparison.Ordinal));
        using var http = silo.Api(silo.AcmeRead);
        var described = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/models/{AuthSilo.Acme}/{model}", UriKind.Relative))).RootElement;
        Assert.Equal(10, described.GetProperty("totals").GetProperty("predictions").GetInt64());
    }

    [Fact]
    public async Task RecordNamingAnotherTenant_InMlTenant_GoesToTheKeysTenant()
    {
        var json = $$$"""
            {"resourceLogs":[{"resource":{"attributes":[
              {"key":"service.name","value":{"stringValue":"spoofer"}},
              {"key":"ml.tenant","value":{"stringValue":"{{{AuthSilo.Globex}}}"}}]},
             "scopeLogs":[{"logRecords":[{"timeUnixNano":"{{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000}}}","attributes":[
              {"key":"ml.event","value":{"stringValue":"prediction"}},
              {"key":"ml.model.id","value":{"stringValue":"spoofed"}},
              {"key":"ml.prediction.id","value":{"stringValue":"p1"}},
              {"key":"ml.prediction.score","value":{"doubleValue":0.3}}]}]}]}]}
            """;
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(silo.Silo.OtlpHttp, "/v1/logs")) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add(AuthSilo.ExtraHeader, silo.AcmeIngest);
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("rejected", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"{AuthSilo.Acme}/spoofed", await silo.ModelsAsync(silo.AcmeRead));
        Assert.DoesNotContain($"{AuthSilo.Globex}/spoofed", await silo.ModelsAsync(silo.GlobexAll));
    }
}
