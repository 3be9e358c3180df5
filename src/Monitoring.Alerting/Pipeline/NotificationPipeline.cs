using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Routing;
using Monitoring.Alerting.Silences;

namespace Monitoring.Alerting.Pipeline;

/// <summary>Why an alert of a flush was left out.</summary>
/// <param name="Fingerprint">Alert.</param>
/// <param name="Stage">"inhibited", "silenced", "muted_time_interval", "outside_active_time_interval".</param>
/// <param name="By">Which rule, silence or interval.</param>
public sealed record MutedAlert(string Fingerprint, string Stage, string By);

/// <summary>What a flush did for one integration of its receiver.</summary>
/// <param name="Receiver">Receiver name.</param>
/// <param name="Integration">Index of the integration in the receiver (Slack configs first, then PagerDuty, webhook, ...).</param>
/// <param name="Kind">Notifier kind.</param>
/// <param name="Reason">Dedup reason when it was sent, or null when nothing was due.</param>
/// <param name="Result">Delivery result when it was sent.</param>
/// <param name="Notification">What was sent.</param>
public sealed record DeliveryOutcome(string Receiver, int Integration, string Kind, string? Reason, DeliveryResult? Result, Notification? Notification);

/// <summary>The outcome of one flush.</summary>
/// <param name="Flush">The flush.</param>
/// <param name="Muted">Alerts left out and why.</param>
/// <param name="Deliveries">Per integration.</param>
public sealed record FlushOutcome(GroupFlush Flush, IReadOnlyList<MutedAlert> Muted, IReadOnlyList<DeliveryOutcome> Deliveries)
{
    /// <summary>True when every integration delivered what was due (or nothing was due).</summary>
    public bool Delivered => Deliveries.All(d => d.Result is null || d.Result.Success);
}

/// <summary>
/// The notification pipeline of one flush, Alertmanager's stages in its order (notify/notify.go): inhibition, the
/// route's active and mute time intervals, silences, then per integration dedup against the notification log, delivery
/// (the caller's sender retries) and the log update after success. Beyond Alertmanager: resolve through mutes (a
/// resolved alert that an integration was told about while it fired is still delivered as resolved, even when it is now
/// silenced, inhibited or in a mute interval, so PagerDuty incidents close: Alertmanager #226); muted alerts that
/// are still firing stay owed their resolve in the log; acknowledged alerts are delivered once as such and never repeated.
/// </summary>
public sealed class NotificationPipeline
{
    private readonly AlertmanagerConfig _config;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<INotifier>> _integrations;
    private readonly INotificationLogStore _log;
    private readonly Func<SilenceSet> _silences;
    private readonly Func<INotifier, Notification, CancellationToken, Task<DeliveryResult>> _send;
    private readonly string _externalUrl;

    /// <summary>Creates the pipeline.</summary>
    /// <param name="config">Routes, receivers, inhibit rules, time intervals.</param>
    /// <param name="integrations">Receiver name to its notifiers, in configuration order.</param>
    /// <param name="log">Notification log.</param>
    /// <param name="silences">The silences in force at each flush.</param>
    /// <param name="send">Delivers one notification through one notifier, retrying as configured.</param>
    /// <param name="externalUrl">Base URL for links.</param>
    public NotificationPipeline(
        AlertmanagerConfig config, IReadOnlyDictionary<string, IReadOnlyList<INotifier>> integrations, INotificationLogStore log,
        Func<SilenceSet> silences, Func<INotifier, Notification, CancellationToken, Task<DeliveryResult>> send, string externalUrl)
    {
        _config = config;
        _integrations = integrations;
        _log = log;
        _silences = silences;
        _send = send;
        _externalUrl = externalUrl.TrimEnd('/');
    }

    /// <summary>
    /// The inhibitor over every held alert at <paramref name="now"/>, built once for the flushes due at one instant (the
    /// alerts cannot change between them: the caller holds them); null when there are no inhibit rules (the common case).
    /// </summary>
    public Inhibitor? Inhibition(IEnumerable<NotificationAlert> allAlerts, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(allAlerts);
        return _config.InhibitRules.Count > 0
            ? new Inhibitor(_config.InhibitRules, allAlerts.Select(a => new InhibitionCandidate(a.Labels, !a.IsResolved(now))))
            : null;
    }

    /// <summary>Runs one flush through the stages and the receiver's integrations.</summary>
    /// <param name="flush">The group at the flush.</param>
    /// <param name="allAlerts">Every alert held by the dispatcher (inhibition sources).</param>
    /// <param name="cancellationToken">Cancels delivery.</param>
    public Task<FlushOutcome> FlushAsync(GroupFlush flush, IEnumerable<NotificationAlert> allAlerts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flush);
        return FlushAsync(flush, Inhibition(allAlerts, flush.Time), cancellationToken);
    }

    /// <summary>
    /// Runs one flush through the stages and the receiver's integrations. The integrations are delivered to
    /// concurrently (Alertmanager's fan-out stage): a receiver's Slack webhook that hangs does not hold its PagerDuty
    /// page; the flush completes when every one of them has.
    /// </summary>
    /// <param name="flush">The group at the flush.</param>
    /// <param name="inhibitor">The inhibitor of this instant (<see cref="Inhibition"/>), or null without inhibit rules.</param>
    /// <param name="cancellationToken">Cancels delivery.</param>
    public async Task<FlushOutcome> FlushAsync(GroupFlush flush, Inhibitor? inhibitor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(flush);
        var now = flush.Time;
        var muted = new List<MutedAlert>();
        var mutedSet = new HashSet<string>(StringComparer.Ordinal);

        if (inhibitor is not null)
        {
            foreach (var alert in flush.Alerts)
            {
                if (inhibitor.MutedBy(alert.Labels) is { } inhibition)
                {
                    Mute(alert.Fingerprint, "inhibited", $"inhibit_rules[{inhibition.RuleIndex}] by {inhibition.Source}");
                }
            }
        }
        var options = flush.Route.Options;
        if (options.ActiveTimeIntervals.Count > 0 && !options.ActiveTimeIntervals.Any(n => _config.TimeIntervals[n].Contains(now)))
        {
            foreach (var alert in flush.Alerts)
            {
                Mute(alert.Fingerprint, "outside_active_time_interval", string.Join(",", options.ActiveTimeIntervals));
            }
        }
        if (options.MuteTimeIntervals.FirstOrDefault(n => _config.TimeIntervals[n].Contains(now)) is { } muteInterval)
        {
            foreach (var alert in flush.Alerts)
            {
                Mute(alert.Fingerprint, "muted_time_interval", muteInterval);
            }
        }
        var silences = _silences();
        foreach (var alert in flush.Alerts)
        {
            if (silences.MutedBy(alert.Labels, now) is { Count: > 0 } ids)
            {
                Mute(alert.Fingerprint, "silenced", string.Join(",", ids));
            }
        }

        var receiver = options.Receiver;
        var notifiers = _integrations.TryGetValue(receiver, out var list) ? list : [];
        IReadOnlyList<DeliveryOutcome> deliveries = notifiers.Count switch
        {
            0 => [],
            1 => [await DeliverAsync(flush, receiver, 0, notifiers[0], mutedSet, cancellationToken)],
            _ => await Task.WhenAll(notifiers.Select((n, i) => DeliverAsync(flush, receiver, i, n, mutedSet, cancellationToken))),
        };
        return new FlushOutcome(flush, muted, deliveries);

        void Mute(string fingerprint, string stage, string by)
        {
            if (mutedSet.Add(fingerprint))
            {
                muted.Add(new MutedAlert(fingerprint, stage, by));
            }
        }
    }

    private async Task<DeliveryOutcome> DeliverAsync(
        GroupFlush flush, string receiver, int index, INotifier notifier, HashSet<string> muted, CancellationToken cancellationToken)
    {
        var now = flush.Time;
        var entry = await _log.GetAsync(flush.GroupKey, receiver, index, cancellationToken);
        var firing = flush.Alerts.Where(a => !a.IsResolved(now) && !muted.Contains(a.Fingerprint)).ToList();
        var resolved = flush.Alerts.Where(a => a.IsResolved(now) && (!muted.Contains(a.Fingerprint) || entry?.Firing.Contains(a.Fingerprint) == true)).ToList();
        var acknowledged = firing.Where(a => a.Incident?.State == IncidentState.Acknowledged).Select(a => a.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var flushSet = new FlushSet(
            firing.Select(a => a.Fingerprint).ToHashSet(StringComparer.Ordinal),
            resolved.Select(a => a.Fingerprint).ToHashSet(StringComparer.Ordinal),
            acknowledged);
        var reason = DedupStage.NeedsUpdate(entry, flushSet, notifier.SendResolved, flush.Route.Options.RepeatInterval, now);
        if (reason is null)
        {
            return new DeliveryOutcome(receiver, index, notifier.Kind, null, null, null);
        }
        var alerts = notifier.SendResolved ? firing.Concat(resolved).ToList() : firing;
        var notification = new Notification
        {
            Receiver = receiver,
            GroupKey = flush.GroupKey,
            GroupLabels = flush.GroupLabels,
            Alerts = alerts,
            ExternalUrl = _externalUrl,
            Reason = reason,
            Time = now,
        };
        // Alertmanager: with send_resolved false and nothing firing, the log is updated without sending.
        var result = alerts.Count == 0 ? DeliveryResult.Delivered : await _send(notifier, notification, cancellationToken);
        if (result.Success)
        {
            // Firing alerts that are muted now but were delivered before stay owed their resolve.
            var owed = entry?.Firing.Where(f => muted.Contains(f) && flush.Alerts.Any(a => a.Fingerprint == f && !a.IsResolved(now))) ?? [];
            await _log.SetAsync(new NotificationLogEntry(flush.GroupKey, receiver,
                flushSet.Firing.Concat(owed).ToHashSet(StringComparer.Ordinal), flushSet.Resolved, acknowledged, now), index, cancellationToken);
        }
        return new DeliveryOutcome(receiver, index, notifier.Kind, reason, result, alerts.Count == 0 ? null : notification);
    }
}
