using System.Globalization;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.Schema;

namespace Monitoring.Aggregation.Windows;

/// <summary>
/// The synchronous part of a model grain's fold: records into the open windows of a <see cref="ModelState"/> (drift,
/// data quality, schema) and predictions' scores into the per-slice counts of a window's performance. The grain owns
/// one; benchmarks drive it directly.
/// </summary>
public sealed class WindowFolder
{
    /// <summary>Schema events kept per model (newest last).</summary>
    public const int MaxSchemaEvents = 100;

    private const string PairSeparator = " & ";

    private readonly Dictionary<string, string> _featureDimensions = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), string> _pairDimensions = [];
    private ModelState _state = new();

    private static readonly Dictionary<string, NumericAccumulator.Kernels> NoKernels = new(StringComparer.Ordinal);

    // Reference kernels (decile edges) per numeric feature, by reference version: the current reference's, which new
    // windows open with, and those of older references that open windows still count against.
    private readonly Dictionary<int, Dictionary<string, NumericAccumulator.Kernels>> _kernels = [];

    /// <summary>Version of the reference new windows open with (0 = none).</summary>
    public int CurrentReferenceVersion { get; private set; }

    /// <summary>
    /// Makes <paramref name="version"/> (with its kernels) the reference new windows open with, keeping the kernels of
    /// every version in <paramref name="stillUsed"/> (older references of windows still open) and dropping the rest.
    /// </summary>
    public void UseReference(int version, Dictionary<string, NumericAccumulator.Kernels>? kernels, IEnumerable<int> stillUsed)
    {
        var keep = stillUsed.Append(version).ToHashSet();
        foreach (var v in _kernels.Keys.Where(v => !keep.Contains(v)).ToList())
        {
            _kernels.Remove(v);
        }

        if (version != 0 && kernels is not null)
        {
            _kernels[version] = kernels;
        }

        CurrentReferenceVersion = version;
    }

    /// <summary>Registers the kernels of an older reference that an open window still counts against.</summary>
    public void KeepReference(int version, Dictionary<string, NumericAccumulator.Kernels> kernels) => _kernels[version] = kernels;

    /// <summary>Whether the kernels of <paramref name="version"/> are at hand.</summary>
    public bool HasReference(int version) => _kernels.ContainsKey(version);

    private ModelState S => _state;

    private long WindowNanos => UnixNanos.FromTimeSpan(S.Settings.Window);

    private long LatenessNanos => UnixNanos.FromTimeSpan(S.Settings.EffectiveLateness);

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

        if (e.Kind == EventKind.Prediction)
        {
            SeeVersion(e, eventTime);
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

        S.Predictions++;
        var byVersion = VersionWindow(window, e.ModelVersion, S); // before the window counts it: a seed copies the window
        window.Versions[e.ModelVersion] = window.Versions.GetValueOrDefault(e.ModelVersion) + 1;
        FoldPrediction(window, e, eventTime, primary: true);
        if (byVersion is not null)
        {
            byVersion.Versions[e.ModelVersion] = byVersion.Versions.GetValueOrDefault(e.ModelVersion) + 1;
            FoldPrediction(byVersion, e, eventTime, primary: false);
        }
    }

    /// <summary>
    /// Registers a prediction's version in the model's version list (bounded: the version last seen longest ago goes
    /// first), and turns per-version tracking on at the first prediction of a second version.
    /// </summary>
    private void SeeVersion(ModelEvent e, long eventTime)
    {
        if (!S.Versions.TryGetValue(e.ModelVersion, out var seen))
        {
            if (S.Versions.Count >= VersionTracking.MaxVersionsPerModel)
            {
                var oldest = S.Versions.MinBy(kv => (kv.Value.LastUnixNano, kv.Key), VersionAge.Comparer).Key;
                S.Versions.Remove(oldest);
                S.VersionsForgotten++;
            }

            seen = new VersionSeen { FirstUnixNano = eventTime, LastUnixNano = eventTime };
            S.Versions[e.ModelVersion] = seen;
            if (S.VersionTrackingSince == 0 && (S.Versions.Count > 1 || S.VersionsForgotten > 0))
            {
                S.VersionTrackingSince = Math.Max(1, eventTime);
            }
        }

        seen.Predictions++;
        seen.FirstUnixNano = Math.Min(seen.FirstUnixNano, eventTime);
        seen.LastUnixNano = Math.Max(seen.LastUnixNano, eventTime);
        if (e.RequestId is not null)
        {
            seen.WithRequestId++;
        }
    }

    /// <summary>
    /// The window's accumulator of <paramref name="version"/> once versions are tracked (created on first use, seeded
    /// with everything the window counted when it was a single version's), or null (tracking off, or the window's
    /// version cap reached: then the prediction is counted as untracked).
    /// </summary>
    private static WindowAccumulator? VersionWindow(WindowAccumulator window, string version, ModelState state)
    {
        if (!VersionTracking.Active(state))
        {
            return null;
        }

        if (window.ByVersion is null)
        {
            window.ByVersion = new Dictionary<string, WindowAccumulator>(StringComparer.Ordinal);
            // What the window counted before tracking began was its only version's (a mix of several cannot be split).
            if (window.Versions.Count == 1)
            {
                var seed = window.CopyWithoutVersions();
                seed.Labels = 0;
                seed.LateRecords = 0;
                window.ByVersion[window.Versions.Keys.First()] = seed;
            }
        }

        if (!window.ByVersion.TryGetValue(version, out var sub))
        {
            if (window.ByVersion.Count >= VersionTracking.MaxVersionsPerWindow)
            {
                window.UntrackedVersionPredictions++;
                return null;
            }

            sub = new WindowAccumulator { Start = window.Start, End = window.End, ReferenceVersion = window.ReferenceVersion };
            window.ByVersion[version] = sub;
        }

        return sub;
    }

    /// <summary>
    /// Folds a prediction's features, outputs, latency and segments into <paramref name="window"/>; the model's schema
    /// records (type mismatches, events) move only for the <paramref name="primary"/> fold, not again for a version's.
    /// </summary>
    private void FoldPrediction(WindowAccumulator window, ModelEvent e, long eventTime, bool primary)
    {
        window.Predictions++;
        var sharded = S.NumericShards > 0;
        foreach (var f in e.Features)
        {
            FoldFeature(window, f, eventTime, primary, sharded);
        }

        if (e.Score is { } score)
        {
            FoldFeature(window, new FeatureValue("ml.prediction.score", score, null), eventTime, primary);
        }

        if (e.PredictedValue is { } value)
        {
            FoldFeature(window, new FeatureValue("ml.prediction.value", value, null), eventTime, primary);
        }

        if (e.PredictedClass is { } cls)
        {
            FoldFeature(window, new FeatureValue("ml.prediction.class", null, cls), eventTime, primary);
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

    private void FoldFeature(WindowAccumulator window, FeatureValue f, long eventTime, bool primary, bool sharded = false)
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
            if (sharded && f.Number is not null && f.Text is null)
            {
                return; // a value of a hot model's numeric feature: its shard folds it (NumericShard)
            }

            var kernels = _kernels.GetValueOrDefault(window.ReferenceVersion) ?? NoKernels;
            if (!window.Numeric.TryGetValue(f.Name, out var acc))
            {
                acc = new NumericAccumulator();
                if (kernels.TryGetValue(f.Name, out var bound))
                {
                    acc.BindReference(bound);
                }

                window.Numeric[f.Name] = acc;
            }

            if (f.Text is not null)
            {
                Mismatch(window, schema, f.Name, "numeric feature received a string", eventTime, primary);
                acc.Add(double.NaN, null);
            }
            else
            {
                acc.Add(f.Number ?? double.NaN, kernels.GetValueOrDefault(f.Name));
            }
        }
        else
        {
            var acc = WindowAccumulator.Get(window.Categorical, f.Name);
            if (f.Number is { } n)
            {
                Mismatch(window, schema, f.Name, "categorical feature received a number", eventTime, primary);
                acc.Add(n.ToString("R", CultureInfo.InvariantCulture));
            }
            else
            {
                acc.Add(f.Text);
            }
        }
    }

    private void Mismatch(WindowAccumulator window, FeatureSchema schema, string name, string detail, long at, bool primary)
    {
        window.TypeMismatches[name] = window.TypeMismatches.GetValueOrDefault(name) + 1;
        if (!primary)
        {
            return;
        }

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
            window = new WindowAccumulator { Start = start, End = start + WindowNanos, ReferenceVersion = CurrentReferenceVersion };
            S.Open[start] = window;
        }

        return window;
    }

    /// <summary>
    /// Counts a prediction's score in each single slice it belongs to (segments, categorical features), and the
    /// prediction in each pair slice among the window's pair dimensions.
    /// </summary>
    public void AddSliceScores(ModelEvent prediction, double score, PerformanceAccumulator acc)
    {
        foreach (var s in prediction.Segments)
        {
            acc.AddSliceScore(s.Name, s.Value, score);
        }

        if (prediction.Segments.Length > 1 && acc.PairDimensionNames is not { Count: < 2 })
        {
            // Not chosen yet (null): every pair among the first few dimensions, pruned to the chosen ones later.
            AddPairPredictions(prediction.Segments, acc.PairDimensionNames, acc);
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

    private void AddPairPredictions(SegmentValue[] segments, List<string>? pairDimensions, PerformanceAccumulator acc)
    {
        // Pairs in name order, as LabelFold.SliceConditions names them ("a & b" with a < b); a handful of dimensions,
        // so an insertion sort, and no string built per prediction: names are cached, values written into a buffer.
        Span<int> chosen = stackalloc int[pairDimensions is null ? PerformanceAccumulator.ProvisionalPairDimensions : PerformanceAccumulator.PairDimensions];
        var n = 0;
        for (var i = 0; i < segments.Length && n < chosen.Length; i++)
        {
            if (pairDimensions is null || pairDimensions.Contains(segments[i].Name))
            {
                var k = n++;
                for (; k > 0 && string.CompareOrdinal(segments[chosen[k - 1]].Name, segments[i].Name) > 0; k--)
                {
                    chosen[k] = chosen[k - 1];
                }

                chosen[k] = i;
            }
        }

        Span<char> buffer = stackalloc char[256];
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var (a, b) = (segments[chosen[i]], segments[chosen[j]]);
                if (!_pairDimensions.TryGetValue((a.Name, b.Name), out var dimension))
                {
                    dimension = $"{a.Name}{PairSeparator}{b.Name}";
                    _pairDimensions[(a.Name, b.Name)] = dimension;
                }

                var length = a.Value.Length + PairSeparator.Length + b.Value.Length;
                if (length <= buffer.Length)
                {
                    a.Value.AsSpan().CopyTo(buffer);
                    PairSeparator.AsSpan().CopyTo(buffer[a.Value.Length..]);
                    b.Value.AsSpan().CopyTo(buffer[(a.Value.Length + PairSeparator.Length)..]);
                    acc.AddPairPrediction(dimension, buffer[..length]);
                }
                else
                {
                    acc.AddPairPrediction(dimension, $"{a.Value}{PairSeparator}{b.Value}");
                }
            }
        }
    }

    private static long Mod(long x, long m) => ((x % m) + m) % m;

    /// <summary>Orders versions by last sighting, then name (the eviction order).</summary>
    private sealed class VersionAge : IComparer<(long LastUnixNano, string Version)>
    {
        public static readonly VersionAge Comparer = new();

        public int Compare((long LastUnixNano, string Version) x, (long LastUnixNano, string Version) y)
        {
            var c = x.LastUnixNano.CompareTo(y.LastUnixNano);
            return c != 0 ? c : string.CompareOrdinal(x.Version, y.Version);
        }
    }
}
