using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.Labels;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Slo;

namespace Monitoring.Aggregation.Slo;

/// <summary>One bucket ring of an SLO counter, as checkpointed.</summary>
[GenerateSerializer, Alias("monitoring.slo-tier")]
public sealed class SloTierSnapshot
{
    /// <summary>Bucket length (ticks).</summary>
    [Id(0)] public long ResolutionTicks { get; set; }
    /// <summary>Ring head.</summary>
    [Id(1)] public long Head { get; set; }
    /// <summary>Good events per bucket.</summary>
    [Id(2)] public long[] Good { get; set; } = [];
    /// <summary>All events per bucket.</summary>
    [Id(3)] public long[] Total { get; set; } = [];
}

/// <summary>An SLO's event counter as checkpointed with the model state.</summary>
[GenerateSerializer, Alias("monitoring.slo-counter")]
public sealed class SloCounterSnapshot
{
    /// <summary>What the counts mean (indicator, threshold, window): a changed SLO starts counting afresh.</summary>
    [Id(0)] public string SpecKey { get; set; } = string.Empty;
    /// <summary>Period (ticks).</summary>
    [Id(1)] public long PeriodTicks { get; set; }
    /// <summary>When counting started (UTC ticks).</summary>
    [Id(2)] public long SinceUtcTicks { get; set; }
    /// <summary>The rings.</summary>
    [Id(3)] public List<SloTierSnapshot> Tiers { get; set; } = [];
}

/// <summary>
/// Counts the good and total events of the SLOs that select this model, by the prediction's event time: a latency SLO
/// counts every prediction that carries <c>ml.prediction.latency_ms</c> (good when at or below the threshold; a
/// prediction without a latency is not an event of it); a label-agreement SLO counts every joined label of a binary
/// classifier (score at or above 0.5 means 1) or a multiclass one (good when the predicted class is the label), at
/// the moment the label joins. Counts move with the model state (replayed from the checkpoint exactly once), and cost
/// about 24 KB per SLO and model (<see cref="SloCounter"/>).
/// </summary>
public sealed class SloTracker
{
    private readonly Dictionary<string, (SloSpec Spec, SloCounter Counter)> _slos = new(StringComparer.Ordinal);

    /// <summary>The SLOs tracked.</summary>
    public IEnumerable<SloSpec> Specs => _slos.Values.Select(v => v.Spec);

    /// <summary>True when no SLO selects the model.</summary>
    public bool IsEmpty => _slos.Count == 0;

    /// <summary>The SLOs of <paramref name="all"/> whose model matchers select this tenant and model.</summary>
    public static IReadOnlyList<SloSpec> Selecting(IEnumerable<SloSpec> all, string tenant, string model)
    {
        var labels = LabelSet.Of("tenant", tenant, "model", model);
        return [.. all.Where(s => s.Model.MatchesAll(labels))];
    }

    /// <summary>
    /// Tracks <paramref name="specs"/>: a counter saved for the same SLO with the same meaning is kept, others start
    /// empty; SLOs no longer selected are dropped.
    /// </summary>
    public void Configure(IReadOnlyList<SloSpec> specs, IReadOnlyDictionary<string, SloCounterSnapshot> saved, DateTimeOffset now)
    {
        var current = _slos.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        _slos.Clear();
        foreach (var spec in specs)
        {
            var key = SpecKey(spec);
            if (current.TryGetValue(spec.Name, out var kept) && SpecKey(kept.Spec) == key)
            {
                _slos[spec.Name] = (spec, kept.Counter);
            }
            else if (saved.TryGetValue(spec.Name, out var snapshot) && snapshot.SpecKey == key)
            {
                _slos[spec.Name] = (spec, SloCounter.FromState(new SloCounterState(snapshot.PeriodTicks, snapshot.SinceUtcTicks,
                    [.. snapshot.Tiers.Select(t => new SloCounterTierState(t.ResolutionTicks, t.Head, t.Good, t.Total))])));
            }
            else
            {
                _slos[spec.Name] = (spec, new SloCounter(spec.Window, now));
            }
        }
    }

    /// <summary>Counts a prediction for the latency SLOs.</summary>
    public void OnPrediction(ModelEvent prediction, DateTimeOffset now)
    {
        if (_slos.Count == 0 || prediction.LatencyMs is not { } ms)
        {
            return;
        }
        var at = UnixNanos.ToDateTimeOffset(prediction.EventTimeUnixNano);
        foreach (var (spec, counter) in _slos.Values)
        {
            if (spec.Sli is LatencyIndicator latency)
            {
                counter.Add(at, latency.IsGood(ms), now);
            }
        }
    }

    /// <summary>Counts a joined label for the label-agreement SLOs (by the prediction's event time).</summary>
    public void OnLabel(ModelEvent prediction, ModelEvent label, DateTimeOffset now)
    {
        if (_slos.Count == 0 || Agrees(prediction, label) is not { } good)
        {
            return;
        }
        var at = UnixNanos.ToDateTimeOffset(prediction.EventTimeUnixNano);
        foreach (var (spec, counter) in _slos.Values)
        {
            if (spec.Sli is LabelAgreementIndicator)
            {
                counter.Add(at, good, now);
            }
        }
    }

    /// <summary>Whether a prediction agrees with its label, or null when agreement is not defined (regression, no label).</summary>
    public static bool? Agrees(ModelEvent prediction, ModelEvent label)
    {
        if (prediction.Score is { } score)
        {
            var y = LabelFold.BinaryLabel(label);
            return y is 0 or 1 ? (score >= Stats.Classification.BinaryClassificationMetrics.DefaultThreshold) == (y == 1) : null;
        }
        if (prediction.PredictedClass is { } predicted && (label.LabelText is not null || label.LabelNumber is not null))
        {
            return string.Equals(predicted, PerformanceAccumulator.ClassText(label.LabelNumber, label.LabelText), StringComparison.Ordinal);
        }
        return null;
    }

    /// <summary>The SLOs' status at <paramref name="now"/>.</summary>
    public IReadOnlyList<SloStatus> Evaluate(DateTimeOffset now) =>
        [.. _slos.Values.Select(v => SloEvaluator.Evaluate(v.Spec, v.Counter, now))];

    /// <summary>The counters for the checkpoint.</summary>
    public Dictionary<string, SloCounterSnapshot> Snapshot() => _slos.ToDictionary(kv => kv.Key, kv =>
    {
        var state = kv.Value.Counter.ToState();
        return new SloCounterSnapshot
        {
            SpecKey = SpecKey(kv.Value.Spec),
            PeriodTicks = state.PeriodTicks,
            SinceUtcTicks = state.SinceUtcTicks,
            Tiers = [.. state.Tiers.Select(t => new SloTierSnapshot { ResolutionTicks = t.ResolutionTicks, Head = t.Head, Good = t.Good, Total = t.Total })],
        };
    }, StringComparer.Ordinal);

    private static string SpecKey(SloSpec spec) => spec.Sli switch
    {
        LatencyIndicator l => $"latency:{l.ThresholdMs.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}:{spec.Window.Ticks}",
        _ => $"{spec.Sli.Kind}:{spec.Window.Ticks}",
    };
}
