using Monitoring.Stats.Intervals;

namespace Monitoring.Stats.Slices;

/// <summary>Settings of the slice report and the worst-slice search.</summary>
public sealed record SliceOptions
{
    /// <summary>Default <see cref="MinimumSupport"/>.</summary>
    public const int DefaultMinimumSupport = 50;

    /// <summary>Default <see cref="PairDimensions"/>.</summary>
    public const int DefaultPairDimensions = 3;

    /// <summary>Default <see cref="ValuesPerDimension"/>.</summary>
    public const int DefaultValuesPerDimension = 20;

    /// <summary>Default <see cref="MaxResults"/>.</summary>
    public const int DefaultMaxResults = 20;

    /// <summary>The metric slices are compared and ranked on (default accuracy).</summary>
    public SliceMetric Metric { get; init; } = SliceMetric.Accuracy;

    /// <summary>Fewest rows a slice needs to be a worst-slice candidate (default 50).</summary>
    public int MinimumSupport { get; init; } = DefaultMinimumSupport;

    /// <summary>Pairs are formed only among this many dimensions with the most non-null rows (default 3).</summary>
    public int PairDimensions { get; init; } = DefaultPairDimensions;

    /// <summary>Values kept per dimension, by volume; the rest are merged into <see cref="SliceKey.OtherValue"/> (default 20).</summary>
    public int ValuesPerDimension { get; init; } = DefaultValuesPerDimension;

    /// <summary>Worst slices listed (default 20).</summary>
    public int MaxResults { get; init; } = DefaultMaxResults;

    /// <summary>Significance level of the tests, intervals and Benjamini-Hochberg (default 0.05).</summary>
    public double Alpha { get; init; } = Wilson.DefaultAlpha;

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MinimumSupport, 1, nameof(MinimumSupport));
        ArgumentOutOfRangeException.ThrowIfNegative(PairDimensions, nameof(PairDimensions));
        ArgumentOutOfRangeException.ThrowIfLessThan(ValuesPerDimension, 1, nameof(ValuesPerDimension));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxResults, nameof(MaxResults));
        if (!(Alpha > 0 && Alpha < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "Alpha must be in (0, 1).");
        }
    }
}
