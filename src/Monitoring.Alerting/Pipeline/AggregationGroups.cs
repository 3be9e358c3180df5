using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;
using Monitoring.Alerting.Routing;

namespace Monitoring.Alerting.Pipeline;

/// <summary>One aggregation group's alerts handed to the pipeline at a flush.</summary>
/// <param name="Route">The route the group belongs to (receiver, timers, time intervals).</param>
/// <param name="GroupKey">Alertmanager's group key.</param>
/// <param name="GroupLabels">The group's labels.</param>
/// <param name="Alerts">The group's alerts at the flush.</param>
/// <param name="Time">Flush time.</param>
public sealed record GroupFlush(Route Route, string GroupKey, LabelSet GroupLabels, IReadOnlyList<NotificationAlert> Alerts, DateTimeOffset Time);

/// <summary>
/// Alertmanager's dispatcher without goroutines (dispatch/dispatch.go): each alert goes to the aggregation group of every
/// route it matches (<see cref="Route.Match"/>), keyed by the route and its <c>group_by</c> labels. A new group flushes
/// <c>group_wait</c> after its first alert (at once when that alert started more than <c>group_wait</c> ago), then every
/// <c>group_interval</c>; at every flush the pipeline's dedup stage decides whether anything is sent. Resolved alerts
/// leave the group after a flush that delivered them (unless they changed meanwhile); an empty group is dropped.
/// Time is passed in, so a host loop drives it with its clock and tests with a fake one. Not thread-safe: one owner.
/// </summary>
public sealed class AggregationGroups(Route root)
{
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);

    /// <summary>The routing tree.</summary>
    public Route Root { get; } = root;

    /// <summary>Number of groups.</summary>
    public int Count => _groups.Count;

    /// <summary>Every alert currently held, once per fingerprint (for inhibition).</summary>
    public IEnumerable<NotificationAlert> Alerts =>
        _groups.Values.SelectMany(g => g.Alerts.Values).DistinctBy(a => a.Fingerprint);

    /// <summary>Earliest pending flush, or null when there are no groups.</summary>
    public DateTimeOffset? NextFlush => _groups.Count == 0 ? null : _groups.Values.Min(g => g.NextFlush);

    /// <summary>Adds or updates an alert (by fingerprint) in the groups of every route it matches.</summary>
    public void Put(NotificationAlert alert, DateTimeOffset now)
    {
        foreach (var route in Root.Match(alert.Labels))
        {
            var key = route.GroupKey(alert.Labels);
            if (!_groups.TryGetValue(key, out var group))
            {
                group = new Group(route, key, route.GroupLabels(alert.Labels), now + route.Options.GroupWait);
                _groups[key] = group;
            }
            if (!group.Flushed && group.Snapshot is null)
            {
                // Alertmanager: an alert that started more than group_wait ago makes a new group flush at once.
                if (alert.StartsAt + route.Options.GroupWait <= now && group.NextFlush > now)
                {
                    group.NextFlush = now;
                }
            }
            group.Alerts[alert.Fingerprint] = alert;
            group.Versions[alert.Fingerprint] = group.Versions.GetValueOrDefault(alert.Fingerprint) + 1;
        }
    }

    /// <summary>Groups due at <paramref name="now"/>, with a snapshot of their alerts; each is rescheduled by <see cref="Complete"/>.</summary>
    public IReadOnlyList<(GroupFlush Flush, long Token)> Due(DateTimeOffset now) => Due(now, int.MaxValue, null);

    /// <summary>
    /// At most <paramref name="max"/> groups due at <paramref name="now"/> (the longest due first), leaving out the
    /// groups whose key is in <paramref name="busy"/> (a flush of the same key still running, e.g. from before a
    /// configuration reload: a group's notifications go out in order); the rest stay due.
    /// </summary>
    public IReadOnlyList<(GroupFlush Flush, long Token)> Due(DateTimeOffset now, int max, IReadOnlySet<string>? busy)
    {
        var due = new List<(GroupFlush, long)>();
        foreach (var group in _groups.Values.Where(g => g.NextFlush <= now && busy?.Contains(g.Key) != true)
            .OrderBy(g => g.NextFlush).ThenBy(g => g.Key, StringComparer.Ordinal).Take(Math.Max(0, max)))
        {
            var snapshot = group.Alerts.Values.OrderBy(a => a.Fingerprint, StringComparer.Ordinal).ToList();
            group.Snapshot = snapshot.ToDictionary(a => a.Fingerprint, a => group.Versions[a.Fingerprint], StringComparer.Ordinal);
            group.NextFlush = DateTimeOffset.MaxValue; // in flight until Complete
            due.Add((new GroupFlush(group.Route, group.Key, group.GroupLabels, snapshot, now), ++group.Token));
        }
        return due;
    }

    /// <summary>
    /// Records a flush's outcome: on success, resolved alerts that did not change since the snapshot leave the group;
    /// the next flush is <c>group_interval</c> later; an empty group is dropped.
    /// </summary>
    public void Complete(GroupFlush flush, long token, bool delivered, DateTimeOffset now)
    {
        if (!_groups.TryGetValue(flush.GroupKey, out var group) || group.Token != token)
        {
            return;
        }
        group.Flushed = true;
        if (delivered && group.Snapshot is { } snapshot)
        {
            foreach (var alert in flush.Alerts.Where(a => a.IsResolved(flush.Time)))
            {
                if (group.Versions.TryGetValue(alert.Fingerprint, out var version) && snapshot.TryGetValue(alert.Fingerprint, out var seen) && version == seen)
                {
                    group.Alerts.Remove(alert.Fingerprint);
                    group.Versions.Remove(alert.Fingerprint);
                }
            }
        }
        group.Snapshot = null;
        if (group.Alerts.Count == 0)
        {
            _groups.Remove(flush.GroupKey);
            return;
        }
        group.NextFlush = now + group.Route.Options.GroupInterval;
    }

    private sealed class Group(Route route, string key, LabelSet groupLabels, DateTimeOffset nextFlush)
    {
        public Route Route { get; } = route;

        public string Key { get; } = key;

        public LabelSet GroupLabels { get; } = groupLabels;

        public DateTimeOffset NextFlush { get; set; } = nextFlush;

        public bool Flushed { get; set; }

        public long Token { get; set; }

        public Dictionary<string, NotificationAlert> Alerts { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long> Versions { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, long>? Snapshot { get; set; }
    }
}
