using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;

namespace Monitoring.Reports.Tests.Charts;

/// <summary>Report-shaped inputs like the demo's: a model with numeric and categorical features over a day of hourly windows.</summary>
internal static class ChartData
{
    public const string Hostile = "<script>alert(1)</script>";
    public const string HostileAttribute = "\"><img src=x onerror=alert(1)>";
    public static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    public const long Hour = 3_600_000_000_000;

    public static long Nanos(DateTimeOffset t) => (t - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static FeatureReport Numeric(string name = "income", double shift = 0.3) => new()
    {
        Name = name,
        Kind = "numeric",
        Count = 800,
        ReferenceCount = 3000,
        Psi = 0.05 + shift,
        JensenShannon = 0.1,
        Hellinger = 0.1,
        Ks = new KsEstimate(0.12, 0.1, 0.14, 0.001, 0.002),
        Binning = "exact",
        Drifted = shift > 0.2,
        Distribution = new FeatureDistribution
        {
            Edges = [10, 20, 30, 40, 50, 60, 70, 80, 90],
            Min = 0.5,
            Max = 120,
            ReferenceCounts = [300, 300, 300, 300, 300, 300, 300, 300, 300, 300],
            CurrentCounts = [20, 30, 40, 50, 60, 90, 110, 130, 130, 140],
        },
    };

    public static FeatureReport Categorical(string name = "country", params string[] categories) => new()
    {
        Name = name,
        Kind = "categorical",
        Count = 500,
        ReferenceCount = 1000,
        Psi = 0.12,
        Binning = "exact",
        Distribution = new FeatureDistribution
        {
            Categories = categories.Length > 0 ? categories : ["US", "BR", "DE", FeatureDistribution.OtherBucket],
            ReferenceCounts = categories.Length > 0 ? categories.Select(_ => 100L).ToArray() : [500, 300, 150, 50],
            CurrentCounts = categories.Length > 0 ? categories.Select((_, i) => 10L * (i + 1)).ToArray() : [200, 200, 50, 50],
            OtherCategories = categories.Length > 0 ? 0 : 7,
        },
    };

    public static WindowReport Window(int hour, string model = "demo/credit-risk", string feature = "income", double? psi = null) => new()
    {
        Model = model,
        Granularity = "window",
        WindowStartUnixNano = Nanos(T0) + (hour * Hour),
        WindowEndUnixNano = Nanos(T0) + ((hour + 1) * Hour),
        WindowStart = T0.AddHours(hour).ToString("O"),
        WindowEnd = T0.AddHours(hour + 1).ToString("O"),
        Volume = 1000 + (hour * 37 % 300),
        Labels = 500,
        Features = [Numeric(feature, shift: psi ?? (hour >= 16 ? 0.3 : 0.01 * (hour % 5)))],
        Latency = new LatencyReport(1000, 12, 10 + (hour % 3), 45 + (hour % 7), 80),
    };

    public static WindowReport[] Day(string model = "demo/credit-risk", string feature = "income") =>
        Enumerable.Range(0, 24).Select(h => Window(h, model, feature)).ToArray();

    public static IncidentView Incident(int triggeredHour, int? resolvedHour) => new()
    {
        Id = "inc-1",
        State = resolvedHour is null ? "triggered" : "resolved",
        Alert = "FeatureDrift",
        Labels = new Dictionary<string, string> { ["feature"] = "income" },
        Fingerprint = "abc",
        TriggeredAt = T0.AddHours(triggeredHour),
        ResolvedAt = resolvedHour is { } r ? T0.AddHours(r) : null,
    };

    public static ReliabilityBinReport[] Bins() => Enumerable.Range(0, 10).Select(i => new ReliabilityBinReport(
        i, i / 10.0, (i + 1) / 10.0, 50 + (i * 13), (i + 0.5) / 10.0, Math.Min(1, ((i + 0.5) / 10.0 * 0.8) + 0.05))).ToArray();

    public static PerformanceReport Performance(int hour, string model = "demo/credit-risk", bool labels = true, params SliceEntry[] worst) => new()
    {
        Model = model,
        WindowStart = T0.AddHours(hour).ToString("O"),
        WindowEnd = T0.AddHours(hour + 1).ToString("O"),
        WindowStartUnixNano = Nanos(T0) + (hour * Hour),
        Predictions = 1000,
        Labeled = labels ? 400 + (hour * 10) : 0,
        Coverage = labels ? (400 + (hour * 10)) / 1000.0 : 0,
        Binary = labels ? new BinaryPerformance
        {
            Count = 400,
            Positives = 120,
            Threshold = 0.5,
            Accuracy = new RateReport(0.86 - (hour >= 16 ? 0.08 : 0), 0.82 - (hour >= 16 ? 0.08 : 0), 0.89 - (hour >= 16 ? 0.08 : 0), "wilson"),
            Auc = new AucReport(0.91, 0.9, 0.92, 0.88, 0.94, "hanley_mcneil"),
            Ece = 0.043,
            Reliability = Bins(),
        } : null,
        Estimated = new EstimatedPerformance { Count = 1000, Accuracy = 0.85, Auc = 0.9 },
        Slices = new SliceReport
        {
            PredictionDrift = new SlicePredictionDriftSummary("upload:train.csv", "deciles", "psi", []),
            Dimensions = [new SliceDimensionReport("country", [Slice("US", 0.9, 300), Slice("BR", 0.71, 120, significant: true), Slice("DE", 0.84, 80)])],
            WorstSlices = worst.Length > 0 ? worst : [Slice("country=BR", 0.71, 120, significant: true), Slice("device=ios", 0.8, 200), Slice("country=DE & device=ios", 0.78, 40)],
        },
    };

    public static SliceEntry Slice(string value, double accuracy, long count, bool significant = false) => new()
    {
        Value = value,
        Predictions = count * 2,
        Count = count,
        Accuracy = new RateReport(accuracy, accuracy - 0.05, Math.Min(1, accuracy + 0.04), "wilson"),
        Reliability = Bins(),
        Ece = 0.05,
        VsRest = new SliceVersusRest(0.86, accuracy - 0.86, 0.02, 0.001, 0.004, significant),
    };

    public static PerformanceReport[] PerformanceDay(string model = "demo/credit-risk") =>
        Enumerable.Range(0, 24).Select(h => Performance(h, model)).ToArray();
}
