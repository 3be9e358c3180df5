using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Reports;
using Monitoring.Aggregation.Windows;
using Monitoring.Reports.Charts;
using Monitoring.Reports.Components.Model;
using Monitoring.Reports.Components.Overview;
using Monitoring.Reports.Rendering;

namespace Monitoring.Benchmarks;

/// <summary>
/// Inputs of the page benchmarks: one model with 50 features (45 numeric, 5 categorical) and 24 closed windows of 400
/// predictions each, folded and reported by the real aggregation code against an uploaded reference (so every feature
/// carries its distribution), with performance reports; and 1,000 models' overview rows.
/// </summary>
internal static class PageBenchData
{
    public const int Features = 50;
    public const int Windows = 24;
    public const int Models = 1_000;

    public static readonly PageRenderer Renderer = new(new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance);

    public static (ModelDescription Description, WindowReport[] Windows, PerformanceReport[] Performance) Model()
    {
        var rng = new Random(BenchData.Seed + 70);
        var start = UnixNanos.FromUnixSeconds(1_800_000_000);
        var numeric = Enumerable.Range(0, 45).Select(f => $"num_{f:D2}").ToArray();
        var categorical = Enumerable.Range(0, 5).Select(f => $"cat_{f}").ToArray();
        var columns = numeric.Select((n, f) => new ReferenceColumn(n, BenchData.Normal(5000, 30, 25, BenchData.Seed + f), null))
            .Concat(categorical.Select(c => new ReferenceColumn(c, null, [.. Enumerable.Range(0, 5000).Select(i => $"v{i % 12}")])))
            .Append(new ReferenceColumn("ml.prediction.score", BenchData.ScoresAndLabels(5000, BenchData.Seed).Scores, null))
            .ToArray();
        var reference = ReferenceProfile.FromUpload(new ReferenceUpload("train.csv", 5000, columns), 1, start);
        var settings = new ModelSettings { Window = TimeSpan.FromHours(1) };
        var state = new ModelState { Settings = settings, Reference = reference };
        var folder = new WindowFolder();
        folder.UseReference(reference.Version, reference.NumericKernels(), []);
        for (var w = 0; w < Windows; w++)
        {
            for (var i = 0; i < 400; i++)
            {
                var shift = w >= 18 ? 15 : 0; // the last six windows drift
                var features = numeric.Select((n, f) => new FeatureValue(n, Math.Round(30 + (25 * Gaussian(rng)) + (f < 5 ? shift : 0), 3), null))
                    .Concat(categorical.Select(c => new FeatureValue(c, null, $"v{rng.Next(w >= 18 ? 16 : 12)}")))
                    .ToArray();
                var time = start + (w * UnixNanos.PerHour) + (i * UnixNanos.PerSecond);
                folder.Fold(state, new ModelEvent
                {
                    Kind = EventKind.Prediction, PredictionId = $"p{w}-{i}", EventTimeUnixNano = time, ReceivedUnixNano = time,
                    Score = rng.NextDouble(), LatencyMs = 5 + (20 * rng.NextDouble()), Features = features,
                });
            }
        }

        var windows = state.Open.Values.Select(acc => WindowReportBuilder.Build("bench/m", ReportKinds.Window, acc, reference, settings)).ToArray();
        var performance = windows.Select(w => Performance(w, rng)).ToArray();
        var description = new ModelDescription
        {
            Model = "bench/m", Tenant = "bench", ModelId = "m",
            Settings = SettingsView.From(settings),
            Totals = new ModelTotals(400 * Windows, 300 * Windows, 0, 0, 700 * Windows),
            Labels = new LabelTotals(300 * Windows, 0, 0, 0, 0, 14, 60, 300),
            Schema = [.. numeric.Select(n => new SchemaEntry(n, "numeric", windows[0].WindowStart, 0)).Concat(categorical.Select(c => new SchemaEntry(c, "categorical", windows[0].WindowStart, 0)))],
            LastClosedWindowEnd = windows[^1].WindowEnd,
        };
        return (description, windows, performance);
    }

    private static PerformanceReport Performance(WindowReport w, Random rng)
    {
        var accuracy = 0.8 + (0.05 * rng.NextDouble());
        return new PerformanceReport
        {
            Model = w.Model, WindowStart = w.WindowStart, WindowEnd = w.WindowEnd, WindowStartUnixNano = w.WindowStartUnixNano,
            Predictions = 400, Labeled = 300, Coverage = 0.75,
            Binary = new BinaryPerformance
            {
                Count = 300, Positives = 120, Threshold = 0.5, Accuracy = new RateReport(accuracy, accuracy - 0.04, accuracy + 0.04, "wilson"),
                Auc = new AucReport(0.8, 0.79, 0.81, 0.75, 0.85, "delong"), Brier = 0.15, LogLoss = 0.45, Precision = 0.7, Recall = 0.6, F1 = 0.65, Ece = 0.03, Mce = 0.08,
                Reliability = [.. Enumerable.Range(0, 10).Select(b => new ReliabilityBinReport(b, b / 10.0, (b + 1) / 10.0, 30, (b + 0.5) / 10.0, (b + 0.4) / 10.0))],
            },
            Estimated = new EstimatedPerformance { Count = 400, Accuracy = 0.82, Auc = 0.8, Precision = 0.7, Recall = 0.6, F1 = 0.65 },
        };
    }

    public static IReadOnlyList<ModelHealth> Overview()
    {
        var rng = new Random(BenchData.Seed + 71);
        var rows = Enumerable.Range(0, Models).Select(i =>
        {
            var drifted = i % 10 == 0 ? new[] { "income", "country" } : [];
            return new ModelHealth
            {
                Tenant = "t", Model = $"model-{i:D4}", LastWindowStart = "2027-01-15T08:00:00.000Z", Volume = 1000 + rng.Next(5000), Features = 20,
                DriftedFeatures = drifted, OpenIncidents = i % 25 == 0 ? 2 : 0, PagingIncidents = i % 50 == 0 ? 1 : 0,
                RealizedAccuracy = 0.8 + (0.1 * rng.NextDouble()), EstimatedAccuracy = 0.85, Labelled = 500, Coverage = 0.4,
            };
        });
        return ModelHealth.WorstFirst(rows);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}

/// <summary>
/// The model page of a model with 50 features and 24 windows, rendered from in-memory typed reports the way the silo
/// does (page model with every chart, then the Razor component through HtmlRenderer): charts drawn (cache emptied first:
/// the first view after a window closes) and charts from the cache (closed windows' reports never change). Baseline:
/// the same reports written as JSON (what the API's endpoints send for them).
/// </summary>
public class ModelPageBenchmarks
{
    private readonly PageCharts _charts = new();
    private ModelDescription _description = null!;
    private WindowReport[] _windows = null!;
    private PerformanceReport[] _performance = null!;

    [GlobalSetup]
    public void Setup() => (_description, _windows, _performance) = PageBenchData.Model();

    [Benchmark(Baseline = true, Description = "the same reports as JSON")]
    public int Json() =>
        JsonSerializer.Serialize(_description, ReportJson.Options).Length + JsonSerializer.Serialize(_windows, ReportJson.Options).Length
        + JsonSerializer.Serialize(_performance, ReportJson.Options).Length;

    [Benchmark(Description = "page without charts")]
    public Task<string> NoCharts() => PageBenchData.Renderer.RenderAsync<ModelView, ModelPage>(Page(charts: false));

    [Benchmark(Description = "page, charts drawn")]
    public Task<string> ChartsDrawn()
    {
        ChartRenderer.ClearCache();
        return PageBenchData.Renderer.RenderAsync<ModelView, ModelPage>(Page(charts: true));
    }

    [Benchmark(Description = "page, charts cached")]
    public Task<string> ChartsCached() => PageBenchData.Renderer.RenderAsync<ModelView, ModelPage>(Page(charts: true));

    [Benchmark(Description = "page as served: feature charts as image URLs, others drawn")]
    public Task<string> FeatureChartsAsImages()
    {
        ChartRenderer.ClearCache();
        return PageBenchData.Renderer.RenderAsync<ModelView, ModelPage>(Page(charts: true, featureImages: true));
    }

    [Benchmark(Description = "one feature chart image, drawn")]
    public string OneFeatureChart()
    {
        ChartRenderer.ClearCache();
        return ReportCharts.FeatureDistribution(_windows[^1].Features[0], new ChartSize(480, 240)).Svg;
    }

    private ModelPage Page(bool charts, bool featureImages = false)
    {
        var latest = _windows[^1];
        IncidentView[] incidents = [];
        return new ModelPage
        {
            Tenant = "bench", Model = "m", Description = _description,
            Windows = [.. _windows.Reverse().Zip(_performance.Reverse(), (w, p) => new WindowRow(w, p))],
            Features = FeatureSort.Default.Apply(latest.Features.Select(f => featureImages
                ? new FeatureRow(f, null, Monitoring.Reports.Components.Shared.Links.FeatureChart("bench", "m", latest.WindowStart, f.Name))
                : new FeatureRow(f, charts ? _charts.FeatureDistribution(f) : null)), r => r.Feature),
            DriftCharts = charts ? _charts.DriftOverTime(_windows, incidents) : [],
            PerformanceChart = charts ? _charts.PerformanceOverTime(_performance, incidents) : null,
            VolumeChart = charts ? _charts.VolumeOverTime(_windows, incidents) : null,
        };
    }
}

/// <summary>The models overview with 1,000 models (ranking and rendering), against the same rows as JSON.</summary>
public class OverviewBenchmarks
{
    private IReadOnlyList<ModelHealth> _rows = null!;

    [GlobalSetup]
    public void Setup() => _rows = PageBenchData.Overview();

    [Benchmark(Baseline = true, Description = "1,000 rows as JSON")]
    public int Json() => JsonSerializer.Serialize(_rows, ReportJson.Options).Length;

    [Benchmark(Description = "overview page, 1,000 models")]
    public Task<string> Page() =>
        PageBenchData.Renderer.RenderAsync<OverviewView, OverviewPage>(new OverviewPage(ModelHealth.WorstFirst(_rows), 40, DateTimeOffset.UnixEpoch));
}
