using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Charts;

namespace Monitoring.Benchmarks;

/// <summary>
/// Drawing each chart kind (<see cref="ReportCharts"/>) to SVG and to PNG without the cache, and the cached SVG path a
/// page takes for a closed window's chart (build the spec, hash it, look it up). Inputs: the window report the alerting
/// benchmarks use (512 predictions of 18 numeric + 2 categorical features folded by the real <c>WindowFolder</c> and
/// reported against an uploaded reference, so the distributions are real), 24 hourly copies of it for the charts over
/// time, and performance reports with 10 reliability bins and 3 worst slices. Same-run baseline: writing the chart's
/// input reports as JSON with <see cref="ReportJson.Options"/> (what the API does with them), so the Ratio column reads
/// "drawing costs N x serializing the inputs".
/// </summary>
public class ChartBenchmarks
{
    private Func<ChartImage> _chart = null!;
    private object _inputs = null!;

    /// <summary>The chart kind.</summary>
    [Params("distribution", "drift", "reliability", "performance", "slices", "volume")]
    public string Kind { get; set; } = "distribution";

    [GlobalSetup]
    public void Setup()
    {
        var report = AlertingBenchData.DriftedWindowReport("t/m-0001");
        const long hour = 3_600_000_000_000;
        var windows = Enumerable.Range(0, 24).Select(h => report with
        {
            WindowStartUnixNano = report.WindowStartUnixNano + (h * hour),
            WindowEndUnixNano = report.WindowEndUnixNano + (h * hour),
        }).ToArray();
        var performance = Enumerable.Range(0, 24).Select(h => ChartBenchData.Performance(report, h)).ToArray();
        var incidents = new[]
        {
            new IncidentView
            {
                Id = "i1", State = "resolved", Alert = "FeatureDrift", Labels = [], Fingerprint = "f",
                TriggeredAt = DateTimeOffset.FromUnixTimeMilliseconds((report.WindowStartUnixNano / 1_000_000) + (5 * 3_600_000)),
                ResolvedAt = DateTimeOffset.FromUnixTimeMilliseconds((report.WindowStartUnixNano / 1_000_000) + (9 * 3_600_000)),
            },
        };
        (_chart, _inputs) = Kind switch
        {
            "distribution" => (() => ReportCharts.FeatureDistribution(report.Features[0]), report.Features[0]),
            "drift" => (() => ReportCharts.DriftOverTime("f00", windows, incidents: incidents), windows),
            "reliability" => (() => ReportCharts.Reliability(performance[0]), performance[0]),
            "performance" => (() => ReportCharts.PerformanceOverTime(performance, incidents: incidents), performance),
            "slices" => (() => ReportCharts.SliceComparison(performance[0]), performance[0]),
            _ => ((Func<ChartImage>)(() => ReportCharts.VolumeAndLatency(windows, incidents)), (object)windows),
        };
        if (!_chart().HasData)
        {
            throw new InvalidOperationException($"The {Kind} benchmark input draws no data.");
        }

        _ = _chart().Svg; // warm the cache for the cached path
    }

    /// <summary>Baseline: the chart's input reports as API JSON.</summary>
    [Benchmark(Baseline = true)]
    public int InputsAsJson() => JsonSerializer.SerializeToUtf8Bytes(_inputs, _inputs.GetType(), ReportJson.Options).Length;

    /// <summary>Spec from the reports, drawn to an inline SVG, no cache.</summary>
    [Benchmark]
    public int SvgUncached()
    {
        var spec = _chart().Spec;
        return ChartRenderer.RenderSvg(spec, ChartRenderer.Key(spec)).Length;
    }

    /// <summary>Spec from the reports, drawn to PNG, no cache.</summary>
    [Benchmark]
    public int PngUncached() => ChartRenderer.RenderPng(_chart().Spec).Length;

    /// <summary>What a page pays for an unchanged chart: spec from the reports, content key, cache hit.</summary>
    [Benchmark]
    public int SvgCached() => _chart().Svg.Length;
}

/// <summary>Performance reports shaped like the demo's.</summary>
internal static class ChartBenchData
{
    public static PerformanceReport Performance(WindowReport window, int hour)
    {
        var start = window.WindowStartUnixNano + (hour * 3_600_000_000_000);
        var bins = Enumerable.Range(0, 10).Select(i => new ReliabilityBinReport(i, i / 10.0, (i + 1) / 10.0, 40 + (i * 7), (i + 0.5) / 10.0, ((i + 0.5) / 10.0 * 0.9) + 0.03)).ToArray();
        SliceEntry Slice(string value, double accuracy) => new()
        {
            Value = value,
            Count = 120,
            Predictions = 300,
            Accuracy = new RateReport(accuracy, accuracy - 0.06, accuracy + 0.05, "wilson"),
            VsRest = new SliceVersusRest(0.85, accuracy - 0.85, 0.01, 0.01, 0.03, accuracy < 0.75),
        };
        return new PerformanceReport
        {
            Model = window.Model,
            WindowStart = DateTimeOffset.FromUnixTimeMilliseconds(start / 1_000_000).ToString("O"),
            WindowEnd = DateTimeOffset.FromUnixTimeMilliseconds((start / 1_000_000) + 3_600_000).ToString("O"),
            WindowStartUnixNano = start,
            Predictions = 512,
            Labeled = 300,
            Coverage = 300 / 512.0,
            Binary = new BinaryPerformance
            {
                Count = 300,
                Positives = 90,
                Threshold = 0.5,
                Accuracy = new RateReport(0.84 - (hour % 4 * 0.01), 0.8, 0.88, "wilson"),
                Ece = 0.04,
                Reliability = bins,
            },
            Estimated = new EstimatedPerformance { Count = 512, Accuracy = 0.83, Auc = 0.9 },
            Slices = new SliceReport
            {
                PredictionDrift = new SlicePredictionDriftSummary(null, "deciles", "psi", []),
                WorstSlices = [Slice("region=r3", 0.71), Slice("browser=b2", 0.78), Slice("region=r3 & browser=b2", 0.69)],
            },
        };
    }
}
