namespace Monitoring.Stats.Slices;

/// <summary>One entry of the worst-slice list.</summary>
/// <param name="Rank">1 for the worst.</param>
/// <param name="Key">The slice.</param>
/// <param name="Metrics">The slice's metrics (AUC included when both classes are present).</param>
/// <param name="Comparison">Against the complement, with the BH-adjusted p-value across every evaluated candidate.</param>
public sealed record WorstSlice(int Rank, SliceKey Key, SliceMetrics Metrics, SliceComparison Comparison);

/// <summary>The worst slices and how many candidates were evaluated.</summary>
/// <param name="Metric">The ranking metric.</param>
/// <param name="Evaluated">Candidates tested (the Benjamini-Hochberg family): slices with enough support and a defined test.</param>
/// <param name="ExplainedByParent">Pairs left out because a single-condition parent explains them.</param>
/// <param name="Slices">The listed slices, worst first.</param>
public sealed record WorstSliceResult(SliceMetric Metric, int Evaluated, int ExplainedByParent, IReadOnlyList<WorstSlice> Slices);

/// <summary>
/// Finds the slices on which a classifier is worst compared with the rest of its rows.
/// <list type="number">
/// <item>Candidates: every value of every dimension (top <see cref="SliceOptions.ValuesPerDimension"/> by volume, the
/// rest as "(other)", missing values as "(null)"), and every pair of values of two dimensions among the
/// <see cref="SliceOptions.PairDimensions"/> dimensions with the most non-null rows (ties: earlier dimension first),
/// which bounds the pairs at D (D - 1) / 2 K^2 (1,323 by default). A candidate needs at least
/// <see cref="SliceOptions.MinimumSupport"/> rows and a non-empty complement; no smaller slice is ever tested or listed.</item>
/// <item>Each candidate is compared with its complement (<see cref="SliceComparison.Compare"/>) and the p-values of all
/// candidates are adjusted together with Benjamini-Hochberg.</item>
/// <item>A pair A &amp; B is kept only when it is also worse than each parent's other rows (A and not B; B and not A):
/// degradation &gt; 0 with two-sided p &lt; alpha on the same test. Otherwise its shortfall is explained by a single
/// condition (every country=BR &amp; device=X pair inherits country=BR's degradation) and listing it would only repeat
/// the parent; such pairs are counted in <see cref="WorstSliceResult.ExplainedByParent"/>.</item>
/// <item>Ranking: by the lower bound of the two-sided (1 - alpha) confidence interval of the degradation, highest first
/// (ties: smaller p-value, then the slice name, ordinal). The lower bound rewards effect and evidence together: a large
/// drop on a handful of rows has a wide interval and a low bound, a tiny drop on many rows a tight interval around a
/// small value, and a positive bound means the slice is worse than the rest at that confidence for this one test.
/// Only slices with a positive degradation are listed; <see cref="SliceComparison.Significant"/> tells which survive
/// the BH adjustment.</item>
/// </list>
/// </summary>
public static class WorstSlices
{
    /// <summary>Runs the search with <paramref name="options"/> (defaults when null).</summary>
    public static WorstSliceResult Find(SliceDataset data, SliceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new SliceOptions();
        options.Validate();
        var groups = data.Dimensions.Select((d, i) => DimensionGroups.Build(i, d, options.ValuesPerDimension)).ToArray();
        return Find(data, options, groups);
    }

    internal static WorstSliceResult Find(SliceDataset data, SliceOptions options, IReadOnlyList<DimensionGroups> groups)
    {
        var candidates = new List<Candidate>();
        foreach (var g in groups)
        {
            for (var c = 0; c < g.Labels.Length; c++)
            {
                Evaluate(data, options, SliceKey.Single(g.Name, g.Labels[c]), g.Rows[c], [], candidates);
            }
        }

        var pairDimensions = groups.OrderByDescending(g => g.Volume).ThenBy(g => g.Index).Take(options.PairDimensions).OrderBy(g => g.Index).ToArray();
        for (var i = 0; i < pairDimensions.Length; i++)
        {
            for (var j = i + 1; j < pairDimensions.Length; j++)
            {
                var a = pairDimensions[i];
                var b = pairDimensions[j];
                var cells = new List<int>[a.Labels.Length * b.Labels.Length];
                for (var r = 0; r < data.Count; r++)
                {
                    var cell = (a.Codes[r] * b.Labels.Length) + b.Codes[r];
                    (cells[cell] ??= []).Add(r);
                }

                for (var ca = 0; ca < a.Labels.Length; ca++)
                {
                    for (var cb = 0; cb < b.Labels.Length; cb++)
                    {
                        var rows = cells[(ca * b.Labels.Length) + cb];
                        if (rows is null || rows.Count < options.MinimumSupport)
                        {
                            continue;
                        }

                        var key = SliceKey.Pair(a.Name, a.Labels[ca], b.Name, b.Labels[cb]);
                        Evaluate(data, options, key, rows.ToArray(), [a.Rows[ca], b.Rows[cb]], candidates);
                    }
                }
            }
        }

        var adjusted = SliceComparison.Adjust(candidates.Select(c => c.Comparison).ToArray(), options.Alpha);
        for (var i = 0; i < candidates.Count; i++)
        {
            candidates[i] = candidates[i] with { Comparison = adjusted[i] };
        }

        var listed = candidates
            .Where(c => c.Comparison.Degradation > 0 && !c.ExplainedByParent)
            .OrderByDescending(c => c.Comparison.LowerBound)
            .ThenBy(c => c.Comparison.PValue)
            .ThenBy(c => c.Key.ToString(), StringComparer.Ordinal)
            .Take(options.MaxResults)
            .Select((c, i) => new WorstSlice(i + 1, c.Key, SliceMetrics.From(c.Counts, c.Auc ?? data.Auc(c.Rows, withComplement: false).Rows, options.Alpha), c.Comparison))
            .ToArray();
        return new WorstSliceResult(options.Metric, candidates.Count, candidates.Count(c => c.ExplainedByParent), listed);
    }

    private static void Evaluate(SliceDataset data, SliceOptions options, SliceKey key, int[] rows, int[][] parents, List<Candidate> candidates)
    {
        if (rows.Length < options.MinimumSupport || rows.Length == data.Count)
        {
            return;
        }

        var counts = data.CountRows(rows);
        var auc = options.Metric == SliceMetric.Auc ? data.Auc(rows, withComplement: true) : default;
        var comparison = SliceComparison.Compare(counts, data.Total.Minus(counts), options.Metric, auc.Rows, auc.Complement, options.Alpha);
        if (comparison is null)
        {
            return;
        }

        var explained = false;
        foreach (var parent in parents)
        {
            var others = Except(parent, rows);
            if (others.Length == 0)
            {
                explained = true;
                continue;
            }

            var othersAuc = options.Metric == SliceMetric.Auc ? data.Auc(others, withComplement: false).Rows : null;
            var versusParent = SliceComparison.Compare(counts, data.CountRows(others), options.Metric, auc.Rows, othersAuc, options.Alpha);
            if (versusParent is null || !(versusParent.Degradation > 0 && versusParent.PValue < options.Alpha))
            {
                explained = true;
            }
        }

        candidates.Add(new Candidate(key, rows, counts, auc.Rows, comparison, explained));
    }

    /// <summary>Rows of <paramref name="whole"/> not in <paramref name="part"/> (both ascending, part a subset).</summary>
    private static int[] Except(int[] whole, int[] part)
    {
        var result = new int[whole.Length - part.Length];
        int j = 0, k = 0;
        foreach (var r in whole)
        {
            if (j < part.Length && part[j] == r)
            {
                j++;
            }
            else
            {
                result[k++] = r;
            }
        }

        return result;
    }

    private sealed record Candidate(SliceKey Key, int[] Rows, SliceCounts Counts, Classification.DeLongResult? Auc, SliceComparison Comparison, bool ExplainedByParent);
}
