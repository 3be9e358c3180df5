namespace Monitoring.Alerting.Pipeline;

/// <summary>Where the notification log lives (persisted in the silo, so dedup and pending resolves survive a restart).</summary>
public interface INotificationLogStore
{
    /// <summary>The entry of one integration of one receiver for one group, or null.</summary>
    ValueTask<NotificationLogEntry?> GetAsync(string groupKey, string receiver, int integration, CancellationToken cancellationToken);

    /// <summary>Writes an entry (after a successful delivery only).</summary>
    ValueTask SetAsync(NotificationLogEntry entry, int integration, CancellationToken cancellationToken);
}

/// <summary>An in-memory notification log (tests, <c>monitoring rules test</c>).</summary>
public sealed class InMemoryNotificationLog : INotificationLogStore
{
    private readonly Dictionary<(string, string, int), NotificationLogEntry> _entries = [];

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
