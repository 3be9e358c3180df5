namespace Monitoring.Ingest.Conventions;

/// <summary>
/// Which rule a rejected record broke, as a small fixed set: the <c>reason</c> attribute of
/// <c>monitoring.records.rejected</c> (the free-text reason, with the offending value, goes only to the client).
/// </summary>
internal enum RejectReason
{
    /// <summary><c>event_name</c> / <c>ml.event</c> missing, unknown or conflicting.</summary>
    EventKind,

    /// <summary>Resource <c>ml.tenant</c> unusable.</summary>
    Tenant,

    /// <summary><c>ml.model.id</c> missing or not a non-empty string.</summary>
    ModelId,

    /// <summary><c>ml.model.version</c> not a non-empty string.</summary>
    ModelVersion,

    /// <summary><c>ml.prediction.id</c> not a non-empty string, or missing on a label.</summary>
    PredictionId,

    /// <summary><c>ml.prediction.score</c> not a finite number in [0, 1].</summary>
    Score,

    /// <summary><c>ml.prediction.class</c> of the wrong type or empty.</summary>
    PredictedClass,

    /// <summary><c>ml.prediction.value</c> not a finite number.</summary>
    PredictedValue,

    /// <summary><c>ml.prediction.latency_ms</c> not a finite number &gt;= 0.</summary>
    Latency,

    /// <summary><c>ml.label.value</c> missing on a label, empty or of the wrong type.</summary>
    Label,

    /// <summary>An <c>ml.feature.*</c> attribute without a name or with an unusable value.</summary>
    Feature,

    /// <summary>An <c>ml.segment.*</c> attribute without a name or value.</summary>
    Segment,

    /// <summary>A timestamp out of range.</summary>
    EventTime,

    /// <summary>A prediction without a score, class or value.</summary>
    NoOutput,

    /// <summary><c>ml.request.id</c> not a non-empty string.</summary>
    RequestId,

    /// <summary>An id, name or string value longer than its limit (<c>Monitoring:Limits:Max*Length</c>).</summary>
    TooLong,

    /// <summary>More <c>ml.feature.*</c> attributes on the record than <c>Monitoring:Limits:MaxFeaturesPerRecord</c>.</summary>
    TooManyFeatures,

    /// <summary>More <c>ml.segment.*</c> attributes on the record than <c>Monitoring:Limits:MaxSegmentsPerRecord</c>.</summary>
    TooManySegments,

    /// <summary>A new feature for a model already tracking <c>Monitoring:Limits:MaxFeaturesPerModel</c> (decided by the grain).</summary>
    ModelFeatureLimit,

    /// <summary>A new model for a tenant already having <c>Monitoring:Limits:MaxModelsPerTenant</c> (decided by the grain).</summary>
    TenantModelLimit,
}

/// <summary>Attribute values of <see cref="RejectReason"/>.</summary>
internal static class RejectReasons
{
    /// <summary>Attribute value per reason, indexed by the enum value.</summary>
    public static readonly string[] Names =
    [
        "event_kind", "tenant", "model_id", "model_version", "prediction_id", "score", "class", "value", "latency",
        "label", "feature", "segment", "event_time", "no_output",
        "request_id", "too_long", "too_many_features", "too_many_segments",
        Abstractions.Events.AppendRejection.ModelFeatureLimit, Abstractions.Events.AppendRejection.ModelTenantLimit,
    ];

    /// <summary>The reason named <paramref name="name"/> (a grain's <see cref="Abstractions.Events.AppendRejection.Reason"/>), if known.</summary>
    public static RejectReason? Parse(string name)
    {
        var index = Array.IndexOf(Names, name);
        return index < 0 ? null : (RejectReason)index;
    }

    /// <summary>Number of reasons.</summary>
    public static int Count => Names.Length;
}
