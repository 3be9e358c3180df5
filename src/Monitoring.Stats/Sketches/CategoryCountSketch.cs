namespace Monitoring.Stats.Sketches;

/// <summary>
/// Counts per category for up to <see cref="Capacity"/> categories, the rest counted together as "other".
/// Mergeable by addition. Error bound: the total is always exact; a tracked category's count is exact while every sketch
/// merged into it tracked that category, and otherwise low by at most <see cref="OtherCount"/> (its missing occurrences
/// are inside "other"); categories arriving after the sketch is full go straight to "other". Drift statistics over
/// (tracked categories + other) are exact for that coarser partition.
/// </summary>
public sealed class CategoryCountSketch
{
    /// <summary>Name under which untracked categories are reported.</summary>
    public const string OtherCategory = "__other__";

    /// <summary>Default number of categories tracked individually.</summary>
    public const int DefaultCapacity = 1000;

    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>An empty sketch tracking up to <paramref name="capacity"/> categories.</summary>
    public CategoryCountSketch(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    /// <summary>Most categories tracked individually.</summary>
    public int Capacity { get; }

    /// <summary>Occurrences of categories not tracked individually.</summary>
    public long OtherCount { get; private set; }

    /// <summary>Nulls seen.</summary>
    public long Nulls { get; private set; }

    /// <summary>Non-null occurrences in all.</summary>
    public long Total => _counts.Values.Sum() + OtherCount;

    /// <summary>Tracked categories and their counts.</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    /// <summary>Adds one occurrence (null counts as a null).</summary>
    public void Add(string? category, long count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (category is null)
        {
            Nulls += count;
        }
        else if (_counts.TryGetValue(category, out var n))
        {
            _counts[category] = n + count;
        }
        else if (_counts.Count < Capacity)
        {
            _counts[category] = count;
        }
        else
        {
            OtherCount += count;
        }
    }

    /// <summary>Adds another sketch; if the union exceeds capacity, the most frequent categories stay (ties by ordinal name).</summary>
    public void Merge(CategoryCountSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (k, v) in other._counts)
        {
            _counts[k] = _counts.GetValueOrDefault(k) + v;
        }

        OtherCount += other.OtherCount;
        Nulls += other.Nulls;
        if (_counts.Count > Capacity)
        {
            var evicted = _counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Skip(Capacity).ToList();
            foreach (var (k, v) in evicted)
            {
                _counts.Remove(k);
                OtherCount += v;
            }
        }
    }

    /// <summary>The K most frequent categories (ties by ordinal name) and everything else summed as "other".</summary>
    public IReadOnlyList<KeyValuePair<string, long>> TopK(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 0);
        var ordered = _counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var top = ordered.Take(k).ToList();
        var rest = ordered.Skip(k).Sum(kv => kv.Value) + OtherCount;
        if (rest > 0)
        {
            top.Add(new KeyValuePair<string, long>(OtherCategory, rest));
        }

        return top;
    }

    /// <summary>Counts keyed by category with "other" included when non-zero, ready for categorical drift.</summary>
    public Dictionary<string, long> ToDictionary()
    {
        var d = new Dictionary<string, long>(_counts, StringComparer.Ordinal);
        if (OtherCount > 0)
        {
            d[OtherCategory] = OtherCount;
        }

        return d;
    }
}
