using Monitoring.Abstractions.Models;

namespace Monitoring.Abstractions.Reports;

/// <summary>A model's settings as the API and the model description show them (seconds and days, the effective lateness).</summary>
/// <param name="WindowSeconds">Window length.</param>
/// <param name="AllowedLatenessSeconds">Effective allowed lateness.</param>
/// <param name="RetentionDays">History kept.</param>
/// <param name="ReferenceMode">How the reference is chosen.</param>
/// <param name="RollingWindows">Windows in a rolling reference.</param>
/// <param name="MinimumSampleSize">Fewest values for a drift call.</param>
/// <param name="SliceTopValues">Values shown per slice dimension.</param>
[GenerateSerializer, Immutable, Alias("monitoring.settings-view")]
public sealed record SettingsView(
    [property: Id(0)] double WindowSeconds,
    [property: Id(1)] double AllowedLatenessSeconds,
    [property: Id(2)] double RetentionDays,
    [property: Id(3)] string ReferenceMode,
    [property: Id(4)] int RollingWindows,
    [property: Id(5)] int MinimumSampleSize,
    [property: Id(6)] int SliceTopValues)
{
    /// <summary>The view of <paramref name="s"/>.</summary>
    public static SettingsView From(ModelSettings s) => new(
        s.Window.TotalSeconds, s.EffectiveLateness.TotalSeconds, s.Retention.TotalDays, s.ReferenceMode.ToString(),
        s.RollingWindows, s.MinimumSampleSize, s.SliceTopValues);
}
