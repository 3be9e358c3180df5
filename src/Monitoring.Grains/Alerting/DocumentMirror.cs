using Monitoring.Storage;

namespace Monitoring.Grains.Alerting;

/// <summary>
/// Keeps collections of immutable records in an <see cref="IDocumentStore"/>, one document per record, writing only
/// what changed since the last successful write: a record whose instance is not the one last written is upserted, an
/// id no longer present is deleted. Change detection is by reference, so it needs records that are replaced, never
/// mutated, when they change (incidents, held alerts, silences and notification-log entries all are); a write then
/// costs one reference comparison per record plus serializing the changed ones.
/// </summary>
/// <remarks>
/// Replaces one JSON blob per grain, whose every write re-serialized every incident, log entry and alert (and which
/// Orleans' JSON grain-storage serializer escaped once more as a string): with a few thousand incidents held, the
/// notifier spent most of a window close writing state (profile in docs/bench/alerting.md).
/// </remarks>
internal sealed class DocumentMirror(IDocumentStore store)
{
    private readonly Dictionary<string, Dictionary<string, object>> _written = new(StringComparer.Ordinal);

    /// <summary>Records that a loaded document's record is the one stored.</summary>
    public void Loaded(string collection, string id, object record) => Written(collection)[id] = record;

    /// <summary>Writes the changes of every collection in one transaction; nothing is marked written unless it succeeds.</summary>
    public async Task<int> WriteAsync(params Collection[] collections)
    {
        var writes = new List<DocumentWrite>();
        var marks = new List<(Dictionary<string, object> Written, string Id, object? Record)>();
        foreach (var c in collections)
        {
            var written = Written(c.Name);
            var present = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (id, record) in c.Records)
            {
                present.Add(id);
                if (!written.TryGetValue(id, out var last) || !ReferenceEquals(last, record))
                {
                    writes.Add(new DocumentWrite(c.Name, id, c.Serialize(id, record)));
                    marks.Add((written, id, record));
                }
            }
            foreach (var id in written.Keys.Where(id => !present.Contains(id)))
            {
                writes.Add(new DocumentWrite(c.Name, id, null));
                marks.Add((written, id, null));
            }
        }

        await store.WriteAsync(writes);
        foreach (var (written, id, record) in marks)
        {
            if (record is null)
            {
                written.Remove(id);
            }
            else
            {
                written[id] = record;
            }
        }

        return writes.Count;
    }

    private Dictionary<string, object> Written(string collection)
    {
        if (!_written.TryGetValue(collection, out var written))
        {
            _written[collection] = written = new Dictionary<string, object>(StringComparer.Ordinal);
        }

        return written;
    }

    /// <summary>One collection's current records (id and record instance) and how a record becomes its document.</summary>
    /// <param name="Name">The collection.</param>
    /// <param name="Records">The records now held, by id.</param>
    /// <param name="Serialize">A record's JSON, from its id and instance.</param>
    public sealed record Collection(string Name, IEnumerable<(string Id, object Record)> Records, Func<string, object, string> Serialize);
}
