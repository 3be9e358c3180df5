using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Incidents;

/// <summary>One entry of an incident's timeline.</summary>
/// <param name="Time">When.</param>
/// <param name="Event"><c>triggered</c>, <c>acknowledged</c>, <c>resolved</c>, <c>notified</c>, <c>flapping</c>, ...</param>
/// <param name="Detail">What, in words (who acknowledged, which receiver was notified, the value).</param>
public sealed record TimelineEntry(DateTimeOffset Time, string Event, string Detail);

/// <summary>
/// An incident: one per firing activation of an alert (by fingerprint), with lifecycle triggered -> acknowledged ->
/// resolved, a timeline and the evidence when it fired. Plain data, persisted as is.
/// </summary>
public sealed record Incident
{
    /// <summary>Id: the alert fingerprint and the Unix second it fired (URL-safe, stable).</summary>
    public required string Id { get; init; }

    /// <summary>Alert fingerprint.</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Alert label names (sorted).</summary>
    public required string[] LabelNames { get; init; }

    /// <summary>Alert label values.</summary>
    public required string[] LabelValues { get; init; }

    /// <summary>Annotation names when it fired (updated while it fires).</summary>
    public string[] AnnotationNames { get; init; } = [];

    /// <summary>Annotation values.</summary>
    public string[] AnnotationValues { get; init; } = [];

    /// <summary>State.</summary>
    public IncidentState State { get; init; }

    /// <summary>When the alert fired.</summary>
    public required DateTimeOffset TriggeredAt { get; init; }

    /// <summary>When it was acknowledged.</summary>
    public DateTimeOffset? AcknowledgedAt { get; init; }

    /// <summary>Who acknowledged it.</summary>
    public string? AcknowledgedBy { get; init; }

    /// <summary>When it resolved.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>Who resolved it (<c>alert</c> when the alert resolved by itself).</summary>
    public string? ResolvedBy { get; init; }

    /// <summary>What it fired on.</summary>
    public AlertEvidence? Evidence { get; init; }

    /// <summary>Held firing by flap damping.</summary>
    public bool Flapping { get; init; }

    /// <summary>The alert's start (the pending time, before <c>for</c>).</summary>
    public DateTimeOffset StartsAt { get; init; }

    /// <summary>Timeline, oldest first.</summary>
    public IReadOnlyList<TimelineEntry> Timeline { get; init; } = [];

    /// <summary>Label value or empty.</summary>
    public string Label(string name)
    {
        var i = Array.IndexOf(LabelNames, name);
        return i < 0 ? string.Empty : LabelValues[i];
    }

    /// <summary>Annotation value or empty.</summary>
    public string Annotation(string name)
    {
        var i = Array.IndexOf(AnnotationNames, name);
        return i < 0 ? string.Empty : AnnotationValues[i];
    }
}
