using Microsoft.Extensions.Logging;

namespace Monitoring.Grains;

/// <summary>Source-generated log messages of the grains (event ids 2000-2099).</summary>
internal static partial class GrainsLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Model {Model} activated at log position {Sequence}; replayed {Replayed} records")]
    public static partial void Activated(ILogger logger, string model, long sequence, int replayed);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Model {Model} closed window {Start} with {Volume} predictions; {Drifted} features drifted")]
    public static partial void WindowClosed(ILogger logger, string model, string start, long volume, int drifted);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Model {Model} checkpoint failed; state will be reloaded from the last checkpoint and the log")]
    public static partial void CheckpointFailed(ILogger logger, Exception exception, string model);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information, Message = "Model {Model} reference set: {Source} (version {Version})")]
    public static partial void ReferenceSet(ILogger logger, string model, string source, int version);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Model {Model}: its metrics could not be restored from the stored reports; they return when the next window closes")]
    public static partial void MetricsRestoreFailed(ILogger logger, Exception exception, string model);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Tenant {Tenant} has {Limit} models, the limit (Monitoring:Limits:MaxModelsPerTenant): {Records} records of a new model refused; {EarlierBatches} more batches ({EarlierRecords} records) refused since this line was last written (at most once a minute per tenant)")]
    public static partial void TenantModelLimit(ILogger logger, string tenant, int limit, int records, long earlierBatches, long earlierRecords);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Alert rules loaded from {Path}: {Rules} rules, {Slos} SLOs")]
    public static partial void RulesLoaded(ILogger logger, string path, int rules, int slos);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "Alert rules in {Path} rejected ({Count} errors; the previous rules stay active): {First}")]
    public static partial void RulesRejected(ILogger logger, string path, int count, string first);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Alert evaluation of model {Model} failed; its alerts keep their last state")]
    public static partial void EvaluationFailed(ILogger logger, Exception exception, string model);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Debug, Message = "Alert {Alert} {Change} for {Model}: {Reason}")]
    public static partial void AlertChanged(ILogger logger, string alert, string change, string model, string reason);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Information, Message = "Alerts of {Model}: {Fired} fired, {Resolved} resolved, {Flapping} flapping ({Examples})")]
    public static partial void AlertsChanged(ILogger logger, string model, int fired, int resolved, int flapping, string examples);

    /// <summary>
    /// One line per evaluation at Information (the counts and the first few alerts), each alert at Debug: a drifted
    /// window of a large rule set fires thousands of alerts at once, and a line for each was measured as a large part
    /// of the evaluation's cost (a storm of 2,900 alerts per window in the alerting load test).
    /// </summary>
    public static void AlertsChanged(ILogger logger, string model, IEnumerable<(string Alert, string Change, string Reason)> changes)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        int fired = 0, resolved = 0, flapping = 0;
        var examples = new List<string>(3);
        foreach (var (alert, change, reason) in changes)
        {
            switch (change)
            {
                case "fired": fired++; break;
                case "resolved": resolved++; break;
                default: flapping++; break;
            }

            if (examples.Count < 3)
            {
                examples.Add($"{alert} {change}: {reason}");
            }
            AlertChanged(logger, alert, change, model, reason);
        }

        var total = fired + resolved + flapping;
        if (total > 0)
        {
            AlertsChanged(logger, model, fired, resolved, flapping,
                string.Join("; ", examples) + (total > examples.Count ? $"; +{total - examples.Count} more" : string.Empty));
        }
    }

    [LoggerMessage(EventId = 2020, Level = LogLevel.Information, Message = "Notification configuration loaded from {Path}: {Receivers} receivers")]
    public static partial void ConfigLoaded(ILogger logger, string path, int receivers);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Error, Message = "Notification configuration {Path} rejected (the previous one stays active): {Reason}")]
    public static partial void ConfigRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Warning, Message = "Notification configuration {Path}: {Warning}")]
    public static partial void ConfigWarning(ILogger logger, string path, string warning);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Warning, Message = "Notification to {Receiver} ({Kind}) failed: {Error}; retried at the next flush")]
    public static partial void DeliveryFailed(ILogger logger, string receiver, string kind, string error);

    [LoggerMessage(EventId = 2024, Level = LogLevel.Information, Message = "Notified {Receiver} ({Kind}) of {Group}: {Reason}")]
    public static partial void Delivered(ILogger logger, string receiver, string kind, string group, string reason);

    [LoggerMessage(EventId = 2025, Level = LogLevel.Error, Message = "Notification flush failed; the group is retried at its next flush")]
    public static partial void FlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2080, Level = LogLevel.Warning, Message = "Append for model {Model} failed; the grain deactivates and the next call replays the log from its checkpoint")]
    public static partial void AppendFailedDeactivating(ILogger logger, Exception exception, string model);

    [LoggerMessage(EventId = 2027, Level = LogLevel.Warning, Message = "Alerts of {Model}: the notifier did not take {Updates} alert updates ({Error}: e.g. its silo is down or leaving); they are kept, retrying in {DelaySeconds} s")]
    public static partial void NotifierUnreachable(ILogger logger, string model, int updates, double delaySeconds, string error);

    [LoggerMessage(EventId = 2028, Level = LogLevel.Warning, Message = "Alerts of {Model}: handed to the notifier, but removing them from the stored hand-over list failed; they are handed over again at the next activation (the notifier ignores repeats)")]
    public static partial void HandoverWriteFailed(ILogger logger, Exception exception, string model);

    [LoggerMessage(EventId = 2029, Level = LogLevel.Error, Message = "Forwarding alerts to Alertmanager failed; firing alerts are sent again at the next resend")]
    public static partial void AlertmanagerForwardFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2026, Level = LogLevel.Warning, Message = "Could not register the reminder of {Grain}; its timer runs meanwhile and the registration is retried")]
    public static partial void ReminderFailed(ILogger logger, Exception exception, string grain);

    [LoggerMessage(EventId = 2090, Level = LogLevel.Warning, Message = "Shard {Shard} of {Model} missed an append ({Error}); it reads the gap back from the model's log before the window closes")]
    public static partial void ShardFeedFailed(ILogger logger, string model, int shard, string error);

    [LoggerMessage(EventId = 2091, Level = LogLevel.Information, Message = "Shard {Shard} of {Model} activated at log position {Watermark}; read back {Records} records of the model's log")]
    public static partial void ShardActivated(ILogger logger, string model, int shard, long watermark, int records);

    [LoggerMessage(EventId = 2092, Level = LogLevel.Warning, Message = "Shard {Shard} of {Model}: checkpoint failed; it deactivates and reads the log back from its last checkpoint")]
    public static partial void ShardCheckpointFailed(ILogger logger, Exception exception, string model, int shard);
}
