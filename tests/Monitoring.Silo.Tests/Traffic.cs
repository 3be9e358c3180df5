using Monitoring.Client;

namespace Monitoring.Silo.Tests;

/// <summary>Builds predictions and sends them through the OpenTelemetry SDK's OTLP exporter (via PredictionLogger).</summary>
public static class Traffic
{
    public static PredictionLogger Logger(Uri endpoint, OtlpProtocol protocol) => new(new PredictionLoggerOptions
    {
        Endpoint = endpoint,
        Protocol = protocol,
        ServiceName = "silo-tests",
        MaxExportBatchSize = 512,
    });

    public static Prediction Prediction(string model, string id, DateTimeOffset at, double age, string country, double score) =>
        new(model, "v1", id, score, null, null, 12.5,
            new Dictionary<string, object?> { ["age"] = age, ["country"] = country },
            new Dictionary<string, string> { ["region"] = country == "BR" ? "latam" : "other" },
            at);

    /// <summary>
    /// Sends and returns once every record's export request has completed: disposing the logger shuts the SDK's batch
    /// processor down, which joins its export thread after the last export. (ForceFlush is not enough: the SDK's batch
    /// processor counts a record flushed once its batch is dequeued for export, before the export call returns.)
    /// </summary>
    public static void SendAndAck(Uri endpoint, OtlpProtocol protocol, IEnumerable<Prediction> predictions)
    {
        using var logger = Logger(endpoint, protocol);
        foreach (var p in predictions)
        {
            logger.LogPrediction(p);
        }
    }

    /// <summary>Sends labels (0/1) and returns once every export request has completed (see <see cref="SendAndAck"/>).</summary>
    public static void SendLabelsAndAck(Uri endpoint, OtlpProtocol protocol, string model, IEnumerable<(string PredictionId, int Label)> labels)
    {
        using var logger = Logger(endpoint, protocol);
        foreach (var (id, label) in labels)
        {
            logger.LogLabel(model, id, label);
        }
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
