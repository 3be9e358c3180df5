using Monitoring.Abstractions.Events;

namespace Monitoring.Abstractions.Storage;

/// <summary>
/// What a model's aggregation reads and writes besides its own state, for one model: lookups in its event log (the
/// label join) and its documents in the report store (window reports and sketches, references, performance). The grain
/// hands one to the aggregation code, which stays free of Orleans and of any particular database.
/// </summary>
public interface IModelStore
{
    /// <summary>The logged record of (kind, prediction id), or null.</summary>
    Task<LoggedEvent?> FindAsync(EventKind kind, string predictionId);

    /// <summary>The logged records of (kind, each id) that exist, by id (one query).</summary>
    Task<IReadOnlyDictionary<string, LoggedEvent>> FindManyAsync(EventKind kind, IReadOnlyCollection<string> predictionIds);

    /// <summary>Inserts or replaces the document of (kind, window start).</summary>
    Task SaveAsync(string kind, long windowStartUnixNano, long windowEndUnixNano, string json);

    /// <summary>The document of (kind, window start), or null.</summary>
    Task<string?> GetAsync(string kind, long windowStartUnixNano);

    /// <summary>The documents of a kind whose window starts in [from, to), ascending by start.</summary>
    Task<IReadOnlyList<string>> ListAsync(string kind, long fromUnixNano, long toUnixNano);

    /// <summary>Deletes the model's documents whose window ended before the cutoff.</summary>
    Task DeleteEndedBeforeAsync(long cutoffUnixNano);
}
