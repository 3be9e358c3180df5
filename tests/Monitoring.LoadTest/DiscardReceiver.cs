using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Events;
using Monitoring.Ingest;

namespace Monitoring.LoadTest;

/// <summary>
/// The throughput baseline: the silo's own OTLP receiver (<c>AddOtlpReceivers</c>/<c>MapOtlpReceivers</c> of
/// Monitoring.Ingest: read the body, decode the protobuf, validate, convert, group by model) on a Kestrel listener
/// configured like the silo's OTLP/HTTP port, with a sink that acknowledges every batch and keeps nothing (no grain, no
/// event log, no fold). Run as a child process of the load generator
/// (<c>dotnet Monitoring.LoadTest.dll discard-receiver PORT</c>, Server GC with the silo's ConserveMemory setting), so
/// it competes for the same cores the same way the silo does; the silo's records/s over this one's is the share of
/// the decode-and-answer ceiling that the silo keeps while also appending durably and folding.
/// </summary>
internal static class DiscardReceiver
{
    /// <summary>The first argument that selects this mode.</summary>
    public const string Command = "discard-receiver";

    /// <summary>The line the receiver prints once it listens.</summary>
    public const string ReadyLine = "Discard receiver ready";

    /// <summary>Runs the receiver on 127.0.0.1:<paramref name="port"/> until killed.</summary>
    public static async Task<int> RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http1AndHttp2));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IEventSink, DiscardSink>();
        builder.Services.AddOtlpReceivers(builder.Configuration);
        var app = builder.Build();
        app.MapOtlpReceivers();
        app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine($"{ReadyLine}: OTLP/HTTP 127.0.0.1:{port}"));
        await app.RunAsync();
        return 0;
    }

    /// <summary>Acknowledges every record of a batch and keeps none of them.</summary>
    private sealed class DiscardSink : IEventSink
    {
        public Task<AppendResult> AppendAsync(EventBatch batch, CancellationToken cancellationToken) =>
            Task.FromResult(new AppendResult(batch.Events.Length, 0, 0));
    }
}
