using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Caching.Memory;
using ScottPlot;

namespace Monitoring.Reports.Charts;

/// <summary>
/// Draws specs with ScottPlot and caches the results by content: the key is a SHA-256 of the spec's JSON (kind, size
/// and every number and name drawn), so a closed window's chart, which never changes, is drawn once per process, and a
/// changed input can never be served a stale image. The cache holds at most <see cref="CacheBytes"/> of SVG text and PNG
/// bytes and evicts the least recently used.
/// </summary>
internal static partial class ChartRenderer
{
    /// <summary>Bound of the cache (SVG counted as 2 bytes per char).</summary>
    public const long CacheBytes = 64L << 20;

    private static readonly JsonSerializerOptions KeyJson = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    private static MemoryCache _cache = NewCache();

    /// <summary>SVG renders done (cache misses), for tests and benchmarks.</summary>
    public static long SvgRenders => Interlocked.Read(ref _svgRenders);

    private static long _svgRenders;

    public static string Svg(ChartSpec spec)
    {
        var key = Key(spec);
        return _cache.GetOrCreate("svg:" + key, entry =>
        {
            var svg = RenderSvg(spec, key);
            entry.Size = svg.Length * 2L;
            return svg;
        })!;
    }

    public static byte[] Png(ChartSpec spec)
    {
        var key = Key(spec);
        var png = _cache.GetOrCreate("png:" + key, entry =>
        {
            var bytes = RenderPng(spec);
            entry.Size = bytes.Length;
            return bytes;
        })!;
        return (byte[])png.Clone();
    }

    /// <summary>Whether the spec's SVG is in the cache.</summary>
    public static bool IsCached(ChartSpec spec) => _cache.TryGetValue("svg:" + Key(spec), out _);

    /// <summary>Empties the cache (benchmarks measure the uncached cost this way).</summary>
    public static void ClearCache()
    {
        var old = Interlocked.Exchange(ref _cache, NewCache());
        old.Dispose();
    }

    /// <summary>The content key: SHA-256 of kind and spec JSON, as hex.</summary>
    public static string Key(ChartSpec spec)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(spec, spec.GetType(), KeyJson);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(spec.Kind + "\n"));
        hash.AppendData(json);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Draws the SVG without the cache, made safe and self-contained for inlining (see <see cref="ChartImage.Svg"/>).</summary>
    public static string RenderSvg(ChartSpec spec, string key)
    {
        Interlocked.Increment(ref _svgRenders);
        var raw = Invariant(() => Build(spec).GetSvgXml(spec.Width, spec.Height));
        return Inline(raw, spec, key);
    }

    /// <summary>Draws the PNG without the cache.</summary>
    public static byte[] RenderPng(ChartSpec spec) =>
        Invariant(() => Build(spec).GetImageBytes(spec.Width, spec.Height, ImageFormat.Png));

    private static Plot Build(ChartSpec spec)
    {
        // Resolve the font before the plot exists: ScottPlot's styles read Fonts.Default when they are created.
        var family = ChartFonts.Family;
        var plot = new Plot();
        ChartStyle.Frame(plot, spec);
        if (spec.NoData is null)
        {
            spec.Draw(plot);
            ChartStyle.Labels(plot, spec);
        }
        else
        {
            ChartStyle.NoData(plot, spec);
        }

        if (family is not null)
        {
            plot.Font.Set(family);
        }

        return plot;
    }

    // Tick labels (numbers, dates) are formatted with the current culture; charts must not depend on the server's.
    private static T Invariant<T>(Func<T> render)
    {
        var culture = CultureInfo.CurrentCulture;
        var ui = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try
        {
            return render();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = ui;
        }
    }

    /// <summary>
    /// Skia's SVG: drops the XML declaration (an HTML parser would read it as a bogus comment), renames the clip-path
    /// ids, which Skia numbers per document (cl_1, cl_2 ... in every chart, so a second chart on the page would clip with
    /// the first one's rectangles), to ids derived from the content key, and adds a viewBox, role and title.
    /// Skia already XML-escapes text content; the tests parse the result and check it.
    /// </summary>
    internal static string Inline(string raw, ChartSpec spec, string key)
    {
        var start = raw.IndexOf("<svg", StringComparison.Ordinal);
        var svg = start >= 0 ? raw[start..] : raw;
        var prefix = "c" + key[..12] + "-";
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        svg = IdAttribute().Replace(svg, m =>
        {
            var id = m.Groups[1].Value;
            if (!ids.TryGetValue(id, out var renamed))
            {
                renamed = prefix + ids.Count.ToString(CultureInfo.InvariantCulture);
                ids[id] = renamed;
            }

            return $"id=\"{renamed}\"";
        });
        svg = IdReference().Replace(svg, m => ids.TryGetValue(m.Groups[2].Value, out var renamed) ? $"{m.Groups[1].Value}#{renamed}{m.Groups[3].Value}" : m.Value);

        var open = svg.IndexOf('>', StringComparison.Ordinal);
        var title = Escape(spec.Title + (spec.NoData is { } reason ? " (no data: " + reason + ")" : string.Empty));
        var attributes = FormattableString.Invariant($" viewBox=\"0 0 {spec.Width} {spec.Height}\" role=\"img\" aria-label=\"{title}\"");
        return svg[..open] + attributes + ">\n\t<title>" + title + "</title>" + svg[(open + 1)..];
    }

    /// <summary>XML escaping for text and attribute values.</summary>
    internal static string Escape(string s)
    {
        var b = new StringBuilder(s.Length + 16);
        foreach (var c in s)
        {
            b.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }

        return b.ToString();
    }

    private static MemoryCache NewCache() => new(new MemoryCacheOptions { SizeLimit = CacheBytes, CompactionPercentage = 0.25 });

    [GeneratedRegex("id=\"([^\"]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex IdAttribute();

    [GeneratedRegex("(url\\(|href=\")#([^)\"]+)(\\)|\")", RegexOptions.CultureInvariant)]
    private static partial Regex IdReference();
}
