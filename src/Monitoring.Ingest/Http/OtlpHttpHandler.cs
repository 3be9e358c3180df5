using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using Monitoring.Abstractions.Conventions;
using Monitoring.Ingest.Conventions;
using Monitoring.Ingest.Otlp;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Telemetry;
using RpcStatus = Monitoring.Ingest.Proto.Rpc.Status;

namespace Monitoring.Ingest.Http;

/// <summary>
/// OTLP/HTTP logs endpoint (<c>POST /v1/logs</c>). Status codes follow the OTLP specification: 200 with
/// <c>ExportLogsServiceResponse</c> (partial success when records were rejected), 400 for undecodable payloads, 405
/// (with <c>Allow: POST</c>) for other methods, 413 over the size limit, 415 for an unsupported Content-Type and also for
/// an unsupported Content-Encoding (RFC 9110 section 15.5.16, with <c>Accept-Encoding</c> naming what is supported; the
/// OTLP specification names no code for it), 429 with <c>Retry-After</c> over the buffered-memory cap, 503 with
/// <c>Retry-After</c> when over the concurrency limit, shutting down, or the sink fails (never 500).
/// Error bodies are a <c>google.rpc.Status</c> in the request's encoding (protobuf unless the request was JSON).
/// </summary>
internal sealed class OtlpHttpHandler(
    OtlpLogsIngestor ingestor,
    OtlpConcurrencyLimiter limiter,
    OtlpBufferBudget budget,
    IOptionsMonitor<OtlpReceiverOptions> options,
    IngestLogThrottle logThrottle,
    ILogger<OtlpHttpHandler> logger)
{
    /// <summary>Media type of binary protobuf payloads.</summary>
    public const string ProtobufMediaType = "application/x-protobuf";

    /// <summary>Media type of JSON payloads.</summary>
    public const string JsonMediaType = "application/json";

    private const int ReadChunkBytes = 64 * 1024;

    // google.rpc.Code values carried in Status.code (the OTLP specification lets clients ignore it).
    private const int CodeInvalidArgument = 3;
    private const int CodeResourceExhausted = 8;
    private const int CodeUnimplemented = 12;
    private const int CodeInternal = 13;
    private const int CodeUnavailable = 14;

    /// <summary>Handles one request to the logs path.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        var format = ParseFormat(request.ContentType);
        var replyFormat = format ?? PayloadFormat.Protobuf;

        if (!HttpMethods.IsPost(request.Method))
        {
            IngestLog.MethodNotAllowed(logger, request.Method);
            IngestMetrics.Refused("http", "unsupported");
            context.Response.Headers.Allow = HttpMethods.Post;
            await WriteStatusAsync(context, StatusCodes.Status405MethodNotAllowed, replyFormat, CodeUnimplemented,
                $"method {Truncate(request.Method)} not allowed on {OtlpReceiverOptions.HttpLogsPath}; use POST").ConfigureAwait(false);
            return;
        }

        if (format is null)
        {
            IngestLog.UnsupportedMediaType(logger);
            IngestMetrics.Refused("http", "unsupported");
            await WriteStatusAsync(context, StatusCodes.Status415UnsupportedMediaType, replyFormat, CodeInvalidArgument,
                $"unsupported Content-Type '{Truncate(request.ContentType ?? string.Empty)}'; use {ProtobufMediaType} or {JsonMediaType}").ConfigureAwait(false);
            return;
        }

        if (!TryParseEncoding(request.Headers.ContentEncoding, out var gzip))
        {
            IngestLog.UnsupportedMediaType(logger);
            IngestMetrics.Refused("http", "unsupported");
            context.Response.Headers.AcceptEncoding = "gzip, identity";
            await WriteStatusAsync(context, StatusCodes.Status415UnsupportedMediaType, replyFormat, CodeInvalidArgument,
                $"unsupported Content-Encoding '{Truncate(request.Headers.ContentEncoding.ToString())}'; use gzip or none").ConfigureAwait(false);
            return;
        }

        var transport = format == PayloadFormat.Json ? OtlpTransport.HttpJson : OtlpTransport.HttpProtobuf;
        var current = options.CurrentValue;
        if (limiter.Draining)
        {
            IngestLog.ShuttingDown(logger, transport);
            IngestMetrics.Refused(transport, "unavailable");
            IngestMetrics.RefusedRetryable(transport, "shutting_down");
            await WriteUnavailableAsync(context, replyFormat, "receiver shutting down; retry later",
                TimeSpan.FromSeconds(current.RetryAfterSeconds)).ConfigureAwait(false);
            return;
        }

        if (!limiter.TryEnter())
        {
            logThrottle.ReceiverOverloaded(logger, transport, current.MaxConcurrentRequests);
            IngestMetrics.Refused(transport, "overloaded");
            IngestMetrics.RefusedRetryable(transport, "concurrency");
            await WriteUnavailableAsync(context, replyFormat, "receiver overloaded: too many concurrent export requests; retry later",
                TimeSpan.FromSeconds(current.RetryAfterSeconds)).ConfigureAwait(false);
            return;
        }

        long reserved = 0;
        try
        {
            // With a plain Content-Length the budget is checked before a byte is read; otherwise once the body is.
            if (!gzip && request.ContentLength is { } declared && declared <= current.MaxHttpBodyBytes)
            {
                reserved = Reserve(declared, transport, current);
            }

            var (buffer, length) = await ReadBodyAsync(context, gzip, current.MaxHttpBodyBytes).ConfigureAwait(false);
            if (reserved == 0)
            {
                try
                {
                    reserved = Reserve(length, transport, current);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }
            }

            var response = await DecodeAndExport(buffer, length, format.Value, request, transport, current, context.RequestAborted).ConfigureAwait(false);
            await WriteMessageAsync(context, StatusCodes.Status200OK, format.Value, response).ConfigureAwait(false);
        }
        catch (OtlpRequestException ex)
        {
            await WriteFailureAsync(context, replyFormat, transport, ex, current).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            // A receiver bug (sink failures never get here: they are 503). Not retryable, like any other 500.
            IngestLog.UnexpectedFailure(logger, ex, transport);
            IngestMetrics.Refused(transport, "error");
            await WriteStatusAsync(context, StatusCodes.Status500InternalServerError, replyFormat, CodeInternal,
                "internal error in the OTLP receiver").ConfigureAwait(false);
        }
        finally
        {
            budget.Release(reserved);
            limiter.Exit();
        }
    }

    /// <summary>Reserves the decoded size of a payload of <paramref name="wireBytes"/>; throws a 429 when over the cap.</summary>
    private long Reserve(long wireBytes, string transport, OtlpReceiverOptions current)
    {
        var bytes = Math.Max(1, OtlpBufferBudget.EstimateDecodedBytes(wireBytes));
        if (budget.TryReserve(bytes))
        {
            return bytes;
        }

        logThrottle.BufferFull(logger, transport, current.MaxBufferedBytes);
        throw new OtlpRequestException(OtlpFailure.TooManyRequests,
            "receiver overloaded: buffered records would exceed Monitoring:Otlp:MaxBufferedBytes; retry later",
            TimeSpan.FromSeconds(current.RetryAfterSeconds));
    }

    /// <summary>
    /// Decodes the body (returning the pooled buffer) and hands the request to the ingestor. Not async on purpose: the
    /// decoded request lives only in this frame, not in the handler's state machine across the durable-append await.
    /// </summary>
    private Task<ExportLogsServiceResponse> DecodeAndExport(
        byte[] buffer, int length, PayloadFormat format, HttpRequest request, string transport, OtlpReceiverOptions current, CancellationToken aborted)
    {
        ExportLogsServiceRequest message;
        try
        {
            // Both decoders copy what they keep (strings, bytes), so the pooled body can go back right after.
            message = format == PayloadFormat.Json
                ? OtlpJsonDecoder.Decode(buffer.AsMemory(0, length), current.MaxAnyValueDepth)
                : OtlpProtobufDecoder.Decode(buffer, length, current.MaxAnyValueDepth);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ingestor.ExportAsync(message, ReadTenantHeader(request), transport, aborted);
    }

    /// <summary>The tenant header's value, null when absent; given more than once it is a 400.</summary>
    private static string? ReadTenantHeader(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(OtlpConventions.TenantHeader, out var values) || values.Count == 0)
        {
            return null;
        }

        return values.Count == 1
            ? values[0] ?? string.Empty
            : throw OtlpRequestException.BadRequest($"{OtlpConventions.TenantHeader} must be given once");
    }

    private async Task WriteFailureAsync(HttpContext context, PayloadFormat format, string transport, OtlpRequestException ex, OtlpReceiverOptions current)
    {
        switch (ex.Failure)
        {
            case OtlpFailure.BadRequest:
                logThrottle.BadRequest(logger, transport);
                IngestMetrics.Refused(transport, "bad_request");
                await WriteStatusAsync(context, StatusCodes.Status400BadRequest, format, CodeInvalidArgument, ex.Message).ConfigureAwait(false);
                break;
            case OtlpFailure.PayloadTooLarge:
                logThrottle.PayloadTooLarge(logger, transport, current.MaxHttpBodyBytes);
                IngestMetrics.Refused(transport, "too_large");
                await WriteStatusAsync(context, StatusCodes.Status413PayloadTooLarge, format, CodeResourceExhausted, ex.Message).ConfigureAwait(false);
                break;
            case OtlpFailure.TooManyRequests:
                IngestMetrics.Refused(transport, "overloaded");
                IngestMetrics.RefusedRetryable(transport, "memory");
                SetRetryAfter(context, ex.RetryAfter ?? TimeSpan.FromSeconds(current.RetryAfterSeconds));
                await WriteStatusAsync(context, StatusCodes.Status429TooManyRequests, format, CodeResourceExhausted, ex.Message).ConfigureAwait(false);
                break;
            default:
                IngestMetrics.Refused(transport, "unavailable");
                IngestMetrics.RefusedRetryable(transport, ex.Reason ?? "store_unavailable");
                await WriteUnavailableAsync(context, format, ex.Message, ex.RetryAfter ?? TimeSpan.FromSeconds(current.RetryAfterSeconds)).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// Reads the whole body (gunzipped if needed) into one buffer rented from <see cref="ArrayPool{T}.Shared"/> (the
    /// caller returns it), refusing more than <paramref name="maxBytes"/>. Pooling matters: a typical batch (hundreds of
    /// KB) would otherwise be a fresh large-object-heap array per request, and those are only reclaimed by full GCs.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(HttpContext context, bool gzip, long maxBytes)
    {
        var request = context.Request;
        var tooLarge = $"request body exceeds the limit of {maxBytes} bytes{(gzip ? " after decompression" : string.Empty)}";
        if (request.ContentLength > maxBytes)
        {
            throw new OtlpRequestException(OtlpFailure.PayloadTooLarge, tooLarge);
        }

        // Let the server enforce the same cap on the bytes on the wire (compressed or not).
        var sizeFeature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }

        // Room for one byte past the cap, so a body over it is noticed without reading further.
        var capacity = (int)Math.Min(maxBytes + 1, Array.MaxLength);
        var initial = (int)Math.Min(request.ContentLength is { } declared && !gzip ? declared + 1 : ReadChunkBytes, capacity);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 1));
        var length = 0;
        Stream source = request.Body;
        GZipStream? gunzip = null;
        if (gzip)
        {
            gunzip = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
            source = gunzip;
        }

        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, capacity));
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, capacity) - length), context.RequestAborted).ConfigureAwait(false);
                }
                catch (InvalidDataException ex)
                {
                    throw new OtlpRequestException(OtlpFailure.BadRequest, $"invalid gzip body: {ex.Message}", inner: ex);
                }
                catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    throw new OtlpRequestException(OtlpFailure.PayloadTooLarge, tooLarge, inner: ex);
                }
                catch (BadHttpRequestException ex)
                {
                    throw new OtlpRequestException(OtlpFailure.BadRequest, $"unreadable request body: {ex.Message}", inner: ex);
                }

                if (read == 0)
                {
                    return (buffer, length);
                }

                // Stop as soon as the cap is passed: a decompression bomb costs at most maxBytes of memory.
                length += read;
                if (length > maxBytes)
                {
                    throw new OtlpRequestException(OtlpFailure.PayloadTooLarge, tooLarge);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        finally
        {
            if (gunzip is not null)
            {
                await gunzip.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteUnavailableAsync(HttpContext context, PayloadFormat format, string message, TimeSpan retryAfter)
    {
        SetRetryAfter(context, retryAfter);
        await WriteStatusAsync(context, StatusCodes.Status503ServiceUnavailable, format, CodeUnavailable, message).ConfigureAwait(false);
    }

    private static void SetRetryAfter(HttpContext context, TimeSpan retryAfter)
    {
        var seconds = Math.Max(0, (long)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
    }

    private static Task WriteStatusAsync(HttpContext context, int httpStatus, PayloadFormat format, int code, string message) =>
        WriteMessageAsync(context, httpStatus, format, new RpcStatus { Code = code, Message = message });

    private static async Task WriteMessageAsync(HttpContext context, int httpStatus, PayloadFormat format, IMessage message)
    {
        var response = context.Response;
        response.StatusCode = httpStatus;
        byte[] body;
        if (format == PayloadFormat.Json)
        {
            response.ContentType = JsonMediaType;
            body = System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message));
        }
        else
        {
            response.ContentType = ProtobufMediaType;
            body = message.ToByteArray();
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Protobuf, JSON, or null when the Content-Type is neither (parameters such as charset are ignored).</summary>
    internal static PayloadFormat? ParseFormat(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return null;
        }

        if (parsed.MediaType.Equals(ProtobufMediaType, StringComparison.OrdinalIgnoreCase))
        {
            return PayloadFormat.Protobuf;
        }

        return parsed.MediaType.Equals(JsonMediaType, StringComparison.OrdinalIgnoreCase) ? PayloadFormat.Json : null;
    }

    /// <summary>Accepts no Content-Encoding, <c>identity</c>, or a single <c>gzip</c>.</summary>
    internal static bool TryParseEncoding(StringValues contentEncoding, out bool gzip)
    {
        gzip = false;
        var codings = new List<string>();
        foreach (var value in contentEncoding)
        {
            foreach (var part in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!part.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    codings.Add(part);
                }
            }
        }

        if (codings.Count == 0)
        {
            return true;
        }

        if (codings.Count == 1 && (codings[0].Equals("gzip", StringComparison.OrdinalIgnoreCase)
            || codings[0].Equals("x-gzip", StringComparison.OrdinalIgnoreCase)))
        {
            gzip = true;
            return true;
        }

        return false;
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "...";
}

/// <summary>Encoding of an OTLP/HTTP payload.</summary>
internal enum PayloadFormat
{
    /// <summary><c>application/x-protobuf</c>.</summary>
    Protobuf,

    /// <summary><c>application/json</c>.</summary>
    Json,
}
