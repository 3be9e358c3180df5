using System.Xml.Linq;
using Monitoring.Reports.Charts;
using SkiaSharp;
using Xunit;

namespace Monitoring.Reports.Tests.Charts;

/// <summary>Reads rendered charts back: the SVG as XML (its text elements), the PNG as pixels.</summary>
internal static class ChartAssert
{
    private static readonly HashSet<string> AllowedElements = ["svg", "g", "rect", "path", "clipPath", "text", "title", "defs", "line", "circle", "ellipse", "polygon", "polyline", "image"];

    /// <summary>Parses the SVG (it must be well-formed XML) and returns the trimmed content of every text element.</summary>
    public static string[] SvgTexts(ChartImage chart)
    {
        Save(chart);
        var doc = XDocument.Parse(chart.Svg);
        Assert.Equal("svg", doc.Root!.Name.LocalName);
        foreach (var e in doc.Descendants())
        {
            Assert.Contains(e.Name.LocalName, AllowedElements);
            Assert.DoesNotContain(e.Attributes(), a => a.Name.LocalName.StartsWith("on", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(e.Attributes(), a => a.Name.LocalName is "href" or "src" && !a.Value.StartsWith('#'));
        }

        return doc.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToArray();
    }

    /// <summary>Asserts each expected string is the whole text of some text element.</summary>
    public static void HasTexts(ChartImage chart, params string[] expected)
    {
        var texts = SvgTexts(chart);
        foreach (var s in expected)
        {
            Assert.True(texts.Contains(s), $"no <text> \"{s}\" in the {chart.Kind} chart; texts: {string.Join(" | ", texts)}");
        }
    }

    /// <summary>
    /// Decodes the PNG: its size must be the chart's, at least <paramref name="minInk"/> of its pixels must differ from
    /// the white background, and the title band (top 8%, where only the title is drawn) must hold dark text pixels.
    /// </summary>
    public static void PngIsDrawn(ChartImage chart, double minInk = 0.02)
    {
        var png = chart.Png();
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(chart.Width, bitmap.Width);
        Assert.Equal(chart.Height, bitmap.Height);
        long ink = 0;
        long titleInk = 0;
        var titleBand = (int)(chart.Height * 0.08);
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red < 250 || c.Green < 250 || c.Blue < 250)
                {
                    ink++;
                }

                if (y < titleBand && c.Red < 100 && c.Green < 100 && c.Blue < 100)
                {
                    titleInk++;
                }
            }
        }

        var share = (double)ink / (bitmap.Width * bitmap.Height);
        Assert.True(share >= minInk, $"only {share:P2} of the {chart.Kind} PNG differs from the background");
        Assert.True(titleInk >= 50, $"only {titleInk} dark pixels in the title band of the {chart.Kind} PNG");
    }

    // CHART_SAMPLES=dir writes every chart the tests read, to look at them (docs/ screenshots).
    private static void Save(ChartImage chart)
    {
        if (Environment.GetEnvironmentVariable("CHART_SAMPLES") is { Length: > 0 } dir)
        {
            Directory.CreateDirectory(dir);
            var name = chart.Kind + "-" + ChartRenderer.Key(chart.Spec)[..8];
            File.WriteAllText(Path.Combine(dir, name + ".svg"), chart.Svg);
            File.WriteAllBytes(Path.Combine(dir, name + ".png"), chart.Png());
        }
    }
}
