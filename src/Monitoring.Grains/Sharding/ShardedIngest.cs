using Microsoft.Extensions.Logging;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Grains;
using Monitoring.Abstractions.Models;

namespace Monitoring.Grains.Sharding;

/// <summary>
/// The ingest path to a model grain, and on to its numeric shards for a hot model: the model appends the batch
/// durably and folds it (less its numeric values); the caller then hands each shard its share of the appended
/// predictions. The receiver acknowledges once the model has appended (the log is the truth): a shard that misses its
/// share (its silo died) reads it back from the log before the window closes, so a shard failure is logged, not
/// returned.
/// </summary>
public static class ShardedIngest
{
    /// <summary>Appends <paramref name="events"/> to <paramref name="model"/> and feeds its shards, if it has any.</summary>
    public static async Task<AppendResult> AppendAsync(IGrainFactory grains, ModelKey model, ModelEvent[] events, ILogger logger, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        var result = await grains.GetGrain<IModelGrain>(model.GrainKey).AppendAsync(events).WaitAsync(cancellationToken);
        if (result.Feed is not { } feed)
        {
            return result;
        }

        await FeedAsync(grains, model, feed, logger);
        return result with { Feed = null };
    }

    /// <summary>Hands every shard its share of one append (an empty share too: it keeps the shard's chain of appends whole).</summary>
    public static async Task FeedAsync(IGrainFactory grains, ModelKey model, ShardFeed feed, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(feed);
        var shares = new List<LoggedEvent>[feed.Shards];
        for (var k = 0; k < shares.Length; k++)
        {
            shares[k] = [];
        }

        foreach (var logged in feed.Predictions)
        {
            shares[(int)(logged.Sequence % feed.Shards)].Add(logged);
        }

        await Task.WhenAll(Enumerable.Range(0, feed.Shards).Select(async k =>
        {
            try
            {
                await grains.GetGrain<IModelShardGrain>(ShardKeys.Of(model, k, feed.Generation)).FeedAsync(feed with { Predictions = [.. shares[k]] });
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                GrainsLog.ShardFeedFailed(logger, model.GrainKey, k, e.GetType().Name);
            }
        }));
    }
}
