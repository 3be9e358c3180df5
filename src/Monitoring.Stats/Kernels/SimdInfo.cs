using System.Runtime.Intrinsics;

namespace Monitoring.Stats.Kernels;

/// <summary>Which SIMD width the kernels take on this process (set by the runtime and the DOTNET_Enable* switches).</summary>
public static class SimdInfo
{
    /// <summary>The widest accelerated vector path, as the kernels choose it: "Vector512", "Vector256", "Vector128" or "Scalar".</summary>
    public static string ActivePath =>
        Vector512.IsHardwareAccelerated ? "Vector512"
        : Vector256.IsHardwareAccelerated ? "Vector256"
        : Vector128.IsHardwareAccelerated ? "Vector128"
        : "Scalar";

    /// <summary>One line naming every width and whether it is accelerated, for test and benchmark logs.</summary>
    public static string Describe() =>
        $"Vector512={Vector512.IsHardwareAccelerated} Vector256={Vector256.IsHardwareAccelerated} " +
        $"Vector128={Vector128.IsHardwareAccelerated} path={ActivePath}";
}
