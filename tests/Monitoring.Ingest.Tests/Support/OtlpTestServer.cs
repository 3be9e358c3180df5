using System.Net;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Abstractions.Time;
using Monitoring.Ingest.Proto.Collector;

namespace Monitoring.Ingest.Tests.Support;

/// <summary>
/// A real Kestrel host on 127.0.0.1 with the receivers mapped: one HTTP/2-only endpoint (gRPC over cleartext) and one
/// HTTP/1.1+HTTP/2 endpoint (OTLP/HTTP), both on free ports; a <see cref="RecordingEventSink"/> and a fake clock.
/// </summary>
internal sealed class OtlpTestServer : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private OtlpTestServer(WebApplication app, RecordingEventSink sink, int grpcPort, int httpPort)
    {
        _app = app;
        Sink = sink;
        GrpcEndpoint = new Uri($"http://127.0.0.1:{grpcPort}");
        HttpEndpoint = new Uri($"http://127.0.0.1:{httpPort}");
        Http = new HttpClient { BaseAddress = HttpEndpoint };
        _channel = GrpcChannel.ForAddress(GrpcEndpoint, new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
    }

    public RecordingEventSink Sink { get; }

    public IngestTotals Totals => _app.Services.GetRequiredService<IngestTotals>();

    public Uri GrpcEndpoint { get; }

    public Uri HttpEndpoint { get; }

    public Uri LogsUri => new(HttpEndpoint, OtlpReceiverOptions.HttpLogsPath);

    public HttpClient Http { get; }

    public static long NowUnixNano => UnixNanos.FromDateTimeOffset(Now);

    public static async Task<OtlpTestServer> StartAsync(
        Action<OtlpReceiverOptions>? configure = null,
        IDictionary<string, string?>? configuration = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        if (configuration is not null)
        {
            builder.Configuration.AddInMemoryCollection(configuration);
        }

        ListenOptions? grpcListen = null;
        ListenOptions? httpListen = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                grpcListen = listen;
            });
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                httpListen = listen;
            });
        });

        var sink = new RecordingEventSink();
        builder.Services.AddSingleton<IEventSink>(sink);
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        builder.Services.AddOtlpReceivers(configure: configure);
        var app = builder.Build();
        app.MapOtlpReceivers();
        await app.StartAsync();
        return new OtlpTestServer(app, sink, grpcListen!.IPEndPoint!.Port, httpListen!.IPEndPoint!.Port);
    }

    /// <summary>Calls <c>LogsService/Export</c> with a message.</summary>
    public Task<ExportLogsServiceResponse> ExportGrpcAsync(ExportLogsServiceRequest request, Metadata? headers = null) =>
        CallAsync(ExportMethod, request, headers);

    /// <summary>Calls <c>LogsService/Export</c> with raw bytes as the request message.</summary>
    public Task<byte[]> ExportGrpcRawAsync(byte[] payload, Metadata? headers = null) =>
        CallAsync(RawMethod, payload, headers);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<TResponse> CallAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, Metadata? headers)
        where TRequest : class
        where TResponse : class
    {
        var invoker = _channel.CreateCallInvoker();
        using var call = invoker.AsyncUnaryCall(method, null, new CallOptions(headers), request);
        return await call.ResponseAsync;
    }

    private const string ServiceName = "opentelemetry.proto.collector.logs.v1.LogsService";

    private static readonly Method<ExportLogsServiceRequest, ExportLogsServiceResponse> ExportMethod = new(
        MethodType.Unary,
        ServiceName,
        "Export",
        Marshallers.Create(static (ExportLogsServiceRequest r) => r.ToByteArray(), ExportLogsServiceRequest.Parser.ParseFrom),
        Marshallers.Create(static (ExportLogsServiceResponse r) => r.ToByteArray(), ExportLogsServiceResponse.Parser.ParseFrom));

    private static readonly Method<byte[], byte[]> RawMethod = new(
        MethodType.Unary,
        ServiceName,
        "Export",
        Marshallers.Create(static (byte[] b) => b, static b => b),
        Marshallers.Create(static (byte[] b) => b, static b => b));
}
