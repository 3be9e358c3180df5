using Monitoring.Abstractions.Reports;

namespace Monitoring.Reports.Components.Model;

/// <summary>
/// The drift table's order, from the query string (<c>?sort=psi&amp;dir=desc</c>) so that sorting works without
/// JavaScript and a sorted table can be shared. Missing values sort last in either direction.
/// </summary>
public sealed record FeatureSort(string Column, bool Descending)
{
    /// <summary>The default: largest PSI first.</summary>
    public static readonly FeatureSort Default = new("psi", Descending: true);

    /// <summary>Sortable columns and the value each sorts by (effect sizes, p-values, quality, name).</summary>
    public static readonly IReadOnlyDictionary<string, Func<FeatureReport, double?>> Columns = new Dictionary<string, Func<FeatureReport, double?>>(StringComparer.Ordinal)
    {
        ["psi"] = f => f.Psi,
        ["js"] = f => f.JensenShannon,
        ["hellinger"] = f => f.Hellinger,
        ["ks"] = f => f.Ks?.Estimate,
        ["wasserstein"] = f => f.Wasserstein?.Estimate,
        ["p"] = f => f.Ks?.PValueAdjusted ?? f.ChiSquare?.PValueAdjusted ?? f.Ks?.PValue ?? f.ChiSquare?.PValue,
        ["null_rate"] = f => f.NullRate,
        ["count"] = f => f.Count,
        ["drifted"] = f => f.Drifted ? 1 : 0,
        ["name"] = _ => null,
    };

    /// <summary>Reads <c>sort</c> and <c>dir</c>; on a bad value returns false with the parameter and the reason.</summary>
    public static bool TryParse(string? sort, string? dir, out FeatureSort result, out string field, out string reason)
    {
        result = Default;
        field = reason = string.Empty;
        var column = sort ?? Default.Column;
        if (!Columns.ContainsKey(column))
        {
            (field, reason) = ("sort", $"unknown column '{sort}'; one of {string.Join(", ", Columns.Keys)}");
            return false;
        }

        bool descending;
        switch (dir)
        {
            case null:
                descending = column != "name";
                break;
            case "asc":
                descending = false;
                break;
            case "desc":
                descending = true;
                break;
            default:
                (field, reason) = ("dir", $"expected 'asc' or 'desc', not '{dir}'");
                return false;
        }

        result = new FeatureSort(column, descending);
        return true;
    }

    /// <summary>The features in this order (name breaks ties; missing values last).</summary>
    public IReadOnlyList<T> Apply<T>(IEnumerable<T> rows, Func<T, FeatureReport> feature)
    {
        if (Column == "name")
        {
            return Descending
                ? [.. rows.OrderByDescending(r => feature(r).Name, StringComparer.Ordinal)]
                : [.. rows.OrderBy(r => feature(r).Name, StringComparer.Ordinal)];
        }

        var key = Columns[Column];
        var withValue = rows.Select(r => (Row: r, Value: key(feature(r)))).ToList();
        var present = withValue.Where(x => x.Value is { } v && double.IsFinite(v));
        var ordered = Descending
            ? present.OrderByDescending(x => x.Value).ThenBy(x => feature(x.Row).Name, StringComparer.Ordinal)
            : present.OrderBy(x => x.Value).ThenBy(x => feature(x.Row).Name, StringComparer.Ordinal);
        var missing = withValue.Where(x => x.Value is not { } v || !double.IsFinite(v)).OrderBy(x => feature(x.Row).Name, StringComparer.Ordinal);
        return [.. ordered.Concat(missing).Select(x => x.Row)];
    }

    /// <summary>The direction a click on <paramref name="column"/>'s header asks for: flips the current one, else the column's natural order.</summary>
    public string NextDirection(string column) =>
        column == Column ? (Descending ? "asc" : "desc") : column is "name" or "p" ? "asc" : "desc";
}
