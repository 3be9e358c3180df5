namespace Monitoring.Abstractions.Events;

/// <summary>What a record is: a prediction the model made, or the ground truth that arrived for one later.</summary>
public enum EventKind
{
    /// <summary>A prediction (event name <c>ml.prediction</c> or <c>ml.event=prediction</c>).</summary>
    Prediction = 0,

    /// <summary>A ground-truth label for an earlier prediction (<c>ml.label</c>).</summary>
    Label = 1,
}

/// <summary>One feature value: a number, a string, or null (both unset).</summary>
/// <param name="Name">Feature name (the part after <c>ml.feature.</c>).</param>
/// <param name="Number">Numeric value (double/int attributes).</param>
/// <param name="Text">Categorical value (string/bool attributes; bool as "true"/"false").</param>
[GenerateSerializer, Immutable, Alias("monitoring.feature-value")]
public readonly record struct FeatureValue([property: Id(0)] string Name, [property: Id(1)] double? Number, [property: Id(2)] string? Text)
{
    /// <summary>Whether the value is null (empty attribute or explicitly empty).</summary>
    public bool IsNull => Number is null && Text is null;
}

/// <summary>A segment (slice dimension) value, from <c>ml.segment.{name}</c>.</summary>
/// <param name="Name">Dimension name.</param>
/// <param name="Value">Dimension value.</param>
[GenerateSerializer, Immutable, Alias("monitoring.segment")]
public readonly record struct SegmentValue([property: Id(0)] string Name, [property: Id(1)] string Value);

/// <summary>
/// One prediction or label record after decoding and validation (the conventions in the README). Times are Unix
/// nanoseconds. A prediction carries at least one of score, class or value; a label carries a prediction id and a label.
/// Between silos (a grain call's argument, a shard feed) it travels as its event-log encoding
/// (<see cref="ModelEventSurrogate"/>), not field by field; the <c>[Id]</c>s below are kept for the record's history.
/// </summary>
[Immutable, Alias("monitoring.model-event")]
public sealed record ModelEvent
{
    /// <summary>Prediction or label.</summary>
    [Id(0)]
    public required EventKind Kind { get; init; }

    /// <summary>Unique per model; the key for de-duplication and the label join. Required on labels.</summary>
    [Id(1)]
    public string? PredictionId { get; init; }

    /// <summary>Event time: <c>time_unix_nano</c>, else <c>observed_time_unix_nano</c>, else arrival.</summary>
    [Id(2)]
    public required long EventTimeUnixNano { get; init; }

    /// <summary>Model version (<c>ml.model.version</c>, default "unversioned").</summary>
    [Id(3)]
    public string ModelVersion { get; init; } = "unversioned";

    /// <summary>Binary classifier score in [0, 1] (<c>ml.prediction.score</c>).</summary>
    [Id(4)]
    public double? Score { get; init; }

    /// <summary>Predicted class (<c>ml.prediction.class</c>).</summary>
    [Id(5)]
    public string? PredictedClass { get; init; }

    /// <summary>Regression output (<c>ml.prediction.value</c>).</summary>
    [Id(6)]
    public double? PredictedValue { get; init; }

    /// <summary>Serving latency in milliseconds (<c>ml.prediction.latency_ms</c>).</summary>
    [Id(7)]
    public double? LatencyMs { get; init; }

    /// <summary>Model inputs (<c>ml.feature.*</c>).</summary>
    [Id(8)]
    public FeatureValue[] Features { get; init; } = [];

    /// <summary>Slice dimensions (<c>ml.segment.*</c>).</summary>
    [Id(9)]
    public SegmentValue[] Segments { get; init; } = [];

    /// <summary>Numeric ground truth (<c>ml.label.value</c> as a number).</summary>
    [Id(10)]
    public double? LabelNumber { get; init; }

    /// <summary>Categorical ground truth (<c>ml.label.value</c> as a string).</summary>
    [Id(11)]
    public string? LabelText { get; init; }

    /// <summary>The sending service (<c>service.name</c> of the resource).</summary>
    [Id(12)]
    public string? Source { get; init; }

    /// <summary>When the receiver accepted the record (Unix nanoseconds).</summary>
    [Id(13)]
    public long ReceivedUnixNano { get; init; }

    /// <summary>
    /// The request this prediction answered (<c>ml.request.id</c>), when several versions score the same request (shadow
    /// mode): predictions of different versions with the same request id are compared pair by pair. Null when not sent.
    /// </summary>
    [Id(14)]
    public string? RequestId { get; init; }
}
