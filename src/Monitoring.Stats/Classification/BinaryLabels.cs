namespace Monitoring.Stats.Classification;

/// <summary>Validation shared by the binary-classification metrics: paired spans, scores in [0, 1], labels 0 or 1.</summary>
internal static class BinaryLabels
{
    public static void Validate(ReadOnlySpan<double> scores, ReadOnlySpan<double> labels)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"scores has {scores.Length} values, labels {labels.Length}.", nameof(labels));
        }

        for (var i = 0; i < scores.Length; i++)
        {
            if (!(scores[i] >= 0 && scores[i] <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(scores), scores[i], $"Score {i} is not a probability in [0, 1].");
            }

            if (labels[i] != 0 && labels[i] != 1)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"Label {i} is not 0 or 1.");
            }
        }
    }
}
