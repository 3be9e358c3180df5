using Monitoring.Stats.Classification;

namespace Monitoring.Stats.Slices;

/// <summary>One value of a dimension against the rest of the rows.</summary>
/// <param name="Key">The slice.</param>
/// <param name="Metrics">Its metrics with intervals.</param>
/// <param name="Comparison">Against the complement on the chosen metric (BH across every single-value slice of the report); null when undefined.</param>
/// <param name="AucComparison">AUC against the complement, DeLong z-test (BH across the single-value slices' AUC tests); null when undefined.</param>
public sealed record SliceResult(SliceKey Key, SliceMetrics Metrics, SliceComparison? Comparison, SliceComparison? AucComparison);

/// <summary>The slices of one dimension.</summary>
/// <param name="Name">Dimension name.</param>
/// <param name="Volume">Rows with a non-null value.</param>
/// <param name="OtherValues">Distinct values merged into "(other)".</param>
/// <param name="Slices">Kept values by volume (ties by ordinal value), then "(other)".</param>
public sealed record DimensionSlices(string Name, long Volume, int OtherValues, IReadOnlyList<SliceResult> Slices);

/// <summary>
/// The exact slice report of a dataset: overall metrics; for every dimension, every kept value (any support) with its
/// metrics and its comparison with the rest of the rows on <see cref="SliceOptions.Metric"/> and on AUC, each family
/// adjusted with Benjamini-Hochberg across all single-value slices of all dimensions; and the worst slices
/// (<see cref="WorstSlices"/>, whose BH family is its own candidates: singles and pairs with enough support).
/// </summary>
/// <param name="Overall">Metrics of every row.</param>
/// <param name="Dimensions">Per dimension.</param>
/// <param name="Worst">The worst-slice search.</param>
/// <param name="Options">Settings used.</param>
public sealed record SliceReport(SliceMetrics Overall, IReadOnlyList<DimensionSlices> Dimensions, WorstSliceResult Worst, SliceOptions Options)
{
    /// <summary>Builds the report.</summary>
    public static SliceReport Build(SliceDataset data, SliceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new SliceOptions();
        options.Validate();
        var groups = data.Dimensions.Select((d, i) => DimensionGroups.Build(i, d, options.ValuesPerDimension)).ToArray();
        var pending = new List<(int Dimension, SliceKey Key, SliceMetrics Metrics, SliceComparison? Comparison, SliceComparison? Auc)>();
        foreach (var g in groups)
        {
            for (var c = 0; c < g.Labels.Length; c++)
            {
                var rows = g.Rows[c];
                var counts = data.CountRows(rows);
                var complete = rows.Length < data.Count;
                var (auc, restAuc) = data.Auc(rows, withComplement: complete);
                SliceComparison? comparison = null, aucComparison = null;
                if (complete)
                {
                    var rest = data.Total.Minus(counts);
                    comparison = SliceComparison.Compare(counts, rest, options.Metric, auc, restAuc, options.Alpha);
                    aucComparison = SliceComparison.Compare(counts, rest, SliceMetric.Auc, auc, restAuc, options.Alpha);
                }

                pending.Add((g.Index, SliceKey.Single(g.Name, g.Labels[c]), SliceMetrics.From(counts, auc, options.Alpha), comparison, aucComparison));
            }
        }

        var comparisons = AdjustPresent(pending.Select(p => p.Comparison).ToArray(), options.Alpha);
        var aucComparisons = AdjustPresent(pending.Select(p => p.Auc).ToArray(), options.Alpha);
        var dimensions = groups.Select(g => new DimensionSlices(
            g.Name,
            g.Volume,
            g.OtherValues,
            pending.Select((p, i) => (p, i)).Where(x => x.p.Dimension == g.Index)
                .Select(x => new SliceResult(x.p.Key, x.p.Metrics, comparisons[x.i], aucComparisons[x.i])).ToArray())).ToArray();
        var overall = SliceMetrics.From(data.Total, data.Auc(Enumerable.Range(0, data.Count).ToArray(), withComplement: false).Rows, options.Alpha);
        return new SliceReport(overall, dimensions, WorstSlices.Find(data, options, groups), options);
    }

    private static SliceComparison?[] AdjustPresent(SliceComparison?[] comparisons, double alpha)
    {
        var present = comparisons.Where(c => c is not null).Select(c => c!).ToArray();
        var adjusted = SliceComparison.Adjust(present, alpha);
        var result = new SliceComparison?[comparisons.Length];
        for (int i = 0, k = 0; i < comparisons.Length; i++)
        {
            result[i] = comparisons[i] is null ? null : adjusted[k++];
        }

        return result;
    }
}
