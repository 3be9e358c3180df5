using Grpc.Core;
using Monitoring.Ingest.Proto.Rpc;
using Monitoring.Ingest.Tests.Support;
using Xunit;
using static Monitoring.Ingest.Tests.Support.Otlp;
using RpcStatus = Monitoring.Ingest.Proto.Rpc.Status;

namespace Monitoring.Ingest.Tests.Receivers;

/// <summary>
/// Monitoring:Otlp:MaxBufferedBytes: while one request holds the buffer, others are refused before they are decoded,
/// with 429 + Retry-After (HTTP) or RESOURCE_EXHAUSTED + RetryInfo (gRPC), and served again once it is acknowledged.
/// </summary>
public sealed class BufferCapTests
{
    [Fact]
    public async Task Requests_over_the_buffer_cap_are_429_or_resource_exhausted_with_a_retry_hint_and_pass_once_it_frees()
    {
        await using var server = await OtlpTestServer.StartAsync(o =>
        {
            o.MaxBufferedBytes = 1; // any request fills it: only one at a time (a lone request is always admitted)
            o.RetryAfterSeconds = 4;
        });
        var entered = server.Sink.HoldAppends();
        var held = HttpOtlp.PostAsync(server, Request(Prediction("m", "held", 0.5)));
        await entered;

        using (var refused = await HttpOtlp.PostAsync(server, Request(Prediction("m", "refused-http", 0.5))))
        {
            var message = await HttpOtlp.FailureAsync(refused, 429);
            Assert.Contains("MaxBufferedBytes", message, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(4), refused.Headers.RetryAfter?.Delta);
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => server.ExportGrpcAsync(Request(Prediction("m", "refused-grpc", 0.5))));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        var details = RpcStatus.Parser.ParseFrom(error.Trailers.GetValueBytes("grpc-status-details-bin"));
        Assert.Equal(TimeSpan.FromSeconds(4), Assert.Single(details.Details).Unpack<RetryInfo>().RetryDelay.ToTimeSpan());

        server.Sink.Release();
        await HttpOtlp.SuccessAsync(await held);
        await server.ExportGrpcAsync(Request(Prediction("m", "after-grpc", 0.5)));
        await HttpOtlp.SuccessAsync(await HttpOtlp.PostAsync(server, Request(Prediction("m", "after-http", 0.5))));
        Assert.Equal(["held", "after-grpc", "after-http"], server.Sink.Batches.SelectMany(b => b.Events).Select(e => e.PredictionId));
    }
}
