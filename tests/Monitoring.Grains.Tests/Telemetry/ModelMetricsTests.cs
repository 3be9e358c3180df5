using System.Diagnostics.Metrics;
using Monitoring.Abstractions.Reports;
using Monitoring.Alerting.Metrics;
using Monitoring.Grains.Telemetry;
using Xunit;

namespace Monitoring.Grains.Tests.Telemetry;

/// <summary>The model metrics registry read through a real <see cref="MeterListener"/>, as the OpenTelemetry SDK reads it.</summary>
public sealed class ModelMetricsTests
{
    private const long Minute = 60_000_000_000;

    [Fact]
    public void EveryRuleMetric_HasOneExportedName()
    {
        Assert.Equal(MetricCatalog.All.Select(m => m.Name), ModelMetricNames.All.Select(m => m.Catalog));
        Assert.Equal(ModelMetricNames.All.Count, ModelMetricNames.All.Select(m => m.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(ModelMetricNames.All, m => Assert.StartsWith("monitoring.model.", m.Name, StringComparison.Ordinal));
    }

    [Fact]
    public void LatestWindow_IsObserved_WithTenantModelAndFeature_AnOlderOneIgnored()
    {
        using var metrics = new ModelMetrics();
        metrics.WindowClosed(Window("acme/credit", start: 2, psi: 0.31));
        metrics.WindowClosed(Window("acme/credit", start: 1, psi: 0.01)); // older: ignored
        var observed = Observe(metrics);
        var psi = Assert.Single(observed, o => o.Name == "monitoring.model.feature.psi" && o.Tags["feature"] == "income");
        Assert.Equal(0.31, psi.Value);
        Assert.Equal(("acme", "credit"), (psi.Tags["tenant"], psi.Tags["model"]));
        Assert.Equal(0.0425, Assert.Single(observed, o => o.Name == "monitoring.model.latency.p99").Value, 12); // ms to s
        Assert.Equal(observed.Count, metrics.SeriesCount);
    }

    [Fact]
    public void OverTheCap_ModelLevelSeriesStay_TheRestAreDroppedAndCounted()
    {
        using var metrics = new ModelMetrics(maxSeries: 5);
        long dropped = 0;
        using var listener = Listen(metrics, (name, value) => dropped += name == "monitoring.telemetry.series.dropped" ? value : 0);
        var report = Window("default/m", start: 1, psi: 0.5);
        var all = ReportMetrics.FromWindow(report).Samples.Count;
        metrics.WindowClosed(report);
        var observed = Observe(metrics);
        Assert.Equal(5, observed.Count);
        var modelLevel = ReportMetrics.FromWindow(report).Samples.Count(s => !s.Labels.Contains("feature"));
        Assert.Equal(4, modelLevel); // drifted features, volume, late records, latency
        Assert.Equal(modelLevel, observed.Count(o => !o.Tags.ContainsKey("feature"))); // model-level first, all of them
        Assert.Single(observed, o => o.Tags.ContainsKey("feature"));
        Assert.Equal(all - 5, dropped);

        metrics.Remove("default/m");
        Assert.Empty(Observe(metrics));
        Assert.Equal(0, metrics.SeriesCount);
    }

    [Fact]
    public void Performance_OfTheNewestClosedWindow_IsObserved_SlicesAsDimensionEqualsValue()
    {
        using var metrics = new ModelMetrics();
        metrics.PerformanceChanged([Performance("default/m", start: 1, accuracy: 0.8)]); // no window closed yet: nothing
        Assert.Empty(Observe(metrics));
        metrics.WindowClosed(Window("default/m", start: 1, psi: 0.1));
        metrics.PerformanceChanged([Performance("default/m", start: 1, accuracy: 0.8), Performance("default/m", start: 2, accuracy: 0.5)]);
        var observed = Observe(metrics);
        Assert.Equal(0.8, Assert.Single(observed, o => o.Name == "monitoring.model.performance.accuracy").Value); // window 2 is still open
        Assert.Equal("country=BR", Assert.Single(observed, o => o.Name == "monitoring.model.slice.accuracy").Tags["slice"]);
    }

    private static WindowReport Window(string model, long start, double psi) => new()
    {
        Model = model,
        Granularity = "window",
        WindowStart = "x",
        WindowEnd = "y",
        WindowStartUnixNano = start * Minute,
        WindowEndUnixNano = (start + 1) * Minute,
        Volume = 1200,
        Latency = new LatencyReport(1200, 10, 8, 42.5, 90),
        Features =
        [
            new FeatureReport { Name = "income", Kind = "numeric", Count = 1000, ReferenceCount = 5000, Psi = psi, Drifted = psi > 0.2 },
            new FeatureReport { Name = "country", Kind = "categorical", Count = 1200, ReferenceCount = 5000, NewCategories = ["XX"], Psi = 0.05 },
        ],
    };

    private static PerformanceReport Performance(string model, long start, double accuracy) => new()
    {
        Model = model,
        WindowStart = "x",
        WindowEnd = "y",
        WindowStartUnixNano = start * Minute,
        Predictions = 1000,
        Labeled = 400,
        Coverage = 0.4,
        Binary = new BinaryPerformance { Count = 400, Positives = 100, Accuracy = new RateReport(accuracy, accuracy - 0.01, accuracy + 0.01, "wilson") },
        Slices = new SliceReport
        {
            PredictionDrift = new SlicePredictionDriftSummary(null, "deciles", "psi", []),
            Dimensions = [new SliceDimensionReport("country", [new SliceEntry { Value = "BR", Count = 50, Accuracy = new RateReport(0.7, 0.6, 0.8, "wilson") }])],
        },
    };

    private sealed record Observed(string Name, double Value, IReadOnlyDictionary<string, string> Tags);

    /// <summary>One collection of the registry's observable gauges (model series only).</summary>
    private static List<Observed> Observe(ModelMetrics metrics)
    {
        var observed = new List<Observed>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name.StartsWith("monitoring.model.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            observed.Add(new Observed(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => (string)t.Value!, StringComparer.Ordinal))));
        listener.Start();
        listener.RecordObservableInstruments();
        return observed;
    }

    private static MeterListener Listen(ModelMetrics metrics, Action<string, long> onCounter)
    {
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument is Counter<long>)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => onCounter(instrument.Name, value));
        listener.Start();
        return listener;
    }
}
