namespace Monitoring.Aggregation.Windows;

/// <summary>
/// The bounds of per-version statistics. A model that has only ever logged one version pays nothing: windows and
/// performance sketches track versions separately from the first prediction of a second version on (the window open at
/// that moment starts its first version's share from everything it had counted, which was all that version's).
/// </summary>
public static class VersionTracking
{
    /// <summary>
    /// Versions tracked separately per window (and per window's performance sketch): a canary, a shadow and the version
    /// they replace fit with room to spare. Predictions of further versions in the same window are counted in
    /// <see cref="WindowAccumulator.UntrackedVersionPredictions"/>, not tracked.
    /// </summary>
    public const int MaxVersionsPerWindow = 8;

    /// <summary>
    /// Versions remembered per model (volume and event-time range, for <c>GET .../versions</c>); beyond it the version
    /// last seen longest ago is forgotten (counted in <see cref="ModelState.VersionsForgotten"/>).
    /// </summary>
    public const int MaxVersionsPerModel = 64;

    /// <summary>Whether <paramref name="state"/>'s windows track versions separately (it has seen two versions or more).</summary>
    public static bool Active(ModelState state) => state.VersionTrackingSince > 0;
}

/// <summary>One model version as seen so far: volume and event-time range of its predictions.</summary>
[GenerateSerializer, Alias("monitoring.version-seen")]
public sealed class VersionSeen
{
    /// <summary>Predictions of this version folded.</summary>
    [Id(0)] public long Predictions { get; set; }
    /// <summary>Earliest prediction event time (Unix ns).</summary>
    [Id(1)] public long FirstUnixNano { get; set; }
    /// <summary>Latest prediction event time (Unix ns).</summary>
    [Id(2)] public long LastUnixNano { get; set; }
    /// <summary>Predictions carrying a request id (shadow-mode candidates for pairing).</summary>
    [Id(3)] public long WithRequestId { get; set; }
}
