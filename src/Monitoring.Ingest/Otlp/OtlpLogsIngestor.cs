using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitoring.Abstractions.Conventions;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Limits;
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
    IOptionsMonitor<LimitsOptions> limits,
    IngestLogThrottle logThrottle,
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
            var currentLimits = limits.CurrentValue;
            if (tenantHeader is not null && !LogRecordConverter.IsValidTenant(tenantHeader))
            {
                throw OtlpRequestException.BadRequest($"{OtlpConventions.TenantHeader} must be a non-empty tenant name without '/'");
            }

            if (tenantHeader?.Length > currentLimits.MaxTenantLength)
            {
                throw OtlpRequestException.BadRequest(RecordLimits.TooLongMessage(
                    OtlpConventions.TenantHeader, tenantHeader.Length, currentLimits.MaxTenantLength, nameof(LimitsOptions.MaxTenantLength)));
            }

            if (AnyValueDepth.FindTooDeep(request, current.MaxAnyValueDepth) is { } tooDeep)
            {
                throw OtlpRequestException.BadRequest(tooDeep);
            }

            var received = UnixNanos.Now(timeProvider);
            converted = LogRecordConverter.Convert(request, tenantHeader, received, currentLimits);
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
            var results = await AppendAllAsync(converted.Batches, current, cancellationToken).ConfigureAwait(false);
            converted = WithGrainRejections(converted, results);
        }

        totals.Add(converted.Accepted, converted.Rejected);
        IngestMetrics.Acknowledged(transport, converted, started);
        IngestLog.ExportAccepted(logger, transport, converted.Accepted, converted.Batches.Count, converted.Rejected);
        var response = new ExportLogsServiceResponse();
        if (converted.Rejected > 0)
        {
            logThrottle.RecordsRejected(logger, transport, converted.Rejected, converted.Accepted + converted.Rejected);
            response.PartialSuccess = new ExportLogsPartialSuccess
            {
                RejectedLogRecords = converted.Rejected,
                ErrorMessage = converted.ErrorMessage ?? string.Empty,
            };
        }

        return response;
    }

    /// <summary>
    /// Adds the records the grains refused (limits that need a model's state) to the request's rejections: counts, reasons
    /// (after the converter's, up to <see cref="LogRecordConverter.MaxReportedReasons"/>, numbered across the request) and
    /// the metric tallies.
    /// </summary>
    internal static ConvertedRequest WithGrainRejections(ConvertedRequest converted, AppendResult[] results)
    {
        List<string>? reasons = null;
        var rejected = converted.Rejected;
        var accepted = converted.Accepted;
        var acceptedLabels = converted.AcceptedLabels;
        int[]? byReason = null;
        var reported = 0;
        var unreported = 0;
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Rejections is not { Length: > 0 } rejections)
            {
                continue;
            }

            if (reasons is null)
            {
                reasons = [];
                byReason = (int[])converted.RejectedByReason.Clone();
                if (converted.ErrorMessage is { } earlier)
                {
                    reasons.Add(earlier);
                }
            }

            foreach (var rejection in rejections)
            {
                var count = Math.Clamp(rejection.Count, 0, accepted);
                rejected += count;
                accepted -= count;
                acceptedLabels -= Math.Clamp(rejection.Labels, 0, Math.Min(count, acceptedLabels));
                if (RejectReasons.Parse(rejection.Reason) is { } reason)
                {
                    byReason![(int)reason] += count;
                }

                if (reported == LogRecordConverter.MaxReportedReasons)
                {
                    unreported += count;
                    continue;
                }

                var numbers = converted.RecordNumbers[i];
                var number = rejection.FirstIndex >= 0 && rejection.FirstIndex < numbers.Length ? numbers[rejection.FirstIndex] : -1;
                reasons.Add(count > 1
                    ? string.Create(CultureInfo.InvariantCulture, $"record {number}: {rejection.Message} (and {count - 1} more records of this model)")
                    : string.Create(CultureInfo.InvariantCulture, $"record {number}: {rejection.Message}"));
                reported++;
            }
        }

        if (reasons is null)
        {
            return converted;
        }

        if (unreported > 0)
        {
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"and {unreported} more rejected for model limits"));
        }

        return converted with
        {
            Accepted = accepted,
            AcceptedLabels = acceptedLabels,
            Rejected = rejected,
            RejectedByReason = byReason!,
            ErrorMessage = string.Join("; ", reasons),
        };
    }

    private async Task<AppendResult[]> AppendAllAsync(IReadOnlyList<EventBatch> batches, OtlpReceiverOptions current, CancellationToken cancellationToken)
    {
        var tasks = new Task<AppendResult>[batches.Count];
        for (var i = 0; i < batches.Count; i++)
        {
            tasks[i] = AppendOneAsync(sink, batches[i], cancellationToken);
        }

        try
        {
            return await Task.WhenAll(tasks).ConfigureAwait(false);
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
