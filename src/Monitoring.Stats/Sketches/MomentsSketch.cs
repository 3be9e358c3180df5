using System.Numerics.Tensors;

namespace Monitoring.Stats.Sketches;

/// <summary>
/// Count, nulls, sum, sum of squares, min and max: mergeable by addition (min/max by min/max), exact for count, nulls,
/// min and max; sum and sum of squares carry ordinary floating-point rounding (relative error about n eps), and the
/// variance derived from them loses precision when the mean is large against the spread (|mean| / std &gt; 1e4).
/// </summary>
public sealed class MomentsSketch
{
    /// <summary>Non-null values added.</summary>
    public long Count { get; private set; }

    /// <summary>Nulls seen.</summary>
    public long Nulls { get; private set; }

    /// <summary>Sum of values.</summary>
    public double Sum { get; private set; }

    /// <summary>Sum of squared values.</summary>
    public double SumOfSquares { get; private set; }

    /// <summary>Smallest value (+inf when empty).</summary>
    public double Min { get; private set; } = double.PositiveInfinity;

    /// <summary>Largest value (-inf when empty).</summary>
    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>Mean, NaN when empty.</summary>
    public double Mean => Count == 0 ? double.NaN : Sum / Count;

    /// <summary>Population variance (ddof 0), NaN when empty.</summary>
    public double Variance => Count == 0 ? double.NaN : Math.Max(0, (SumOfSquares / Count) - (Mean * Mean));

    /// <summary>Fraction of nulls among everything seen, 0 when nothing was seen.</summary>
    public double NullFraction => Count + Nulls == 0 ? 0 : (double)Nulls / (Count + Nulls);

    /// <summary>Adds non-null values (SIMD sums, min and max).</summary>
    public void Add(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return;
        }

        Count += values.Length;
        Sum += TensorPrimitives.Sum(values);
        SumOfSquares += TensorPrimitives.SumOfSquares(values);
        Min = Math.Min(Min, TensorPrimitives.Min(values));
        Max = Math.Max(Max, TensorPrimitives.Max(values));
    }

    /// <summary>Adds one non-null value.</summary>
    public void Add(double value)
    {
        Count++;
        Sum += value;
        SumOfSquares += value * value;
        Min = Math.Min(Min, value);
        Max = Math.Max(Max, value);
    }

    /// <summary>Restores a sketch from its parts (persistence).</summary>
    public static MomentsSketch FromParts(long count, long nulls, double sum, double sumOfSquares, double min, double max) =>
        new() { Count = count, Nulls = nulls, Sum = sum, SumOfSquares = sumOfSquares, Min = min, Max = max };

    /// <summary>Counts nulls.</summary>
    public void AddNulls(long nulls)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nulls);
        Nulls += nulls;
    }

    /// <summary>Adds another sketch into this one.</summary>
    public void Merge(MomentsSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Count += other.Count;
        Nulls += other.Nulls;
        Sum += other.Sum;
        SumOfSquares += other.SumOfSquares;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }
}
