using Monitoring.Abstractions.Events;
using Monitoring.Grains.Sharding;
using Monitoring.Ingest;
using Orleans.Runtime;

namespace Monitoring.Silo.Hosting;

/// <summary>Hands each model's batch to its grain, which appends it durably before returning (and a hot model's numeric values on to its shards, <see cref="ShardedIngest"/>).</summary>
public sealed class GrainEventSink(IGrainFactory grains, ILogger<GrainEventSink> logger) : IEventSink
{
    /// <summary>Suggested client back-off when the silo cannot take the batch now.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public async Task<AppendResult> AppendAsync(EventBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        try
        {
            return await ShardedIngest.AppendAsync(grains, batch.Model, batch.Events, logger, cancellationToken);
        }
        catch (Exception e) when (e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException)
        {
            throw new SinkOverloadedException("The silo is busy or unavailable; retry later.", RetryAfter, e);
        }
    }
}
