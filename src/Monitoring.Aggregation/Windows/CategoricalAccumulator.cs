namespace Monitoring.Aggregation.Windows;

/// <summary>One categorical feature in one window: counts per category up to a capacity, the rest as "other".</summary>
[GenerateSerializer, Alias("monitoring.categorical-accumulator")]
public sealed class CategoricalAccumulator
{
    /// <summary>Categories tracked individually per window; beyond this they count as "other".</summary>
    public const int Capacity = 1000;

    /// <summary>Name of the overflow category.</summary>
    public const string Other = Stats.Sketches.CategoryCountSketch.OtherCategory;

    /// <summary>Category -> count.</summary>
    [Id(0)] public Dictionary<string, long> Counts { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Occurrences of untracked categories.</summary>
    [Id(1)] public long OtherCount { get; set; }
    /// <summary>Nulls.</summary>
    [Id(2)] public long Nulls { get; set; }

    /// <summary>Non-null occurrences.</summary>
    public long Count => Counts.Values.Sum() + OtherCount;

    /// <summary>Adds one value (null = null).</summary>
    public void Add(string? value)
    {
        if (value is null)
        {
            Nulls++;
        }
        else if (Counts.TryGetValue(value, out var n))
        {
            Counts[value] = n + 1;
        }
        else if (Counts.Count < Capacity)
        {
            Counts[value] = 1;
        }
        else
        {
            OtherCount++;
        }
    }

    /// <summary>Adds another accumulator.</summary>
    public void Merge(CategoricalAccumulator other)
    {
        foreach (var (k, v) in other.Counts)
        {
            if (Counts.ContainsKey(k) || Counts.Count < Capacity)
            {
                Counts[k] = Counts.GetValueOrDefault(k) + v;
            }
            else
            {
                OtherCount += v;
            }
        }

        OtherCount += other.OtherCount;
        Nulls += other.Nulls;
    }

    /// <summary>Counts including "other" when non-zero.</summary>
    public Dictionary<string, long> WithOther()
    {
        var d = new Dictionary<string, long>(Counts, StringComparer.Ordinal);
        if (OtherCount > 0)
        {
            d[Other] = OtherCount;
        }

        return d;
    }
}
