using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monitoring.Aggregation.Reports;

/// <summary>An estimate with guaranteed bounds on the exact value.</summary>
public sealed record Bounded(double Estimate, double Lower, double Upper);

/// <summary>KS from sketches: D estimate with bounds and the p-value of the estimate.</summary>
public sealed record KsEstimate(double Estimate, double Lower, double Upper, double PValue, double? PValueAdjusted);

/// <summary>Chi-square test of homogeneity.</summary>
public sealed record ChiSquareReport(double Statistic, double PValue, double? PValueAdjusted, int Dof);

/// <summary>Drift and quality of one feature (or prediction output) in one window.</summary>
public sealed record FeatureReport
{
    /// <summary>Feature name, or ml.prediction.score / .value / .class for the prediction itself.</summary>
    public required string Name { get; init; }
    /// <summary>"numeric" or "categorical".</summary>
    public required string Kind { get; init; }
    /// <summary>Non-null values in the window.</summary>
    public long Count { get; init; }
    /// <summary>Nulls in the window.</summary>
    public long Nulls { get; init; }
    /// <summary>Nulls / (values + nulls).</summary>
    public double NullRate { get; init; }
    /// <summary>Values whose type disagreed with the schema.</summary>
    public long TypeMismatches { get; init; }
    /// <summary>Non-null values in the reference.</summary>
    public long ReferenceCount { get; init; }
    /// <summary>PSI over the reference bins.</summary>
    public double? Psi { get; init; }
    /// <summary>Jensen-Shannon distance (base 2) over the reference bins.</summary>
    public double? JensenShannon { get; init; }
    /// <summary>Hellinger distance over the reference bins.</summary>
    public double? Hellinger { get; init; }
    /// <summary>"exact" when the window was counted against the reference edges as it filled, "bucket_estimate" otherwise.</summary>
    public string? Binning { get; init; }
    /// <summary>Share of window values whose bin is uncertain under bucket estimation (0 when exact).</summary>
    public double? BinningUncertainFraction { get; init; }
    /// <summary>KS statistic estimated from relative-error buckets.</summary>
    public KsEstimate? Ks { get; init; }
    /// <summary>Wasserstein-1 estimated from buckets.</summary>
    public Bounded? Wasserstein { get; init; }
    /// <summary>Chi-square test (categorical).</summary>
    public ChiSquareReport? ChiSquare { get; init; }
    /// <summary>Categories in the window but not in the reference.</summary>
    public IReadOnlyList<string>? NewCategories { get; init; }
    /// <summary>Share of values outside the reference [min, max] (exact counting only).</summary>
    public double? OutOfReferenceRangeRate { get; init; }
    /// <summary>Mean of the window's values (numeric).</summary>
    public double? Mean { get; init; }
    /// <summary>Drift call.</summary>
    public bool Drifted { get; init; }
    /// <summary>The rule applied.</summary>
    public string Method { get; init; } = string.Empty;
    /// <summary>Which parts fired, or why no call was made.</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];
}

/// <summary>A closed window's drift and data-quality report.</summary>
public sealed record WindowReport
{
    /// <summary>"tenant/model".</summary>
    public required string Model { get; init; }
    /// <summary>"window" or "day" (roll-up).</summary>
    public required string Granularity { get; init; }
    /// <summary>Window start (Unix ns).</summary>
    public long WindowStartUnixNano { get; init; }
    /// <summary>Window end (Unix ns, exclusive).</summary>
    public long WindowEndUnixNano { get; init; }
    /// <summary>Window start (ISO 8601 UTC).</summary>
    public string WindowStart { get; init; } = string.Empty;
    /// <summary>Window end (ISO 8601 UTC).</summary>
    public string WindowEnd { get; init; } = string.Empty;
    /// <summary>Predictions in the window.</summary>
    public long Volume { get; init; }
    /// <summary>Labels received in the window.</summary>
    public long Labels { get; init; }
    /// <summary>Records that arrived after their window had closed, counted where they arrived.</summary>
    public long LateRecords { get; init; }
    /// <summary>Predictions per model version.</summary>
    public IReadOnlyDictionary<string, long> Versions { get; init; } = new Dictionary<string, long>();
    /// <summary>Reference version and source, or null when there is none yet.</summary>
    public ReferenceInfo? Reference { get; init; }
    /// <summary>Features, then the prediction outputs.</summary>
    public IReadOnlyList<FeatureReport> Features { get; init; } = [];
    /// <summary>Names of drifted features.</summary>
    public IReadOnlyList<string> DriftedFeatures { get; init; } = [];
    /// <summary>Serving latency p50/p99 estimates (ms) and mean.</summary>
    public LatencyReport? Latency { get; init; }

    /// <summary>JSON options used for stored reports and the API.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };
}

/// <summary>Which reference a report compared against.</summary>
public sealed record ReferenceInfo(int Version, string Mode, string Source);

/// <summary>Latency summary from buckets.</summary>
public sealed record LatencyReport(long Count, double Mean, double P50, double P99, double Max);
