using System.Globalization;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Incidents;

/// <summary>An alert as the incident book receives it (from rule evaluation).</summary>
/// <param name="Labels">Alert labels.</param>
/// <param name="Annotations">Annotations.</param>
/// <param name="StartsAt">When its condition started holding.</param>
/// <param name="Firing">True while firing; false once resolved.</param>
/// <param name="Flapping">Held firing by flap damping.</param>
/// <param name="Evidence">What it fired on.</param>
public sealed record AlertSignal(LabelSet Labels, LabelSet Annotations, DateTimeOffset StartsAt, bool Firing, bool Flapping, AlertEvidence? Evidence);

/// <summary>
/// Incidents by alert: a firing alert without an open incident opens one (triggered); its resolve resolves it;
/// acknowledging stops repeat notifications; resolving by hand closes it while the alert still fires (no further
/// notifications for that activation; a new activation opens a new incident). Pure: the caller persists
/// <see cref="All"/>. Resolved incidents are kept for <see cref="Retention"/>.
/// </summary>
public sealed class IncidentBook
{
    /// <summary>How long resolved incidents are kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    /// <summary>Most timeline entries kept per incident (the oldest are dropped first, except the first).</summary>
    public const int MaxTimeline = 200;

    private readonly Dictionary<string, Incident> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _openByFingerprint = new(StringComparer.Ordinal);
    private readonly HashSet<string> _closedByHand = new(StringComparer.Ordinal); // fingerprints resolved by hand while firing

    /// <summary>Loads persisted incidents.</summary>
    public IncidentBook(IEnumerable<Incident>? incidents = null)
    {
        foreach (var incident in incidents ?? [])
        {
            _byId[incident.Id] = incident;
            if (incident.State != IncidentState.Resolved)
            {
                _openByFingerprint[incident.Fingerprint] = incident.Id;
            }
            else if (incident.ResolvedBy is not null and not "alert")
            {
                _closedByHand.Add(incident.Fingerprint);
            }
        }
    }

    /// <summary>Every incident, newest first.</summary>
    public IEnumerable<Incident> All => _byId.Values.OrderByDescending(i => i.TriggeredAt).ThenBy(i => i.Id, StringComparer.Ordinal);

    /// <summary>Every incident, in no order (an incident is replaced, never changed, when it changes).</summary>
    public IEnumerable<Incident> Held => _byId.Values;

    /// <summary>An incident by id.</summary>
    public Incident? Get(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The open incident of a fingerprint.</summary>
    public Incident? OpenFor(string fingerprint) =>
        _openByFingerprint.TryGetValue(fingerprint, out var id) ? _byId[id] : null;

    /// <summary>
    /// Applies an alert's state; returns the incident it belongs to (null when it has none: a resolve without an open
    /// incident, or a firing alert closed by hand).
    /// </summary>
    public Incident? Apply(AlertSignal signal, DateTimeOffset now)
    {
        var fingerprint = signal.Labels.FingerprintHex;
        var open = OpenFor(fingerprint);
        if (signal.Firing)
        {
            if (open is null)
            {
                if (_closedByHand.Contains(fingerprint))
                {
                    return null;
                }
                var id = $"{fingerprint}-{now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}";
                var value = signal.Evidence is { } e ? $"{e.Metric} {Format(e.Value)} {e.Operator} {Format(e.Threshold)}" : "fired";
                open = new Incident
                {
                    Id = id,
                    Fingerprint = fingerprint,
                    LabelNames = [.. signal.Labels.Names],
                    LabelValues = [.. signal.Labels.Select(p => p.Value)],
                    AnnotationNames = [.. signal.Annotations.Names],
                    AnnotationValues = [.. signal.Annotations.Select(p => p.Value)],
                    State = IncidentState.Triggered,
                    TriggeredAt = now,
                    StartsAt = signal.StartsAt,
                    Evidence = signal.Evidence,
                    Flapping = signal.Flapping,
                    Timeline = [new TimelineEntry(now, "triggered", value)],
                };
                _byId[id] = open;
                _openByFingerprint[fingerprint] = id;
                return open;
            }
            var updated = open with
            {
                AnnotationNames = [.. signal.Annotations.Names],
                AnnotationValues = [.. signal.Annotations.Select(p => p.Value)],
                Evidence = signal.Evidence ?? open.Evidence,
                Flapping = signal.Flapping,
            };
            if (signal.Flapping && !open.Flapping)
            {
                updated = Append(updated, new TimelineEntry(now, "flapping", "held firing: its condition keeps changing"));
            }
            _byId[open.Id] = updated;
            return updated;
        }
        _closedByHand.Remove(fingerprint);
        if (open is null)
        {
            return null;
        }
        var resolved = Append(open with { State = IncidentState.Resolved, ResolvedAt = now, ResolvedBy = "alert", Flapping = false },
            new TimelineEntry(now, "resolved", "the alert resolved"));
        _byId[open.Id] = resolved;
        _openByFingerprint.Remove(fingerprint);
        return resolved;
    }

    /// <summary>Acknowledges an open incident; null when there is no such incident; unchanged when already acknowledged or resolved.</summary>
    public Incident? Acknowledge(string id, string by, DateTimeOffset now)
    {
        if (!_byId.TryGetValue(id, out var incident))
        {
            return null;
        }
        if (incident.State != IncidentState.Triggered)
        {
            return incident;
        }
        var acked = Append(incident with { State = IncidentState.Acknowledged, AcknowledgedAt = now, AcknowledgedBy = by },
            new TimelineEntry(now, "acknowledged", $"by {by}"));
        _byId[id] = acked;
        return acked;
    }

    /// <summary>Resolves an open incident by hand; null when there is no such incident; unchanged when already resolved.</summary>
    public Incident? Resolve(string id, string by, DateTimeOffset now)
    {
        if (!_byId.TryGetValue(id, out var incident))
        {
            return null;
        }
        if (incident.State == IncidentState.Resolved)
        {
            return incident;
        }
        var resolved = Append(incident with { State = IncidentState.Resolved, ResolvedAt = now, ResolvedBy = by },
            new TimelineEntry(now, "resolved", $"by {by}"));
        _byId[id] = resolved;
        _openByFingerprint.Remove(incident.Fingerprint);
        _closedByHand.Add(incident.Fingerprint);
        return resolved;
    }

    /// <summary>Adds a timeline entry (e.g. a delivery).</summary>
    public Incident? Note(string id, TimelineEntry entry)
    {
        if (!_byId.TryGetValue(id, out var incident))
        {
            return null;
        }
        var noted = Append(incident, entry);
        _byId[id] = noted;
        return noted;
    }

    /// <summary>Drops incidents resolved longer ago than <see cref="Retention"/>.</summary>
    public int Prune(DateTimeOffset now)
    {
        var old = _byId.Values.Where(i => i.State == IncidentState.Resolved && i.ResolvedAt < now - Retention).Select(i => i.Id).ToList();
        foreach (var id in old)
        {
            _byId.Remove(id);
        }
        return old.Count;
    }

    private static Incident Append(Incident incident, TimelineEntry entry)
    {
        var timeline = incident.Timeline.Count >= MaxTimeline
            ? [incident.Timeline[0], .. incident.Timeline.Skip(incident.Timeline.Count - MaxTimeline + 2), entry]
            : incident.Timeline.Append(entry).ToList();
        return incident with { Timeline = timeline };
    }

    private static string Format(double v) => Rules.GoFloat.Format(Math.Round(v, 4));
}
