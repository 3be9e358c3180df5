using System.Diagnostics;

namespace Monitoring.LoadTest;

/// <summary>
/// Records latencies (Stopwatch ticks) exactly and reports percentiles from the sorted samples (nearest rank). A run
/// records at most a few hundred thousand samples, so keeping them all is cheaper and more exact than a histogram.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly List<long> _ticks = new(1 << 16);
    private long[]? _sorted;

    /// <summary>Samples recorded.</summary>
    public int Count
    {
        get
        {
            lock (_ticks)
            {
                return _ticks.Count;
            }
        }
    }

    /// <summary>Adds one latency in Stopwatch ticks (thread-safe).</summary>
    public void Record(long ticks)
    {
        lock (_ticks)
        {
            _ticks.Add(Math.Max(0, ticks));
            _sorted = null;
        }
    }

    /// <summary>The latency at percentile <paramref name="percent"/> (0-100] in milliseconds; NaN when empty.</summary>
    public double PercentileMs(double percent)
    {
        var sorted = Sorted();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return ToMs(sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)]);
    }

    /// <summary>The largest latency in milliseconds; NaN when empty.</summary>
    public double MaxMs()
    {
        var sorted = Sorted();
        return sorted.Length == 0 ? double.NaN : ToMs(sorted[^1]);
    }

    /// <summary>The mean latency in milliseconds; NaN when empty.</summary>
    public double MeanMs()
    {
        var sorted = Sorted();
        return sorted.Length == 0 ? double.NaN : ToMs((long)sorted.Average());
    }

    /// <summary>p50, p90, p99, p99.9 and max, in milliseconds.</summary>
    public LatencySummary Summarize() =>
        new(Count, PercentileMs(50), PercentileMs(90), PercentileMs(99), PercentileMs(99.9), MaxMs(), MeanMs());

    private static double ToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private long[] Sorted()
    {
        lock (_ticks)
        {
            if (_sorted is null)
            {
                _sorted = [.. _ticks];
                Array.Sort(_sorted);
            }

            return _sorted;
        }
    }
}

/// <summary>Latency percentiles in milliseconds.</summary>
internal sealed record LatencySummary(int Count, double P50, double P90, double P99, double P999, double Max, double Mean);
