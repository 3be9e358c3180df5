using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Proto.Rpc;
using Monitoring.Ingest.Tests.Support;
using Xunit;
using static Monitoring.Ingest.Tests.Support.Otlp;
using RpcStatus = Monitoring.Ingest.Proto.Rpc.Status;

namespace Monitoring.Ingest.Tests.Receivers;

/// <summary>OTLP/gRPC <c>LogsService/Export</c>: success paths and one test per bad-input rule.</summary>
public sealed class GrpcReceiverTests : IAsyncLifetime
{
    private OtlpTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OtlpTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Export_groups_by_model_and_reports_partial_success()
    {
        var before = await SeedAsync();
        var request = Request(
            [Attr("ml.tenant", "ignored"), Attr("service.name", "grpc-svc")],
            Prediction("a", "1", 0.1),
            Prediction("a", "2", 7.0),
            Label("b", "1", 1));

        var response = await _server.ExportGrpcAsync(request, new Metadata { { "x-monitoring-tenant", "acme" } });

        Assert.Equal(1, response.PartialSuccess.RejectedLogRecords);
        Assert.Equal("record 1: ml.prediction.score 7 outside [0,1]", response.PartialSuccess.ErrorMessage);
        var a = Assert.Single(_server.Sink.EventsOf(new ModelKey("acme", "a")));
        Assert.Equal("1", a.PredictionId);
        Assert.Equal("grpc-svc", a.Source);
        Assert.Equal(EventKind.Label, Assert.Single(_server.Sink.EventsOf(new ModelKey("acme", "b"))).Kind);
        Assert.Same(before[0], _server.Sink.Batches[0]);
    }

    [Fact]
    public async Task Empty_request_succeeds()
    {
        var response = await _server.ExportGrpcAsync(new ExportLogsServiceRequest());
        Assert.Null(response.PartialSuccess);
        Assert.Equal(0, _server.Sink.Calls);
    }

    [Fact]
    public async Task Malformed_message_is_invalid_argument()
    {
        var before = await SeedAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.ExportGrpcRawAsync([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("invalid protobuf ExportLogsServiceRequest", error.Status.Detail, StringComparison.Ordinal);
        HttpOtlp.AssertIntact(_server, before);
    }

    [Fact]
    public async Task Invalid_tenant_metadata_is_invalid_argument()
    {
        var before = await SeedAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.ExportGrpcAsync(Request(Prediction("m", "p", 0.5)), new Metadata { { "x-monitoring-tenant", "x/y" } }));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("x-monitoring-tenant", error.Status.Detail, StringComparison.Ordinal);
        HttpOtlp.AssertIntact(_server, before);
    }

    [Fact]
    public async Task Message_over_4_MiB_is_resource_exhausted()
    {
        var before = await SeedAsync();
        var big = Request(Prediction("m", "p", 0.5, Attr("ml.feature.blob", new string('x', OtlpReceiverOptions.DefaultMaxGrpcMessageBytes))));
        var error = await Assert.ThrowsAsync<RpcException>(() => _server.ExportGrpcAsync(big));
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        HttpOtlp.AssertIntact(_server, before);
    }

    [Fact]
    public async Task Deep_values_are_invalid_argument()
    {
        var before = await SeedAsync();
        await _server.ExportGrpcAsync(Request(Prediction("deep", "ok", 0.5, Attr("payload", Nested(32, kvlist: true)))));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.ExportGrpcAsync(Request(Prediction("deep", "x", 0.5, Attr("payload", Nested(33, kvlist: true))))));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("deeper than 32", error.Status.Detail, StringComparison.Ordinal);

        error = await Assert.ThrowsAsync<RpcException>(() =>
            _server.ExportGrpcAsync(Request(Prediction("deep", "x", 0.5, Attr("payload", Nested(1000))))));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("nesting too deep", error.Status.Detail, StringComparison.Ordinal);

        Assert.Equal(2, _server.Sink.Batches.Count);
        Assert.Same(before[0], _server.Sink.Batches[0]);
    }

    [Fact]
    public async Task Sink_overload_is_unavailable_with_retry_info()
    {
        var before = await SeedAsync();
        _server.Sink.Mode = SinkMode.Overload;
        _server.Sink.OverloadRetryAfter = TimeSpan.FromSeconds(7);

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.ExportGrpcAsync(Request(Prediction("m", "p", 0.5))));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), RetryDelay(error));
        HttpOtlp.AssertIntact(_server, before);
    }

    [Fact]
    public async Task Sink_failure_is_unavailable()
    {
        var before = await SeedAsync();
        _server.Sink.Mode = SinkMode.Fail;

        var error = await Assert.ThrowsAsync<RpcException>(() => _server.ExportGrpcAsync(Request(Prediction("m", "p", 0.5))));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("unavailable", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(OtlpReceiverOptions.DefaultRetryAfterSeconds), RetryDelay(error));
        HttpOtlp.AssertIntact(_server, before);
    }

    [Fact]
    public async Task Calls_over_the_concurrency_limit_are_unavailable_across_transports()
    {
        await using var server = await OtlpTestServer.StartAsync(o =>
        {
            o.MaxConcurrentRequests = 1;
            o.RetryAfterSeconds = 2;
        });
        var entered = server.Sink.HoldAppends();
        var held = HttpOtlp.PostAsync(server, Request(Prediction("m", "held", 0.5)));
        await entered;

        var error = await Assert.ThrowsAsync<RpcException>(() => server.ExportGrpcAsync(Request(Prediction("m", "refused", 0.5))));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(2), RetryDelay(error));

        server.Sink.Release();
        await HttpOtlp.SuccessAsync(await held);
        await server.ExportGrpcAsync(Request(Prediction("m", "after", 0.5)));
        Assert.Equal(["held", "after"], server.Sink.Batches.SelectMany(b => b.Events).Select(e => e.PredictionId));
    }

    [Fact]
    public async Task Gzip_compressed_message_is_accepted()
    {
        var frame = Frame(Gzip(Request(Prediction("zipped", "g-1", 0.4)).ToByteArray()), compressed: true);
        var (status, detail) = await SendFrameAsync(frame, "gzip");
        Assert.Equal(StatusCode.OK, status);
        Assert.Null(detail);
        Assert.Equal("g-1", Assert.Single(_server.Sink.EventsOf(new ModelKey("default", "zipped"))).PredictionId);
    }

    [Fact]
    public async Task Gzip_bomb_message_is_refused_quickly()
    {
        var before = await SeedAsync();

        // Under the 4 MiB wire limit but inflating to gigabytes.
        var member = Gzip(new byte[64 << 20], System.IO.Compression.CompressionLevel.SmallestSize);
        var copies = (3 << 20) / member.Length;
        var bomb = new byte[member.Length * copies];
        for (var i = 0; i < copies; i++)
        {
            member.CopyTo(bomb, i * member.Length);
        }

        Assert.True((long)copies * (64 << 20) >= 1L << 30, $"bomb inflates to only {copies * 64} MiB");
        var stopwatch = Stopwatch.StartNew();
        var (status, _) = await SendFrameAsync(Frame(bomb, compressed: true), "gzip");
        stopwatch.Stop();

        Assert.Equal(StatusCode.ResourceExhausted, status);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
        HttpOtlp.AssertIntact(_server, before);
    }

    private async Task<IReadOnlyList<EventBatch>> SeedAsync()
    {
        var response = await _server.ExportGrpcAsync(HttpOtlp.Baseline());
        Assert.Null(response.PartialSuccess);
        var batches = _server.Sink.Batches;
        Assert.Equal("baseline-1", Assert.Single(Assert.Single(batches).Events).PredictionId);
        return batches;
    }

    private static TimeSpan? RetryDelay(RpcException error)
    {
        var details = error.Trailers.GetValueBytes("grpc-status-details-bin");
        Assert.NotNull(details);
        var status = RpcStatus.Parser.ParseFrom(details);
        Assert.Equal((int)StatusCode.Unavailable, status.Code);
        return Assert.Single(status.Details).Unpack<RetryInfo>().RetryDelay.ToTimeSpan();
    }

    private static byte[] Frame(byte[] message, bool compressed)
    {
        var frame = new byte[5 + message.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>Sends one hand-made gRPC frame over HTTP/2 and returns grpc-status/grpc-message.</summary>
    private async Task<(StatusCode Status, string? Detail)> SendFrameAsync(byte[] frame, string encoding)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_server.GrpcEndpoint, "/opentelemetry.proto.collector.logs.v1.LogsService/Export"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.Add("grpc-encoding", encoding);
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));

        using var response = await client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        var headers = response.TrailingHeaders.Contains("grpc-status") ? (HttpHeaders)response.TrailingHeaders : response.Headers;
        var status = (StatusCode)int.Parse(headers.GetValues("grpc-status").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var detail = headers.TryGetValues("grpc-message", out var values) ? Uri.UnescapeDataString(values.Single()) : null;
        return (status, detail);
    }
}
