namespace Monitoring.Abstractions.Reports;

/// <summary>An estimate with guaranteed bounds on the exact value.</summary>
/// <param name="Estimate">The estimate.</param>
/// <param name="Lower">Guaranteed lower bound.</param>
/// <param name="Upper">Guaranteed upper bound.</param>
[GenerateSerializer, Immutable, Alias("monitoring.bounded")]
public sealed record Bounded([property: Id(0)] double Estimate, [property: Id(1)] double Lower, [property: Id(2)] double Upper);

/// <summary>KS from sketches: D estimate with bounds and the p-value of the estimate.</summary>
/// <param name="Estimate">D estimate.</param>
/// <param name="Lower">Guaranteed lower bound on D.</param>
/// <param name="Upper">Guaranteed upper bound on D.</param>
/// <param name="PValue">p-value of the estimate.</param>
/// <param name="PValueAdjusted">Benjamini-Hochberg adjusted across the window's features.</param>
[GenerateSerializer, Immutable, Alias("monitoring.ks-estimate")]
public sealed record KsEstimate(
    [property: Id(0)] double Estimate, [property: Id(1)] double Lower, [property: Id(2)] double Upper,
    [property: Id(3)] double PValue, [property: Id(4)] double? PValueAdjusted);

/// <summary>Chi-square test of homogeneity.</summary>
/// <param name="Statistic">Statistic.</param>
/// <param name="PValue">p-value.</param>
/// <param name="PValueAdjusted">Benjamini-Hochberg adjusted across the window's features.</param>
/// <param name="Dof">Degrees of freedom.</param>
[GenerateSerializer, Immutable, Alias("monitoring.chi-square-report")]
public sealed record ChiSquareReport([property: Id(0)] double Statistic, [property: Id(1)] double PValue, [property: Id(2)] double? PValueAdjusted, [property: Id(3)] int Dof);

/// <summary>Drift and quality of one feature (or prediction output) in one window.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.feature-report")]
public sealed record FeatureReport
{
    /// <summary>Feature name, or ml.prediction.score / .value / .class for the prediction itself.</summary>
    [Id(0)] public required string Name { get; init; }
    /// <summary>"numeric" or "categorical".</summary>
    [Id(1)] public required string Kind { get; init; }
    /// <summary>Non-null values in the window.</summary>
    [Id(2)] public long Count { get; init; }
    /// <summary>Nulls in the window.</summary>
    [Id(3)] public long Nulls { get; init; }
    /// <summary>Nulls / (values + nulls).</summary>
    [Id(4)] public double NullRate { get; init; }
    /// <summary>Values whose type disagreed with the schema.</summary>
    [Id(5)] public long TypeMismatches { get; init; }
    /// <summary>Non-null values in the reference.</summary>
    [Id(6)] public long ReferenceCount { get; init; }
    /// <summary>PSI over the reference bins.</summary>
    [Id(7)] public double? Psi { get; init; }
    /// <summary>Jensen-Shannon distance (base 2) over the reference bins.</summary>
    [Id(8)] public double? JensenShannon { get; init; }
    /// <summary>Hellinger distance over the reference bins.</summary>
    [Id(9)] public double? Hellinger { get; init; }
    /// <summary>"exact" when every value of the window was counted against this reference's edges, "bucket_estimate" otherwise.</summary>
    [Id(10)] public string? Binning { get; init; }
    /// <summary>Share of window values whose bin is uncertain under bucket estimation (0 when exact).</summary>
    [Id(11)] public double? BinningUncertainFraction { get; init; }
    /// <summary>KS statistic estimated from relative-error buckets.</summary>
    [Id(12)] public KsEstimate? Ks { get; init; }
    /// <summary>Wasserstein-1 estimated from buckets.</summary>
    [Id(13)] public Bounded? Wasserstein { get; init; }
    /// <summary>Chi-square test (categorical).</summary>
    [Id(14)] public ChiSquareReport? ChiSquare { get; init; }
    /// <summary>Categories in the window but not in the reference.</summary>
    [Id(15)] public string[]? NewCategories { get; init; }
    /// <summary>Share of values outside the reference [min, max] (exact counting only).</summary>
    [Id(16)] public double? OutOfReferenceRangeRate { get; init; }
    /// <summary>Mean of the window's values (numeric).</summary>
    [Id(17)] public double? Mean { get; init; }
    /// <summary>Drift call.</summary>
    [Id(18)] public bool Drifted { get; init; }
    /// <summary>The rule applied.</summary>
    [Id(19)] public string Method { get; init; } = string.Empty;
    /// <summary>Which parts fired, or why no call was made.</summary>
    [Id(20)] public string[] Reasons { get; init; } = [];
    /// <summary>The reference and window counts the drift statistics used, for charts; null without a reference (and in reports stored before it existed).</summary>
    [Id(21)] public FeatureDistribution? Distribution { get; init; }
}

/// <summary>A closed window's drift and data-quality report (or a day roll-up's).</summary>
[GenerateSerializer, Immutable, Alias("monitoring.window-report")]
public sealed record WindowReport
{
    /// <summary>"tenant/model".</summary>
    [Id(0)] public required string Model { get; init; }
    /// <summary>"window" or "day" (roll-up).</summary>
    [Id(1)] public required string Granularity { get; init; }
    /// <summary>Window start (Unix ns).</summary>
    [Id(2)] public long WindowStartUnixNano { get; init; }
    /// <summary>Window end (Unix ns, exclusive).</summary>
    [Id(3)] public long WindowEndUnixNano { get; init; }
    /// <summary>Window start (ISO 8601 UTC).</summary>
    [Id(4)] public string WindowStart { get; init; } = string.Empty;
    /// <summary>Window end (ISO 8601 UTC).</summary>
    [Id(5)] public string WindowEnd { get; init; } = string.Empty;
    /// <summary>Predictions in the window.</summary>
    [Id(6)] public long Volume { get; init; }
    /// <summary>Labels received in the window.</summary>
    [Id(7)] public long Labels { get; init; }
    /// <summary>Records that arrived after their window had closed, counted where they arrived.</summary>
    [Id(8)] public long LateRecords { get; init; }
    /// <summary>Predictions per model version.</summary>
    [Id(9)] public Dictionary<string, long> Versions { get; init; } = [];
    /// <summary>The reference the window was judged against (the one in force when it opened), or null when there is none.</summary>
    [Id(10)] public ReferenceInfo? Reference { get; init; }
    /// <summary>Features, then the prediction outputs.</summary>
    [Id(11)] public FeatureReport[] Features { get; init; } = [];
    /// <summary>Names of drifted features.</summary>
    [Id(12)] public string[] DriftedFeatures { get; init; } = [];
    /// <summary>Serving latency p50/p99 estimates (ms) and mean.</summary>
    [Id(13)] public LatencyReport? Latency { get; init; }
    /// <summary>
    /// Volume, feature and prediction drift against the same reference, and latency per model version, once the model
    /// has seen a second version; null before (and in reports stored before it existed).
    /// </summary>
    [Id(14)] public VersionWindowReport[]? ByVersion { get; init; }
    /// <summary>Predictions of versions beyond the per-window cap of versions tracked separately.</summary>
    [Id(15), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)] public long UntrackedVersionPredictions { get; init; }
}

/// <summary>One model version's share of a window, judged against the window's reference.</summary>
[GenerateSerializer, Immutable, Alias("monitoring.version-window-report")]
public sealed record VersionWindowReport
{
    /// <summary>Model version.</summary>
    [Id(0)] public required string Version { get; init; }
    /// <summary>Predictions of this version in the window.</summary>
    [Id(1)] public long Volume { get; init; }
    /// <summary>Volume / the window's volume.</summary>
    [Id(2)] public double Share { get; init; }
    /// <summary>Features, then the prediction outputs, of this version's predictions against the window's reference.</summary>
    [Id(3)] public FeatureReport[] Features { get; init; } = [];
    /// <summary>Names of drifted features (and outputs).</summary>
    [Id(4)] public string[] DriftedFeatures { get; init; } = [];
    /// <summary>Serving latency of this version.</summary>
    [Id(5)] public LatencyReport? Latency { get; init; }
}

/// <summary>Which reference a report compared against.</summary>
/// <param name="Version">Reference version.</param>
/// <param name="Mode">Uploaded, Pinned, RollingWindows or SameWindowLastWeek.</param>
/// <param name="Source">What it was built from.</param>
[GenerateSerializer, Immutable, Alias("monitoring.reference-info")]
public sealed record ReferenceInfo([property: Id(0)] int Version, [property: Id(1)] string Mode, [property: Id(2)] string Source);

/// <summary>Latency summary from buckets.</summary>
/// <param name="Count">Predictions with a latency.</param>
/// <param name="Mean">Mean (ms).</param>
/// <param name="P50">Median estimate (ms).</param>
/// <param name="P99">99th percentile estimate (ms).</param>
/// <param name="Max">Maximum (ms).</param>
[GenerateSerializer, Immutable, Alias("monitoring.latency-report")]
public sealed record LatencyReport([property: Id(0)] long Count, [property: Id(1)] double Mean, [property: Id(2)] double P50, [property: Id(3)] double P99, [property: Id(4)] double Max);
