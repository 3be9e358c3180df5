using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Storage;

namespace Monitoring.Storage;

/// <summary>One model's view of the event log and the report store (what its aggregation reads and writes).</summary>
/// <param name="model">The model.</param>
/// <param name="log">The event log.</param>
/// <param name="reports">The report store.</param>
public sealed class ModelStore(ModelKey model, IEventLog log, IReportStore reports) : IModelStore
{
    /// <inheritdoc />
    public Task<LoggedEvent?> FindAsync(EventKind kind, string predictionId) => log.FindAsync(model, kind, predictionId);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, LoggedEvent>> FindManyAsync(EventKind kind, IReadOnlyCollection<string> predictionIds) =>
        log.FindManyAsync(model, kind, predictionIds);

    /// <inheritdoc />
    public Task SaveAsync(string kind, long windowStartUnixNano, long windowEndUnixNano, string json) =>
        reports.SaveAsync(new StoredReport(model, kind, windowStartUnixNano, windowEndUnixNano, json));

    /// <inheritdoc />
    public async Task<string?> GetAsync(string kind, long windowStartUnixNano) => (await reports.GetAsync(model, kind, windowStartUnixNano))?.Json;

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListAsync(string kind, long fromUnixNano, long toUnixNano) =>
        (await reports.ListAsync(model, kind, fromUnixNano, toUnixNano)).Select(r => r.Json).ToList();

    /// <inheritdoc />
    public Task DeleteEndedBeforeAsync(long cutoffUnixNano) => reports.DeleteEndedBeforeAsync(model, cutoffUnixNano);
}
