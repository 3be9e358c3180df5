using Xunit.Sdk;

namespace Monitoring.Stats.Tests.Support;

/// <summary>Tolerance assertions with the contract: statistics 1e-9 relative or 1e-12 absolute; p-values 1e-6 relative or 1e-9 absolute.</summary>
public static class Close
{
    public const double StatisticRelative = 1e-9;
    public const double StatisticAbsolute = 1e-12;
    public const double PValueRelative = 1e-6;
    public const double PValueAbsolute = 1e-9;

    public static void Statistic(double expected, double actual, string what) =>
        Within(expected, actual, StatisticRelative, StatisticAbsolute, what);

    public static void PValue(double expected, double actual, string what) =>
        Within(expected, actual, PValueRelative, PValueAbsolute, what);

    public static void Within(double expected, double actual, double relative, double absolute, string what)
    {
        if (expected.Equals(actual))
        {
            return;
        }

        var error = Math.Abs(expected - actual);
        if (!(error <= absolute || error <= relative * Math.Abs(expected)))
        {
            throw new XunitException($"{what}: expected {expected:R}, got {actual:R} (abs error {error:E3}, rel {error / Math.Abs(expected):E3}).");
        }
    }
}
