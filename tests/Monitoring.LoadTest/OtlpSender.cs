using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Monitoring.LoadTest;

/// <summary>How a request ended.</summary>
internal enum SendStatus
{
    /// <summary>HTTP 200 and no record rejected: every record is durable.</summary>
    Acknowledged,

    /// <summary>HTTP 200 with <c>partial_success.rejected_log_records</c> &gt; 0.</summary>
    Partial,

    /// <summary>HTTP 503 (receiver or sink overloaded).</summary>
    Overloaded,

    /// <summary>Any other status, or no response.</summary>
    Failed,
}

/// <summary>The outcome of one export request.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Accepted">Records acknowledged (all when <see cref="SendStatus.Acknowledged"/>).</param>
/// <param name="Detail">Status code and message of a failure.</param>
internal readonly record struct SendOutcome(SendStatus Status, int Accepted, string? Detail);

/// <summary>
/// Posts pre-encoded requests to <c>/v1/logs</c> as <c>application/x-protobuf</c>. HTTP/1.1: one
/// <see cref="HttpClient"/> whose <see cref="SocketsHttpHandler"/> holds at most <c>connections</c> connections (one
/// request each at a time). h2c (HTTP/2 with prior knowledge): one client per connection, since a single HTTP/2
/// connection would multiplex every request.
/// </summary>
internal sealed class OtlpSender : IDisposable
{
    private static readonly MediaTypeHeaderValue Protobuf = new("application/x-protobuf");
    private readonly HttpClient[] _clients;
    private readonly Uri _endpoint;
    private readonly Version _version;

    public OtlpSender(Uri endpoint, int connections, bool h2c)
    {
        _endpoint = endpoint;
        _version = h2c ? HttpVersion.Version20 : HttpVersion.Version11;
        var clients = h2c ? connections : 1;
        _clients = new HttpClient[clients];
        for (var i = 0; i < clients; i++)
        {
            var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = h2c ? 1 : connections,
                UseProxy = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
                EnableMultipleHttp2Connections = false,
            };
            _clients[i] = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        }
    }

    /// <summary>Sends one request (on client <paramref name="slot"/> modulo the clients) and reads the whole response.</summary>
    public async Task<SendOutcome> SendAsync(OtlpRequestTemplate request, int slot)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint)
        {
            Version = _version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(request.Bytes),
        };
        message.Content.Headers.ContentType = Protobuf;
        try
        {
            using var response = await _clients[slot % _clients.Length].SendAsync(message, HttpCompletionOption.ResponseContentRead);
            var body = await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var (rejected, error) = ParsePartialSuccess(body);
                return rejected == 0
                    ? new SendOutcome(SendStatus.Acknowledged, request.Records, null)
                    : new SendOutcome(SendStatus.Partial, request.Records - (int)rejected, $"200 partial: {rejected} rejected: {error}");
            }

            var status = response.StatusCode == HttpStatusCode.ServiceUnavailable ? SendStatus.Overloaded : SendStatus.Failed;
            return new SendOutcome(status, 0, $"{(int)response.StatusCode}: {ParseStatusMessage(body)}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return new SendOutcome(SendStatus.Failed, 0, $"{e.GetType().Name}: {e.Message}");
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }

    /// <summary>Reads <c>ExportLogsServiceResponse.partial_success</c> (field 1): rejected count (1) and message (2).</summary>
    private static (long Rejected, string? Error) ParsePartialSuccess(byte[] body)
    {
        long rejected = 0;
        string? error = null;
        var input = new CodedInputStream(body);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == 1 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                var partial = new CodedInputStream(input.ReadBytes().ToByteArray());
                uint inner;
                while ((inner = partial.ReadTag()) != 0)
                {
                    switch (WireFormat.GetTagFieldNumber(inner))
                    {
                        case 1:
                            rejected = partial.ReadInt64();
                            break;
                        case 2:
                            error = partial.ReadString();
                            break;
                        default:
                            partial.SkipLastField();
                            break;
                    }
                }
            }
            else
            {
                input.SkipLastField();
            }
        }

        return (rejected, error);
    }

    /// <summary>The message (field 2) of a <c>google.rpc.Status</c> error body.</summary>
    private static string ParseStatusMessage(byte[] body)
    {
        try
        {
            var input = new CodedInputStream(body);
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                if (WireFormat.GetTagFieldNumber(tag) == 2 && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
                {
                    return input.ReadString();
                }

                input.SkipLastField();
            }
        }
        catch (InvalidProtocolBufferException)
        {
        }

        return $"({body.Length} byte body)";
    }
}
