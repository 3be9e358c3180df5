using System.Globalization;
using Monitoring.Datasets;
using Monitoring.Stats.Slices;

namespace Monitoring.Cli.Slices;

/// <summary>The report of <c>monitoring slices</c>: the input summary and the exact slice report.</summary>
/// <param name="Path">The file.</param>
/// <param name="Rows">Data rows in the file.</param>
/// <param name="SkippedRows">Rows skipped for an empty score or label.</param>
/// <param name="ScoreColumn">Score column.</param>
/// <param name="LabelColumn">Label column.</param>
/// <param name="Segments">Segment columns.</param>
/// <param name="Threshold">Decision threshold.</param>
/// <param name="Report">The slice report.</param>
/// <param name="PredictionDrift">Per-slice prediction drift against the reference file, when one was given.</param>
public sealed record SlicesReport(
    string Path,
    int Rows,
    int SkippedRows,
    string ScoreColumn,
    string LabelColumn,
    IReadOnlyList<string> Segments,
    double Threshold,
    SliceReport Report,
    SlicePredictionDriftReport? PredictionDrift = null);

/// <summary>Each single slice's scores against the same slice of a reference file.</summary>
/// <param name="Path">The reference file.</param>
/// <param name="Rows">Its data rows.</param>
/// <param name="ScoredRows">Rows with a score.</param>
/// <param name="Slices">By slice ("country=BR"), in the report's order.</param>
public sealed record SlicePredictionDriftReport(string Path, int Rows, int ScoredRows, IReadOnlyDictionary<string, SliceDriftResult> Slices);

/// <summary>
/// Reads the score, label and segment columns of a table and builds the exact slice report
/// (<see cref="SliceReport.Build"/>): no sampling, no sketches. Rows with an empty score or label are skipped and
/// counted; an empty segment cell is the value "(null)". Input problems surface as <see cref="CliException"/> naming the
/// file, row (1-based, the header is row 1) and column.
/// </summary>
public static class SlicesAnalyzer
{
    /// <summary>Builds the report.</summary>
    public static SlicesReport Analyze(TabularFile table, SlicesOptions options, TabularFile? reference = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        Validate(table, options);
        var scoreCells = table.Column(options.ScoreColumn);
        var labelCells = table.Column(options.LabelColumn);
        var kept = new List<int>(table.RowCount);
        var scores = new List<double>(table.RowCount);
        var labels = new List<double>(table.RowCount);
        for (var i = 0; i < table.RowCount; i++)
        {
            var row = i + 2;
            if (scoreCells[i] is null || labelCells[i] is null)
            {
                continue;
            }

            if (!TryParse(scoreCells[i]!, out var score) || double.IsNaN(score))
            {
                throw new CliException($"{table.Path}: row {row}, column '{options.ScoreColumn}': score '{scoreCells[i]}' is not a number.");
            }

            if (!(score >= 0 && score <= 1))
            {
                throw new CliException($"{table.Path}: row {row}, column '{options.ScoreColumn}': score {scoreCells[i]} is outside [0, 1]; scores must be probabilities of the positive class.");
            }

            if (!TryParse(labelCells[i]!, out var label) || (label != 0 && label != 1))
            {
                throw new CliException($"{table.Path}: row {row}, column '{options.LabelColumn}': label '{labelCells[i]}' is not 0 or 1.");
            }

            kept.Add(i);
            scores.Add(score);
            labels.Add(label);
        }

        if (kept.Count == 0)
        {
            throw new CliException($"{table.Path}: no row has both a score ('{options.ScoreColumn}') and a label ('{options.LabelColumn}').");
        }

        var dimensions = options.Segments
            .Select(name =>
            {
                var cells = table.Column(name);
                return new SliceDimension(name, kept.Select(i => cells[i]).ToArray());
            })
            .ToArray();
        var data = new SliceDataset(scores.ToArray(), labels.ToArray(), dimensions, options.Threshold);
        var report = SliceReport.Build(data, options.Slicing);
        var drift = reference is null ? null : PredictionDrift(table, reference, options, report);
        return new SlicesReport(table.Path, table.RowCount, table.RowCount - kept.Count, options.ScoreColumn, options.LabelColumn, options.Segments, options.Threshold, report, drift);
    }

    /// <summary>
    /// Every single slice of the report (kept values, "(null)", "(other)" = the values not kept) compared on its scores
    /// with the rows of the same value in the reference (<see cref="SlicePredictionDrift"/>): every scored row counts,
    /// labelled or not, in both files; one Benjamini-Hochberg family across all slices.
    /// </summary>
    private static SlicePredictionDriftReport PredictionDrift(TabularFile current, TabularFile reference, SlicesOptions options, SliceReport report)
    {
        if (reference.RowCount == 0)
        {
            throw new CliException($"{reference.Path}: the reference file has a header but no data rows.");
        }

        foreach (var column in options.Segments.Prepend(options.ScoreColumn))
        {
            if (!reference.HasColumn(column))
            {
                throw new CliException($"{reference.Path}: column '{column}' (the {(column == options.ScoreColumn ? "score column" : "segment")}) is not in the reference file.");
            }
        }

        var currentBins = ScoreBins(current, options);
        var referenceBins = ScoreBins(reference, options);
        var keys = new List<string>();
        var pairs = new List<(long[] Current, long[]? Reference)>();
        foreach (var d in report.Dimensions)
        {
            var kept = d.Slices.Select(s => s.Key.First.Value).Where(v => v != SliceKey.OtherValue).ToHashSet(StringComparer.Ordinal);
            foreach (var s in d.Slices)
            {
                var value = s.Key.First.Value;
                keys.Add(s.Key.ToString());
                pairs.Add((Sum(currentBins.Values[d.Name], value, kept), Sum(referenceBins.Values[d.Name], value, kept)));
            }
        }

        var results = SlicePredictionDrift.Compare(pairs);
        return new SlicePredictionDriftReport(reference.Path, reference.RowCount, referenceBins.Scored,
            keys.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => results[x.i], StringComparer.Ordinal));
    }

    private static long[] Sum(Dictionary<string, long[]> values, string value, HashSet<string> kept)
    {
        var sum = new long[SlicePredictionDrift.BinCount];
        foreach (var (v, bins) in values)
        {
            if (value == SliceKey.OtherValue ? !kept.Contains(v) : v == value)
            {
                for (var b = 0; b < sum.Length; b++)
                {
                    sum[b] += bins[b];
                }
            }
        }

        return sum;
    }

    /// <summary>Per segment and value, the score bin counts of the rows with a score (an empty segment cell is "(null)").</summary>
    private static (int Scored, Dictionary<string, Dictionary<string, long[]>> Values) ScoreBins(TabularFile table, SlicesOptions options)
    {
        var scores = table.Column(options.ScoreColumn);
        var segments = options.Segments.Select(s => (Cells: table.Column(s), Values: new Dictionary<string, long[]>(StringComparer.Ordinal))).ToArray();
        var scored = 0;
        for (var i = 0; i < table.RowCount; i++)
        {
            if (scores[i] is not { } cell)
            {
                continue;
            }

            if (!TryParse(cell, out var score) || !(score >= 0 && score <= 1))
            {
                throw new CliException($"{table.Path}: row {i + 2}, column '{options.ScoreColumn}': score '{cell}' is not a probability in [0, 1].");
            }

            scored++;
            var bin = SlicePredictionDrift.BinOf(score);
            foreach (var (cells, values) in segments)
            {
                var value = cells[i] ?? SliceKey.NullValue;
                if (!values.TryGetValue(value, out var bins))
                {
                    bins = new long[SlicePredictionDrift.BinCount];
                    values[value] = bins;
                }

                bins[bin]++;
            }
        }

        if (scored == 0)
        {
            throw new CliException($"{table.Path}: no row has a score in column '{options.ScoreColumn}'.");
        }

        return (scored, options.Segments.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => segments[x.i].Values, StringComparer.Ordinal));
    }

    private static void Validate(TabularFile table, SlicesOptions options)
    {
        if (table.RowCount == 0)
        {
            throw new CliException($"{table.Path}: the file has a header but no data rows.");
        }

        if (!(options.Threshold >= 0 && options.Threshold <= 1))
        {
            throw new CliException($"--threshold {options.Threshold.ToString(CultureInfo.InvariantCulture)} is outside [0, 1].");
        }

        if (options.Slicing.MinimumSupport < 1)
        {
            throw new CliException("--min-support must be at least 1.");
        }

        if (options.Slicing.ValuesPerDimension < 1)
        {
            throw new CliException("--max-values must be at least 1.");
        }

        if (options.Slicing.MaxResults < 0 || options.Slicing.PairDimensions < 0)
        {
            throw new CliException("--top and --pair-dimensions must not be negative.");
        }

        if (!table.HasColumn(options.ScoreColumn))
        {
            throw new CliException($"{table.Path}: --score-column '{options.ScoreColumn}' is not a column of the file.");
        }

        if (!table.HasColumn(options.LabelColumn))
        {
            throw new CliException($"{table.Path}: --label-column '{options.LabelColumn}' is not a column of the file.");
        }

        if (options.Segments.Count == 0)
        {
            throw new CliException("--segments names no column; give the segment columns separated by commas, e.g. --segments country,device.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in options.Segments)
        {
            if (!table.HasColumn(name))
            {
                throw new CliException($"{table.Path}: --segments names column '{name}', which is not in the file.");
            }

            if (name == options.ScoreColumn || name == options.LabelColumn)
            {
                throw new CliException($"--segments names column '{name}', which is the score or label column.");
            }

            if (!seen.Add(name))
            {
                throw new CliException($"--segments names column '{name}' twice.");
            }
        }
    }

    private static bool TryParse(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
