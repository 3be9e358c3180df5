using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.Windows;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Sketches;
using Monitoring.Stats.Slices;

namespace Monitoring.Aggregation.Rollouts;

/// <summary>
/// Everything one model version contributes to a comparison, built from the sketches the windows already keep and
/// mergeable by addition (windows roll up, shards combine): the joined (score, label) histogram, the histogram of every
/// score, the whole-version slice counts and the per-slice counts (<see cref="SliceCounts"/>), the latency buckets and
/// the feature sketches. Fed from per-version window accumulators (<see cref="AddWindow"/>,
/// <see cref="AddPerformance"/>) online, or row by row offline. Not thread-safe.
/// </summary>
public sealed class VersionSample
{
    /// <summary>An empty sample of <paramref name="version"/> at a decision threshold.</summary>
    public VersionSample(string version, double threshold = BinaryClassificationMetrics.DefaultThreshold)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        if (!(threshold >= 0 && threshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be in [0, 1].");
        }

        Version = version;
        Threshold = threshold;
        Labeled = new ScoreHistogramSketch(threshold: threshold);
        AllScores = new ScoreHistogramSketch(threshold: threshold);
    }

    /// <summary>The model version.</summary>
    public string Version { get; }

    /// <summary>Decision threshold of the confusion-matrix metrics.</summary>
    public double Threshold { get; }

    /// <summary>Start of the earliest window added (Unix ns); null when none.</summary>
    public long? StartUnixNano { get; private set; }

    /// <summary>End of the latest window added (Unix ns, exclusive); null when none.</summary>
    public long? EndUnixNano { get; private set; }

    /// <summary>Windows added (<see cref="AddWindow"/> or <see cref="AddPerformance"/>, each window once).</summary>
    public int Windows => _windows.Count;

    private readonly HashSet<long> _windows = [];
    private long _predictions;

    /// <summary>Predictions: counted by the window accumulators, else the scored predictions.</summary>
    public long Predictions => _predictions > 0 ? _predictions : AllScores.Count;

    /// <summary>Joined (score, label) pairs.</summary>
    public ScoreHistogramSketch Labeled { get; private set; }

    /// <summary>Every scored prediction (labels unknown, counted as 0).</summary>
    public ScoreHistogramSketch AllScores { get; private set; }

    /// <summary>Counts of every joined pair (accuracy, F1, Brier with its variance, ECE).</summary>
    public SliceCounts Overall { get; private set; } = new();

    /// <summary>Counts per slice: dimension -> value -> counts.</summary>
    public Dictionary<string, Dictionary<string, SliceCounts>> Slices { get; } = new(StringComparer.Ordinal);

    /// <summary>Serving latency (ms).</summary>
    public NumericAccumulator Latency { get; } = new();

    /// <summary>Numeric features.</summary>
    public Dictionary<string, NumericAccumulator> Numeric { get; } = new(StringComparer.Ordinal);

    /// <summary>Categorical features.</summary>
    public Dictionary<string, CategoricalAccumulator> Categorical { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Adds a window accumulator holding this version's predictions only: predictions, latency and features, and the
    /// window's range.
    /// </summary>
    public void AddWindow(WindowAccumulator window)
    {
        ArgumentNullException.ThrowIfNull(window);
        Extend(window.Start, window.End);
        _predictions += window.Predictions;
        Latency.Merge(window.Latency);
        foreach (var (name, numeric) in window.Numeric)
        {
            WindowAccumulator.Get(Numeric, name).Merge(numeric);
        }

        foreach (var (name, categorical) in window.Categorical)
        {
            WindowAccumulator.Get(Categorical, name).Merge(categorical);
        }
    }

    /// <summary>
    /// Adds a performance accumulator holding this version's predictions only: the joined pairs, every score and the
    /// slice counts. Its sketches must use this sample's threshold.
    /// </summary>
    public void AddPerformance(PerformanceAccumulator performance)
    {
        ArgumentNullException.ThrowIfNull(performance);
        Extend(performance.Start, performance.End);
        if (performance.BinarySketch is { } binary)
        {
            Labeled.Merge(binary);
        }

        if (performance.AllScoresSketch is { } all)
        {
            AllScores.Merge(all);
        }

        if (performance.OverallCounts is { } overall)
        {
            Overall.Merge(overall);
        }

        foreach (var (dimension, values) in performance.LiveSlices)
        {
            foreach (var (value, counts) in values)
            {
                SliceSlot(dimension, value).Merge(counts);
            }
        }
    }

    /// <summary>Adds a scored prediction (offline): its score and, when known, its latency.</summary>
    public void AddPrediction(double score, double? latencyMs = null)
    {
        AllScores.Add(score, 0.0);
        _predictions++;
        if (latencyMs is { } ms)
        {
            Latency.Add(ms, null);
        }
    }

    /// <summary>Adds a joined (score, label) pair with the prediction's slice values (offline).</summary>
    public void AddLabeled(double score, double label, IReadOnlyList<(string Dimension, string Value)> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        Labeled.Add(score, label);
        Overall.Add(score, label, Threshold);
        foreach (var (dimension, value) in slices)
        {
            SliceSlot(dimension, value).Add(score, label, Threshold);
        }
    }

    /// <summary>Adds a numeric feature value (NaN = null).</summary>
    public void AddFeature(string name, double value) => WindowAccumulator.Get(Numeric, name).Add(value, null);

    /// <summary>Adds a categorical feature value (null = null).</summary>
    public void AddFeature(string name, string? value) => WindowAccumulator.Get(Categorical, name).Add(value);

    /// <summary>Adds every window of another sample of the same version and threshold.</summary>
    public void Merge(VersionSample other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!string.Equals(other.Version, Version, StringComparison.Ordinal) || other.Threshold != Threshold)
        {
            throw new ArgumentException($"Cannot merge version '{other.Version}' at threshold {other.Threshold} into '{Version}' at {Threshold}.", nameof(other));
        }

        if (other.StartUnixNano is { } start && other.EndUnixNano is { } end)
        {
            StartUnixNano = StartUnixNano is { } s ? Math.Min(s, start) : start;
            EndUnixNano = EndUnixNano is { } e ? Math.Max(e, end) : end;
        }

        _windows.UnionWith(other._windows);
        _predictions += other._predictions;
        Labeled.Merge(other.Labeled);
        AllScores.Merge(other.AllScores);
        Overall.Merge(other.Overall);
        foreach (var (dimension, values) in other.Slices)
        {
            foreach (var (value, counts) in values)
            {
                SliceSlot(dimension, value).Merge(counts);
            }
        }

        Latency.Merge(other.Latency);
        foreach (var (name, numeric) in other.Numeric)
        {
            WindowAccumulator.Get(Numeric, name).Merge(numeric);
        }

        foreach (var (name, categorical) in other.Categorical)
        {
            WindowAccumulator.Get(Categorical, name).Merge(categorical);
        }
    }

    private void Extend(long start, long end)
    {
        if (end <= start)
        {
            return;
        }

        _windows.Add(start);
        StartUnixNano = StartUnixNano is { } s ? Math.Min(s, start) : start;
        EndUnixNano = EndUnixNano is { } e ? Math.Max(e, end) : end;
    }

    private SliceCounts SliceSlot(string dimension, string value)
    {
        if (!Slices.TryGetValue(dimension, out var values))
        {
            values = new Dictionary<string, SliceCounts>(StringComparer.Ordinal);
            Slices[dimension] = values;
        }

        if (!values.TryGetValue(value, out var counts))
        {
            counts = new SliceCounts();
            values[value] = counts;
        }

        return counts;
    }
}
