using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation.Sharding;

namespace Monitoring.Grains.Sharding;

/// <summary>
/// One numeric shard of a hot model (<see cref="NumericShard"/>), keyed <c>"{tenant}/{model}\u001F{index}"</c> (U+001F
/// cannot occur in a model id). It never calls its model (the model calls it when a window closes), so the two cannot
/// wait on each other.
/// </summary>
public interface IModelShardGrain : IGrainWithStringKey
{
    /// <summary>Folds this shard's share of one append of the model.</summary>
    Task FeedAsync(ShardFeed feed);

    /// <summary>
    /// Reads back any appends it missed up to <paramref name="appliedSequence"/> from the model's log, then hands over
    /// the window [start, end) and treats it as closed.
    /// </summary>
    Task<ShardWindow> TakeAsync(long start, long end, long appliedSequence);
}

/// <summary>Shard grain keys.</summary>
public static class ShardKeys
{
    /// <summary>Separator between the model's key and the shard index (rejected in ids, so no model key contains it).</summary>
    public const char Separator = '\u001F';

    /// <summary>The key of shard <paramref name="index"/> of <paramref name="model"/>.</summary>
    public static string Of(ModelKey model, int index) => $"{model.GrainKey}{Separator}{index}";

    /// <summary>The model and index of a shard key.</summary>
    public static (ModelKey Model, int Index) Parse(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var at = key.LastIndexOf(Separator);
        return at <= 0 ? throw new FormatException($"'{key}' is not a shard key")
            : (ModelKey.Parse(key[..at]), int.Parse(key[(at + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>The model grain's view of its shards: shard grains by index.</summary>
public sealed class ShardGrains(IGrainFactory grains, ModelKey model) : INumericShards
{
    /// <inheritdoc />
    public Task<ShardWindow> TakeAsync(int shard, long start, long end, long appliedSequence) =>
        grains.GetGrain<IModelShardGrain>(ShardKeys.Of(model, shard)).TakeAsync(start, end, appliedSequence);
}
