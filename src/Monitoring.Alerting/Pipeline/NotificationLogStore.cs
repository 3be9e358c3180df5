namespace Monitoring.Alerting.Pipeline;

/// <summary>Where the notification log lives (persisted in the silo, so dedup and pending resolves survive a restart).</summary>
public interface INotificationLogStore
{
    /// <summary>The entry of one integration of one receiver for one group, or null.</summary>
    ValueTask<NotificationLogEntry?> GetAsync(string groupKey, string receiver, int integration, CancellationToken cancellationToken);

    /// <summary>Writes an entry (after a successful delivery only).</summary>
    ValueTask SetAsync(NotificationLogEntry entry, int integration, CancellationToken cancellationToken);
}

/// <summary>One persisted notification-log entry with its integration index.</summary>
/// <param name="Integration">Integration index in the receiver.</param>
/// <param name="GroupKey">Group key.</param>
/// <param name="Receiver">Receiver.</param>
/// <param name="Firing">Firing fingerprints.</param>
/// <param name="Resolved">Resolved fingerprints.</param>
/// <param name="Acknowledged">Acknowledged fingerprints.</param>
/// <param name="Timestamp">When delivered.</param>
public sealed record StoredLogEntry(int Integration, string GroupKey, string Receiver, string[] Firing, string[] Resolved, string[] Acknowledged, DateTimeOffset Timestamp);

/// <summary>
/// An in-memory notification log that a grain persists with <see cref="Export"/> and restores with the constructor.
/// Entries expire after twice their group's repeat interval, as Alertmanager's do (<see cref="Prune"/>).
/// </summary>
public sealed class InMemoryNotificationLog : INotificationLogStore
{
    private readonly Dictionary<(string, string, int), NotificationLogEntry> _entries = [];

    /// <summary>An empty log, or one restored from exported entries.</summary>
    public InMemoryNotificationLog(IEnumerable<StoredLogEntry>? entries = null)
    {
        foreach (var e in entries ?? [])
        {
            _entries[(e.GroupKey, e.Receiver, e.Integration)] = new NotificationLogEntry(e.GroupKey, e.Receiver,
                e.Firing.ToHashSet(StringComparer.Ordinal), e.Resolved.ToHashSet(StringComparer.Ordinal), e.Acknowledged.ToHashSet(StringComparer.Ordinal), e.Timestamp);
        }
    }

    /// <summary>Every entry, for persistence.</summary>
    public IReadOnlyList<StoredLogEntry> Export() => [.. Entries().Select(e => ToStored(e.Integration, e.Entry))];

    /// <summary>
    /// Every entry with its integration index, as held: an entry is replaced, never changed, when a delivery updates
    /// it, so a persister can tell changed entries by reference.
    /// </summary>
    public IReadOnlyList<(int Integration, NotificationLogEntry Entry)> Entries()
    {
        lock (_entries)
        {
            return [.. _entries.Select(kv => (kv.Key.Item3, kv.Value))];
        }
    }

    /// <summary>An entry as persisted.</summary>
    public static StoredLogEntry ToStored(int integration, NotificationLogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new StoredLogEntry(integration, entry.GroupKey, entry.Receiver, [.. entry.Firing], [.. entry.Resolved], [.. entry.Acknowledged], entry.Timestamp);
    }

    /// <summary>Drops entries older than <paramref name="maxAge"/>.</summary>
    public void Prune(DateTimeOffset now, TimeSpan maxAge)
    {
        lock (_entries)
        {
            foreach (var key in _entries.Where(kv => kv.Value.Timestamp < now - maxAge).Select(kv => kv.Key).ToList())
            {
                _entries.Remove(key);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<NotificationLogEntry?> GetAsync(string groupKey, string receiver, int integration, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            return ValueTask.FromResult(_entries.GetValueOrDefault((groupKey, receiver, integration)));
        }
    }

    /// <inheritdoc />
    public ValueTask SetAsync(NotificationLogEntry entry, int integration, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            _entries[(entry.GroupKey, entry.Receiver, integration)] = entry;
        }
        return ValueTask.CompletedTask;
    }
}
