namespace Monitoring.Abstractions.Models;

/// <summary>How a model's reference distribution is chosen.</summary>
public enum ReferenceMode
{
    /// <summary>Uploaded from a file (CSV or Parquet) through the API or <c>monitoring reference set</c>.</summary>
    Uploaded = 0,

    /// <summary>Pinned to a range of past windows.</summary>
    Pinned = 1,

    /// <summary>The previous N closed windows, recomputed at every window close.</summary>
    RollingWindows = 2,

    /// <summary>The same window one week earlier (seasonal traffic).</summary>
    SameWindowLastWeek = 3,
}

/// <summary>Per-model configuration.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.model-settings")]
public sealed record ModelSettings
{
    /// <summary>Default tumbling window: one hour.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(1);

    /// <summary>Default allowed lateness as a fraction of the window (10%).</summary>
    public const double DefaultLatenessFraction = 0.1;

    /// <summary>Default history kept: 30 days.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);

    /// <summary>Default number of previous windows in a rolling reference.</summary>
    public const int DefaultRollingWindows = 24;

    /// <summary>Default fewest non-null values in a window before a drift call is made.</summary>
    public const int DefaultMinimumSampleSize = 100;

    /// <summary>Tumbling window length (event time).</summary>
    [Id(0)]
    public TimeSpan Window { get; init; } = DefaultWindow;

    /// <summary>Allowed lateness after the window end before it closes; null = 10% of the window.</summary>
    [Id(1)]
    public TimeSpan? AllowedLateness { get; init; }

    /// <summary>History kept (window reports and sketches).</summary>
    [Id(2)]
    public TimeSpan Retention { get; init; } = DefaultRetention;

    /// <summary>How the reference is chosen when none is uploaded.</summary>
    [Id(3)]
    public ReferenceMode ReferenceMode { get; init; } = ReferenceMode.RollingWindows;

    /// <summary>Previous windows in a rolling reference.</summary>
    [Id(4)]
    public int RollingWindows { get; init; } = DefaultRollingWindows;

    /// <summary>Fewest non-null values per feature in a window for a drift call.</summary>
    [Id(5)]
    public int MinimumSampleSize { get; init; } = DefaultMinimumSampleSize;

    /// <summary>Default label horizon: a label later than this after its prediction is not joined.</summary>
    public static readonly TimeSpan DefaultLabelHorizon = TimeSpan.FromDays(14);

    /// <summary>How long after a prediction its label may arrive and still be joined (also how long early labels wait).</summary>
    [Id(6)]
    public TimeSpan LabelHorizon { get; init; } = DefaultLabelHorizon;

    /// <summary>Default values shown per slice dimension (the rest merged into "(other)").</summary>
    public const int DefaultSliceTopValues = 20;

    /// <summary>Most values a window tracks per slice dimension; the K shown cannot exceed it.</summary>
    public const int MaxSliceValues = 100;

    /// <summary>K of the slice reports: values shown per dimension, by volume; the rest merged into "(other)".</summary>
    [Id(7)]
    public int SliceTopValues { get; init; } = DefaultSliceTopValues;

    /// <summary>The effective lateness.</summary>
    public TimeSpan EffectiveLateness => AllowedLateness ?? TimeSpan.FromTicks((long)(Window.Ticks * DefaultLatenessFraction));

    /// <summary>Checks the settings; returns the first problem or null.</summary>
    public string? Validate() =>
        Window < TimeSpan.FromSeconds(1) ? "window must be at least 1 second"
        : Window > TimeSpan.FromDays(7) ? "window must be at most 7 days"
        : EffectiveLateness < TimeSpan.Zero || EffectiveLateness > Retention ? "allowed lateness must be between 0 and the retention"
        : Retention < Window ? "retention must be at least one window"
        : RollingWindows < 1 || RollingWindows > 1000 ? "rolling windows must be between 1 and 1000"
        : MinimumSampleSize < 1 ? "minimum sample size must be positive"
        : LabelHorizon <= TimeSpan.Zero || LabelHorizon > TimeSpan.FromDays(365) ? "label horizon must be between 0 and 365 days"
        : SliceTopValues < 1 || SliceTopValues > MaxSliceValues ? $"slice top values must be between 1 and {MaxSliceValues}"
        : null;
}
