using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation.Sharding;

namespace Monitoring.Grains.Sharding;

/// <summary>
/// One numeric shard of a hot model (<see cref="NumericShard"/>), keyed <c>"{tenant}/{model}\u001F{index}"</c> in the
/// model's first shard arrangement and <c>"{tenant}/{model}\u001F{index}\u001F{generation}"</c> in later ones (U+001F
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

    /// <summary>
    /// The key of shard <paramref name="index"/> of <paramref name="model"/>'s shard arrangement
    /// <paramref name="generation"/> (the first arrangement's keys carry no generation: they are the keys shards had
    /// before arrangements were counted).
    /// </summary>
    public static string Of(ModelKey model, int index, int generation = 1) =>
        generation <= 1 ? $"{model.GrainKey}{Separator}{index}" : $"{model.GrainKey}{Separator}{index}{Separator}{generation}";

    /// <summary>The model, index and arrangement of a shard key.</summary>
    public static (ModelKey Model, int Index, int Generation) Parse(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var at = key.IndexOf(Separator, StringComparison.Ordinal);
        if (at <= 0)
        {
            throw new FormatException($"'{key}' is not a shard key");
        }

        var parts = key[(at + 1)..].Split(Separator);
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        return parts.Length > 2 ? throw new FormatException($"'{key}' is not a shard key")
            : (ModelKey.Parse(key[..at]), int.Parse(parts[0], invariant), parts.Length == 2 ? int.Parse(parts[1], invariant) : 1);
    }
}

/// <summary>The model grain's view of its shards: shard grains by index.</summary>
public sealed class ShardGrains(IGrainFactory grains, ModelKey model) : INumericShards
{
    /// <inheritdoc />
    public Task<ShardWindow> TakeAsync(int shard, int generation, long start, long end, long appliedSequence) =>
        grains.GetGrain<IModelShardGrain>(ShardKeys.Of(model, shard, generation)).TakeAsync(start, end, appliedSequence);
}
