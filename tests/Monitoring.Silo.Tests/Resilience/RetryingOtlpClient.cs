using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;

namespace Monitoring.Silo.Tests.Resilience;

/// <summary>
/// An OTLP/HTTP (JSON) client with the OTLP specification's retry rules, written out so a test can count exactly what
/// was acknowledged: a batch is acknowledged only by a 200; 429 and 503 are retried after their Retry-After (which must
/// be there); a connection failure is retried after a short back-off; any other status is recorded and not retried.
/// Every record has a unique prediction id, and a retry resends the same ids, so the silo must count each acked id once.
/// </summary>
public sealed class RetryingOtlpClient(Uri otlpHttp) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };
    private long _ackedRecords;
    private long _ackedRequests;

    /// <summary>Status codes of every answered attempt, with how often each came.</summary>
    public ConcurrentDictionary<int, int> Statuses { get; } = new();

    /// <summary>429/503 answers that came without a Retry-After header.</summary>
    public int RefusalsWithoutRetryAfter;

    /// <summary>Attempts that ended without an HTTP answer (connection refused or reset).</summary>
    public int ConnectionFailures;

    /// <summary>Records acknowledged with a 200.</summary>
    public long AckedRecords => Interlocked.Read(ref _ackedRecords);

    /// <summary>Requests acknowledged with a 200.</summary>
    public long AckedRequests => Interlocked.Read(ref _ackedRequests);

    /// <summary>Longest Retry-After honoured, so tests need not wait the silo's full hint.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Answers with a status in {429, 503}.</summary>
    public int Refusals => Statuses.Where(s => s.Key is 429 or 503).Sum(s => s.Value);

    /// <summary>Called with every refusal's status code (tests use it as a signal).</summary>
    public Action<int>? OnRefused { get; init; }

    /// <summary>One attempt: the HTTP status (null when no answer came) and the Retry-After it carried.</summary>
    public async Task<(HttpStatusCode? Status, TimeSpan? RetryAfter)> SendOnceAsync(string body, int records, CancellationToken cancellationToken = default)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(new Uri(otlpHttp, "/v1/logs"), content, cancellationToken);
            var status = (int)response.StatusCode;
            Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status == 200)
            {
                Interlocked.Add(ref _ackedRecords, records);
                Interlocked.Increment(ref _ackedRequests);
            }
            else if (status is 429 or 503)
            {
                if (response.Headers.RetryAfter?.Delta is null)
                {
                    Interlocked.Increment(ref RefusalsWithoutRetryAfter);
                }

                OnRefused?.Invoke(status);
            }

            return (response.StatusCode, response.Headers.RetryAfter?.Delta);
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref ConnectionFailures);
            return (null, null);
        }
    }

    /// <summary>Sends a batch until it is acknowledged (true) or answered with a non-retryable status (false).</summary>
    public async Task<bool> SendUntilAckedAsync(string body, int records, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (status, retryAfter) = await SendOnceAsync(body, records, cancellationToken);
            switch (status)
            {
                case HttpStatusCode.OK:
                    return true;
                case HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable:
                    var hint = retryAfter ?? TimeSpan.FromSeconds(1);
                    await Task.Delay(hint < MaxBackoff ? hint : MaxBackoff, cancellationToken); // the protocol's back-off, not a wait for a condition
                    break;
                case null:
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken); // back-off after a failed connection
                    break;
                default:
                    return false;
            }
        }
    }

    /// <summary>An OTLP/JSON ExportLogsServiceRequest with one prediction per id for <paramref name="model"/>.</summary>
    public static string Predictions(string model, IEnumerable<string> ids, int padding = 0)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        var text = padding > 0 ? new string('x', padding) : null;
        var body = new StringBuilder();
        body.Append("""{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"resilience-tests"}}]},"scopeLogs":[{"logRecords":[""");
        var first = true;
        var i = 0;
        foreach (var id in ids)
        {
            if (!first)
            {
                body.Append(',');
            }

            first = false;
            var score = ((i++ % 100) / 100.0).ToString("0.00", CultureInfo.InvariantCulture);
            body.Append(CultureInfo.InvariantCulture, $$$"""{"timeUnixNano":"{{{now}}}","attributes":[""")
                .Append(CultureInfo.InvariantCulture, $$$"""{"key":"ml.event","value":{"stringValue":"prediction"}},""")
                .Append(CultureInfo.InvariantCulture, $$$"""{"key":"ml.model.id","value":{"stringValue":"{{{model}}}"}},""")
                .Append(CultureInfo.InvariantCulture, $$$"""{"key":"ml.prediction.id","value":{"stringValue":"{{{id}}}"}},""")
                .Append(CultureInfo.InvariantCulture, $$$"""{"key":"ml.prediction.score","value":{"doubleValue":{{{score}}}}},""")
                .Append(CultureInfo.InvariantCulture, $$$"""{"key":"ml.feature.age","value":{"doubleValue":{{{i % 90}}}}}""");
            if (text is not null)
            {
                body.Append(CultureInfo.InvariantCulture, $$$""",{"key":"ml.feature.note","value":{"stringValue":"{{{text}}}"}}""");
            }

            body.Append("]}");
        }

        body.Append("]}]}]}");
        return body.ToString();
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
