namespace Monitoring.Aggregation.Windows;

/// <summary>Everything one event-time window [Start, End) holds while open; merges into roll-ups.</summary>
[GenerateSerializer, Alias("monitoring.window-accumulator")]
public sealed class WindowAccumulator
{
    /// <summary>Window start (Unix ns, inclusive).</summary>
    [Id(0)] public long Start { get; set; }
    /// <summary>Window end (Unix ns, exclusive).</summary>
    [Id(1)] public long End { get; set; }
    /// <summary>Predictions folded.</summary>
    [Id(2)] public long Predictions { get; set; }
    /// <summary>Labels received (joined in a later issue).</summary>
    [Id(3)] public long Labels { get; set; }
    /// <summary>Numeric features.</summary>
    [Id(4)] public Dictionary<string, NumericAccumulator> Numeric { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Categorical features.</summary>
    [Id(5)] public Dictionary<string, CategoricalAccumulator> Categorical { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Values whose type disagreed with the feature's schema, per feature.</summary>
    [Id(6)] public Dictionary<string, long> TypeMismatches { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Model versions seen and their prediction counts.</summary>
    [Id(7)] public Dictionary<string, long> Versions { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Serving latency (ms).</summary>
    [Id(8)] public NumericAccumulator Latency { get; set; } = new();
    /// <summary>Records that arrived after this window had closed (counted in the window open at arrival).</summary>
    [Id(9)] public long LateRecords { get; set; }
    /// <summary>Segment dimension -> value counts.</summary>
    [Id(10)] public Dictionary<string, CategoricalAccumulator> Segments { get; set; } = new(StringComparer.Ordinal);
    /// <summary>
    /// Version of the reference in force when the window opened (0 = none): the window is judged against it for its
    /// whole life, and its numeric features are binned against that reference's edges.
    /// </summary>
    [Id(11)] public int ReferenceVersion { get; set; }
    /// <summary>
    /// The same statistics per model version (volume, features, predictions, latency, segments; their own
    /// <see cref="ByVersion"/> stays null), once the model has seen a second version (<see cref="VersionTracking"/>);
    /// at most <see cref="VersionTracking.MaxVersionsPerWindow"/> versions. Null while the model has one version only.
    /// </summary>
    [Id(12)] public Dictionary<string, WindowAccumulator>? ByVersion { get; set; }
    /// <summary>Predictions of versions beyond <see cref="VersionTracking.MaxVersionsPerWindow"/> (counted, not tracked per version).</summary>
    [Id(13)] public long UntrackedVersionPredictions { get; set; }

    /// <summary>Adds another window's content (roll-up).</summary>
    public void Merge(WindowAccumulator other)
    {
        Predictions += other.Predictions;
        Labels += other.Labels;
        LateRecords += other.LateRecords;
        foreach (var (k, v) in other.Numeric)
        {
            Get(Numeric, k).Merge(v);
        }

        foreach (var (k, v) in other.Categorical)
        {
            Get(Categorical, k).Merge(v);
        }

        foreach (var (k, v) in other.Segments)
        {
            Get(Segments, k).Merge(v);
        }

        foreach (var (k, v) in other.TypeMismatches)
        {
            TypeMismatches[k] = TypeMismatches.GetValueOrDefault(k) + v;
        }

        foreach (var (k, v) in other.Versions)
        {
            Versions[k] = Versions.GetValueOrDefault(k) + v;
        }

        Latency.Merge(other.Latency);
        UntrackedVersionPredictions += other.UntrackedVersionPredictions;
        if (other.ByVersion is not null)
        {
            ByVersion ??= new Dictionary<string, WindowAccumulator>(StringComparer.Ordinal);
            foreach (var (version, sub) in other.ByVersion)
            {
                if (!ByVersion.TryGetValue(version, out var mine))
                {
                    if (ByVersion.Count >= VersionTracking.MaxVersionsPerWindow)
                    {
                        UntrackedVersionPredictions += sub.Predictions;
                        continue;
                    }

                    mine = new WindowAccumulator { Start = Start, End = End, ReferenceVersion = sub.ReferenceVersion };
                    ByVersion[version] = mine;
                }

                mine.Merge(sub);
            }
        }
    }

    /// <summary>A copy of this window's statistics without <see cref="ByVersion"/> (a version's share when it was the only one).</summary>
    public WindowAccumulator CopyWithoutVersions()
    {
        var copy = new WindowAccumulator { Start = Start, End = End, ReferenceVersion = ReferenceVersion };
        var versions = ByVersion;
        ByVersion = null;
        try
        {
            copy.Merge(this);
        }
        finally
        {
            ByVersion = versions;
        }

        copy.UntrackedVersionPredictions = 0;
        return copy;
    }

    /// <summary>Gets or creates an entry.</summary>
    public static T Get<T>(Dictionary<string, T> map, string key)
        where T : new()
    {
        if (!map.TryGetValue(key, out var value))
        {
            value = new T();
            map[key] = value;
        }

        return value;
    }
}
