using System.Text.Json;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Xunit;

namespace Monitoring.Cli.Tests.Report;

/// <summary>
/// <c>monitoring report</c> offline, run as a real process over the drift fixtures: one HTML file (parsed by AngleSharp)
/// that names the model, marks exactly the features <c>monitoring drift</c> finds drifted, embeds a PNG chart per feature
/// (a data URI, alt text = the chart's title), shows the slice report <c>monitoring slices</c> computes, references
/// nothing (no src/href/url( other than #fragments and data: URIs, no links at all) and shows hostile column names as
/// text. Bad arguments exit 2 naming the option or file.
/// </summary>
public sealed class ReportCommandOfflineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monitoring-report-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task OfflineReport_MarksWhatDriftFinds_WithInlineCharts_AndNoReferences()
    {
        var reference = CliProcess.FixturePath("reference.csv");
        var current = CliProcess.FixturePath("current.csv");
        var file = Path.Combine(_dir, "report.html");
        var run = await CliProcess.RunAsync("report", "--model", "credit-risk", "--reference", reference, "--current", current, "--categorical", "zip", "--out", file);
        Assert.True(run.ExitCode == 0, run.StandardError);
        Assert.Contains(file, run.StandardOutput);

        var json = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current, "--categorical", "zip", "--format", "json");
        var features = JsonDocument.Parse(json.StandardOutput).RootElement.GetProperty("features").EnumerateArray()
            .Select(f => (Name: f.GetProperty("name").GetString()!, Drifted: f.GetProperty("drifted").GetBoolean())).ToList();
        Assert.Contains(features, f => f.Drifted);
        Assert.Contains(features, f => !f.Drifted);

        var html = await File.ReadAllTextAsync(file);
        var doc = await new HtmlParser().ParseDocumentAsync(html);
        Assert.Contains("credit-risk", doc.Title);
        Assert.Contains("credit-risk", doc.QuerySelector("h1")!.TextContent);
        var rows = doc.QuerySelectorAll("table.drift tbody tr").ToDictionary(r => r.GetAttribute("data-feature")!);
        Assert.Equal(features.Select(f => f.Name).Order(), rows.Keys.Order());
        foreach (var (name, drifted) in features)
        {
            Assert.Equal(drifted, rows[name].ClassList.Contains("drifted"));
            var img = rows[name].QuerySelector("figure.chart img");
            Assert.NotNull(img);
            Assert.StartsWith("data:image/png;base64,", img.GetAttribute("src"), StringComparison.Ordinal);
            Assert.Contains(name, img.GetAttribute("alt"));
        }

        AssertSelfContained(doc, html, allowLinks: false);
        Assert.Contains("No performance recorded", doc.Body!.TextContent);
    }

    [Fact]
    public async Task OfflineReport_WithScoreAndLabel_ShowsPerformanceAndReliabilityDiagram()
    {
        var reference = CliProcess.FixturePath("reference.csv");
        var current = CliProcess.FixturePath("current.csv");
        var file = Path.Combine(_dir, "perf.html");
        var run = await CliProcess.RunAsync("report", "--model", "credit-risk", "--reference", reference, "--current", current,
            "--score-column", "score", "--label-column", "label", "--out", file);
        Assert.True(run.ExitCode == 0, run.StandardError);

        var json = await CliProcess.RunAsync("drift", "--reference", reference, "--current", current, "--score-column", "score", "--label-column", "label", "--format", "json");
        var accuracy = JsonDocument.Parse(json.StandardOutput).RootElement.GetProperty("classification").GetProperty("accuracy").GetDouble();

        var doc = await new HtmlParser().ParseDocumentAsync(await File.ReadAllTextAsync(file));
        var accuracyRow = doc.QuerySelectorAll("tr").First(r => r.QuerySelector("td")?.TextContent == "Accuracy");
        Assert.Equal(accuracy.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), accuracyRow.QuerySelectorAll("td")[1].TextContent);
        Assert.Contains("wilson", accuracyRow.TextContent);
        var reliability = doc.QuerySelector("figure[data-chart='reliability'] img");
        Assert.NotNull(reliability);
        Assert.Contains("reliability", reliability.GetAttribute("alt"));
        Assert.DoesNotContain("No performance recorded", doc.Body!.TextContent);
    }

    [Fact]
    public async Task OfflineReport_WithSegments_ShowsTheSliceReportMonitoringSlicesComputes()
    {
        var reference = CliProcess.FixturePath("reference.csv");
        var current = CliProcess.FixturePath("current.csv");
        var file = Path.Combine(_dir, "slices.html");
        var run = await CliProcess.RunAsync("report", "--model", "credit-risk", "--reference", reference, "--current", current,
            "--score-column", "score", "--label-column", "label", "--segments", "country,plan", "--out", file);
        Assert.True(run.ExitCode == 0, run.StandardError);

        var json = await CliProcess.RunAsync("slices", "--file", current, "--reference", reference, "--score-column", "score", "--label-column", "label",
            "--segments", "country,plan", "--format", "json");
        Assert.True(json.ExitCode == 0, json.StandardError);
        var slices = JsonDocument.Parse(json.StandardOutput).RootElement;
        var worst = slices.GetProperty("worst_slices").GetProperty("slices").EnumerateArray().Select(w => w.GetProperty("slice").GetString()!).ToList();
        Assert.NotEmpty(worst);

        var html = await File.ReadAllTextAsync(file);
        var doc = await new HtmlParser().ParseDocumentAsync(html);
        var section = doc.QuerySelector("section.slices");
        Assert.NotNull(section);
        // The worst slices, in the order `monitoring slices` ranks them.
        Assert.Equal(worst, section.QuerySelectorAll("table.worst tbody tr").Select(r => r.GetAttribute("data-slice")!).ToList());
        // Every value of every dimension, with the accuracy and BH-adjusted p that `monitoring slices` computes.
        foreach (var dimension in slices.GetProperty("dimensions").EnumerateArray())
        {
            var name = dimension.GetProperty("name").GetString()!;
            var rows = section.QuerySelectorAll("table.dimension tbody tr").Where(r => r.GetAttribute("data-slice")!.StartsWith(name + "=", StringComparison.Ordinal))
                .ToDictionary(r => r.GetAttribute("data-slice")!);
            var expected = dimension.GetProperty("slices").EnumerateArray().ToList();
            Assert.Equal(expected.Select(e => e.GetProperty("slice").GetString()!).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
            foreach (var e in expected)
            {
                var cells = rows[e.GetProperty("slice").GetString()!].QuerySelectorAll("td");
                var accuracy = e.GetProperty("metrics").GetProperty("accuracy").GetProperty("value").GetDouble();
                Assert.Equal(accuracy.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), cells[3].TextContent);
            }
        }

        // Each slice chart is an embedded PNG titled with its dimension.
        var charts = section.QuerySelectorAll("figure[data-chart='slice-comparison'] img").Select(i => i.GetAttribute("alt")!).ToList();
        Assert.Contains(charts, a => a.Contains("worst slices", StringComparison.Ordinal));
        Assert.Contains(charts, a => a.EndsWith("country", StringComparison.Ordinal));
        Assert.Contains(charts, a => a.EndsWith("plan", StringComparison.Ordinal));
        AssertSelfContained(doc, html, allowLinks: false);

        var noLabels = await CliProcess.RunAsync("report", "--model", "m", "--reference", reference, "--current", current, "--segments", "country", "--out", Path.Combine(_dir, "x.html"));
        Assert.Equal(2, noLabels.ExitCode);
        Assert.Contains("--segments", noLabels.StandardError);
        Assert.Contains("--score-column", noLabels.StandardError);
    }

    [Fact]
    public async Task OfflineReport_EmbedsDecodablePngCharts_OfTheStatedSize_WithInk()
    {
        var file = Path.Combine(_dir, "png.html");
        var run = await CliProcess.RunAsync("report", "--model", "credit-risk", "--reference", CliProcess.FixturePath("reference.csv"), "--current", CliProcess.FixturePath("current.csv"),
            "--score-column", "score", "--label-column", "label", "--out", file);
        Assert.True(run.ExitCode == 0, run.StandardError);
        var doc = await new HtmlParser().ParseDocumentAsync(await File.ReadAllTextAsync(file));
        var images = doc.QuerySelectorAll("figure.chart img").ToList();
        Assert.True(images.Count >= 6, $"{images.Count} charts: one per feature and the reliability diagram");
        foreach (var img in images)
        {
            var png = Convert.FromBase64String(img.GetAttribute("src")!["data:image/png;base64,".Length..]);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            Assert.NotNull(bitmap);
            Assert.Equal(int.Parse(img.GetAttribute("width")!, System.Globalization.CultureInfo.InvariantCulture), bitmap.Width);
            Assert.Equal(int.Parse(img.GetAttribute("height")!, System.Globalization.CultureInfo.InvariantCulture), bitmap.Height);
            long ink = 0, dark = 0;
            for (var y = 0; y < bitmap.Height; y++)
            {
                for (var x = 0; x < bitmap.Width; x++)
                {
                    var c = bitmap.GetPixel(x, y);
                    ink += c.Red < 250 || c.Green < 250 || c.Blue < 250 ? 1 : 0;
                    dark += c.Red < 100 && c.Green < 100 && c.Blue < 100 ? 1 : 0;
                }
            }

            var share = (double)ink / (bitmap.Width * bitmap.Height);
            Assert.True(share >= 0.02, $"only {share:P2} of '{img.GetAttribute("alt")}' differs from the background");
            Assert.True(dark >= 200, $"only {dark} dark (text) pixels in '{img.GetAttribute("alt")}'");
        }
    }

    [Fact]
    public async Task OfflineReport_ShowsHostileColumnNamesAsText()
    {
        const string hostile = "<script>alert(1)</script>";
        const string attr = "\"><img src=x onerror=alert(1)>";
        var rng = new Random(5);
        string Csv(double shift) => "\"" + hostile + "\",\"" + attr.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"\n" + string.Concat(Enumerable.Range(0, 400)
            .Select(_ => $"{(rng.NextDouble() + shift).ToString(System.Globalization.CultureInfo.InvariantCulture)},{(rng.Next(3) == 0 ? "a" : "b")}\n"));
        var reference = Path.Combine(_dir, "ref.csv");
        var current = Path.Combine(_dir, "cur.csv");
        await File.WriteAllTextAsync(reference, Csv(0));
        await File.WriteAllTextAsync(current, Csv(2));
        var file = Path.Combine(_dir, "hostile.html");

        var run = await CliProcess.RunAsync("report", "--model", hostile, "--reference", reference, "--current", current, "--out", file);
        Assert.True(run.ExitCode == 0, run.StandardError);
        var html = await File.ReadAllTextAsync(file);
        Assert.DoesNotContain(hostile, html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        var doc = await new HtmlParser().ParseDocumentAsync(html);
        Assert.Contains(hostile, doc.QuerySelector("h1")!.TextContent);
        var names = doc.QuerySelectorAll("table.drift tbody tr").Select(r => r.GetAttribute("data-feature")).ToList();
        Assert.Contains(hostile, names);
        Assert.Contains(attr, names);
        Assert.Contains(doc.QuerySelectorAll("tr.drifted"), r => r.GetAttribute("data-feature") == hostile);
        AssertSelfContained(doc, html, allowLinks: false);
    }

    [Fact]
    public async Task BadArguments_ExitTwo_NamingTheOptionOrFile()
    {
        var reference = CliProcess.FixturePath("reference.csv");
        var current = CliProcess.FixturePath("current.csv");
        var file = Path.Combine(_dir, "bad.html");

        var missing = Path.Combine(_dir, "no-such.csv");
        var unreadable = await CliProcess.RunAsync("report", "--model", "m", "--reference", missing, "--current", current, "--out", file);
        Assert.Equal(2, unreadable.ExitCode);
        Assert.Contains(missing, unreadable.StandardError);

        var both = await CliProcess.RunAsync("report", "--model", "m", "--window", "2026-01-01T00:00:00Z", "--from", "2026-01-01T00:00:00Z", "--out", file);
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("--window", both.StandardError);
        Assert.Contains("--from/--to", both.StandardError);

        var half = await CliProcess.RunAsync("report", "--model", "m", "--reference", reference, "--out", file);
        Assert.Equal(2, half.ExitCode);
        Assert.Contains("--current", half.StandardError);

        var windowOffline = await CliProcess.RunAsync("report", "--model", "m", "--reference", reference, "--current", current, "--window", "2026-01-01T00:00:00Z", "--out", file);
        Assert.Equal(2, windowOffline.ExitCode);
        Assert.Contains("--window", windowOffline.StandardError);

        var header = Path.Combine(_dir, "header-only.csv");
        await File.WriteAllTextAsync(header, "age,income\n");
        var empty = await CliProcess.RunAsync("report", "--model", "m", "--reference", reference, "--current", header, "--out", file);
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("no rows", empty.StandardError);

        var badServer = await CliProcess.RunAsync("report", "--model", "m", "--server", "not a url", "--out", file);
        Assert.Equal(2, badServer.ExitCode);
        Assert.Contains("--server", badServer.StandardError);

        var noModel = await CliProcess.RunAsync("report", "--reference", reference, "--current", current, "--out", file);
        Assert.NotEqual(0, noModel.ExitCode);
        Assert.Contains("--model", noModel.StandardError);

        var unwritable = Path.Combine(_dir, "missing-dir", "r.html");
        var cannotWrite = await CliProcess.RunAsync("report", "--model", "m", "--reference", reference, "--current", current, "--out", unwritable);
        Assert.Equal(2, cannotWrite.ExitCode);
        Assert.Contains(unwritable, cannotWrite.StandardError);
        Assert.False(File.Exists(file));
    }

    /// <summary>Every src, href and CSS url( is a #fragment or a data: URI (an offline report links nowhere); nothing loads anything.</summary>
    internal static void AssertSelfContained(IDocument doc, string html, bool allowLinks)
    {
        var references = new List<string>();
        foreach (var element in doc.All)
        {
            foreach (var a in element.Attributes)
            {
                if (a.LocalName is "src" or "href" or "action" or "poster" or "srcset" or "data" or "formaction")
                {
                    references.Add(a.Value.Trim());
                }

                if (a.LocalName == "style")
                {
                    references.AddRange(CssUrls(a.Value));
                }
            }
        }

        foreach (var style in doc.QuerySelectorAll("style"))
        {
            references.AddRange(CssUrls(style.TextContent));
        }

        Assert.NotEmpty(doc.QuerySelectorAll("figure.chart img"));
        foreach (var value in references)
        {
            Assert.True(value.StartsWith('#') || value.StartsWith("data:", StringComparison.OrdinalIgnoreCase), $"reference to outside the file: {value}");
        }

        Assert.True(allowLinks || doc.QuerySelectorAll("a[href]:not([href^='#'])").Length == 0);
        Assert.Empty(doc.QuerySelectorAll("script, link, iframe, object, embed, video, audio, source, base"));
        // The only images are the charts, each a PNG data URI with its title as alt text.
        foreach (var img in doc.QuerySelectorAll("img"))
        {
            Assert.NotNull(img.Closest("figure.chart"));
            Assert.StartsWith("data:image/png;base64,", img.GetAttribute("src"), StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(img.GetAttribute("alt")));
            Assert.Null(img.GetAttribute("srcset"));
        }
        Assert.DoesNotMatch("(?i)@import", html);
    }

    private static IEnumerable<string> CssUrls(string css) =>
        Regex.Matches(css, @"url\(\s*['""]?(?<v>[^'"")]*)").Select(m => m.Groups["v"].Value.Trim());
}
