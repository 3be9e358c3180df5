using Monitoring.Abstractions.Conventions;
using Monitoring.Abstractions.Limits;
using Monitoring.Abstractions.Time;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Monitoring.Ingest.Conventions;
using Monitoring.Ingest.Http;
using Monitoring.Ingest.Otlp;

namespace Monitoring.Ingest;

/// <summary>
/// Runs synthetic OTLP/HTTP exports (JSON and protobuf) through the receiver's own handler, decoders and converter in
/// process, so their code is compiled before the first client request (a fresh process otherwise compiles it on that
/// request, and requests arriving meanwhile wait on it). The records go to the given sink only; nothing is listened on,
/// logged or counted against the receivers' concurrency limit.
/// </summary>
public static class OtlpReceiverWarmup
{
    /// <summary>Model id of the synthetic records.</summary>
    public const string ModelId = "warmup";

    /// <summary>
    /// Posts one JSON and one protobuf export of <paramref name="records"/> predictions and as many labels to an
    /// in-process copy of the OTLP/HTTP handler whose records go to <paramref name="sink"/>; returns the HTTP status of
    /// each (200 when the receiver accepted them).
    /// </summary>
    /// <param name="services">The host's services (receiver options and clock are taken from there when registered).</param>
    /// <param name="sink">Where the converted records go (never the host's event sink: nothing must be stored).</param>
    /// <param name="records">Predictions per request (each with a label).</param>
    /// <param name="cancellationToken">Stops between requests.</param>
    public static async Task<IReadOnlyList<int>> RunAsync(IServiceProvider services, IEventSink sink, int records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(sink);
        var options = services.GetService<IOptionsMonitor<OtlpReceiverOptions>>() ?? new FixedOptions<OtlpReceiverOptions>(new OtlpReceiverOptions());
        var limits = services.GetService<IOptionsMonitor<LimitsOptions>>() ?? new FixedOptions<LimitsOptions>(new LimitsOptions());
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        // Its own totals: the warm-up's records are not the silo's.
        var logThrottle = new IngestLogThrottle(time);
        var ingestor = new OtlpLogsIngestor(sink, time, new IngestTotals(), options, limits, logThrottle, NullLogger<OtlpLogsIngestor>.Instance);
        var handler = new OtlpHttpHandler(ingestor, new OtlpConcurrencyLimiter(options), new OtlpBufferBudget(options), options, logThrottle, NullLogger<OtlpHttpHandler>.Instance);

        var json = Encoding.UTF8.GetBytes(Request(records, time.GetUtcNow()));
        var protobuf = OtlpJsonDecoder.Decode(json, options.CurrentValue.MaxAnyValueDepth).ToByteArray();
        var statuses = new List<int>(2);
        foreach (var (body, type) in new[] { (json, OtlpHttpHandler.JsonMediaType), (protobuf, OtlpHttpHandler.ProtobufMediaType) })
        {
            cancellationToken.ThrowIfCancellationRequested();
            var context = new DefaultHttpContext();
            context.Request.Method = HttpMethods.Post;
            context.Request.Path = OtlpReceiverOptions.HttpLogsPath;
            context.Request.ContentType = type;
            context.Request.ContentLength = body.Length;
            context.Request.Body = new MemoryStream(body, writable: false);
            context.Response.Body = new MemoryStream();
            await handler.HandleAsync(context).ConfigureAwait(false);
            statuses.Add(context.Response.StatusCode);
        }

        return statuses;
    }

    /// <summary>
    /// An OTLP/JSON export of <paramref name="records"/> predictions of <see cref="ModelId"/> (20 numeric and 2 string
    /// features, 2 segments, score, class, latency) and a label for each, at <paramref name="now"/>.
    /// </summary>
    private static string Request(int records, DateTimeOffset now)
    {
        var nanos = UnixNanos.FromDateTimeOffset(now);
        var json = new StringBuilder(records * 2048);
        json.Append("""{"resourceLogs":[{"resource":{"attributes":[""")
            .Append(Attribute(OtlpConventions.ServiceName, "stringValue", "\"warmup\"")).Append(',')
            .Append(Attribute(OtlpConventions.ModelVersion, "stringValue", "\"1\""))
            .Append("""]},"scopeLogs":[{"scope":{"name":"warmup"},"logRecords":[""");
        for (var i = 0; i < records; i++)
        {
            var id = $"\"warmup-{i}\"";
            var score = ((i * 37) % 100) / 100.0;
            json.Append(i == 0 ? string.Empty : ",")
                .Append(CultureInfo.InvariantCulture, $$"""{"timeUnixNano":"{{nanos + i}}","eventName":"{{OtlpConventions.PredictionEventName}}","attributes":[""")
                .Append(Attribute(OtlpConventions.ModelId, "stringValue", $"\"{ModelId}\"")).Append(',')
                .Append(Attribute(OtlpConventions.PredictionId, "stringValue", id)).Append(',')
                .Append(Attribute(OtlpConventions.Score, "doubleValue", score.ToString("R", CultureInfo.InvariantCulture))).Append(',')
                .Append(Attribute(OtlpConventions.PredictedClass, "stringValue", score >= 0.5 ? "\"yes\"" : "\"no\"")).Append(',')
                .Append(Attribute(OtlpConventions.LatencyMs, "doubleValue", (i % 7).ToString(CultureInfo.InvariantCulture)));
            for (var f = 0; f < 20; f++)
            {
                var value = f % 2 == 0 ? ((i * (f + 3)) % 101 / 10.0).ToString("R", CultureInfo.InvariantCulture) : $"\"{(i * (f + 1)) % 50}\"";
                json.Append(',').Append(Attribute(OtlpConventions.FeaturePrefix + "n" + f.ToString(CultureInfo.InvariantCulture), f % 2 == 0 ? "doubleValue" : "intValue", value));
            }

            json.Append(',').Append(Attribute(OtlpConventions.FeaturePrefix + "s0", "stringValue", $"\"c{i % 5}\""))
                .Append(',').Append(Attribute(OtlpConventions.FeaturePrefix + "s1", "boolValue", i % 2 == 0 ? "true" : "false"))
                .Append(',').Append(Attribute(OtlpConventions.SegmentPrefix + "region", "stringValue", $"\"r{i % 3}\""))
                .Append(',').Append(Attribute(OtlpConventions.SegmentPrefix + "plan", "stringValue", $"\"p{i % 2}\""))
                .Append("]}");
            json.Append(CultureInfo.InvariantCulture, $$""",{"timeUnixNano":"{{nanos + records + i}}","attributes":[""")
                .Append(Attribute(OtlpConventions.EventAttribute, "stringValue", $"\"{OtlpConventions.LabelEventValue}\"")).Append(',')
                .Append(Attribute(OtlpConventions.ModelId, "stringValue", $"\"{ModelId}\"")).Append(',')
                .Append(Attribute(OtlpConventions.PredictionId, "stringValue", id)).Append(',')
                .Append(Attribute(OtlpConventions.LabelValue, i % 2 == 0 ? "boolValue" : "intValue", i % 2 == 0 ? (i % 4 == 0 ? "true" : "false") : ((i / 2) % 2).ToString(CultureInfo.InvariantCulture)))
                .Append("]}");
        }

        return json.Append("]}]}]}").ToString();
    }

    private static string Attribute(string key, string type, string value) => "{\"key\":\"" + key + "\",\"value\":{\"" + type + "\":" + value + "}}";

    private sealed class FixedOptions<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;

        public T Get(string? name) => value;

        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }
}
