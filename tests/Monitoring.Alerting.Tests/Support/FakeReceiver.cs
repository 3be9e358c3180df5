using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Monitoring.Alerting.Tests.Support;

/// <summary>One request a <see cref="FakeReceiver"/> got.</summary>
internal sealed record ReceivedRequest(string Method, string Path, string ContentType, string Body, DateTimeOffset At);

/// <summary>
/// A real HTTP listener (Kestrel on 127.0.0.1, a free port) standing in for Slack, PagerDuty or a webhook: answers each
/// request with the next scripted response (then 200 "ok"), records what it got, and stamps arrivals with a clock.
/// </summary>
internal sealed class FakeReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Queue<Func<HttpContext, Task>> _script = new();
    private readonly List<ReceivedRequest> _requests = [];
    private readonly Channel<ReceivedRequest> _arrivals = Channel.CreateUnbounded<ReceivedRequest>();
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();

    private FakeReceiver(WebApplication app, TimeProvider time)
    {
        _app = app;
        _time = time;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<FakeReceiver> StartAsync(TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new FakeReceiver(app, time ?? TimeProvider.System);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return receiver;
    }

    /// <summary>The listener's URL with <paramref name="path"/>.</summary>
    public Uri Url(string path) => new(BaseUrl, path.TrimStart('/'));

    public FakeReceiver Respond(int status, string body = "", params (string Name, string Value)[] headers)
    {
        return Respond(async ctx =>
        {
            ctx.Response.StatusCode = status;
            foreach (var (name, value) in headers)
            {
                ctx.Response.Headers[name] = value;
            }
            if (body.Length > 0)
            {
                ctx.Response.ContentType = body.StartsWith('{') ? "application/json" : "text/plain";
                await ctx.Response.WriteAsync(body);
            }
        });
    }

    public FakeReceiver Respond(Func<HttpContext, Task> handler)
    {
        lock (_script)
        {
            _script.Enqueue(handler);
        }
        return this;
    }

    /// <summary>Answers only when the receiver is disposed (a target that hangs).</summary>
    public FakeReceiver Hang() => Respond(ctx => Task.Delay(Timeout.Infinite, _stopping.Token).ContinueWith(_ => { }, TaskScheduler.Default));

    /// <summary>Takes every request that has arrived and not been taken, without waiting; how many.</summary>
    public int Drain()
    {
        var n = 0;
        while (_arrivals.Reader.TryRead(out _))
        {
            n++;
        }
        return n;
    }

    /// <summary>Waits for the next request (in arrival order).</summary>
    public async Task<ReceivedRequest> NextAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await _arrivals.Reader.ReadAsync(cts.Token);
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var body = await reader.ReadToEndAsync();
        var request = new ReceivedRequest(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString, ctx.Request.ContentType ?? string.Empty, body, _time.GetUtcNow());
        lock (_requests)
        {
            _requests.Add(request);
        }
        Func<HttpContext, Task>? handler;
        lock (_script)
        {
            _script.TryDequeue(out handler);
        }
        _arrivals.Writer.TryWrite(request);
        if (handler is null)
        {
            await ctx.Response.WriteAsync("ok");
        }
        else
        {
            await handler(ctx);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
