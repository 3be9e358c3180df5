using System.Diagnostics;
using System.Diagnostics.Metrics;
using Monitoring.Abstractions.Telemetry;
using Monitoring.Ingest.Conventions;

namespace Monitoring.Ingest.Telemetry;

/// <summary>
/// The receivers' instruments (meter <see cref="MeterName"/>; names, units and attributes in docs/telemetry.md). Counted
/// once per export request, never per record: the converter tallies while it walks the records anyway.
/// </summary>
public static class IngestMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Monitoring.Ingest";

    /// <summary>Bucket bounds (s) of the acknowledgement latency: 0.5 ms to 10 s.</summary>
    internal static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Received = Meter.CreateCounter<long>(
        "monitoring.records.received", "{record}", "Log records in answered OTLP export requests, accepted or rejected one by one");

    private static readonly Counter<long> Accepted = Meter.CreateCounter<long>(
        "monitoring.records.accepted", "{record}", "Records appended to the event log and acknowledged (duplicates the log skipped included)");

    private static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "monitoring.records.rejected", "{record}", "Records rejected one by one (partial success) for breaking the ML conventions");

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "monitoring.otlp.requests", "{request}", "OTLP export requests answered, by outcome");

    private static readonly Counter<long> Shed = Meter.CreateCounter<long>(
        "monitoring.otlp.refused", "{request}", "OTLP export requests refused as retryable (the client should retry later), by reason");

    private static readonly Histogram<double> AckDuration = Meter.CreateHistogram(
        "monitoring.otlp.ack.duration", "s", "Time from the start of an export request to its acknowledgement (records durable)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    /// <summary>Counts an answered export: its records by kind and rejection reason, and its acknowledgement latency.</summary>
    internal static void Acknowledged(string protocol, ConvertedRequest converted, long startedTimestamp)
    {
        if (SelfTelemetry.Suppressed)
        {
            return;
        }

        var protocolTag = new KeyValuePair<string, object?>("protocol", protocol);
        Requests.Add(1, protocolTag, new KeyValuePair<string, object?>("outcome", "ok"));
        AckDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, protocolTag);
        Received.Add(converted.Accepted + converted.Rejected, protocolTag);
        if (converted.Accepted > converted.AcceptedLabels)
        {
            Accepted.Add(converted.Accepted - converted.AcceptedLabels, protocolTag, new KeyValuePair<string, object?>("kind", "prediction"));
        }

        if (converted.AcceptedLabels > 0)
        {
            Accepted.Add(converted.AcceptedLabels, protocolTag, new KeyValuePair<string, object?>("kind", "label"));
        }

        if (converted.Rejected == 0)
        {
            return;
        }

        for (var reason = 0; reason < converted.RejectedByReason.Length; reason++)
        {
            if (converted.RejectedByReason[reason] > 0)
            {
                Rejected.Add(converted.RejectedByReason[reason], protocolTag, new KeyValuePair<string, object?>("reason", RejectReasons.Names[reason]));
            }
        }
    }

    /// <summary>Counts an export request refused whole (its records are not counted: the client sends them again, or never).</summary>
    /// <param name="protocol">One of the OTLP protocols (<c>grpc</c>, <c>http/protobuf</c>, <c>http/json</c>, or <c>http</c> before the body is known).</param>
    /// <param name="outcome"><c>bad_request</c>, <c>too_large</c>, <c>unsupported</c>, <c>overloaded</c>, <c>unavailable</c> or <c>error</c>.</param>
    internal static void Refused(string protocol, string outcome)
    {
        if (!SelfTelemetry.Suppressed)
        {
            Requests.Add(1, new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    /// <summary>Counts an export request refused as retryable: 429/503 over HTTP, RESOURCE_EXHAUSTED/UNAVAILABLE over gRPC.</summary>
    /// <param name="protocol">One of the OTLP protocols.</param>
    /// <param name="reason">
    /// <c>concurrency</c> (MaxConcurrentRequests), <c>memory</c> (MaxBufferedBytes), <c>shutting_down</c> (draining),
    /// <c>sink_overloaded</c> (the grain call timed out or the silo is busy) or <c>store_unavailable</c> (the append failed).
    /// </param>
    internal static void RefusedRetryable(string protocol, string reason)
    {
        if (!SelfTelemetry.Suppressed)
        {
            Shed.Add(1, new KeyValuePair<string, object?>("protocol", protocol), new KeyValuePair<string, object?>("reason", reason));
        }
    }
}
