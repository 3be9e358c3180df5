using Monitoring.Abstractions.Events;
using Monitoring.Aggregation.Sharding;
using Xunit;

namespace Monitoring.Aggregation.Tests.Sharding;

/// <summary>
/// The chain of appends a numeric shard keeps (<see cref="NumericShard"/>): feeds arriving in order advance the
/// watermark; one arriving after a missing predecessor is folded and parked; the gaps are exactly the log ranges not
/// folded, and reading them back joins the chain; a feed delivered twice is folded once; late values are not folded.
/// </summary>
public sealed class NumericShardTests
{
    private const long Minute = 60_000_000_000L;

    [Fact]
    public void FeedsInOrder_AdvanceTheWatermark_AndFoldOnlyThisShardsShare()
    {
        var shard = new NumericShard(1, new ShardState());
        shard.Feed(Feed(0, 10, [Prediction(3, 5.0), Prediction(7, 6.0)]), _ => null);
        shard.Feed(Feed(10, 20, [Prediction(11, 7.0)]), _ => null);
        Assert.Equal(20, shard.State.Watermark);
        Assert.Empty(shard.State.Parked);
        Assert.Empty(shard.Gaps(20));
        Assert.Equal(3, shard.State.Windows.Values.Sum(w => w.Values));
    }

    [Fact]
    public void FeedAfterAMissingOne_IsParked_AndTheGapIsWhatWasMissed()
    {
        var shard = new NumericShard(0, new ShardState());
        shard.Feed(Feed(0, 10, [Prediction(2, 1.0)]), _ => null);
        shard.Feed(Feed(20, 30, [Prediction(22, 1.0)]), _ => null); // (10, 20] never arrived
        shard.Feed(Feed(30, 40, [Prediction(32, 1.0)]), _ => null);
        Assert.Equal(10, shard.State.Watermark);
        Assert.Equal([new ShardRange(10, 20), new ShardRange(40, 50)], shard.Gaps(50));
        Assert.Single(shard.State.Parked); // (20, 30] and (30, 40] are one range

        shard.FoldLogged(new LoggedEvent(14, Prediction(14, 1.0).Event), _ => null);
        shard.FoldLogged(new LoggedEvent(15, Prediction(15, 1.0).Event), _ => null); // another shard's (15 % 2 = 1)
        shard.GapRead(new ShardRange(10, 20));
        Assert.Equal(40, shard.State.Watermark); // joined with the parked ones
        Assert.Empty(shard.State.Parked);
        Assert.Equal(4, shard.State.Windows.Values.Sum(w => w.Values));

        shard.Feed(Feed(20, 30, [Prediction(22, 1.0)]), _ => null); // the late delivery of a feed read back already
        Assert.Equal(4, shard.State.Windows.Values.Sum(w => w.Values));
    }

    [Fact]
    public void TakenWindow_IsClosed_LaterValuesForItAreLate_AndATakeAgainReturnsTheSameValues()
    {
        var shard = new NumericShard(0, new ShardState());
        shard.Feed(Feed(0, 10, [Prediction(2, 1.0), Prediction(4, 2.0)]), _ => null);
        var taken = shard.Take(0, Minute);
        Assert.Equal(2, taken.Values);
        shard.Feed(Feed(10, 20, [Prediction(12, 3.0)]), _ => null);
        Assert.Equal(1, shard.State.LateValues);
        Assert.Equal(2, shard.Take(0, Minute).Values); // a model that crashed before storing its close asks again
    }

    private static ShardFeed Feed(long previous, long last, LoggedEvent[] predictions) =>
        new(2, previous, last, 0, 0, Minute, Minute / 6, predictions, 0);

    private static LoggedEvent Prediction(long sequence, double x) => new(sequence, new ModelEvent
    {
        Kind = EventKind.Prediction,
        PredictionId = $"p{sequence}",
        EventTimeUnixNano = 1_000,
        ReceivedUnixNano = 1_000,
        Features = [new FeatureValue("x", x, null), new FeatureValue("c", null, "a"), new FeatureValue("n", null, null)],
    });
}
