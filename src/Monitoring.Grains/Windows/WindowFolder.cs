using System.Globalization;
using Monitoring.Abstractions.Events;
using Monitoring.Grains.Labels;
using Monitoring.Grains.Schema;

namespace Monitoring.Grains.Windows;

/// <summary>
/// The synchronous part of a model grain's fold: records into the open windows of a <see cref="ModelState"/> (drift,
/// data quality, schema) and predictions' scores into the per-slice counts of a window's performance. The grain owns
/// one; benchmarks drive it directly.
/// </summary>
public sealed class WindowFolder
{
    /// <summary>Schema events kept per model (newest last).</summary>
    public const int MaxSchemaEvents = 100;

    private readonly Dictionary<string, string> _featureDimensions = new(StringComparer.Ordinal);
    private ModelState _state = new();

    /// <summary>Reference kernels (decile edges) per numeric feature that new windows count against.</summary>
    public Dictionary<string, NumericAccumulator.Kernels> Kernels { get; set; } = new(StringComparer.Ordinal);

    private ModelState S => _state;

    private long WindowNanos => S.Settings.Window.Ticks * 100;

    private long LatenessNanos => S.Settings.EffectiveLateness.Ticks * 100;

    /// <summary>
    /// Folds one prediction or label (by event time) into the open window it belongs to, or counts it late: volume,
    /// versions, every feature (schema inferred on first sight; type mismatches counted), the prediction itself, latency
    /// and segments.
    /// </summary>
    public void Fold(ModelState state, ModelEvent e)
    {
        _state = state;
        var received = e.ReceivedUnixNano > 0 ? e.ReceivedUnixNano : e.EventTimeUnixNano;
        var eventTime = e.EventTimeUnixNano;
        if (eventTime > received + WindowNanos)
        {
            eventTime = received; // clock skew: far-future event times count at arrival
        }

        var start = eventTime - Mod(eventTime, WindowNanos);
        var end = start + WindowNanos;
        if (end <= S.LastClosedEnd || end + LatenessNanos <= received)
        {
            var arrival = received - Mod(received, WindowNanos);
            OpenWindow(Math.Max(arrival, S.LastClosedEnd)).LateRecords++;
            S.LateRecords++;
            return;
        }

        var window = OpenWindow(start);
        if (e.Kind == EventKind.Label)
        {
            window.Labels++;
            S.Labels++;
            return;
        }

        window.Predictions++;
        S.Predictions++;
        window.Versions[e.ModelVersion] = window.Versions.GetValueOrDefault(e.ModelVersion) + 1;
        foreach (var f in e.Features)
        {
            FoldFeature(window, f, eventTime);
        }

        if (e.Score is { } score)
        {
            FoldFeature(window, new FeatureValue("ml.prediction.score", score, null), eventTime);
        }

        if (e.PredictedValue is { } value)
        {
            FoldFeature(window, new FeatureValue("ml.prediction.value", value, null), eventTime);
        }

        if (e.PredictedClass is { } cls)
        {
            FoldFeature(window, new FeatureValue("ml.prediction.class", null, cls), eventTime);
        }

        if (e.LatencyMs is { } latency)
        {
            window.Latency.Add(latency, null);
        }

        foreach (var s in e.Segments)
        {
            WindowAccumulator.Get(window.Segments, s.Name).Add(s.Value);
        }
    }

    private void FoldFeature(WindowAccumulator window, FeatureValue f, long eventTime)
    {
        if (!S.Schema.TryGetValue(f.Name, out var schema))
        {
            if (f.IsNull)
            {
                return; // type unknown until a value arrives
            }

            schema = new FeatureSchema { Kind = f.Number is not null ? "numeric" : "categorical", FirstSeenUnixNano = eventTime };
            S.Schema[f.Name] = schema;
            AddSchemaEvent(new SchemaEvent("new_feature", f.Name, $"first seen as {schema.Kind}", eventTime));
        }

        if (schema.Kind == "numeric")
        {
            if (!window.Numeric.TryGetValue(f.Name, out var acc))
            {
                acc = new NumericAccumulator();
                if (Kernels.TryGetValue(f.Name, out var kernels))
                {
                    acc.BindReference(kernels);
                }

                window.Numeric[f.Name] = acc;
            }

            if (f.Text is not null)
            {
                Mismatch(window, schema, f.Name, "numeric feature received a string", eventTime);
                acc.Add(double.NaN, null);
            }
            else
            {
                acc.Add(f.Number ?? double.NaN, Kernels.GetValueOrDefault(f.Name));
            }
        }
        else
        {
            var acc = WindowAccumulator.Get(window.Categorical, f.Name);
            if (f.Number is { } n)
            {
                Mismatch(window, schema, f.Name, "categorical feature received a number", eventTime);
                acc.Add(n.ToString("R", CultureInfo.InvariantCulture));
            }
            else
            {
                acc.Add(f.Text);
            }
        }
    }

    private void Mismatch(WindowAccumulator window, FeatureSchema schema, string name, string detail, long at)
    {
        window.TypeMismatches[name] = window.TypeMismatches.GetValueOrDefault(name) + 1;
        if (schema.TypeMismatches++ == 0 || at - schema.LastMismatchUnixNano > WindowNanos)
        {
            AddSchemaEvent(new SchemaEvent("type_mismatch", name, detail, at));
        }

        schema.LastMismatchUnixNano = at;
    }

    private void AddSchemaEvent(SchemaEvent e)
    {
        S.SchemaEvents.Add(e);
        if (S.SchemaEvents.Count > MaxSchemaEvents)
        {
            S.SchemaEvents.RemoveAt(0);
        }
    }

    private WindowAccumulator OpenWindow(long start)
    {
        if (!S.Open.TryGetValue(start, out var window))
        {
            window = new WindowAccumulator { Start = start, End = start + WindowNanos };
            S.Open[start] = window;
        }

        return window;
    }

    /// <summary>Counts a prediction's score in each single slice it belongs to (segments, categorical features).</summary>
    public void AddSliceScores(ModelEvent prediction, double score, PerformanceAccumulator acc)
    {
        foreach (var s in prediction.Segments)
        {
            acc.AddSliceScore(s.Name, s.Value, score);
        }

        foreach (var f in prediction.Features)
        {
            if (f.Text is { } text)
            {
                if (!_featureDimensions.TryGetValue(f.Name, out var dimension))
                {
                    dimension = "feature." + f.Name;
                    _featureDimensions[f.Name] = dimension;
                }

                acc.AddSliceScore(dimension, text, score);
            }
        }
    }

    private static long Mod(long x, long m) => ((x % m) + m) % m;
}
