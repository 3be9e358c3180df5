using Monitoring.Aggregation.Schema;
using Monitoring.Aggregation.Windows;

namespace Monitoring.Aggregation.Sharding;

/// <summary>A hot model's numeric shards, as the model sees them when a window closes.</summary>
public interface INumericShards
{
    /// <summary>
    /// Shard <paramref name="shard"/> of arrangement <paramref name="generation"/>: its values of the window [start, end),
    /// once it has folded every record of the model's log up to <paramref name="appliedSequence"/> (everything the model
    /// folded); the window is closed for it after.
    /// </summary>
    Task<ShardWindow> TakeAsync(int shard, int generation, long start, long end, long appliedSequence);
}

/// <summary>Merges a shard's window into the model's (numeric features whose schema is numeric; per version where tracked).</summary>
public static class ShardMerge
{
    /// <summary>
    /// Adds <paramref name="shard"/>'s values to <paramref name="window"/>: each numeric feature's accumulator, and the
    /// version's own when the window tracks versions. Values of a feature the schema calls categorical are left out: the
    /// model counted them as type mismatches when it folded the records.
    /// </summary>
    public static void Into(WindowAccumulator window, ShardWindow shard, IReadOnlyDictionary<string, FeatureSchema> schema)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(schema);
        foreach (var (version, features) in shard.ByVersion)
        {
            var byVersion = window.ByVersion?.GetValueOrDefault(version);
            foreach (var (name, acc) in features)
            {
                if (!schema.TryGetValue(name, out var kind) || kind.Kind != "numeric")
                {
                    continue;
                }

                WindowAccumulator.Get(window.Numeric, name).Merge(acc);
                if (byVersion is not null)
                {
                    WindowAccumulator.Get(byVersion.Numeric, name).Merge(acc);
                }
            }
        }
    }
}
