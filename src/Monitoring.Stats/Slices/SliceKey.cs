namespace Monitoring.Stats.Slices;

/// <summary>One condition of a slice: rows whose <paramref name="Dimension"/> equals <paramref name="Value"/>.</summary>
/// <param name="Dimension">Segment dimension, e.g. <c>country</c>.</param>
/// <param name="Value">
/// Its value, e.g. <c>BR</c>; <see cref="SliceKey.NullValue"/> for rows where the dimension is missing and
/// <see cref="SliceKey.OtherValue"/> for the values beyond the top K of the dimension.
/// </param>
public sealed record SliceCondition(string Dimension, string Value)
{
    /// <inheritdoc />
    public override string ToString() => $"{Dimension}={Value}";
}

/// <summary>A slice: one condition (<c>country=BR</c>) or two on different dimensions (<c>country=BR &amp; device=android</c>).</summary>
/// <param name="First">The first condition (the earlier dimension in the dataset's order).</param>
/// <param name="Second">The second condition of a pair, or null.</param>
public sealed record SliceKey(SliceCondition First, SliceCondition? Second = null)
{
    /// <summary>
    /// The value standing for a missing (null) cell: missing values form a slice of their own. A cell whose text is
    /// literally "(null)" or "(other)" joins those slices.
    /// </summary>
    public const string NullValue = "(null)";

    /// <summary>The value standing for every value of a dimension beyond its top K by volume.</summary>
    public const string OtherValue = "(other)";

    /// <summary>The conditions, one or two.</summary>
    public IReadOnlyList<SliceCondition> Conditions => Second is null ? [First] : [First, Second];

    /// <summary>Whether this is a pair of conditions.</summary>
    public bool IsPair => Second is not null;

    /// <summary>A single-condition slice.</summary>
    public static SliceKey Single(string dimension, string value) => new(new SliceCondition(dimension, value));

    /// <summary>A pair slice.</summary>
    public static SliceKey Pair(string dimension1, string value1, string dimension2, string value2) =>
        new(new SliceCondition(dimension1, value1), new SliceCondition(dimension2, value2));

    /// <summary><c>dimension=value</c>, or <c>a=x &amp; b=y</c> for a pair.</summary>
    public override string ToString() => Second is null ? First.ToString() : $"{First} & {Second}";
}
