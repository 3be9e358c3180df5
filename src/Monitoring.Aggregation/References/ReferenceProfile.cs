using Monitoring.Abstractions.Models;
using Monitoring.Aggregation.Windows;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Kernels;

namespace Monitoring.Aggregation.References;

/// <summary>A numeric feature's reference: decile edges (which fix the PSI bins), counts over them, and the buckets.</summary>
[GenerateSerializer, Alias("monitoring.numeric-reference")]
public sealed class NumericReference
{
    /// <summary>Inner edges: reference deciles, duplicates removed.</summary>
    [Id(0)] public double[] Edges { get; set; } = [];
    /// <summary>Reference counts over the edges.</summary>
    [Id(1)] public long[] BinCounts { get; set; } = [];
    /// <summary>Relative-error buckets and moments of the reference values.</summary>
    [Id(2)] public NumericAccumulator Sketch { get; set; } = new();
    /// <summary>Whether the edges are exact deciles (uploaded raw values) or estimated from buckets (windows).</summary>
    [Id(3)] public bool ExactEdges { get; set; }
}

/// <summary>The reference a model's windows are compared with.</summary>
[GenerateSerializer, Alias("monitoring.reference-profile")]
public sealed class ReferenceProfile
{
    /// <summary>Increases with every new reference; window bin counts are tied to it.</summary>
    [Id(0)] public int Version { get; set; }
    /// <summary>How it was chosen.</summary>
    [Id(1)] public ReferenceMode Mode { get; set; }
    /// <summary>Human-readable origin ("upload:train.csv", "pinned:...", "rolling:24").</summary>
    [Id(2)] public string Source { get; set; } = string.Empty;
    /// <summary>When it was set (Unix ns).</summary>
    [Id(3)] public long CreatedUnixNano { get; set; }
    /// <summary>Rows or predictions it holds.</summary>
    [Id(4)] public long Rows { get; set; }
    /// <summary>Numeric features.</summary>
    [Id(5)] public Dictionary<string, NumericReference> Numeric { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Categorical features.</summary>
    [Id(6)] public Dictionary<string, CategoricalAccumulator> Categorical { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Start of the window range a pinned or rolling reference was built from (Unix ns), else 0.</summary>
    [Id(7)] public long PinnedFromUnixNano { get; set; }
    /// <summary>End of the window range a pinned or rolling reference was built from (exclusive), else 0.</summary>
    [Id(8)] public long PinnedToUnixNano { get; set; }

    /// <summary>
    /// Uploaded references only: the score column's bin counts per value of each text column (dimension
    /// <c>feature.NAME</c>), for per-slice prediction drift; empty without a score column.
    /// </summary>
    [Id(9)] public Dictionary<string, Dictionary<string, long[]>> SliceScores { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Name of the uploaded column holding the prediction score.</summary>
    public const string ScoreColumn = "ml.prediction.score";

    /// <summary>Builds a reference from uploaded raw columns: exact deciles, exact counts.</summary>
    public static ReferenceProfile FromUpload(ReferenceUpload upload, int version, long nowUnixNano)
    {
        var profile = new ReferenceProfile
        {
            Version = version,
            Mode = ReferenceMode.Uploaded,
            Source = "upload:" + upload.Source,
            CreatedUnixNano = nowUnixNano,
            Rows = upload.Rows,
        };
        foreach (var column in upload.Columns)
        {
            if (column.Numbers is { } numbers)
            {
                var values = numbers.Where(v => !double.IsNaN(v)).ToArray();
                var sketch = new NumericAccumulator();
                foreach (var v in numbers)
                {
                    sketch.Add(v, null);
                }

                if (values.Length == 0)
                {
                    continue;
                }

                RadixSort.Sort(values);
                var edges = ReferenceBinning.DecileEdges(values);
                var counts = new long[edges.BinCount];
                edges.Count(values, counts);
                profile.Numeric[column.Name] = new NumericReference { Edges = edges.Edges.ToArray(), BinCounts = counts, Sketch = sketch, ExactEdges = true };
            }
            else if (column.Texts is { } texts)
            {
                var acc = new CategoricalAccumulator();
                foreach (var t in texts)
                {
                    acc.Add(t);
                }

                if (acc.Count > 0)
                {
                    profile.Categorical[column.Name] = acc;
                }
            }
        }

        if (upload.Columns.FirstOrDefault(c => c.Name == ScoreColumn)?.Numbers is { } scores)
        {
            foreach (var column in upload.Columns.Where(c => c.Texts is not null))
            {
                for (var i = 0; i < Math.Min(scores.Length, column.Texts!.Length); i++)
                {
                    if (column.Texts[i] is { } value && scores[i] >= 0 && scores[i] <= 1)
                    {
                        var dimension = "feature." + column.Name;
                        Labels.PerformanceAccumulator.AddSliceScoreCount(profile.SliceScores, dimension, value, scores[i]);
                    }
                }
            }
        }

        return profile;
    }

    /// <summary>The description of a rolling reference built from <paramref name="windows"/> windows (the number really used).</summary>
    public static string RollingSource(int windows) => windows == 1 ? "rolling:1 previous window" : $"rolling:{windows} previous windows";

    /// <summary>
    /// Builds a reference by merging the closed windows that start in [<paramref name="fromUnixNano"/>,
    /// <paramref name="toUnixNano"/>): deciles estimated from the merged buckets.
    /// </summary>
    public static ReferenceProfile FromWindows(IReadOnlyCollection<WindowAccumulator> windows, int version, ReferenceMode mode, string source, long nowUnixNano,
        long fromUnixNano, long toUnixNano)
    {
        var merged = new WindowAccumulator();
        foreach (var w in windows)
        {
            merged.Merge(w);
        }

        var profile = new ReferenceProfile
        {
            Version = version,
            Mode = mode,
            Source = source,
            CreatedUnixNano = nowUnixNano,
            Rows = merged.Predictions,
            Categorical = merged.Categorical,
            PinnedFromUnixNano = fromUnixNano,
            PinnedToUnixNano = toUnixNano,
        };
        foreach (var (name, acc) in merged.Numeric)
        {
            if (acc.Count == 0)
            {
                continue;
            }

            var sketch = acc.ToSketch();
            var deciles = Stats.Descriptive.Quantiles.Deciles.ToArray().Select(sketch.Quantile).Distinct().Order().ToArray();
            profile.Numeric[name] = new NumericReference
            {
                Edges = deciles,
                BinCounts = sketch.CountsOver(deciles, out _),
                Sketch = acc,
                ExactEdges = false,
            };
        }

        return profile;
    }

    /// <summary>The kernel views of the numeric references, for binning incoming values.</summary>
    public Dictionary<string, NumericAccumulator.Kernels> NumericKernels() =>
        Numeric.ToDictionary(
            kv => kv.Key,
            kv => new NumericAccumulator.Kernels(Version, new BinEdges(kv.Value.Edges), kv.Value.Sketch.Min, kv.Value.Sketch.Max),
            StringComparer.Ordinal);
}
