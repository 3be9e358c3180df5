using System.Collections.Concurrent;
using Monitoring.Client;

namespace Monitoring.Cli.Demo;

/// <summary>
/// Passes every prediction and label on to the exporter and counts them per model, so <c>monitoring demo</c> can say at
/// the end what it sent (and a reader can compare it with the silo's counts).
/// </summary>
internal sealed class CountingSink(IPredictionSink inner) : IPredictionSink
{
    private readonly ConcurrentDictionary<string, Counts> _counts = new(StringComparer.Ordinal);

    /// <summary>Predictions and labels handed to the exporter for one model.</summary>
    public sealed class Counts
    {
        private long _predictions;
        private long _labels;

        /// <summary>Predictions sent.</summary>
        public long Predictions => Interlocked.Read(ref _predictions);

        /// <summary>Labels sent.</summary>
        public long Labels => Interlocked.Read(ref _labels);

        internal void AddPrediction() => Interlocked.Increment(ref _predictions);

        internal void AddLabel() => Interlocked.Increment(ref _labels);
    }

    /// <summary>The counts by model id, in model id order.</summary>
    public IReadOnlyList<(string Model, Counts Counts)> ByModel =>
        [.. _counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => (kv.Key, kv.Value))];

    /// <inheritdoc />
    public void LogPrediction(Prediction prediction)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        inner.LogPrediction(prediction);
        _counts.GetOrAdd(prediction.ModelId, _ => new Counts()).AddPrediction();
    }

    /// <inheritdoc />
    public void LogLabel(string modelId, string predictionId, object label, DateTimeOffset? timestamp = null)
    {
        inner.LogLabel(modelId, predictionId, label, timestamp);
        _counts.GetOrAdd(modelId, _ => new Counts()).AddLabel();
    }
}
