using Monitoring.Abstractions.Reports;
using Monitoring.Alerting.Metrics;
using Xunit;

namespace Monitoring.Alerting.Tests.Metrics;

public sealed class ReportMetricsTests
{
    [Fact]
    public void WindowReport_GivesFeatureAndModelSamples_WithCatalogueNamesAndLabels()
    {
        var report = new WindowReport
        {
            Model = "acme/credit-risk",
            Granularity = "window",
            WindowStart = "2026-12-06T00:00:00Z",
            WindowEnd = "2026-12-06T01:00:00Z",
            Volume = 1200,
            LateRecords = 3,
            Latency = new LatencyReport(1200, 10, 8, 42.5, 90),
            Features =
            [
                new FeatureReport
                {
                    Name = "income", Kind = "numeric", Count = 1000, Nulls = 200, NullRate = 200.0 / 1200, ReferenceCount = 5000, Psi = 0.31,
                    Ks = new KsEstimate(0.2, 0.19, 0.21, 1e-9, 1e-8), Drifted = true,
                },
                new FeatureReport { Name = "country", Kind = "categorical", Count = 1200, ReferenceCount = 5000, NewCategories = ["XX", "YY"], Psi = 0.05 },
                new FeatureReport { Name = "ml.prediction.score", Kind = "numeric", Count = 1200, ReferenceCount = 5000, Psi = 0.12, Drifted = false },
            ],
        };
        var set = ReportMetrics.FromWindow(report);
        Assert.Equal(("acme", "credit-risk"), (set.Tenant, set.Model));
        Assert.All(set.Samples, s =>
        {
            Assert.True(MetricCatalog.TryGet(s.Metric, out var info), s.Metric);
            Assert.Equal(info.Labels.Order(StringComparer.Ordinal), s.Labels.Names);
        });
        double Value(string metric, string? feature = null) =>
            set.Samples.Single(s => s.Metric == metric && (feature is null ? !s.Labels.Contains("feature") : s.Labels["feature"] == feature)).Value;
        Assert.Equal(0.31, Value("feature_psi", "income"));
        Assert.Equal(1e-8, Value("feature_ks_p_value", "income")); // the adjusted p-value
        Assert.Equal(1, Value("feature_drifted", "income"));
        Assert.Equal(2, Value("feature_new_categories", "country"));
        Assert.Equal(0.12, Value("prediction_psi"));
        Assert.Equal(0, Value("prediction_drifted"));
        Assert.Equal(1, Value("drifted_features"));
        Assert.Equal(1200, Value("window_volume"));
        Assert.Equal(3, Value("window_late_records"));
        Assert.Equal(42.5, Value("latency_p99_ms"));
        Assert.DoesNotContain(set.Samples, s => s.Labels["feature"] == "ml.prediction.score");
        Assert.DoesNotContain(set.Samples, s => s.Metric == "feature_wasserstein"); // not in the report: no sample
        Assert.All(set.Samples, s => Assert.Equal("acme", s.Labels["tenant"]));
    }

    [Fact]
    public void PerformanceReport_GivesRealizedEstimatedAndSliceSamples()
    {
        var report = new PerformanceReport
        {
            Model = "default/m",
            WindowStart = "2026-12-06T00:00:00Z",
            WindowEnd = "2026-12-06T01:00:00Z",
            Predictions = 1000,
            Labeled = 400,
            Coverage = 0.4,
            Binary = new BinaryPerformance
            {
                Count = 400, Positives = 100, Accuracy = new RateReport(0.9, 0.87, 0.93, "wilson"), Ece = 0.03, Brier = 0.08,
                Auc = new AucReport(0.91, 0.9, 0.92, 0.88, 0.94, "delong"),
            },
            Estimated = new EstimatedPerformance { Count = 1000, Accuracy = 0.88, Auc = 0.9 },
            Slices = new SliceReport
            {
                PredictionDrift = new SlicePredictionDriftSummary(null, "deciles", "psi", []),
                Dimensions =
                [
                    new SliceDimensionReport("country", [new SliceEntry
                    {
                        Value = "BR", Count = 50, Accuracy = new RateReport(0.7, 0.6, 0.8, "wilson"),
                        VsRest = new SliceVersusRest(0.92, -0.22, 0.1, 1e-5, 1e-4, true),
                    }]),
                ],
            },
        };
        var set = ReportMetrics.FromPerformance(report);
        double Value(string metric) => set.Samples.Single(s => s.Metric == metric).Value;
        Assert.Equal(0.4, Value("label_coverage"));
        Assert.Equal(0.91, Value("performance_auc"));
        Assert.Equal(0.9, Value("performance_accuracy"));
        Assert.Equal(0.03, Value("calibration_ece"));
        Assert.Equal(0.88, Value("estimated_accuracy"));
        Assert.Equal(-0.22, Value("slice_accuracy_delta"));
        Assert.Equal(1, Value("slice_significant"));
        var slice = set.Samples.Single(s => s.Metric == "slice_accuracy");
        Assert.Equal("{model=\"m\", slice_dimension=\"country\", slice_value=\"BR\", tenant=\"default\"}", slice.Labels.ToString());
        Assert.DoesNotContain(set.Samples, s => s.Metric == "performance_f1"); // F1 undefined in the report: no sample
    }

    [Fact]
    public void EveryCatalogueMetric_IsDocumentedWithLabels()
    {
        Assert.Equal(45, MetricCatalog.All.Count);
        Assert.All(MetricCatalog.All, m => Assert.Contains("model", m.Labels));
        Assert.Equal(MetricCatalog.All.Count, MetricCatalog.All.Select(m => m.Name).Distinct().Count());
    }
}
