using System.Globalization;
using Monitoring.Datasets;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Multiple;

namespace Monitoring.Cli.Drift;

/// <summary>
/// Compares two CSV tables column by column, exactly (no sampling, no sketches). A column is numeric when every
/// non-empty cell in both files parses as a number (invariant culture) and it is not named categorical; otherwise it is
/// categorical and compared by its cell strings. Empty cells (and "NaN" in numeric columns) are nulls: excluded from
/// every test and reported as null fractions. KS and chi-square p-values are adjusted with Benjamini-Hochberg across
/// all features before the drift rule reads them.
/// </summary>
public static class DriftAnalyzer
{
    /// <summary>Builds the report; input problems surface as <see cref="CliException"/>.</summary>
    public static DriftReport Analyze(TabularFile reference, TabularFile current, DriftOptions options, DriftPolicy policy)
    {
        if (reference.RowCount == 0)
        {
            throw new CliException($"{reference.Path}: the reference has a header but no data rows; nothing to compare against.");
        }

        if (current.RowCount == 0)
        {
            throw new CliException($"{current.Path}: the current file has a header but no data rows.");
        }

        if ((options.ScoreColumn is null) != (options.LabelColumn is null))
        {
            throw new CliException("--score-column and --label-column must be given together.");
        }

        var excluded = new HashSet<string>(StringComparer.Ordinal);
        if (options.ScoreColumn is not null)
        {
            excluded.Add(options.ScoreColumn);
            excluded.Add(options.LabelColumn!);
        }

        foreach (var name in options.Categorical)
        {
            if (!reference.HasColumn(name) && !current.HasColumn(name))
            {
                throw new CliException($"--categorical names column '{name}', which is in neither file.");
            }
        }

        foreach (var name in current.Header.Where(h => !excluded.Contains(h) && !reference.HasColumn(h)))
        {
            throw new CliException($"{current.Path}: column '{name}' is not in the reference file {reference.Path}.");
        }

        var names = reference.Header.Where(h => !excluded.Contains(h)).ToList();
        foreach (var name in names.Where(n => !current.HasColumn(n)))
        {
            throw new CliException($"{reference.Path}: column '{name}' is not in the current file {current.Path}.");
        }

        var computed = names.Select(n => Compute(n, reference, current, options)).ToList();
        var pValues = computed.Select(c => c.Numeric?.Ks.PValue ?? c.Categorical?.ChiSquare?.PValue ?? double.NaN).ToArray();
        var adjusted = BenjaminiHochberg.Adjust(pValues);
        var features = new List<FeatureDrift>();
        for (var i = 0; i < computed.Count; i++)
        {
            var c = computed[i];
            var p = double.IsNaN(adjusted[i]) ? (double?)null : adjusted[i];
            var decision = c.Numeric is not null ? policy.DecideNumeric(c.Numeric, adjusted[i])
                : c.Categorical is not null ? policy.DecideCategorical(c.Categorical, p ?? 1.0)
                : new DriftDecision(false, c.Kind == FeatureKind.Numeric ? policy.NumericMethod : policy.CategoricalMethod, ["no_data(all values null in one file)"]);
            features.Add(c with { AdjustedPValue = p, Decision = decision });
        }

        var classification = options.ScoreColumn is null ? null : Classify(current, options.ScoreColumn, options.LabelColumn!);
        return new DriftReport(reference.RowCount, current.RowCount, features, classification, policy);
    }

    private static FeatureDrift Compute(string name, TabularFile reference, TabularFile current, DriftOptions options)
    {
        var refCells = reference.Column(name);
        var curCells = current.Column(name);
        double[] refValues = [], curValues = [];
        int refNulls = 0, curNulls = 0;
        var numeric = !options.Categorical.Contains(name)
            && TryParseNumbers(refCells, out refValues, out refNulls)
            && TryParseNumbers(curCells, out curValues, out curNulls);
        var pending = new DriftDecision(false, string.Empty, []);
        if (numeric)
        {
            RejectInfinities(reference, name, refCells);
            RejectInfinities(current, name, curCells);
            var result = refValues.Length > 0 && curValues.Length > 0 ? NumericDrift.Compute(refValues, curValues) : null;
            return new FeatureDrift(name, FeatureKind.Numeric, Fraction(refNulls, reference.RowCount), Fraction(curNulls, current.RowCount), result, null, null, pending);
        }

        var refCounts = CountCategories(refCells, out var refNullCount);
        var curCounts = CountCategories(curCells, out var curNullCount);
        var categorical = refCounts.Count > 0 && curCounts.Count > 0 ? CategoricalDrift.Compute(refCounts, curCounts) : null;
        return new FeatureDrift(name, FeatureKind.Categorical, Fraction(refNullCount, reference.RowCount), Fraction(curNullCount, current.RowCount), null, categorical, null, pending);
    }

    private static ClassificationSection Classify(TabularFile current, string scoreColumn, string labelColumn)
    {
        if (!current.HasColumn(scoreColumn))
        {
            throw new CliException($"{current.Path}: --score-column '{scoreColumn}' is not a column of the current file.");
        }

        if (!current.HasColumn(labelColumn))
        {
            throw new CliException($"{current.Path}: --label-column '{labelColumn}' is not a column of the current file.");
        }

        var scoreCells = current.Column(scoreColumn);
        var labelCells = current.Column(labelColumn);
        var scores = new List<double>(scoreCells.Count);
        var labels = new List<double>(scoreCells.Count);
        var skipped = 0;
        for (var i = 0; i < scoreCells.Count; i++)
        {
            var row = i + 2;
            if (scoreCells[i] is null || labelCells[i] is null)
            {
                skipped++;
                continue;
            }

            if (!TryParse(scoreCells[i]!, out var score) || double.IsNaN(score))
            {
                throw new CliException($"{current.Path}: row {row}, column '{scoreColumn}': score '{scoreCells[i]}' is not a number.");
            }

            if (!(score >= 0 && score <= 1))
            {
                throw new CliException($"{current.Path}: row {row}, column '{scoreColumn}': score {scoreCells[i]} is outside [0, 1]; scores must be probabilities of the positive class.");
            }

            if (!TryParse(labelCells[i]!, out var label) || (label != 0 && label != 1))
            {
                throw new CliException($"{current.Path}: row {row}, column '{labelColumn}': label '{labelCells[i]}' is not 0 or 1.");
            }

            scores.Add(score);
            labels.Add(label);
        }

        if (scores.Count == 0)
        {
            throw new CliException($"{current.Path}: no row has both a score ('{scoreColumn}') and a label ('{labelColumn}').");
        }

        var metrics = BinaryClassificationMetrics.Compute(scores.ToArray(), labels.ToArray());
        return new ClassificationSection(scoreColumn, labelColumn, skipped, metrics);
    }

    private static bool TryParseNumbers(IReadOnlyList<string?> cells, out double[] values, out int nulls)
    {
        var list = new List<double>(cells.Count);
        nulls = 0;
        foreach (var cell in cells)
        {
            if (cell is null)
            {
                nulls++;
                continue;
            }

            if (!TryParse(cell, out var v))
            {
                values = [];
                return false;
            }

            if (double.IsNaN(v))
            {
                nulls++;
            }
            else
            {
                list.Add(v);
            }
        }

        values = list.ToArray();
        return true;
    }

    private static void RejectInfinities(TabularFile table, string column, IReadOnlyList<string?> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (cells[i] is { } cell && TryParse(cell, out var v) && double.IsInfinity(v))
            {
                throw new CliException($"{table.Path}: row {i + 2}, column '{column}': infinite value '{cell}' in a numeric column; remove it or name the column in --categorical.");
            }
        }
    }

    private static Dictionary<string, long> CountCategories(IReadOnlyList<string?> cells, out int nulls)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        nulls = 0;
        foreach (var cell in cells)
        {
            if (cell is null)
            {
                nulls++;
            }
            else
            {
                counts[cell] = counts.GetValueOrDefault(cell) + 1;
            }
        }

        return counts;
    }

    private static bool TryParse(string cell, out double value) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static double Fraction(int part, int whole) => whole == 0 ? 0 : (double)part / whole;
}
