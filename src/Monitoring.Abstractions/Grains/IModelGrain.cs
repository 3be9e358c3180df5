using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Rollouts;

namespace Monitoring.Abstractions.Grains;

/// <summary>
/// One monitored model, keyed <c>"{tenant}/{model}"</c>: appends records to the durable event log, folds them into the
/// open event-time windows, closes windows into drift and data-quality reports, joins labels, and keeps the reference.
/// Reads return typed reports and never write.
/// </summary>
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>Appends records durably, then folds them; returns once they are in the event log.</summary>
    Task<AppendResult> AppendAsync(ModelEvent[] events);

    /// <summary>Closes every window whose end plus allowed lateness has passed; checkpoints when due.</summary>
    Task TickAsync();

    /// <summary>
    /// Closes every open window whose end has passed without waiting out the rest of the allowed lateness (after a
    /// backfill, or before maintenance); records that arrive for them later count as late. Returns how many closed.
    /// </summary>
    Task<int> CloseEndedWindowsAsync();

    /// <summary>Persists the performance reports of windows changed since the last write now (a checkpoint does it too; reads never need it).</summary>
    Task FlushPerformanceAsync();

    /// <summary>The performance reports of the windows starting in [from, to) as of now, oldest first, without writing anything.</summary>
    Task<PerformanceReport[]> GetPerformanceAsync(long fromUnixNano, long toUnixNano);

    /// <summary>The versions the model has logged predictions under, newest first, and the shadow pairing counts.</summary>
    Task<ModelVersions> GetVersionsAsync();

    /// <summary>
    /// Compares <paramref name="candidate"/> with <paramref name="baseline"/> over the windows starting in [from, to) as
    /// of now (each version's share of every window merged, shadow pairs included) and decides the verdict under
    /// <paramref name="guardrails"/>, without writing anything. Null when either version is unknown.
    /// </summary>
    Task<VersionComparisonReport?> CompareVersionsAsync(string baseline, string candidate, long fromUnixNano, long toUnixNano, RolloutGuardrails guardrails);

    /// <summary>Whether the model exists: it has logged records or saved settings or a reference.</summary>
    Task<bool> ExistsAsync();

    /// <summary>Schema, settings, reference, label join, open windows, totals and bytes on disk.</summary>
    Task<ModelDescription> DescribeAsync();

    /// <summary>Replaces the settings, reference mode included (validated).</summary>
    Task ConfigureAsync(ModelSettings settings);

    /// <summary>
    /// Replaces the settings except the reference mode, which the reference calls choose (validated; one call, so no
    /// concurrent reference change is overwritten); returns the settings now in force.
    /// </summary>
    Task<ModelSettings> UpdateSettingsAsync(ModelSettings settings);

    /// <summary>Sets an uploaded reference: fixes the bin edges the following windows are sketched against.</summary>
    Task<ModelDescription> SetReferenceAsync(ReferenceUpload upload);

    /// <summary>Pins the reference to the closed windows starting in [from, to) (Unix nanoseconds).</summary>
    Task<ModelDescription> PinReferenceAsync(long fromUnixNano, long toUnixNano);

    /// <summary>Uses a rolling reference (previous N windows) or the same window one week earlier.</summary>
    Task<ModelDescription> UseDynamicReferenceAsync(ReferenceMode mode, int windows);
}
