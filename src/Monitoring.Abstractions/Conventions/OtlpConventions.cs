// One file, two compilations: public in Monitoring.Abstractions (the receiver, the grains and the API read it there), and
// linked into Monitoring.Client as an internal class in the client's own namespace (MONITORING_CLIENT): the client
// library runs inside customers' services and must not pull in Orleans, which Abstractions references, for a list of
// strings; a namespace of its own keeps the two copies from colliding where both assemblies are loaded (the silo's
// OpenAPI XML-comment generator keys every documented member by its full name).
#if MONITORING_CLIENT
namespace Monitoring.Client.Conventions;
#else
namespace Monitoring.Abstractions.Conventions;
#endif

/// <summary>
/// The one list of names of the ML-over-OTLP-logs conventions (README, "Sending predictions"): event names, attribute
/// keys and the tenant header. The receiver reads and the client library writes these constants, never string literals.
/// </summary>
#if MONITORING_CLIENT
internal
#else
public
#endif
static class OtlpConventions
{
    /// <summary><c>event_name</c> of a prediction record.</summary>
    public const string PredictionEventName = "ml.prediction";

    /// <summary><c>event_name</c> of a label record.</summary>
    public const string LabelEventName = "ml.label";

    /// <summary>Alternative to <c>event_name</c> (for pipelines that drop it): <c>prediction</c> or <c>label</c>.</summary>
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

    /// <summary>
    /// Prediction id (string; unique per model and version; required on labels). Shadow mode may reuse one id across
    /// versions: the versions' predictions of one id are a shadow pair, and a label for the id joins every version's
    /// prediction. The same id and the same version again is a retry (a duplicate).
    /// </summary>
    public const string PredictionId = "ml.prediction.id";

    /// <summary>
    /// Request id (string, optional): links the predictions that several versions of a model made for the same request
    /// (shadow mode) when each version's record has its own <see cref="PredictionId"/>; a label then joins the prediction
    /// whose id it carries, and the pair's (scores, label) feed the paired tests once.
    /// </summary>
    public const string RequestId = "ml.request.id";

    /// <summary>Binary classifier score (double in [0, 1]).</summary>
    public const string Score = "ml.prediction.score";

    /// <summary>Predicted class (string).</summary>
    public const string PredictedClass = "ml.prediction.class";

    /// <summary>Regression output (double).</summary>
    public const string PredictedValue = "ml.prediction.value";

    /// <summary>Serving latency in milliseconds (double, &gt;= 0).</summary>
    public const string LatencyMs = "ml.prediction.latency_ms";

    /// <summary>Prefix of feature attributes (<c>ml.feature.{name}</c>).</summary>
    public const string FeaturePrefix = "ml.feature.";

    /// <summary>Prefix of segment attributes (<c>ml.segment.{name}</c>).</summary>
    public const string SegmentPrefix = "ml.segment.";

    /// <summary>Ground truth of a label record (double or string).</summary>
    public const string LabelValue = "ml.label.value";

    /// <summary>Resource attribute naming the tenant (when the request header does not).</summary>
    public const string TenantAttribute = "ml.tenant";

    /// <summary>Resource attribute naming the sending service.</summary>
    public const string ServiceName = "service.name";

    /// <summary>Request header (HTTP) or metadata key (gRPC) naming the tenant; wins over <see cref="TenantAttribute"/>.</summary>
    public const string TenantHeader = "x-monitoring-tenant";
}
