using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Abstractions.Conventions;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Time;
using Monitoring.Ingest.Conventions;
using Monitoring.Ingest.Proto.Collector;
using Monitoring.Ingest.Telemetry;

namespace Monitoring.Ingest.Otlp;

/// <summary>Where an export came in (for logs).</summary>
internal static class OtlpTransport
{
    /// <summary>OTLP/gRPC.</summary>
    public const string Grpc = "grpc";

    /// <summary>OTLP/HTTP with a protobuf body.</summary>
    public const string HttpProtobuf = "http/protobuf";

    /// <summary>OTLP/HTTP with a JSON body.</summary>
    public const string HttpJson = "http/json";
}

/// <summary>
/// The transport-independent part of an export: validate, convert, group by model, append every batch to the sink
/// (concurrently) and only then build the response. Failures come out as <see cref="OtlpRequestException"/>.
/// </summary>
internal sealed class OtlpLogsIngestor(
    IEventSink sink,
    TimeProvider timeProvider,
    IngestTotals totals,
    IOptionsMonitor<OtlpReceiverOptions> options,
    ILogger<OtlpLogsIngestor> logger)
{
    /// <summary>Processes one decoded request; returns once every accepted record is durable.</summary>
    /// <param name="request">The decoded request.</param>
    /// <param name="tenantHeader">Value of the tenant header/metadata, or null when absent.</param>
    /// <param name="transport">One of <see cref="OtlpTransport"/>.</param>
    /// <param name="cancellationToken">The request's abort token.</param>
    /// <remarks>
    /// Validation and conversion run before the first await, in this (not async) method, so nothing keeps the decoded
    /// request alive while the batches wait for their durable append: the OTLP object graph (several times the size of
    /// the records it becomes) dies young instead of surviving into older GC generations.
    /// </remarks>
    public Task<ExportLogsServiceResponse> ExportAsync(
        ExportLogsServiceRequest request,
        string? tenantHeader,
        string transport,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        ConvertedRequest converted;
        OtlpReceiverOptions current;
        try
        {
            ArgumentNullException.ThrowIfNull(request);
            current = options.CurrentValue;
            if (tenantHeader is not null && !LogRecordConverter.IsValidTenant(tenantHeader))
            {
                throw OtlpRequestException.BadRequest($"{OtlpConventions.TenantHeader} must be a non-empty tenant name without '/'");
            }

            if (AnyValueDepth.FindTooDeep(request, current.MaxAnyValueDepth) is { } tooDeep)
            {
                throw OtlpRequestException.BadRequest(tooDeep);
            }

            var received = UnixNanos.Now(timeProvider);
            converted = LogRecordConverter.Convert(request, tenantHeader, received);
        }
        catch (Exception e)
        {
            return Task.FromException<ExportLogsServiceResponse>(e); // as an async method would report it
        }

        return AppendConvertedAsync(converted, transport, current, started, cancellationToken);
    }

    private async Task<ExportLogsServiceResponse> AppendConvertedAsync(
        ConvertedRequest converted,
        string transport,
        OtlpReceiverOptions current,
        long started,
        CancellationToken cancellationToken)
    {
        if (converted.Batches.Count > 0)
        {
            await AppendAllAsync(converted.Batches, current, cancellationToken).ConfigureAwait(false);
        }

        totals.Add(converted.Accepted, converted.Rejected);
        IngestMetrics.Acknowledged(transport, converted, started);
        IngestLog.ExportAccepted(logger, transport, converted.Accepted, converted.Batches.Count, converted.Rejected);
        var response = new ExportLogsServiceResponse();
        if (converted.Rejected > 0)
        {
            IngestLog.RecordsRejected(logger, transport, converted.Rejected, converted.Accepted + converted.Rejected);
            response.PartialSuccess = new ExportLogsPartialSuccess
            {
                RejectedLogRecords = converted.Rejected,
                ErrorMessage = converted.ErrorMessage ?? string.Empty,
            };
        }

        return response;
    }

    private async Task AppendAllAsync(IReadOnlyList<EventBatch> batches, OtlpReceiverOptions current, CancellationToken cancellationToken)
    {
        var tasks = new Task<AppendResult>[batches.Count];
        for (var i = 0; i < batches.Count; i++)
        {
            tasks[i] = AppendOneAsync(sink, batches[i], cancellationToken);
        }

        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The client is gone: whatever the sink did, nobody is left to answer.
            cancellationToken.ThrowIfCancellationRequested();

            // Report the most useful failure: an overload carries the sink's retry hint (the longest one wins).
            TimeSpan? retryAfter = null;
            for (var i = 0; i < tasks.Length; i++)
            {
                if (tasks[i].Exception?.InnerException is SinkOverloadedException overloaded)
                {
                    IngestLog.SinkOverloaded(logger, batches[i].Model.GrainKey, overloaded.RetryAfter.TotalSeconds);
                    retryAfter = retryAfter is { } known && known > overloaded.RetryAfter ? known : overloaded.RetryAfter;
                }
                else if (tasks[i].Exception?.InnerException is { } failure)
                {
                    IngestLog.SinkFailed(logger, failure, batches[i].Model.GrainKey);
                }
            }

            if (retryAfter is { } hint)
            {
                throw new OtlpRequestException(OtlpFailure.Unavailable, "event sink overloaded; retry later", hint, reason: "sink_overloaded");
            }

            throw new OtlpRequestException(
                OtlpFailure.Unavailable,
                "event sink unavailable (the store may be down); nothing of this request was acknowledged; retry later",
                TimeSpan.FromSeconds(current.RetryAfterSeconds),
                reason: "store_unavailable");
        }
    }

    private static async Task<AppendResult> AppendOneAsync(IEventSink sink, EventBatch batch, CancellationToken cancellationToken) =>
        await sink.AppendAsync(batch, cancellationToken).ConfigureAwait(false);
}
