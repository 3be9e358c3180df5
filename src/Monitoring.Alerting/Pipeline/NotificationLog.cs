namespace Monitoring.Alerting.Pipeline;

/// <summary>
/// What was last delivered to one receiver for one aggregation group (Alertmanager's nflog entry), plus the
/// acknowledged alerts it said so for. Persisted, so dedup survives a restart.
/// </summary>
/// <param name="GroupKey">Aggregation group key.</param>
/// <param name="Receiver">Receiver name.</param>
/// <param name="Firing">Fingerprints delivered as firing.</param>
/// <param name="Resolved">Fingerprints delivered as resolved.</param>
/// <param name="Acknowledged">Fingerprints delivered as acknowledged (a subset of the firing ones).</param>
/// <param name="Timestamp">When it was delivered.</param>
public sealed record NotificationLogEntry(
    string GroupKey, string Receiver, IReadOnlySet<string> Firing, IReadOnlySet<string> Resolved, IReadOnlySet<string> Acknowledged,
    DateTimeOffset Timestamp);

/// <summary>The alerts of a group at a flush, by fingerprint, after muting.</summary>
/// <param name="Firing">Firing, not muted.</param>
/// <param name="Resolved">Resolved (including resolved alerts that are muted but were notified firing: resolve through mutes).</param>
/// <param name="Acknowledged">Firing alerts whose incident is acknowledged.</param>
public sealed record FlushSet(IReadOnlySet<string> Firing, IReadOnlySet<string> Resolved, IReadOnlySet<string> Acknowledged);

/// <summary>
/// The dedup stage: whether a flush must be delivered to a receiver, and why, with Alertmanager's reasons
/// (notify/dedup_stage.go) and two of ours: an acknowledgement is delivered once ("alerts acknowledged"), and a group
/// whose firing alerts are all acknowledged never repeats.
/// </summary>
public static class DedupStage
{
    /// <summary>Why a flush is delivered, or null when it is not.</summary>
    /// <param name="entry">What was last delivered for this group and receiver, or null.</param>
    /// <param name="flush">The group now.</param>
    /// <param name="sendResolved">The receiver's <c>send_resolved</c>.</param>
    /// <param name="repeatInterval">The route's <c>repeat_interval</c>.</param>
    /// <param name="now">Flush time.</param>
    public static string? NeedsUpdate(NotificationLogEntry? entry, FlushSet flush, bool sendResolved, TimeSpan repeatInterval, DateTimeOffset now)
    {
        if (entry is null)
        {
            return flush.Firing.Count > 0 ? "first notification" : null;
        }
        if (!flush.Firing.IsSubsetOf(entry.Firing))
        {
            return entry.Firing.Count == 0 ? "first notification" : "new alerts added";
        }
        if (flush.Firing.Count == 0)
        {
            // Sent even when send_resolved is false, to clear the receiver's state (the notifier decides what to send).
            return entry.Firing.Count > 0 ? "all alerts resolved" : null;
        }
        if (sendResolved && !flush.Resolved.IsSubsetOf(entry.Resolved))
        {
            return "some alerts resolved";
        }
        if (!flush.Acknowledged.IsSubsetOf(entry.Acknowledged))
        {
            return "alerts acknowledged";
        }
        if (flush.Firing.IsSubsetOf(flush.Acknowledged))
        {
            return null; // every firing alert is acknowledged: no repeats
        }
        return entry.Timestamp <= now - repeatInterval ? "repeat interval elapsed" : null;
    }
}
