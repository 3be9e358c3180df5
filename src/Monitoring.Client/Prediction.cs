namespace Monitoring.Client;

/// <summary>
/// One prediction a model made, as logged by <see cref="PredictionLogger.LogPrediction"/>. At least one of
/// <see cref="Score"/>, <see cref="Class"/> or <see cref="Value"/> is set.
/// </summary>
/// <param name="ModelId">The model (<c>ml.model.id</c>); required.</param>
/// <param name="ModelVersion">The model version (<c>ml.model.version</c>); optional.</param>
/// <param name="PredictionId">Unique per model (<c>ml.prediction.id</c>); the key labels join on.</param>
/// <param name="Score">Binary classifier score in [0, 1] (<c>ml.prediction.score</c>).</param>
/// <param name="Class">Predicted class (<c>ml.prediction.class</c>).</param>
/// <param name="Value">Regression output (<c>ml.prediction.value</c>).</param>
/// <param name="LatencyMs">Serving latency in milliseconds (<c>ml.prediction.latency_ms</c>).</param>
/// <param name="Features">
/// Model inputs (<c>ml.feature.{name}</c>). Integers are sent as OTLP ints and floating-point numbers as OTLP doubles
/// (numeric features); strings and booleans as OTLP strings and bools (categorical features); null or NaN as an empty
/// string (a null value); decimals as doubles; enums and chars as strings; dates as ISO 8601 strings; anything else as its
/// invariant string.
/// </param>
/// <param name="Segments">Slice dimensions (<c>ml.segment.{name}</c>).</param>
/// <param name="Timestamp">Event time (the log record's <c>time_unix_nano</c>); now when null.</param>
/// <param name="RequestId">
/// The request this prediction answered (<c>ml.request.id</c>); optional. In shadow mode every version scoring a request
/// logs its own prediction (own <paramref name="PredictionId"/>) with the same request id, and the monitor pairs them.
/// </param>
public sealed record Prediction(
    string ModelId,
    string? ModelVersion,
    string PredictionId,
    double? Score,
    string? Class,
    double? Value,
    double? LatencyMs,
    IReadOnlyDictionary<string, object?> Features,
    IReadOnlyDictionary<string, string> Segments,
    DateTimeOffset? Timestamp = null,
    string? RequestId = null);
