using Monitoring.Abstractions.Grains;
using Monitoring.Storage;

namespace Monitoring.Silo.Hosting;

/// <summary>
/// After the silo starts, wakes every model that has logged records so its windows keep closing (and its checkpoint
/// is caught up from the log) even before new traffic arrives.
/// </summary>
public sealed class ModelActivator(IGrainFactory grains, IEventLog eventLog, ILogger<ModelActivator> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var model in await eventLog.ListModelsAsync(stoppingToken))
        {
            try
            {
                await grains.GetGrain<IModelGrain>(model.GrainKey).TickAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                SiloLog.ActivationFailed(logger, e, model.GrainKey);
            }
        }
    }
}
