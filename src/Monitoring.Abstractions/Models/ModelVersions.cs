namespace Monitoring.Abstractions.Models;

/// <summary>
/// The versions a model has logged predictions under, and how its shadow pairs (two versions' predictions linked by
/// <c>ml.request.id</c> or a shared <c>ml.prediction.id</c>) fared.
/// </summary>
[GenerateSerializer, Immutable, Alias("monitoring.model-versions")]
public sealed record ModelVersions
{
    /// <summary>"tenant/model".</summary>
    [Id(0)] public required string Model { get; init; }
    /// <summary>Versions seen, newest first (by latest prediction).</summary>
    [Id(1)] public VersionInfo[] Versions { get; init; } = [];
    /// <summary>Versions no longer listed: the per-model cap forgot the ones last seen longest ago.</summary>
    [Id(2)] public long Forgotten { get; init; }
    /// <summary>Whether windows track versions separately (from the first prediction of a second version on).</summary>
    [Id(3)] public bool TrackedSeparately { get; init; }
    /// <summary>Shadow pairs joined (two versions' predictions of one request).</summary>
    [Id(4)] public long ShadowPairs { get; init; }
    /// <summary>Shadow predictions waiting for their pair now.</summary>
    [Id(5)] public long ShadowPending { get; init; }
    /// <summary>Shadow predictions that expired unpaired or found the pending buffer full.</summary>
    [Id(6)] public long ShadowUnmatched { get; init; }
    /// <summary>Shadow pairs whose request was labelled: they feed the paired AUC (DeLong) and Brier tests.</summary>
    [Id(7)] public long ShadowLabeled { get; init; }
    /// <summary>Shadow pairs waiting for their request's label now.</summary>
    [Id(8)] public long ShadowAwaitingLabel { get; init; }
    /// <summary>Shadow pairs whose label could not feed the paired tests (waiting buffer full, or past the label horizon).</summary>
    [Id(9)] public long ShadowLabelsMissed { get; init; }
}

/// <summary>One model version: its volume and the event-time range of its predictions.</summary>
/// <param name="Version">Model version.</param>
/// <param name="Predictions">Predictions logged.</param>
/// <param name="First">Earliest prediction event time (ISO 8601 UTC).</param>
/// <param name="Last">Latest prediction event time (ISO 8601 UTC).</param>
/// <param name="FirstUnixNano">Earliest prediction event time (Unix ns).</param>
/// <param name="LastUnixNano">Latest prediction event time (Unix ns).</param>
/// <param name="WithRequestId">Predictions carrying <c>ml.request.id</c> (shadow-mode pairing).</param>
[GenerateSerializer, Immutable, Alias("monitoring.version-info")]
public sealed record VersionInfo(
    [property: Id(0)] string Version,
    [property: Id(1)] long Predictions,
    [property: Id(2)] string First,
    [property: Id(3)] string Last,
    [property: Id(4)] long FirstUnixNano,
    [property: Id(5)] long LastUnixNano,
    [property: Id(6)] long WithRequestId);
