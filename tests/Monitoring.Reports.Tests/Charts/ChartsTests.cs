using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Charts;
using Xunit;
using static Monitoring.Reports.Tests.Charts.ChartData;

namespace Monitoring.Reports.Tests.Charts;

/// <summary>Every chart kind, rendered for real: its SVG text and its PNG pixels.</summary>
public sealed class ChartsTests
{
    [Fact]
    public void Fonts_DejaVuSansIsFound_AndUsedInTheSvg()
    {
        Assert.True(ChartFonts.TextAvailable);
        Assert.Equal(ChartFonts.PreferredFamily, ChartFonts.Family);
        Assert.Null(ChartFonts.Warning);
        foreach (var chart in new[] { ReportCharts.FeatureDistribution(Numeric()), ReportCharts.VolumeAndLatency([]), ReportCharts.SliceComparison(Performance(1)) })
        {
            var svg = XDocument.Parse(chart.Svg);
            var families = svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => (string?)e.Attribute("font-family") ?? string.Empty).Distinct().ToArray();
            Assert.Equal(["DejaVu Sans"], families);
        }
    }

    [Fact]
    public void NumericDistribution_ShowsTitleWithPsi_AxisLabels_ReferenceBins_AndLegend()
    {
        var chart = ReportCharts.FeatureDistribution(Numeric());

        Assert.True(chart.HasData);
        ChartAssert.HasTexts(chart,
            "income: reference vs window (PSI 0.35, drifted)",
            "income (reference decile bins)",
            "Share of values (%)",
            "≤ 10", "10–20", "> 90",
            "reference (n = 3,000)",
            "window (n = 800)");
        ChartAssert.PngIsDrawn(chart);
    }

    [Fact]
    public void CategoricalDistribution_ShowsCategories_AndTheOtherBucketWithItsSize()
    {
        var chart = ReportCharts.FeatureDistribution(Categorical());

        ChartAssert.HasTexts(chart, "country: reference vs window (PSI 0.12)", "country (category)", "US", "BR", "DE", "(other: 7)", "reference (n = 1,000)");
        ChartAssert.PngIsDrawn(chart);
    }

    [Fact]
    public void DriftOverTime_ShowsThreshold_DriftedWindows_IncidentMarkers_AndDates()
    {
        var chart = ReportCharts.DriftOverTime("income", Day(), incidents: [Incident(16, 20), Incident(40, null)]);

        ChartAssert.HasTexts(chart,
            "income: PSI over time",
            "Window start (UTC)",
            "PSI (reference bins)",
            "PSI per window",
            "threshold 0.2",
            "drifted window",
            "incident triggered",
            "incident resolved");
        // Date ticks (hours of 2026-12-01), not OLE automation numbers.
        Assert.Contains(ChartAssert.SvgTexts(chart), t => Regex.IsMatch(t, @"^(\d{2}-\d{2} \d{2}:\d{2}|2026-12-01)$"));
        Assert.DoesNotContain(ChartAssert.SvgTexts(chart), t => t.StartsWith("46", StringComparison.Ordinal));
        ChartAssert.PngIsDrawn(chart);
    }

    [Fact]
    public void DriftOverTime_IncidentOutsideTheWindows_IsLeftOut()
    {
        var chart = ReportCharts.DriftOverTime("income", Day(), incidents: [Incident(40, 41)]);

        Assert.DoesNotContain("incident triggered", ChartAssert.SvgTexts(chart));
    }

    [Fact]
    public void Reliability_ShowsDiagonal_Observed_AndPairsPerBin()
    {
        var chart = ReportCharts.Reliability(Performance(3));

        ChartAssert.HasTexts(chart,
            "demo/credit-risk: reliability (ECE 0.043)",
            "Mean predicted probability",
            "Observed fraction of positives",
            "Pairs per bin",
            "perfectly calibrated",
            "observed",
            "pairs per bin (right axis)");
        ChartAssert.PngIsDrawn(chart);
    }

    [Fact]
    public void SliceReliability_IsTitledWithTheSlice()
    {
        var chart = ReportCharts.Reliability(Slice("country=BR", 0.7, 100));

        ChartAssert.HasTexts(chart, "country=BR: reliability (ECE 0.05)", "observed");
    }

    [Fact]
    public void PerformanceOverTime_ShowsRealized_Estimated_Coverage_AndIncidents()
    {
        var chart = ReportCharts.PerformanceOverTime(PerformanceDay(), incidents: [Incident(17, null)]);

        ChartAssert.HasTexts(chart,
            "demo/credit-risk: accuracy, realized and estimated",
            "Window start (UTC)",
            "Accuracy (0-1)",
            "Label coverage (%)",
            "realized (joined labels)",
            "realized 95% interval",
            "estimated (CBPE)",
            "label coverage (%, right axis)",
            "incident triggered");
        ChartAssert.PngIsDrawn(chart);
    }

    [Fact]
    public void PerformanceOverTime_Auc_UsesTheAucSeries()
    {
        var chart = ReportCharts.PerformanceOverTime(PerformanceDay(), PerformanceMetric.Auc);

        ChartAssert.HasTexts(chart, "demo/credit-risk: auc, realized and estimated", "AUC (0-1)", "estimated (CBPE)");
    }

    [Fact]
    public void SliceComparison_PutsTheWorstSliceFirst_WithIntervals_AndTheOverallLine()
    {
        var chart = ReportCharts.SliceComparison(Performance(3));

        var texts = ChartAssert.SvgTexts(chart);
        ChartAssert.HasTexts(chart,
            "demo/credit-risk: accuracy by slice, worst slices",
            "Accuracy (0-1) with 95% Wilson interval",
            "Slice (labelled pairs)",
            "95% interval",
            "slice accuracy",
            "worse than the rest (BH-adjusted p < 0.05)",
            "model overall 0.86");
        // Rows top to bottom: the worst (lowest accuracy) first. Y tick labels are drawn top to bottom in the SVG order
        // of their positions, so compare their vertical positions instead.
        var rows = RowOrder(chart);
        Assert.Equal(["country=BR (n = 120)", "country=DE & device=ios (n = 40)", "device=ios (n = 200)"], rows);
        ChartAssert.PngIsDrawn(chart);
    }

    [Fact]
    public void SliceComparison_ByDimension_CapsTheRows_AndSaysHowManyWereLeftOut()
    {
        var many = Enumerable.Range(0, 30).Select(i => Slice($"seg{i:D2}", 0.6 + (i * 0.01), 100)).ToArray();
        var report = Performance(3) with { Slices = Performance(3).Slices! with { Dimensions = [new SliceDimensionReport("segment", many)] } };

        var chart = ReportCharts.SliceComparison(report, "segment", maxSlices: 10);

        ChartAssert.HasTexts(chart, "demo/credit-risk: accuracy by slice, segment (worst 10 of 30)", "seg00 (n = 100)", "seg09 (n = 100)");
        Assert.DoesNotContain("seg10 (n = 100)", ChartAssert.SvgTexts(chart));
    }

    [Fact]
    public void VolumeAndLatency_ShowsBothAxes_AndBothPercentiles()
    {
        var chart = ReportCharts.VolumeAndLatency(Day());

        ChartAssert.HasTexts(chart,
            "demo/credit-risk: volume and latency",
            "Window start (UTC)",
            "Predictions per window",
            "Latency (ms)",
            "predictions",
            "latency p50 (ms, right axis)",
            "latency p99 (ms, right axis)");
        ChartAssert.PngIsDrawn(chart);
    }

    public static TheoryData<string> Kinds => ["distribution", "categorical", "drift", "reliability", "performance", "slices", "volume"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void HostileNames_AreDrawnAsEscapedText_NeverAsMarkup(string kind)
    {
        foreach (var hostile in new[] { Hostile, HostileAttribute, "javascript:alert(1)", "a\u0000b\u001bc" })
        {
            var chart = Build(kind, hostile);

            var svg = chart.Svg;
            Assert.DoesNotContain("<script", svg, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", svg, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Hostile, svg, StringComparison.Ordinal);
            Assert.DoesNotContain(HostileAttribute, svg, StringComparison.Ordinal);
            Assert.DoesNotContain('\u0000', svg);
            // SvgTexts parses the SVG and rejects script elements, event-handler attributes and javascript: values.
            var texts = ChartAssert.SvgTexts(chart);
            var shown = hostile.Replace('\u0000', '\uFFFD').Replace('\u001b', '\uFFFD');
            Assert.Contains(texts, t => t.Contains(shown, StringComparison.Ordinal));
            Assert.Contains(shown, XDocument.Parse(svg).Root!.Elements().First(e => e.Name.LocalName == "title").Value, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Rendering_IsDeterministic_AndIndependentOfTheServersCulture(string kind)
    {
        var spec = Spec(Build(kind, "income"));
        var key = ChartRenderer.Key(spec);
        var first = ChartRenderer.RenderSvg(spec, key);
        var png = ChartRenderer.RenderPng(spec);

        var culture = CultureInfo.CurrentCulture;
        try
        {
            // The tests run in globalization-invariant mode, so make a culture that writes numbers and dates differently.
            var odd = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            odd.NumberFormat.NumberDecimalSeparator = ",";
            odd.NumberFormat.NumberGroupSeparator = ".";
            odd.DateTimeFormat.ShortDatePattern = "dd.MM.yyyy";
            odd.DateTimeFormat.ShortTimePattern = "HH.mm";
            CultureInfo.CurrentCulture = odd;
            Assert.Equal(first, ChartRenderer.RenderSvg(spec, ChartRenderer.Key(Spec(Build(kind, "income")))));
            Assert.Equal(png, ChartRenderer.RenderPng(spec));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public async Task ConcurrentRenders_GiveTheSameSvgAsOneAtATime()
    {
        // Pages render charts from many requests at once; ScottPlot and Skia state must not leak between them.
        string[] kinds = ["distribution", "categorical", "drift", "reliability", "performance", "slices", "volume"];
        var sequential = kinds.Select(k => ChartRenderer.RenderSvg(Spec(Build(k, "seq")), ChartRenderer.Key(Spec(Build(k, "seq"))))).ToArray();

        var parallel = await Task.WhenAll(Enumerable.Range(0, 4).SelectMany(_ => kinds.Select((k, i) => Task.Run(() =>
            (i, ChartRenderer.RenderSvg(Spec(Build(k, "seq")), ChartRenderer.Key(Spec(Build(k, "seq")))))))));

        Assert.All(parallel, p => Assert.Equal(sequential[p.i], p.Item2));
    }

    [Fact]
    public void ChartsOnOnePage_HaveDisjointIds_AndEveryReferenceResolvesInItsOwnSvg()
    {
        var svgs = new[] { ReportCharts.FeatureDistribution(Numeric()).Svg, ReportCharts.FeatureDistribution(Numeric("age")).Svg, ReportCharts.VolumeAndLatency(Day()).Svg };
        var idSets = svgs.Select(s => Regex.Matches(s, "id=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToHashSet()).ToArray();

        Assert.All(idSets, ids => Assert.NotEmpty(ids));
        for (var i = 0; i < svgs.Length; i++)
        {
            for (var j = i + 1; j < svgs.Length; j++)
            {
                Assert.Empty(idSets[i].Intersect(idSets[j]));
            }

            var refs = Regex.Matches(svgs[i], @"url\(#([^)]+)\)").Select(m => m.Groups[1].Value).ToArray();
            Assert.NotEmpty(refs);
            Assert.All(refs, r => Assert.Contains(r, idSets[i]));
        }
    }

    [Fact]
    public void InlineSvg_HasNoXmlDeclaration_AndScalesWithAViewBox()
    {
        var chart = ReportCharts.FeatureDistribution(Numeric(), new ChartSize(500, 300));

        Assert.StartsWith("<svg", chart.Svg, StringComparison.Ordinal);
        var root = XDocument.Parse(chart.Svg).Root!;
        Assert.Equal("0 0 500 300", (string?)root.Attribute("viewBox"));
        Assert.Equal("img", (string?)root.Attribute("role"));
        Assert.Equal((500, 300), (chart.Width, chart.Height));
    }

    [Fact]
    public void CacheKey_IsTheContent_SoEqualReportsShareADrawing_AndAChangeDrawsAgain()
    {
        var a = Spec(ReportCharts.FeatureDistribution(Numeric()));
        var b = Spec(ReportCharts.FeatureDistribution(Numeric()));
        var changed = Spec(ReportCharts.FeatureDistribution(Numeric() with { Distribution = Numeric().Distribution! with { CurrentCounts = [20, 30, 40, 50, 60, 90, 110, 130, 130, 141] } }));
        var resized = Spec(ReportCharts.FeatureDistribution(Numeric(), new ChartSize(641, 360)));

        Assert.Equal(ChartRenderer.Key(a), ChartRenderer.Key(b));
        Assert.NotEqual(ChartRenderer.Key(a), ChartRenderer.Key(changed));
        Assert.NotEqual(ChartRenderer.Key(a), ChartRenderer.Key(resized));
        Assert.Same(ReportCharts.FeatureDistribution(Numeric()).Svg, ReportCharts.FeatureDistribution(Numeric()).Svg);
    }

    [Fact]
    public async Task WarmAsync_DrawsTheChartsIntoTheCache()
    {
        var unique = "warm-" + Guid.NewGuid().ToString("N");
        var charts = new[] { ReportCharts.FeatureDistribution(Numeric(unique)), ReportCharts.DriftOverTime(unique, Day(feature: unique)) };
        Assert.All(charts, c => Assert.False(ChartRenderer.IsCached(c.Spec)));

        await ReportCharts.WarmAsync(charts);

        Assert.All(charts, c => Assert.True(ChartRenderer.IsCached(c.Spec)));
        Assert.All(charts, c => Assert.True(ChartRenderer.IsCached(ReportCharts.FeatureDistribution(Numeric(unique)).Spec)));
    }

    [Fact]
    public void ChartSize_OutOfRange_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChartSize(10, 300));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChartSize(300, 5000));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReportCharts.SliceComparison(Performance(1), maxSlices: 0));
        Assert.Equal(ChartSize.Standard.Width, ReportCharts.FeatureDistribution(Numeric(), default(ChartSize)).Width);
    }

    public static TheoryData<string, string> Degenerate => new()
    {
        { "feature without a reference", "no reference for this feature" },
        { "stored report without a distribution", "this report holds no distribution" },
        { "distribution without bins", "no bins" },
        { "distribution with mismatched bins", "the bins do not match their counts" },
        { "feature with empty counts", "no values in the bins" },
        { "no windows", "no window with a PSI value for this feature" },
        { "windows without the feature", "no window with a PSI value for this feature" },
        { "NaN drift", "no window with a PSI value for this feature" },
        { "no reliability bins", "no reliability bins" },
        { "empty reliability bins", "no labelled pairs in any bin" },
        { "NaN reliability", "no labelled pairs in any bin" },
        { "no performance windows", "no windows" },
        { "no labels and no estimates", "no realized or estimated accuracy in any window (no labels and no scores)" },
        { "no slice report", "no slice report in this window" },
        { "unknown dimension", "no slice dimension nope" },
        { "slices without labels", "no slice with labelled pairs" },
        { "no volume windows", "no windows" },
        { "negative counts", "negative counts" },
        { "null arrays read back from JSON", "no bins" },
        { "null windows and features", "no window with a PSI value for this feature" },
        { "null slices", "no slice with labelled pairs" },
    };

    [Theory]
    [MemberData(nameof(Degenerate))]
    public void DegenerateInput_GivesANoDataChart_NeverAnException(string input, string reason)
    {
        var chart = DegenerateChart(input);

        Assert.False(chart.HasData);
        Assert.Equal(reason, chart.NoDataReason);
        Assert.Contains("No data: " + reason, ChartAssert.SvgTexts(chart));
        ChartAssert.PngIsDrawn(chart, minInk: 0.005);
    }

    [Fact]
    public void SingleWindow_IsDrawnAsOnePoint_WithAUsableTimeAxis()
    {
        var one = new[] { Window(5) };

        var drift = ReportCharts.DriftOverTime("income", one);
        var volume = ReportCharts.VolumeAndLatency(one);
        var performance = ReportCharts.PerformanceOverTime([Performance(5)]);

        Assert.True(drift.HasData && volume.HasData && performance.HasData);
        Assert.Contains(ChartAssert.SvgTexts(drift), t => Regex.IsMatch(t, @"^(\d{2}-\d{2} \d{2}:\d{2}|2026-12-01)$"));
        ChartAssert.PngIsDrawn(drift);
        ChartAssert.PngIsDrawn(volume);
    }

    [Fact]
    public void NoLabels_StillDrawsTheEstimate_AndZeroCoverage()
    {
        var chart = ReportCharts.PerformanceOverTime(Enumerable.Range(0, 6).Select(h => Performance(h, labels: false)));

        Assert.True(chart.HasData);
        var texts = ChartAssert.SvgTexts(chart);
        Assert.Contains("estimated (CBPE)", texts);
        Assert.DoesNotContain("realized (joined labels)", texts);
    }

    [Fact]
    public void NaNPoints_AreLeftOut_WhileTheRestIsDrawn()
    {
        var windows = Day();
        windows[3] = windows[3] with { Features = [windows[3].Features[0] with { Psi = double.NaN }] };
        windows[4] = windows[4] with { Latency = new LatencyReport(0, double.NaN, double.NaN, double.NaN, double.NaN) };

        Assert.True(ReportCharts.DriftOverTime("income", windows).HasData);
        ChartAssert.PngIsDrawn(ReportCharts.VolumeAndLatency(windows));
    }

    private static ChartImage DegenerateChart(string input) => input switch
    {
        "feature without a reference" => ReportCharts.FeatureDistribution(Numeric() with { Distribution = null, ReferenceCount = 0 }),
        "stored report without a distribution" => ReportCharts.FeatureDistribution(Numeric() with { Distribution = null }),
        "distribution without bins" => ReportCharts.FeatureDistribution(Numeric() with { Distribution = new FeatureDistribution() }),
        "distribution with mismatched bins" => ReportCharts.FeatureDistribution(Numeric() with { Distribution = Numeric().Distribution! with { Edges = [1, 2] } }),
        "feature with empty counts" => ReportCharts.FeatureDistribution(Numeric() with { Distribution = Numeric().Distribution! with { ReferenceCounts = new long[10], CurrentCounts = new long[10] } }),
        "no windows" => ReportCharts.DriftOverTime("income", []),
        "windows without the feature" => ReportCharts.DriftOverTime("nope", Day()),
        "NaN drift" => ReportCharts.DriftOverTime("income", [Window(1, psi: double.NaN) with { Features = [Numeric() with { Psi = double.NaN }] }]),
        "no reliability bins" => ReportCharts.Reliability(Performance(1, labels: false)),
        "empty reliability bins" => ReportCharts.Reliability(Slice("x", 0.5, 0) with { Reliability = Bins().Select(b => b with { Count = 0, MeanPredicted = null, FractionPositive = null }).ToArray() }),
        "NaN reliability" => ReportCharts.Reliability(Slice("x", 0.5, 0) with { Reliability = Bins().Select(b => b with { MeanPredicted = double.NaN }).ToArray() }),
        "no performance windows" => ReportCharts.PerformanceOverTime([]),
        "no labels and no estimates" => ReportCharts.PerformanceOverTime([Performance(1, labels: false) with { Estimated = null }]),
        "no slice report" => ReportCharts.SliceComparison(Performance(1) with { Slices = null }),
        "unknown dimension" => ReportCharts.SliceComparison(Performance(1), "nope"),
        "slices without labels" => ReportCharts.SliceComparison(Performance(1, worst: Slice("a", 0.5, 0) with { Accuracy = new RateReport(null, null, null, "wilson") })),
        "no volume windows" => ReportCharts.VolumeAndLatency([]),
        "negative counts" => ReportCharts.FeatureDistribution(Numeric() with { Distribution = Numeric().Distribution! with { CurrentCounts = [-5, 30, 40, 50, 60, 90, 110, 130, 130, 140] } }),
        "null arrays read back from JSON" => ReportCharts.FeatureDistribution(Numeric() with { Distribution = Numeric().Distribution! with { ReferenceCounts = null!, CurrentCounts = null!, Edges = null! } }),
        "null windows and features" => ReportCharts.DriftOverTime("income", [null!, Window(1) with { Features = null! }, Window(2) with { Features = [null!] }], incidents: [null!]),
        "null slices" => ReportCharts.SliceComparison(Performance(1) with { Slices = Performance(1).Slices! with { WorstSlices = [null!, null!] } }),
        _ => throw new ArgumentException(input, nameof(input)),
    };

    private static ChartImage Build(string kind, string name) => kind switch
    {
        "distribution" => ReportCharts.FeatureDistribution(Numeric(name)),
        "categorical" => ReportCharts.FeatureDistribution(Categorical(name, name, "US")),
        "drift" => ReportCharts.DriftOverTime(name, Day(feature: name), incidents: [Incident(16, 20)]),
        "reliability" => ReportCharts.Reliability(Performance(2, model: name)),
        "performance" => ReportCharts.PerformanceOverTime(PerformanceDay(name)),
        "slices" => ReportCharts.SliceComparison(Performance(2, name, true, Slice(name, 0.6, 50), Slice("device=" + name, 0.7, 60))),
        "volume" => ReportCharts.VolumeAndLatency(Day(model: name)),
        _ => throw new ArgumentException(kind, nameof(kind)),
    };

    private static ChartSpec Spec(ChartImage chart) => chart.Spec;

    // Y tick labels of the slice chart, top to bottom (by their translate y).
    private static string[] RowOrder(ChartImage chart) =>
        XDocument.Parse(chart.Svg).Descendants().Where(e => e.Name.LocalName == "text" && e.Value.Contains("(n = ", StringComparison.Ordinal))
            .Select(e => (Text: e.Value.Trim(), Y: double.Parse(Regex.Match((string)e.Attribute("transform")!, @"translate\([^ ]+ ([^)]+)\)").Groups[1].Value, CultureInfo.InvariantCulture)))
            .OrderBy(t => t.Y).Select(t => t.Text).ToArray();
}
