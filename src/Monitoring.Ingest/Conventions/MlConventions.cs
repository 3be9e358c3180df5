namespace Monitoring.Ingest.Conventions;

/// <summary>Event names, attribute keys and header of the ML-over-OTLP-logs conventions.</summary>
internal static class MlConventions
{
    /// <summary><c>event_name</c> of a prediction record.</summary>
    public const string PredictionEventName = "ml.prediction";

    /// <summary><c>event_name</c> of a label record.</summary>
    public const string LabelEventName = "ml.label";

    /// <summary>Alternative to <c>event_name</c>: <c>prediction</c> or <c>label</c>.</summary>
    public const string EventAttribute = "ml.event";

    /// <summary><see cref="EventAttribute"/> value of a prediction.</summary>
    public const string PredictionEventValue = "prediction";

    /// <summary><see cref="EventAttribute"/> value of a label.</summary>
    public const string LabelEventValue = "label";

    /// <summary>Model id (string, required; record or resource attribute).</summary>
    public const string ModelId = "ml.model.id";

    /// <summary>Model version (string; record or resource attribute).</summary>
    public const string ModelVersion = "ml.model.version";

    /// <summary>Version used when none is given.</summary>
    public const string DefaultModelVersion = "unversioned";

    /// <summary>Prediction id (string; required on labels).</summary>
    public const string PredictionId = "ml.prediction.id";

    /// <summary>Binary classifier score in [0, 1].</summary>
    public const string Score = "ml.prediction.score";

    /// <summary>Predicted class.</summary>
    public const string PredictedClass = "ml.prediction.class";

    /// <summary>Regression output.</summary>
    public const string PredictedValue = "ml.prediction.value";

    /// <summary>Serving latency in milliseconds (&gt;= 0).</summary>
    public const string LatencyMs = "ml.prediction.latency_ms";

    /// <summary>Prefix of feature attributes (<c>ml.feature.{name}</c>).</summary>
    public const string FeaturePrefix = "ml.feature.";

    /// <summary>Prefix of segment attributes (<c>ml.segment.{name}</c>).</summary>
    public const string SegmentPrefix = "ml.segment.";

    /// <summary>Ground truth of a label record.</summary>
    public const string LabelValue = "ml.label.value";

    /// <summary>Resource attribute naming the tenant (when the request header does not).</summary>
    public const string TenantAttribute = "ml.tenant";

    /// <summary>Resource attribute naming the sending service.</summary>
    public const string ServiceName = "service.name";

    /// <summary>Request header (HTTP) or metadata key (gRPC) naming the tenant; wins over <see cref="TenantAttribute"/>.</summary>
    public const string TenantHeader = "x-monitoring-tenant";
}
