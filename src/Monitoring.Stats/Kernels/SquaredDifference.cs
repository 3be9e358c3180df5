using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Monitoring.Stats.Kernels;

/// <summary>Sum of squared differences, the kernel under the Brier score and the squared-error metrics.</summary>
public static class SquaredDifference
{
    /// <summary>Returns sum over i of (x[i] - y[i])^2. Spans must have equal length; NaN propagates.</summary>
    /// <remarks>
    /// Four independent vector accumulators (widest accelerated width) summed in a fixed order, then a scalar tail,
    /// so the result is the same for every alignment of the input.
    /// </remarks>
    public static double Sum(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"Spans differ in length: x has {x.Length}, y has {y.Length}.", nameof(y));
        }

        ref var xr = ref MemoryMarshal.GetReference(x);
        ref var yr = ref MemoryMarshal.GetReference(y);
        var n = (nuint)x.Length;
        nuint i = 0;
        var sum = 0.0;
        if (Vector512.IsHardwareAccelerated && n >= (nuint)Vector512<double>.Count * 4)
        {
            Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default;
            var w = (nuint)Vector512<double>.Count;
            for (; i + (4 * w) <= n; i += 4 * w)
            {
                var d0 = Vector512.LoadUnsafe(ref xr, i) - Vector512.LoadUnsafe(ref yr, i);
                var d1 = Vector512.LoadUnsafe(ref xr, i + w) - Vector512.LoadUnsafe(ref yr, i + w);
                var d2 = Vector512.LoadUnsafe(ref xr, i + (2 * w)) - Vector512.LoadUnsafe(ref yr, i + (2 * w));
                var d3 = Vector512.LoadUnsafe(ref xr, i + (3 * w)) - Vector512.LoadUnsafe(ref yr, i + (3 * w));
                a0 = Vector512.FusedMultiplyAdd(d0, d0, a0);
                a1 = Vector512.FusedMultiplyAdd(d1, d1, a1);
                a2 = Vector512.FusedMultiplyAdd(d2, d2, a2);
                a3 = Vector512.FusedMultiplyAdd(d3, d3, a3);
            }

            sum = Vector512.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector256.IsHardwareAccelerated && n >= (nuint)Vector256<double>.Count * 4)
        {
            Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
            var w = (nuint)Vector256<double>.Count;
            for (; i + (4 * w) <= n; i += 4 * w)
            {
                var d0 = Vector256.LoadUnsafe(ref xr, i) - Vector256.LoadUnsafe(ref yr, i);
                var d1 = Vector256.LoadUnsafe(ref xr, i + w) - Vector256.LoadUnsafe(ref yr, i + w);
                var d2 = Vector256.LoadUnsafe(ref xr, i + (2 * w)) - Vector256.LoadUnsafe(ref yr, i + (2 * w));
                var d3 = Vector256.LoadUnsafe(ref xr, i + (3 * w)) - Vector256.LoadUnsafe(ref yr, i + (3 * w));
                a0 += d0 * d0;
                a1 += d1 * d1;
                a2 += d2 * d2;
                a3 += d3 * d3;
            }

            sum = Vector256.Sum((a0 + a1) + (a2 + a3));
        }
        else if (Vector128.IsHardwareAccelerated && n >= (nuint)Vector128<double>.Count * 4)
        {
            Vector128<double> a0 = default, a1 = default, a2 = default, a3 = default;
            var w = (nuint)Vector128<double>.Count;
            for (; i + (4 * w) <= n; i += 4 * w)
            {
                var d0 = Vector128.LoadUnsafe(ref xr, i) - Vector128.LoadUnsafe(ref yr, i);
                var d1 = Vector128.LoadUnsafe(ref xr, i + w) - Vector128.LoadUnsafe(ref yr, i + w);
                var d2 = Vector128.LoadUnsafe(ref xr, i + (2 * w)) - Vector128.LoadUnsafe(ref yr, i + (2 * w));
                var d3 = Vector128.LoadUnsafe(ref xr, i + (3 * w)) - Vector128.LoadUnsafe(ref yr, i + (3 * w));
                a0 += d0 * d0;
                a1 += d1 * d1;
                a2 += d2 * d2;
                a3 += d3 * d3;
            }

            sum = Vector128.Sum((a0 + a1) + (a2 + a3));
        }

        for (; i < n; i++)
        {
            var d = Unsafe.Add(ref xr, i) - Unsafe.Add(ref yr, i);
            sum += d * d;
        }

        return sum;
    }

    /// <summary>Scalar reference: left-to-right sum of squared differences.</summary>
    internal static double SumScalar(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length; i++)
        {
            var d = x[i] - y[i];
            sum += d * d;
        }

        return sum;
    }
}
