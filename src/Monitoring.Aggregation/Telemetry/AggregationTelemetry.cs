using System.Diagnostics;
using System.Diagnostics.Metrics;
using Monitoring.Abstractions.Telemetry;

namespace Monitoring.Aggregation.Telemetry;

/// <summary>
/// Window closing, the one step of the aggregation worth a span and a histogram: it builds the window's drift and
/// quality report and stores it with its sketch (meter and activity source <see cref="Name"/>; docs/telemetry.md).
/// </summary>
public static class AggregationTelemetry
{
    /// <summary>Name of the meter and of the activity source.</summary>
    public const string Name = "Monitoring.Aggregation";

    private static readonly ActivitySource Source = new(Name);

    /// <summary>Bucket bounds (s): 1 ms to 30 s.</summary>
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> WindowsClosed = Meter.CreateCounter<long>(
        "monitoring.windows.closed", "{window}", "Windows closed: report built and stored");

    private static readonly Histogram<double> CloseDuration = Meter.CreateHistogram(
        "monitoring.window.close.duration", "s",
        "Time to close one window: reference lookup, drift and quality report, storing the report and the sketch",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });

    /// <summary>Starts the span of a window close (null when nobody listens, or under <see cref="SelfTelemetry.Suppress"/>).</summary>
    internal static Activity? StartClose() => SelfTelemetry.Suppressed ? null : Source.StartActivity("window close");

    /// <summary>Counts a closed window and how long closing it took.</summary>
    internal static void Closed(long startedTimestamp)
    {
        if (SelfTelemetry.Suppressed)
        {
            return;
        }

        WindowsClosed.Add(1);
        CloseDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds);
    }
}
