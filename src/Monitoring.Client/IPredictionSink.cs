namespace Monitoring.Client;

/// <summary>Where predictions and labels are logged: <see cref="PredictionLogger"/>, or an in-memory sink in tests.</summary>
public interface IPredictionSink
{
    /// <summary>Logs one prediction.</summary>
    /// <param name="prediction">The prediction.</param>
    void LogPrediction(Prediction prediction);

    /// <summary>Logs the ground truth for an earlier prediction.</summary>
    /// <param name="modelId">The model (<c>ml.model.id</c>).</param>
    /// <param name="predictionId">The prediction the label belongs to (<c>ml.prediction.id</c>).</param>
    /// <param name="label">The ground truth (<c>ml.label.value</c>): a number or a bool (sent as a double) or a string.</param>
    /// <param name="timestamp">When the label became known; now when null.</param>
    void LogLabel(string modelId, string predictionId, object label, DateTimeOffset? timestamp = null);
}
