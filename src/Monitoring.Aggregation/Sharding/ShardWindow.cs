using Monitoring.Aggregation.Windows;

namespace Monitoring.Aggregation.Sharding;

/// <summary>
/// The numeric feature values one shard folded for one window of a hot model: per model version, per feature, the same
/// additive <see cref="NumericAccumulator"/> the model keeps (bound to the reference the window opened with, when its
/// edges were at hand). The model merges every shard's into its window when it closes.
/// </summary>
[GenerateSerializer, Alias("monitoring.shard-window")]
public sealed class ShardWindow
{
    /// <summary>Window start (Unix ns, inclusive).</summary>
    [Id(0)] public long Start { get; set; }
    /// <summary>Window end (Unix ns, exclusive).</summary>
    [Id(1)] public long End { get; set; }
    /// <summary>The reference version the values were binned against (0 = none).</summary>
    [Id(2)] public int ReferenceVersion { get; set; }
    /// <summary>Model version -> feature -> values.</summary>
    [Id(3)] public Dictionary<string, Dictionary<string, NumericAccumulator>> ByVersion { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Values folded.</summary>
    [Id(4)] public long Values { get; set; }

    /// <summary>Adds another shard window of the same window.</summary>
    public void Merge(ShardWindow other)
    {
        foreach (var (version, features) in other.ByVersion)
        {
            if (!ByVersion.TryGetValue(version, out var mine))
            {
                mine = new Dictionary<string, NumericAccumulator>(StringComparer.Ordinal);
                ByVersion[version] = mine;
            }

            foreach (var (name, acc) in features)
            {
                WindowAccumulator.Get(mine, name).Merge(acc);
            }
        }

        Values += other.Values;
    }
}

/// <summary>A range (Previous, Last] of a model's log a shard has folded out of order (an earlier append is missing).</summary>
[GenerateSerializer, Alias("monitoring.shard-range")]
public sealed record ShardRange([property: Id(0)] long Previous, [property: Id(1)] long Last);

/// <summary>A numeric shard's checkpoint (see <see cref="NumericShard"/>).</summary>
[GenerateSerializer, Alias("monitoring.shard-state")]
public sealed class ShardState
{
    /// <summary>Every record of the model's log up to this sequence is folded (if it is this shard's).</summary>
    [Id(0)] public long Watermark { get; set; }
    /// <summary>Appends after the watermark folded already (their predecessors are missing), oldest first.</summary>
    [Id(1)] public List<ShardRange> Parked { get; set; } = [];
    /// <summary>Open windows by start.</summary>
    [Id(2)] public SortedDictionary<long, ShardWindow> Windows { get; set; } = [];
    /// <summary>Windows handed to the model, kept a while in case the model asks again (it crashed before storing its close).</summary>
    [Id(3)] public SortedDictionary<long, ShardWindow> Taken { get; set; } = [];
    /// <summary>Windows ending at or before this are closed (the model's, as last heard).</summary>
    [Id(4)] public long ClosedEnd { get; set; }
    /// <summary>The reference new windows open with, as last heard.</summary>
    [Id(5)] public int ReferenceVersion { get; set; }
    /// <summary>Window length (ns), as last heard.</summary>
    [Id(6)] public long WindowNanos { get; set; }
    /// <summary>Allowed lateness (ns), as last heard.</summary>
    [Id(7)] public long LatenessNanos { get; set; }
    /// <summary>Shard count, as last heard.</summary>
    [Id(8)] public int Shards { get; set; }
    /// <summary>Values of records whose window had closed (not folded; the model counted the records late).</summary>
    [Id(9)] public long LateValues { get; set; }
}
