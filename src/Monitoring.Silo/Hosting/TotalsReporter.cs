using Monitoring.Abstractions.Totals;
using Monitoring.Ingest;
using Monitoring.Storage;

namespace Monitoring.Silo.Hosting;

/// <summary>
/// Logs one line of totals every <see cref="Period"/> (records accepted and rejected, models, windows closed, each with
/// its change since the previous line), in place of a line per request or per window.
/// </summary>
public sealed class TotalsReporter(
    IngestTotals ingest,
    GrainTotals grains,
    IEventLog eventLog,
    TimeProvider time,
    ILogger<TotalsReporter> logger) : BackgroundService
{
    /// <summary>How often the totals line is written.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    private PeriodicTimer? _timer;
    private (long Accepted, long Rejected, long Closed) _previous;
    private int _models;

    /// <inheritdoc />
    /// <remarks>The timer starts here, not in <see cref="ExecuteAsync"/>, which runs on another thread some time later.</remarks>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(Period, time);
        _previous = (ingest.RecordsAccepted, ingest.RecordsRejected, grains.WindowsClosed);
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var timer = _timer ?? throw new InvalidOperationException("Not started.");
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = (Accepted: ingest.RecordsAccepted, Rejected: ingest.RecordsRejected, Closed: grains.WindowsClosed);
                var models = await CountModelsAsync(stoppingToken);
                SiloLog.Totals(
                    logger, now.Accepted, now.Accepted - _previous.Accepted, now.Rejected, now.Rejected - _previous.Rejected,
                    now.Closed, now.Closed - _previous.Closed, models);
                _previous = now;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    /// <summary>Models with logged records; the last known count when the store cannot answer.</summary>
    private async Task<int> CountModelsAsync(CancellationToken cancellationToken)
    {
        try
        {
            _models = (await eventLog.ListModelsAsync(cancellationToken)).Count;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SiloLog.ModelCountFailed(logger, e);
        }

        return _models;
    }
}
