using Monitoring.Abstractions.Grains;
using Monitoring.Storage;

namespace Monitoring.Silo.Hosting;

/// <summary>
/// Once per database: wakes every model logged before models had a <c>window-close</c> reminder, so each registers
/// its reminder (a model registers it itself when it first gets records). Then marks the database done, so later
/// starts wake nothing: from then on reminders wake the models, spread over their period, on whichever silo owns them.
/// Several silos starting at once may each run it; waking a model twice is harmless.
/// </summary>
public sealed class ReminderMigration(IGrainFactory grains, IEventLog eventLog, IDocumentStore documents, ILogger<ReminderMigration> logger) : BackgroundService
{
    /// <summary>Document collection of one-time migrations.</summary>
    public const string Collection = "migrations";

    /// <summary>The marker document of this migration.</summary>
    public const string MarkerId = "model-reminders";

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var done = await documents.ListAsync(Collection, stoppingToken);
            if (done.Any(d => d.Id == MarkerId))
            {
                return;
            }

            var failed = 0;
            var models = await eventLog.ListModelsAsync(stoppingToken);
            foreach (var model in models)
            {
                try
                {
                    await grains.GetGrain<IModelGrain>(model.GrainKey).TickAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failed++;
                    SiloLog.ActivationFailed(logger, e, model.GrainKey);
                }
            }

            if (failed == 0)
            {
                var marker = System.Text.Json.JsonSerializer.Serialize(new { models = models.Count, at = DateTimeOffset.UtcNow });
                await documents.WriteAsync([new DocumentWrite(Collection, MarkerId, marker)], stoppingToken);
                SiloLog.RemindersMigrated(logger, models.Count);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SiloLog.ReminderMigrationFailed(logger, e); // the next start tries again
        }
    }
}
