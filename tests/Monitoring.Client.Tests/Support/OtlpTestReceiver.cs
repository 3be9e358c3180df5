using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Monitoring.Client.Tests.Support;

/// <summary>One export request as received.</summary>
internal sealed record ReceivedExport(string Path, string? ContentType, string? Tenant, List<DecodedLogRecord> Records);

/// <summary>
/// A real OTLP logs receiver on 127.0.0.1 and an ephemeral port (Kestrel): <c>POST /v1/logs</c> (http/protobuf), and
/// <c>POST /opentelemetry.proto.collector.logs.v1.LogsService/Export</c> over HTTP/2 cleartext (gRPC framing). Every
/// request is decoded and recorded; <see cref="WaitForRecordsAsync"/> completes when enough records have arrived.
/// </summary>
internal sealed class OtlpTestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedExport> _exports = new();
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Signal)> _waiters = [];
    private int _recordCount;

    private OtlpTestReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedExport> Exports => _exports;

    public static async Task<OtlpTestReceiver> StartAsync(bool http2Only = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = http2Only ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var receiver = new OtlpTestReceiver(app);
        app.MapPost("/v1/logs", receiver.HandleHttpAsync);
        app.MapPost("/opentelemetry.proto.collector.logs.v1.LogsService/Export", receiver.HandleGrpcAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        receiver.BaseAddress = new Uri(address);
        return receiver;
    }

    public Task WaitForRecordsAsync(int count)
    {
        lock (_gate)
        {
            if (_recordCount >= count)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public List<DecodedLogRecord> AllRecords() => _exports.SelectMany(e => e.Records).ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleHttpAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context.Request);
        Record(context.Request, OtlpLogsDecoder.Decode(body));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
    }

    private async Task HandleGrpcAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context.Request);

        // gRPC message framing: 1 byte compressed flag (0), 4 bytes big-endian length, then the protobuf message.
        var length = (body[1] << 24) | (body[2] << 16) | (body[3] << 8) | body[4];
        Record(context.Request, OtlpLogsDecoder.Decode(body.AsSpan(5, length).ToArray()));
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        await context.Response.Body.WriteAsync(new byte[5]);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private void Record(HttpRequest request, List<DecodedLogRecord> records)
    {
        var tenant = request.Headers.TryGetValue("x-monitoring-tenant", out var t) ? t.ToString() : null;
        _exports.Enqueue(new ReceivedExport(request.Path, request.ContentType, tenant, records));
        lock (_gate)
        {
            _recordCount += records.Count;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_recordCount >= _waiters[i].Count)
                {
                    _waiters[i].Signal.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }
}
