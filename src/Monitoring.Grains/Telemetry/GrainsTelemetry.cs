using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Monitoring.Grains.Telemetry;

/// <summary>
/// The grains' instruments and spans (meter and activity source <see cref="Name"/>; docs/telemetry.md): activations,
/// duplicates and the label join of model grains, rule evaluations, firing alerts and notification delivery. Counted
/// per grain call (an append batch, an evaluation, a delivery), never per record.
/// </summary>
public static class GrainsTelemetry
{
    /// <summary>Name of the meter and of the activity source.</summary>
    public const string Name = "Monitoring.Grains";

    /// <summary>Spans of rule evaluations and notification deliveries.</summary>
    public static readonly ActivitySource Source = new(Name);

    private static readonly double[] DeliveryBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Activations = Meter.CreateCounter<long>(
        "monitoring.grain.activations", "{activation}", "Grain activations, by grain type");

    private static readonly UpDownCounter<long> Active = Meter.CreateUpDownCounter<long>(
        "monitoring.grain.active", "{activation}", "Grains active in this silo, by grain type");

    private static readonly Counter<long> Duplicates = Meter.CreateCounter<long>(
        "monitoring.records.duplicates", "{record}", "Accepted records the event log skipped as repeats of a logged prediction id (client retries)");

    private static readonly Counter<long> LabelJoins = Meter.CreateCounter<long>(
        "monitoring.label.joins", "{label}", "Labels by join outcome: joined to their prediction, unmatched (no prediction within the horizon or the pending limit), past_horizon");

    private static readonly UpDownCounter<long> LabelsPending = Meter.CreateUpDownCounter<long>(
        "monitoring.label.pending", "{label}", "Labels waiting for their prediction in the model grains of this silo");

    private static readonly Counter<long> RuleEvaluations = Meter.CreateCounter<long>(
        "monitoring.rule.evaluations", "{evaluation}", "Alert rule evaluations (one per rule and model), by report source and result");

    private static readonly Counter<long> Notifications = Meter.CreateCounter<long>(
        "monitoring.notifications", "{notification}", "Notifications delivered or given up, by receiver name, integration and outcome");

    private static readonly Counter<long> NotificationRetries = Meter.CreateCounter<long>(
        "monitoring.notification.retries", "{retry}", "Delivery attempts after the first, by receiver name and integration");

    private static readonly Histogram<double> NotificationDuration = Meter.CreateHistogram(
        "monitoring.notification.duration", "s", "Time to deliver a notification, retries and their waits included",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DeliveryBuckets });

    private static readonly object FiringGate = new();
    private static Dictionary<string, int> _firing = [];
    private static bool _firingKnown;

    static GrainsTelemetry() =>
        Meter.CreateObservableGauge("monitoring.alerts.firing", ObserveFiring, "{alert}", "Alerts firing now, by alert name (reported by the silo hosting the notifier)");

    /// <summary>A grain of <paramref name="grain"/> type activated.</summary>
    internal static void Activated(string grain)
    {
        var tag = new KeyValuePair<string, object?>("grain", grain);
        Activations.Add(1, tag);
        Active.Add(1, tag);
    }

    /// <summary>A grain of <paramref name="grain"/> type deactivated.</summary>
    internal static void Deactivated(string grain) => Active.Add(-1, new KeyValuePair<string, object?>("grain", grain));

    /// <summary>Counts an append's repeats.</summary>
    internal static void DuplicatesSkipped(int count)
    {
        if (count > 0)
        {
            Duplicates.Add(count);
        }
    }

    /// <summary>Counts the label join outcomes of one grain call and the change of its pending labels.</summary>
    internal static void LabelsChanged(long joined, long unmatched, long pastHorizon, long pendingDelta)
    {
        if (joined > 0)
        {
            LabelJoins.Add(joined, new KeyValuePair<string, object?>("outcome", "joined"));
        }

        if (unmatched > 0)
        {
            LabelJoins.Add(unmatched, new KeyValuePair<string, object?>("outcome", "unmatched"));
        }

        if (pastHorizon > 0)
        {
            LabelJoins.Add(pastHorizon, new KeyValuePair<string, object?>("outcome", "past_horizon"));
        }

        LabelsPending.Add(pendingDelta); // a zero too: the series exists from the first activation on
    }

    /// <summary>Counts one model's rule evaluations.</summary>
    internal static void RulesEvaluated(string source, int ok, int failed)
    {
        if (ok > 0)
        {
            RuleEvaluations.Add(ok, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("result", "ok"));
        }

        if (failed > 0)
        {
            RuleEvaluations.Add(failed, new KeyValuePair<string, object?>("source", source), new KeyValuePair<string, object?>("result", "error"));
        }
    }

    /// <summary>Counts one delivery (receiver NAME only: its URL or key never becomes an attribute).</summary>
    internal static void Delivered(string receiver, string integration, bool success, int attempts, long startedTimestamp)
    {
        var receiverTag = new KeyValuePair<string, object?>("receiver", receiver);
        var integrationTag = new KeyValuePair<string, object?>("integration", integration);
        var outcomeTag = new KeyValuePair<string, object?>("outcome", success ? "sent" : "failed");
        Notifications.Add(1, receiverTag, integrationTag, outcomeTag);
        NotificationDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds, receiverTag, integrationTag, outcomeTag);
        if (attempts > 1)
        {
            NotificationRetries.Add(attempts - 1, receiverTag, integrationTag);
        }
    }

    /// <summary>The notifier's firing alerts now, counted by alert name.</summary>
    internal static void SetFiring(IEnumerable<string> alertNames)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in alertNames)
        {
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }

        lock (FiringGate)
        {
            _firing = counts;
            _firingKnown = true;
        }
    }

    private static IEnumerable<Measurement<int>> ObserveFiring()
    {
        lock (FiringGate)
        {
            if (!_firingKnown)
            {
                return [];
            }

            // A zero series too, so "no alert firing" is a value (0), not a missing series, on the silo with the notifier.
            return _firing.Count == 0
                ? [new Measurement<int>(0, new KeyValuePair<string, object?>("alertname", ""))]
                : [.. _firing.Select(kv => new Measurement<int>(kv.Value, new KeyValuePair<string, object?>("alertname", kv.Key)))];
        }
    }
}
