namespace Monitoring.Client;

/// <summary>The OTLP log record conventions for predictions and labels: event names and attribute keys.</summary>
public static class MlConventions
{
    /// <summary>The event name (OTLP <c>event_name</c>) of a prediction.</summary>
    public const string PredictionEventName = "ml.prediction";

    /// <summary>The event name (OTLP <c>event_name</c>) of a label.</summary>
    public const string LabelEventName = "ml.label";

    /// <summary>Attribute naming the event type when <c>event_name</c> is absent: <c>prediction</c> or <c>label</c>.</summary>
    public const string Event = "ml.event";

    /// <summary><see cref="Event"/> value of a prediction.</summary>
    public const string EventPrediction = "prediction";

    /// <summary><see cref="Event"/> value of a label.</summary>
    public const string EventLabel = "label";

    /// <summary>Model id (string, required).</summary>
    public const string ModelId = "ml.model.id";

    /// <summary>Model version (string).</summary>
    public const string ModelVersion = "ml.model.version";

    /// <summary>Prediction id (string; required on labels).</summary>
    public const string PredictionId = "ml.prediction.id";

    /// <summary>Binary classifier score (double in [0, 1]).</summary>
    public const string PredictionScore = "ml.prediction.score";

    /// <summary>Predicted class (string).</summary>
    public const string PredictionClass = "ml.prediction.class";

    /// <summary>Regression output (double).</summary>
    public const string PredictionValue = "ml.prediction.value";

    /// <summary>Serving latency in milliseconds (double).</summary>
    public const string PredictionLatencyMs = "ml.prediction.latency_ms";

    /// <summary>Prefix of feature attributes: <c>ml.feature.{name}</c>.</summary>
    public const string FeaturePrefix = "ml.feature.";

    /// <summary>Prefix of segment attributes: <c>ml.segment.{name}</c>.</summary>
    public const string SegmentPrefix = "ml.segment.";

    /// <summary>Ground truth (double or string).</summary>
    public const string LabelValue = "ml.label.value";
}
