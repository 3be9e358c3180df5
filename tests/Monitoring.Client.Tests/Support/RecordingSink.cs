namespace Monitoring.Client.Tests.Support;

internal sealed record RecordedLabel(string ModelId, string PredictionId, object Label, DateTimeOffset? Timestamp);

/// <summary>An in-memory <see cref="IPredictionSink"/>; can signal when a number of predictions has arrived.</summary>
internal sealed class RecordingSink(int signalAfterPredictions = int.MaxValue) : IPredictionSink
{
    private readonly Lock _gate = new();
    private readonly List<Prediction> _predictions = [];
    private readonly List<RecordedLabel> _labels = [];

    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<Prediction> Predictions
    {
        get
        {
            lock (_gate)
            {
                return [.. _predictions];
            }
        }
    }

    public List<RecordedLabel> Labels
    {
        get
        {
            lock (_gate)
            {
                return [.. _labels];
            }
        }
    }

    public void LogPrediction(Prediction prediction)
    {
        lock (_gate)
        {
            _predictions.Add(prediction);
            if (_predictions.Count >= signalAfterPredictions)
            {
                Reached.TrySetResult();
            }
        }
    }

    public void LogLabel(string modelId, string predictionId, object label, DateTimeOffset? timestamp = null)
    {
        lock (_gate)
        {
            _labels.Add(new RecordedLabel(modelId, predictionId, label, timestamp));
        }
    }
}
