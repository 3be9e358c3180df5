namespace Monitoring.Stats.Slices;

/// <summary>
/// The values of one dimension as slices: the top K values by row count (ties by ordinal value), nulls as
/// <see cref="SliceKey.NullValue"/> competing like any value, and every other value merged into
/// <see cref="SliceKey.OtherValue"/>; each row's slice code and each slice's rows (ascending).
/// </summary>
internal sealed class DimensionGroups
{
    private DimensionGroups(int index, string name, string[] labels, int[] codes, int[][] rows, long volume, int otherValues)
    {
        Index = index;
        Name = name;
        Labels = labels;
        Codes = codes;
        Rows = rows;
        Volume = volume;
        OtherValues = otherValues;
    }

    public int Index { get; }

    public string Name { get; }

    /// <summary>Slice values by code: kept values by volume, then "(other)" if any value was merged.</summary>
    public string[] Labels { get; }

    /// <summary>Code of every row.</summary>
    public int[] Codes { get; }

    /// <summary>Rows of each code, ascending.</summary>
    public int[][] Rows { get; }

    /// <summary>Rows with a non-null value.</summary>
    public long Volume { get; }

    /// <summary>Distinct values merged into "(other)".</summary>
    public int OtherValues { get; }

    public static DimensionGroups Build(int index, SliceDimension dimension, int valuesPerDimension)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        long volume = 0;
        foreach (var v in dimension.Values)
        {
            volume += v is null ? 0 : 1;
            var label = v ?? SliceKey.NullValue;
            counts[label] = counts.GetValueOrDefault(label) + 1;
        }

        var ranked = counts.Keys.ToList();
        ranked.Sort((a, b) => counts[b] != counts[a] ? counts[b].CompareTo(counts[a]) : string.CompareOrdinal(a, b));
        var kept = ranked.Take(valuesPerDimension).ToList();
        var merged = ranked.Count - kept.Count;
        var code = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < kept.Count; i++)
        {
            code[kept[i]] = i;
        }

        var labels = merged > 0 ? [.. kept, SliceKey.OtherValue] : kept.ToArray();
        var codes = new int[dimension.Values.Count];
        var sizes = new int[labels.Length];
        for (var r = 0; r < codes.Length; r++)
        {
            codes[r] = code.TryGetValue(dimension.Values[r] ?? SliceKey.NullValue, out var c) ? c : kept.Count;
            sizes[codes[r]]++;
        }

        var rows = sizes.Select(s => new int[s]).ToArray();
        var fill = new int[labels.Length];
        for (var r = 0; r < codes.Length; r++)
        {
            rows[codes[r]][fill[codes[r]]++] = r;
        }

        return new DimensionGroups(index, dimension.Name, labels, codes, rows, volume, merged);
    }
}
