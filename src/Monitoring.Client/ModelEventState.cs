using System.Collections;
using System.Globalization;
using Monitoring.Client.Conventions;

namespace Monitoring.Client;

/// <summary>
/// The <c>TState</c> passed to <c>ILogger.Log</c>: the record's attributes in order, plus the explicit event time. The
/// OpenTelemetry logger hands an <see cref="IReadOnlyList{T}"/> state to processors as <c>LogRecord.Attributes</c>
/// unchanged, which is how <see cref="EventTimestampProcessor"/> finds <see cref="Timestamp"/>.
/// </summary>
internal sealed class ModelEventState : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _attributes;

    private ModelEventState(string eventName, int capacity, DateTimeOffset? timestamp)
    {
        EventName = eventName;
        Timestamp = timestamp;
        _attributes = new List<KeyValuePair<string, object?>>(capacity);
    }

    /// <summary><c>ml.prediction</c> or <c>ml.label</c>.</summary>
    public string EventName { get; }

    /// <summary>The explicit event time, or null for "now".</summary>
    public DateTimeOffset? Timestamp { get; }

    public int Count => _attributes.Count;

    public KeyValuePair<string, object?> this[int index] => _attributes[index];

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _attributes.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Used by the logger as the formatted message (the OTLP body).</summary>
    public override string ToString() => EventName;

    /// <summary>Builds and validates the attributes of a prediction.</summary>
    public static ModelEventState ForPrediction(Prediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        RequireText(prediction.ModelId, nameof(prediction.ModelId));
        RequireText(prediction.PredictionId, nameof(prediction.PredictionId));
        if (prediction.Score is null && prediction.Class is null && prediction.Value is null)
        {
            throw new ArgumentException("A prediction needs at least one of Score, Class or Value.", nameof(prediction));
        }

        if (prediction.Score is { } s && !(s >= 0.0 && s <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(prediction), s, "Score must be in [0, 1].");
        }

        var features = prediction.Features ?? new Dictionary<string, object?>();
        var segments = prediction.Segments ?? new Dictionary<string, string>();
        var state = new ModelEventState(OtlpConventions.PredictionEventName, 11 + features.Count + segments.Count, prediction.Timestamp);
        state.Add(OtlpConventions.EventAttribute, OtlpConventions.PredictionEventValue);
        state.Add(OtlpConventions.ModelId, prediction.ModelId);
        if (!string.IsNullOrEmpty(prediction.ModelVersion))
        {
            state.Add(OtlpConventions.ModelVersion, prediction.ModelVersion);
        }

        state.Add(OtlpConventions.PredictionId, prediction.PredictionId);
        if (!string.IsNullOrEmpty(prediction.RequestId))
        {
            state.Add(OtlpConventions.RequestId, prediction.RequestId);
        }

        AddIfSet(state, OtlpConventions.Score, prediction.Score);
        if (prediction.Class is not null)
        {
            state.Add(OtlpConventions.PredictedClass, prediction.Class);
        }

        AddIfSet(state, OtlpConventions.PredictedValue, prediction.Value);
        AddIfSet(state, OtlpConventions.LatencyMs, prediction.LatencyMs);

        foreach (var (name, value) in features)
        {
            RequireText(name, "feature name");
            state.Add(OtlpConventions.FeaturePrefix + name, NormalizeFeature(value));
        }

        foreach (var (name, value) in segments)
        {
            RequireText(name, "segment name");
            state.Add(OtlpConventions.SegmentPrefix + name, value ?? string.Empty);
        }

        return state;
    }

    /// <summary>Builds and validates the attributes of a label.</summary>
    public static ModelEventState ForLabel(string modelId, string predictionId, object label, DateTimeOffset? timestamp)
    {
        RequireText(modelId, nameof(modelId));
        RequireText(predictionId, nameof(predictionId));
        ArgumentNullException.ThrowIfNull(label);
        var state = new ModelEventState(OtlpConventions.LabelEventName, 4, timestamp);
        state.Add(OtlpConventions.EventAttribute, OtlpConventions.LabelEventValue);
        state.Add(OtlpConventions.ModelId, modelId);
        state.Add(OtlpConventions.PredictionId, predictionId);
        state.Add(OtlpConventions.LabelValue, NormalizeLabel(label));
        return state;
    }

    /// <summary>
    /// Maps a feature value onto the OTLP value it is sent as: integers to <see cref="long"/> (OTLP int), other numbers to
    /// <see cref="double"/> (OTLP double), <see cref="bool"/> and <see cref="string"/> unchanged, null and NaN to the empty
    /// string (a null value), enums and chars to their names, dates to ISO 8601, anything else to its invariant string.
    /// </summary>
    internal static object NormalizeFeature(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b,
        double d => double.IsNaN(d) ? string.Empty : d,
        float f => float.IsNaN(f) ? string.Empty : (double)f,
        int i => (long)i,
        long l => l,
        short sh => (long)sh,
        byte by => (long)by,
        sbyte sb => (long)sb,
        ushort us => (long)us,
        uint ui => (long)ui,
        ulong ul => ul <= long.MaxValue ? (object)(long)ul : (double)ul,
        decimal m => (double)m,
        Half h => Half.IsNaN(h) ? string.Empty : (double)h,
        char c => c.ToString(),
        Enum e => e.ToString(),
        DateTime dt => dt.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset dto => dto.ToString("O", CultureInfo.InvariantCulture),
        IFormattable fo => fo.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Maps a label onto a double (numbers; bools as 1 or 0) or a string (anything else).</summary>
    internal static object NormalizeLabel(object label) => label switch
    {
        string s => s,
        bool b => b ? 1.0 : 0.0,
        double d => d,
        float f => (double)f,
        int i => (double)i,
        long l => (double)l,
        short sh => (double)sh,
        byte by => (double)by,
        sbyte sb => (double)sb,
        ushort us => (double)us,
        uint ui => (double)ui,
        ulong ul => (double)ul,
        decimal m => (double)m,
        Half h => (double)h,
        Enum e => e.ToString(),
        IFormattable fo => fo.ToString(null, CultureInfo.InvariantCulture),
        _ => label.ToString() ?? string.Empty,
    };

    private void Add(string key, object value) => _attributes.Add(new KeyValuePair<string, object?>(key, value));

    private static void AddIfSet(ModelEventState state, string key, double? value)
    {
        if (value is { } v)
        {
            state.Add(key, v);
        }
    }

    private static void RequireText(string? value, string what)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{what} is required.", what);
        }
    }
}
