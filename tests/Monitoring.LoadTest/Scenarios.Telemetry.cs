using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Monitoring.LoadTest;

/// <summary>One off/on pair of throughput runs and the ratio of their throughputs.</summary>
internal sealed record TelemetryPair(int Round, ThroughputResult Off, ThroughputResult On, double OnOverOff);

/// <summary>The instrumentation's cost on ingest: max throughput with self-telemetry off and on, alternating, in one run.</summary>
internal static partial class Scenarios
{
    /// <summary>
    /// Telemetry off: no /metrics, no OTLP (no MeterProvider at all; the instruments have no listener). On: /metrics
    /// scraped every second by the load generator, and OTLP/HTTP metrics every second plus a span per request (sample
    /// ratio 1) to a loopback collector that answers 200. Harsher than production settings (15-60 s scrapes and
    /// exports), so the ratio is a bound. Off and on alternate, <paramref name="rounds"/> times, so drift of the machine
    /// hits both.
    /// </summary>
    public static async Task<IReadOnlyList<TelemetryPair>> TelemetryAsync(LoadOptions o, int connections, int rounds)
    {
        await using var collector = await Collector.StartAsync();
        var baseArguments = o.SiloArguments.ToList();
        var pairs = new List<TelemetryPair>();
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                o.SiloArguments.Clear();
                o.SiloArguments.AddRange(baseArguments.Append("--Monitoring:Telemetry:MetricsEndpoint=false"));
                Console.Write($"telemetry off, round {round}, HTTP/1.1 x{connections}: ");
                var off = await ThroughputAsync(o, h2c: false, connections);
                Console.WriteLine($"{off.RecordsPerSecond:N0} records/s (p99 {off.Latency.P99:F1} ms, silo {off.Cpu.SiloCores:F2} cores, other {off.Cpu.OtherCores:F2}, errors {off.Errors.Total})");

                o.SiloArguments.Clear();
                o.SiloArguments.AddRange(baseArguments.Concat(
                [
                    "--Monitoring:Telemetry:MetricsEndpoint=true", $"--Monitoring:Telemetry:OtlpEndpoint={collector.BaseUrl}",
                    "--Monitoring:Telemetry:OtlpProtocol=http/protobuf", "--Monitoring:Telemetry:ExportIntervalSeconds=1",
                ]));
                Console.Write($"telemetry on, round {round}, HTTP/1.1 x{connections}: ");
                var on = await ThroughputAsync(o, h2c: false, connections, scrapeMetrics: true);
                Console.WriteLine($"{on.RecordsPerSecond:N0} records/s (p99 {on.Latency.P99:F1} ms, silo {on.Cpu.SiloCores:F2} cores, other {on.Cpu.OtherCores:F2}, errors {on.Errors.Total}); " +
                                  $"collector got {collector.Requests} requests");
                pairs.Add(new TelemetryPair(round, off, on, on.RecordsPerSecond / off.RecordsPerSecond));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  ratio on / off: {on.RecordsPerSecond / off.RecordsPerSecond:F3}"));
            }
        }
        finally
        {
            o.SiloArguments.Clear();
            o.SiloArguments.AddRange(baseArguments);
        }

        return pairs;
    }

    /// <summary>A loopback OTLP/HTTP collector that reads and drops every export (200, empty body).</summary>
    private sealed class Collector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private long _requests;

        private Collector(WebApplication app) => _app = app;

        public Uri BaseUrl { get; private set; } = null!;

        public long Requests => Interlocked.Read(ref _requests);

        public static async Task<Collector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var collector = new Collector(app);
            app.Run(async context =>
            {
                await context.Request.Body.CopyToAsync(Stream.Null);
                Interlocked.Increment(ref collector._requests);
                context.Response.ContentType = "application/x-protobuf";
            });
            await app.StartAsync();
            collector.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            return collector;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
