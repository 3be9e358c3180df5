using System.Text.Json.Serialization;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Notify;

namespace Monitoring.Alerting.Evaluation;

/// <summary>Prometheus' alert states. A resolved alert is <see cref="Inactive"/> with <see cref="AlertRecord.ResolvedAt"/> set.</summary>
public enum AlertState
{
    /// <summary>Not active (or resolved).</summary>
    Inactive,
    /// <summary>Condition true, <c>for</c> not yet met.</summary>
    Pending,
    /// <summary>Firing.</summary>
    Firing,
}

/// <summary>
/// One alert of one rule and series, as persisted between evaluations (plain data: labels as arrays, times as
/// <see cref="DateTimeOffset"/>), so a restart neither forgets a pending alert nor fires it early or twice.
/// </summary>
public sealed record AlertRecord
{
    /// <summary><see cref="Rules.AlertRule.Key"/> of the rule.</summary>
    public required string RuleKey { get; init; }

    /// <summary>Label names (sorted) of the alert: series labels, rule labels and <c>alertname</c>.</summary>
    public required string[] LabelNames { get; init; }

    /// <summary>Label values, parallel to <see cref="LabelNames"/>.</summary>
    public required string[] LabelValues { get; init; }

    /// <summary>Annotation names after templating at the last evaluation where the condition held.</summary>
    public string[] AnnotationNames { get; init; } = [];

    /// <summary>Annotation values, parallel to <see cref="AnnotationNames"/>.</summary>
    public string[] AnnotationValues { get; init; } = [];

    /// <summary>State.</summary>
    public AlertState State { get; init; }

    /// <summary>When the condition started holding (this activation).</summary>
    public DateTimeOffset ActiveAt { get; init; }

    /// <summary>When it started firing (this activation).</summary>
    public DateTimeOffset? FiredAt { get; init; }

    /// <summary>When it resolved (set while <see cref="State"/> is inactive after firing).</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>First evaluation at which the condition stopped holding while firing (<c>keep_firing_for</c>).</summary>
    public DateTimeOffset? KeepFiringSince { get; init; }

    /// <summary>Value at the last evaluation where the condition held.</summary>
    public double Value { get; init; }

    /// <summary>Condition of the last evaluations, newest in bit 0 (1 = held), for flap damping.</summary>
    public ulong History { get; init; }

    /// <summary>Evaluations recorded in <see cref="History"/> (at most 64).</summary>
    public int HistoryLength { get; init; }

    /// <summary>Held firing by flap damping.</summary>
    public bool Flapping { get; init; }

    /// <summary>What it fired on at the last evaluation where the condition held.</summary>
    public AlertEvidence? Evidence { get; init; }

    /// <summary>The labels.</summary>
    [JsonIgnore]
    public LabelSet Labels => LabelSet.From(LabelNames.Zip(LabelValues, (n, v) => new KeyValuePair<string, string>(n, v)));

    /// <summary>The annotations.</summary>
    [JsonIgnore]
    public LabelSet Annotations => LabelSet.From(AnnotationNames.Zip(AnnotationValues, (n, v) => new KeyValuePair<string, string>(n, v)));

    /// <summary>Fingerprint of the labels (Alertmanager's, 16 hex digits).</summary>
    [JsonIgnore]
    public string Fingerprint => Labels.FingerprintHex;

    /// <summary>True while pending or firing.</summary>
    [JsonIgnore]
    public bool IsActive => State != AlertState.Inactive;
}
