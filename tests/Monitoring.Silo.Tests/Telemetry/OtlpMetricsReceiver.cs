using System.Net;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.Silo.Tests.Telemetry.Otlp;

namespace Monitoring.Silo.Tests.Telemetry;

/// <summary>
/// A real OTLP/HTTP metrics receiver: Kestrel on a free 127.0.0.1 port answering <c>POST /v1/metrics</c> (protobuf) as
/// a collector would, decoding each request and keeping the raw bytes too (to search them for secrets).
/// </summary>
internal sealed class OtlpMetricsReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(ExportMetricsServiceRequest Request, byte[] Raw)> _received = [];
    private readonly List<(Func<ExportMetricsServiceRequest, bool> Condition, TaskCompletionSource<ExportMetricsServiceRequest> Done)> _waiters = [];

    private OtlpMetricsReceiver(WebApplication app) => _app = app;

    /// <summary>Base URL (the silo appends /v1/metrics).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request body received so far, raw.</summary>
    public IReadOnlyList<byte[]> RawBodies
    {
        get
        {
            lock (_received)
            {
                return [.. _received.Select(r => r.Raw)];
            }
        }
    }

    /// <summary>Paths other than /v1/metrics that were posted to (should stay empty).</summary>
    public List<string> OtherPaths { get; } = [];

    public static async Task<OtlpMetricsReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new OtlpMetricsReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUrl = new Uri(address);
        return receiver;
    }

    /// <summary>The first request (received already or later) for which <paramref name="condition"/> holds.</summary>
    public Task<ExportMetricsServiceRequest> FirstAsync(Func<ExportMetricsServiceRequest, bool> condition)
    {
        var done = new TaskCompletionSource<ExportMetricsServiceRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_received)
        {
            foreach (var (request, _) in _received)
            {
                if (condition(request))
                {
                    return Task.FromResult(request);
                }
            }

            _waiters.Add((condition, done));
        }

        return done.Task.WaitAsync(TimeSpan.FromSeconds(90));
    }

    /// <summary>Names of the metrics in a request.</summary>
    public static IEnumerable<Metric> Metrics(ExportMetricsServiceRequest request) =>
        request.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>OTLP/HTTP trace export requests received (answered 200, not decoded).</summary>
    public int TraceRequests
    {
        get
        {
            lock (_received)
            {
                return _traceRequests;
            }
        }
    }

    private int _traceRequests;

    private readonly TaskCompletionSource _firstTrace = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the first trace export request.</summary>
    public Task FirstTraceAsync() => _firstTrace.Task.WaitAsync(TimeSpan.FromSeconds(60));

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path == "/v1/traces" && HttpMethods.IsPost(context.Request.Method))
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            lock (_received)
            {
                _traceRequests++;
            }

            _firstTrace.TrySetResult();

            context.Response.ContentType = "application/x-protobuf";
            return;
        }

        if (context.Request.Path != "/v1/metrics" || !HttpMethods.IsPost(context.Request.Method))
        {
            lock (_received)
            {
                OtherPaths.Add(context.Request.Path.Value ?? string.Empty);
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var raw = body.ToArray();
        var request = ExportMetricsServiceRequest.Parser.ParseFrom(raw);
        lock (_received)
        {
            _received.Add((request, raw));
            foreach (var waiter in _waiters.Where(w => w.Condition(request)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(request);
            }
        }

        context.Response.ContentType = "application/x-protobuf";
        await context.Response.Body.WriteAsync(new ExportMetricsServiceResponse().ToByteArray());
    }
}
