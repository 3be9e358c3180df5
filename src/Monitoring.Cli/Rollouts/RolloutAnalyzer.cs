using System.Globalization;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Aggregation.Rollouts;
using Monitoring.Datasets;
using Monitoring.Stats.Rollouts;
using Monitoring.Stats.Slices;

namespace Monitoring.Cli.Rollouts;

/// <summary>
/// Reads two prediction files (one per version) and compares them with <see cref="VersionComparer"/>, exactly where
/// raw values allow it (AUC by DeLong on the raw scores, KS with its p-value). With an id column, the requests present
/// in both files are shadow pairs (agreement, score differences, disagreement by segment) and, where both are labelled,
/// the AUC and Brier tests are paired (the labels must agree). Rows without a score are skipped and counted; a row
/// without a label is a prediction not yet labelled. Input problems surface as <see cref="CliException"/> naming the
/// file, row (1-based, the header is row 1) and column.
/// </summary>
public static class RolloutAnalyzer
{
    /// <summary>One file's rows as read.</summary>
    private sealed record Rows(VersionSample Sample, ExactScores Exact, Dictionary<string, (double Score, double? Label, (string, string)[] Slices)> ById, int Skipped);

    /// <summary>Builds the comparison report.</summary>
    public static VersionComparisonReport Analyze(TabularFile baseline, TabularFile candidate, RolloutCompareOptions options)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Guardrails.Errors();
        if (errors.Count > 0)
        {
            throw new CliException("guardrails: " + string.Join(" ", errors).Replace("_", "-", StringComparison.Ordinal));
        }

        var b = Read(baseline, options, options.BaselineName);
        var c = Read(candidate, options, options.CandidateName);
        ComparisonInputs inputs = new(BaselineExact: b.Exact, CandidateExact: c.Exact);
        if (options.IdColumn is not null)
        {
            var shadow = new ShadowPairAccumulator(options.Threshold);
            var pb = new List<double>();
            var pc = new List<double>();
            var labels = new List<double>();
            foreach (var (id, rb) in b.ById.OrderBy(x => x.Key, StringComparer.Ordinal))
            {
                if (!c.ById.TryGetValue(id, out var rc))
                {
                    continue;
                }

                shadow.Add(rb.Score, rc.Score, rb.Slices);
                if (rb.Label is { } lb && rc.Label is { } lc)
                {
                    if (lb != lc)
                    {
                        throw new CliException($"{options.IdColumn} '{id}': the baseline file labels it {lb}, the candidate file {lc}; a request has one ground truth.");
                    }

                    pb.Add(rb.Score);
                    pc.Add(rc.Score);
                    labels.Add(lb);
                }
            }

            inputs = inputs with
            {
                Shadow = shadow.Pairs > 0 ? shadow : null,
                Paired = labels.Count > 0 ? new PairedScores(pb.ToArray(), pc.ToArray(), labels.ToArray()) : null,
            };
        }

        return VersionComparer.Compare($"{baseline.Path} vs {candidate.Path}", b.Sample, c.Sample, options.Guardrails, inputs);
    }

    private static Rows Read(TabularFile table, RolloutCompareOptions options, string version)
    {
        if (table.RowCount == 0)
        {
            throw new CliException($"{table.Path}: the file has a header but no data rows.");
        }

        var required = new List<(string Column, string Role)> { (options.ScoreColumn, "score column"), (options.LabelColumn, "label column") };
        required.AddRange(options.Segments.Select(s => (s, "segment")));
        required.AddRange(options.Features.Select(f => (f, "feature")));
        if (options.LatencyColumn is { } latencyColumn)
        {
            required.Add((latencyColumn, "latency column"));
        }

        if (options.IdColumn is { } idColumn)
        {
            required.Add((idColumn, "id column"));
        }

        foreach (var (column, role) in required)
        {
            if (!table.HasColumn(column))
            {
                throw new CliException($"{table.Path}: column '{column}' (the {role}) is not in the file; its columns are {string.Join(", ", table.Header)}.");
            }
        }

        var sample = new VersionSample(version, options.Threshold);
        var scoreCells = table.Column(options.ScoreColumn);
        var labelCells = table.Column(options.LabelColumn);
        var latencyCells = options.LatencyColumn is null ? null : table.Column(options.LatencyColumn);
        var idCells = options.IdColumn is null ? null : table.Column(options.IdColumn);
        var segmentCells = options.Segments.Select(s => (Name: s, Cells: table.Column(s))).ToArray();
        var numericFeatures = options.Features.Where(f => table.Column(f).All(v => v is null || TryParse(v, out var x) && double.IsFinite(x))).ToHashSet(StringComparer.Ordinal);
        var all = new List<double>(table.RowCount);
        var labeledScores = new List<double>();
        var labels = new List<double>();
        var byId = new Dictionary<string, (double, double?, (string, string)[])>(StringComparer.Ordinal);
        var skipped = 0;
        for (var i = 0; i < table.RowCount; i++)
        {
            var row = i + 2;
            if (scoreCells[i] is not { } scoreText)
            {
                skipped++;
                continue;
            }

            if (!TryParse(scoreText, out var score) || !(score >= 0 && score <= 1))
            {
                throw new CliException($"{table.Path}: row {row}, column '{options.ScoreColumn}': score '{scoreText}' is not a probability in [0, 1].");
            }

            double? latency = null;
            if (latencyCells?[i] is { } latencyText)
            {
                if (!TryParse(latencyText, out var ms) || !(ms >= 0) || !double.IsFinite(ms))
                {
                    throw new CliException($"{table.Path}: row {row}, column '{options.LatencyColumn}': latency '{latencyText}' is not a number of milliseconds >= 0.");
                }

                latency = ms;
            }

            sample.AddPrediction(score, latency);
            all.Add(score);
            foreach (var feature in options.Features)
            {
                var cell = table.Column(feature)[i];
                if (numericFeatures.Contains(feature))
                {
                    sample.AddFeature(feature, cell is null ? double.NaN : double.Parse(cell, NumberStyles.Float, CultureInfo.InvariantCulture));
                }
                else
                {
                    sample.AddFeature(feature, cell);
                }
            }

            var slices = segmentCells.Select(s => (s.Name, s.Cells[i] ?? SliceKey.NullValue)).ToArray();
            double? label = null;
            if (labelCells[i] is { } labelText)
            {
                if (!TryParse(labelText, out var y) || (y != 0 && y != 1))
                {
                    throw new CliException($"{table.Path}: row {row}, column '{options.LabelColumn}': label '{labelText}' is not 0 or 1.");
                }

                label = y;
                sample.AddLabeled(score, y, slices);
                labeledScores.Add(score);
                labels.Add(y);
            }

            if (idCells is not null)
            {
                if (idCells[i] is not { } id)
                {
                    throw new CliException($"{table.Path}: row {row}, column '{options.IdColumn}': the request id is empty.");
                }

                if (!byId.TryAdd(id, (score, label, slices)))
                {
                    throw new CliException($"{table.Path}: row {row}, column '{options.IdColumn}': request id '{id}' appears twice.");
                }
            }
        }

        if (all.Count == 0)
        {
            throw new CliException($"{table.Path}: no row has a score ('{options.ScoreColumn}').");
        }

        return new Rows(sample, new ExactScores(all.ToArray(), labeledScores.ToArray(), labels.ToArray()), byId, skipped);
    }

    private static bool TryParse(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
