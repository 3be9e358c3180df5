using Monitoring.Abstractions.Models;

namespace Monitoring.Aggregation.Reports;

/// <summary>A model's settings as the API and the model description show them (seconds and days, the effective lateness).</summary>
/// <param name="WindowSeconds">Window length.</param>
/// <param name="AllowedLatenessSeconds">Effective allowed lateness.</param>
/// <param name="RetentionDays">History kept.</param>
/// <param name="ReferenceMode">How the reference is chosen.</param>
/// <param name="RollingWindows">Windows in a rolling reference.</param>
/// <param name="MinimumSampleSize">Fewest values for a drift call.</param>
/// <param name="SliceTopValues">Values shown per slice dimension.</param>
public sealed record SettingsView(
    double WindowSeconds,
    double AllowedLatenessSeconds,
    double RetentionDays,
    string ReferenceMode,
    int RollingWindows,
    int MinimumSampleSize,
    int SliceTopValues)
{
    /// <summary>The view of <paramref name="s"/>.</summary>
    public static SettingsView From(ModelSettings s) => new(
        s.Window.TotalSeconds, s.EffectiveLateness.TotalSeconds, s.Retention.TotalDays, s.ReferenceMode.ToString(),
        s.RollingWindows, s.MinimumSampleSize, s.SliceTopValues);
}
