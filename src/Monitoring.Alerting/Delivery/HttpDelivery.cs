using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Delivery;

/// <summary>
/// The HTTP sender every notifier shares. One POST per call (retries are <see cref="RetryPolicy"/>'s job):
/// <list type="bullet">
/// <item>every address the target's host resolves to is checked at connect time (<see cref="TargetGuard"/>), in
/// <see cref="SocketsHttpHandler.ConnectCallback"/>, and the socket connects only to the addresses checked, so a DNS
/// answer that changes between a check and the connect (rebinding) cannot slip through;</item>
/// <item>no proxy (a proxy would move the connect out of reach of the check) and no redirects;</item>
/// <item>a timeout per attempt on the <see cref="TimeProvider"/>;</item>
/// <item>a per-target token bucket when the target has a <see cref="RateLimit"/>;</item>
/// <item>results as <see cref="DeliveryResult"/>: 2xx delivered; 429, 5xx, timeouts and connection errors retryable,
/// with <c>Retry-After</c> (seconds or an HTTP date); anything else final. Errors read "slack: HTTP 404
/// channel_not_found" and never contain the URL, the host or a secret.</item>
/// </list>
/// </summary>
public sealed class HttpDelivery : IDisposable
{
    private const int MaxErrorDetailChars = 200;
    private readonly HttpClient _client;
    private readonly HttpDeliveryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TargetRateLimiter _limiter;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <summary>Builds a sender with its own connection pool.</summary>
    public HttpDelivery(HttpDeliveryOptions? options = null, TimeProvider? time = null, ILogger<HttpDelivery>? logger = null)
        : this(options, time, logger, null)
    {
    }

    /// <summary>Builds a sender whose host names resolve through <paramref name="resolve"/> (tests).</summary>
    internal HttpDelivery(HttpDeliveryOptions? options, TimeProvider? time, ILogger? logger, Func<string, CancellationToken, Task<IPAddress[]>>? resolve)
    {
        _options = options ?? new HttpDeliveryOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _limiter = new TargetRateLimiter(_time);
        _resolve = resolve ?? Dns.GetHostAddressesAsync;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            // Connections are recycled so a long-lived pool re-resolves (and re-checks) hosts.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Monitoring-Alerting", "1.0"));
    }

    /// <summary>The clock of timeouts, rate limits and <c>Retry-After</c> dates.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>POSTs <paramref name="body"/> as JSON to <paramref name="target"/> once.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (a timeout is a result, not an exception).</exception>
    public async Task<DeliveryResult> PostJsonAsync(DeliveryTarget target, byte[] body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(body);
        if (!target.Url.IsAbsoluteUri || (target.Url.Scheme != Uri.UriSchemeHttps && target.Url.Scheme != Uri.UriSchemeHttp))
        {
            return Refused(target, "target refused: the URL must be absolute http or https");
        }
        if (target.RateLimit is { } limit)
        {
            await _limiter.WaitAsync(target.Url.AbsoluteUri, limit, cancellationToken).ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(_options.AttemptTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                DeliveryLog.Delivered(_logger, target.Kind, target.Name, status);
                return new DeliveryResult(true, false, null, null, status);
            }
            var detail = await ReadDetailAsync(response, target, linked.Token).ConfigureAwait(false);
            var retryable = status == 429 || status >= 500;
            var error = new StringBuilder().Append(target.Kind).Append(": HTTP ").Append(status.ToString(CultureInfo.InvariantCulture));
            if (status is >= 300 and < 400)
            {
                error.Append(" (redirect not followed)");
            }
            if (detail.Length > 0)
            {
                error.Append(' ').Append(detail);
            }
            return Failed(target, new DeliveryResult(false, retryable, retryable ? RetryAfter(response) : null, error.ToString(), status));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("Delivery cancelled.", null, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            var seconds = _options.AttemptTimeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
            return Failed(target, new DeliveryResult(false, true, null, $"{target.Kind}: timed out after {seconds} s", null));
        }
        catch (HttpRequestException e) when (Find<TargetRefusedException>(e) is { } refused)
        {
            return Refused(target, refused.Message);
        }
        catch (HttpRequestException e)
        {
            return Failed(target, new DeliveryResult(false, true, null, $"{target.Kind}: {Describe(e)}", null));
        }
        catch (IOException)
        {
            return Failed(target, new DeliveryResult(false, true, null, $"{target.Kind}: connection lost", null));
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.AsSpan().Trim("[]"), out var literal)
            ? [literal]
            : await _resolve(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }
        foreach (var address in addresses)
        {
            if (TargetGuard.Refusal(address, _options.AllowPrivateTargets) is { } reason)
            {
                throw new TargetRefusedException(reason);
            }
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - _time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>A short, secret-free account of an error body: Slack's "channel_not_found", PagerDuty's message and errors.</summary>
    private static async Task<string> ReadDetailAsync(HttpResponseMessage response, DeliveryTarget target, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var reader = new StreamReader(stream, Encoding.UTF8);
                var buffer = new char[HttpDeliveryOptions.MaxErrorBodyChars];
                var read = await reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false);
                text = new string(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            return string.Empty;
        }
        return Redact(Sanitize(FromJson(text.Trim()) ?? text), target);
    }

    private static string? FromJson(string text)
    {
        if (!text.StartsWith('{'))
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            var parts = new List<string>();
            foreach (var name in (string[])["error", "message", "status"])
            {
                if (doc.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    parts.Add(value.GetString()!);
                }
            }
            if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                parts.AddRange(errors.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            }
            return parts.Count == 0 ? null : string.Join("; ", parts);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Sanitize(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, MaxErrorDetailChars));
        foreach (var c in text)
        {
            if (sb.Length >= MaxErrorDetailChars)
            {
                sb.Append('…');
                break;
            }
            var printable = char.IsControl(c) ? ' ' : c;
            if (printable == ' ' && (sb.Length == 0 || sb[^1] == ' '))
            {
                continue;
            }
            sb.Append(printable);
        }
        return sb.ToString().TrimEnd();
    }

    /// <summary>Removes the URL (whole, its path, its user info) and the target's secrets from text a receiver echoed back.</summary>
    internal static string Redact(string text, DeliveryTarget target)
    {
        var url = target.Url;
        // Slack's secret is the last path segments, a webhook's often a query value: each one counts on its own too.
        var parts = url.AbsolutePath.Split('/').Concat(url.Query.TrimStart('?').Split('&', '=')).Select(Uri.UnescapeDataString).Where(p => p.Length >= 8);
        IEnumerable<string> secrets = [.. target.Secrets, url.OriginalString, url.AbsoluteUri, url.GetLeftPart(UriPartial.Path), url.PathAndQuery, url.AbsolutePath, url.UserInfo,
            Uri.UnescapeDataString(url.PathAndQuery), .. parts];
        foreach (var secret in secrets.Where(s => s.Length >= 6).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, "[redacted]", StringComparison.OrdinalIgnoreCase);
        }
        return text;
    }

    private static string Describe(HttpRequestException e)
    {
        if (Find<SocketException>(e) is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "name resolution failed",
                SocketError.ConnectionRefused => "connection refused",
                SocketError.TimedOut => "connect timed out",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                _ => "connection failed",
            };
        }
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => "name resolution failed",
            HttpRequestError.SecureConnectionError => "TLS handshake failed",
            HttpRequestError.ConnectionError => "connection failed",
            HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded => "invalid or truncated response",
            _ => "request failed",
        };
    }

    private static T? Find<T>(Exception e)
        where T : Exception
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }
        return null;
    }

    private DeliveryResult Refused(DeliveryTarget target, string reason)
    {
        var result = new DeliveryResult(false, false, null, $"{target.Kind}: {reason}", null);
        DeliveryLog.Refused(_logger, target.Name, result.Error!);
        return result;
    }

    private DeliveryResult Failed(DeliveryTarget target, DeliveryResult result)
    {
        DeliveryLog.Failed(_logger, target.Name, result.Error!, result.Retryable);
        return result;
    }
}
