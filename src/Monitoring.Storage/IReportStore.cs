using Monitoring.Abstractions.Models;

namespace Monitoring.Storage;

/// <summary>A persisted report (e.g. one closed window's drift and quality report) as JSON.</summary>
/// <param name="Model">The model.</param>
/// <param name="Kind">Report kind, e.g. "window.hour" or "window.day".</param>
/// <param name="WindowStartUnixNano">Window start (inclusive).</param>
/// <param name="WindowEndUnixNano">Window end (exclusive).</param>
/// <param name="Json">The report document.</param>
public sealed record StoredReport(ModelKey Model, string Kind, long WindowStartUnixNano, long WindowEndUnixNano, string Json);

/// <summary>History of window reports, kept for the retention period.</summary>
public interface IReportStore
{
    /// <summary>Inserts or replaces the report of (model, kind, window start).</summary>
    Task SaveAsync(StoredReport report, CancellationToken cancellationToken = default);

    /// <summary>Reports of a model and kind whose window starts in [from, to), ascending by start.</summary>
    Task<IReadOnlyList<StoredReport>> ListAsync(ModelKey model, string kind, long fromUnixNano, long toUnixNano, CancellationToken cancellationToken = default);

    /// <summary>One report, or null.</summary>
    Task<StoredReport?> GetAsync(ModelKey model, string kind, long windowStartUnixNano, CancellationToken cancellationToken = default);

    /// <summary>Deletes reports whose window ended before the cutoff; returns how many.</summary>
    Task<int> DeleteEndedBeforeAsync(long cutoffUnixNano, CancellationToken cancellationToken = default);

    /// <summary>
    /// Estimated bytes of the model's reports on disk: per report its stored JSON (compressed size on PostgreSQL), its
    /// keys in the table and the primary-key index, and a fixed overhead for row and index-entry headers. Reads one
    /// row header per report, not the JSON. Live rows only: not free pages, page fill or the WAL.
    /// </summary>
    Task<long> BytesOnDiskAsync(ModelKey model, CancellationToken cancellationToken = default);

    /// <summary>Deletes one model's reports whose window ended before the cutoff (its own retention); returns how many.</summary>
    Task<int> DeleteEndedBeforeAsync(ModelKey model, long cutoffUnixNano, CancellationToken cancellationToken = default);
}
