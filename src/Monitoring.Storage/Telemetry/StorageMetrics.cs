using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Monitoring.Storage.Telemetry;

/// <summary>
/// The storage's instruments (meter <see cref="MeterName"/>; names, units and attributes in docs/telemetry.md): event-log
/// appends measured per append call and per group commit (never per record), and failures of every store operation.
/// </summary>
public static class StorageMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Monitoring.Storage";

    /// <summary>Bucket bounds (s): 0.25 ms to 10 s.</summary>
    private static readonly double[] LatencyBuckets = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> AppendDuration = Meter.CreateHistogram(
        "monitoring.event_log.append.duration", "s",
        "Time an event-log append call waits until its records are durable (queueing for the group commit included)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram(
        "monitoring.event_log.commit.duration", "s", "Time of one group-commit transaction of the event log",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    private static readonly Counter<long> AppendedBytes = Meter.CreateCounter<long>(
        "monitoring.event_log.appended", "By", "Encoded record bytes written to the event log");

    private static readonly Counter<long> AppendedRecords = Meter.CreateCounter<long>(
        "monitoring.event_log.records", "{record}", "Records written to the event log (repeats of a logged prediction id are skipped and not counted)");

    private static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        "monitoring.store.errors", "{error}", "Failed store operations, by operation and error type");

    /// <summary>Records one append call's wait (from the start timestamp).</summary>
    internal static void Appended(long startedTimestamp) =>
        AppendDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds);

    /// <summary>Records one committed group: its duration, rows written and their bytes.</summary>
    internal static void Committed(long startedTimestamp, long records, long bytes)
    {
        CommitDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds);
        AppendedRecords.Add(records);
        AppendedBytes.Add(bytes);
    }

    /// <summary>Counts a failed store operation.</summary>
    /// <param name="operation"><c>event_log.append</c>, <c>event_log.compact</c>, <c>reports</c>, <c>grain_state.read</c>, <c>grain_state.write</c>, <c>grain_state.clear</c>.</param>
    /// <param name="error">The exception (its type name is the <c>error.type</c> attribute; never its message).</param>
    internal static void Failed(string operation, Exception error) =>
        Errors.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("error.type", ErrorType(error)));

    /// <summary><c>conflict</c> for an ETag conflict, else the exception's type name.</summary>
    internal static string ErrorType(Exception error) =>
        error is Orleans.Storage.InconsistentStateException ? "conflict" : error.GetType().Name;
}
