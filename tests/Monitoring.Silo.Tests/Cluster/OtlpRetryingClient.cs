using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Common;
using Monitoring.Ingest.Proto.Logs;
using Monitoring.Ingest.Proto.Resource;

namespace Monitoring.Silo.Tests.Cluster;

/// <summary>
/// A plain OTLP/HTTP protobuf logs exporter that retries as the OTLP specification says: 429, 502, 503 and 504 and
/// connection failures (refused, reset, timed out) are retried with exponential backoff and jitter, honoring
/// <c>Retry-After</c>; any other status is final. Every attempt goes to the next endpoint in turn, so a client given
/// every silo keeps going against the survivors when one dies. A request counts as acknowledged only on a 2xx.
/// </summary>
internal sealed class OtlpRetryingClient(IReadOnlyList<Uri> endpoints) : IDisposable
{
    private static readonly TimeSpan InitialBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private long _retries;

    /// <summary>Attempts that failed retryably (each followed by a retry).</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>
    /// Sends <paramref name="request"/> starting at endpoint <paramref name="first"/> until a 2xx (returns the number
    /// of records the server rejected in its partial success), a final status (throws), or <paramref name="deadline"/>.
    /// </summary>
    public async Task<long> ExportAsync(ExportLogsServiceRequest request, int first, DateTimeOffset deadline, CancellationToken cancellationToken = default)
    {
        var body = request.ToByteArray();
        var backoff = InitialBackoff;
        for (var attempt = 0; ; attempt++)
        {
            var endpoint = endpoints[(first + attempt) % endpoints.Count];
            TimeSpan? retryAfter = null;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                using var response = await _http.PostAsync(new Uri(endpoint, "v1/logs"), content, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    var reply = ExportLogsServiceResponse.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync(cancellationToken));
                    return reply.PartialSuccess?.RejectedLogRecords ?? 0;
                }

                if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    throw new InvalidOperationException($"{endpoint}: final status {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
                }

                retryAfter = response.Headers.RetryAfter?.Delta;
            }
            catch (HttpRequestException)
            {
                // Connection refused or reset (a dead silo): retryable.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The request timed out: retryable (the server may have appended it; its retry is then a duplicate it drops).
            }

            Interlocked.Increment(ref _retries);
            var wait = retryAfter ?? TimeSpan.FromMilliseconds(backoff.TotalMilliseconds * (0.5 + (Random.Shared.NextDouble() / 2)));
            if (DateTimeOffset.UtcNow + wait > deadline)
            {
                throw new TimeoutException($"export not acknowledged before the deadline after {attempt + 1} attempts");
            }

            // The backoff between attempts is the protocol's, not a wait for a condition.
            await Task.Delay(wait, cancellationToken);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();

    /// <summary>One export request of prediction records (model, prediction id, age feature, score, event time).</summary>
    public static ExportLogsServiceRequest Predictions(IEnumerable<(string Model, string Id, double Age, double Score, DateTimeOffset At)> records)
    {
        var scope = new ScopeLogs();
        foreach (var (model, id, age, score, at) in records)
        {
            var nanos = (ulong)(at.ToUnixTimeMilliseconds() * 1_000_000);
            var record = new LogRecord { TimeUnixNano = nanos, ObservedTimeUnixNano = nanos, EventName = "ml.prediction" };
            record.Attributes.Add(Text("ml.model.id", model));
            record.Attributes.Add(Text("ml.prediction.id", id));
            record.Attributes.Add(new KeyValue { Key = "ml.prediction.score", Value = new AnyValue { DoubleValue = score } });
            record.Attributes.Add(new KeyValue { Key = "ml.feature.age", Value = new AnyValue { DoubleValue = age } });
            record.Attributes.Add(Text("ml.feature.country", "US"));
            scope.LogRecords.Add(record);
        }

        var resource = new ResourceLogs { Resource = new Resource() };
        resource.Resource.Attributes.Add(Text("service.name", "cluster-load"));
        resource.ScopeLogs.Add(scope);
        var request = new ExportLogsServiceRequest();
        request.ResourceLogs.Add(resource);
        return request;
    }

    private static KeyValue Text(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };
}
