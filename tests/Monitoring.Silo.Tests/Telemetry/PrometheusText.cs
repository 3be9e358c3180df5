using System.Globalization;
using System.Text;

namespace Monitoring.Silo.Tests.Telemetry;

/// <summary>One sample line: metric name, labels, value.</summary>
internal sealed record PromSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A Prometheus text-format (0.0.4) scrape, parsed for assertions: the families' types and help, and every sample with
/// its labels. promtool checks the format itself; this only reads it.
/// </summary>
internal sealed class PrometheusText
{
    private PrometheusText(string text, Dictionary<string, string> types, Dictionary<string, string> help, List<PromSample> samples)
    {
        Text = text;
        Types = types;
        Help = help;
        Samples = samples;
    }

    public string Text { get; }

    /// <summary>Family name (as in the TYPE line) to type.</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    /// <summary>Family name to help text.</summary>
    public IReadOnlyDictionary<string, string> Help { get; }

    public IReadOnlyList<PromSample> Samples { get; }

    public static PrometheusText Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<PromSample>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ');
                types[parts[0]] = parts[1];
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var space = line.IndexOf(' ', 7);
                help[line[7..space]] = line[(space + 1)..];
                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            samples.Add(ParseSample(line));
        }

        return new PrometheusText(text, types, help, samples);
    }

    /// <summary>Samples of a family (a histogram's _bucket, _sum and _count included).</summary>
    public IEnumerable<PromSample> Family(string family) => Samples.Where(s => s.Name == family
        || (Types.GetValueOrDefault(family) == "histogram" && (s.Name == family + "_bucket" || s.Name == family + "_sum" || s.Name == family + "_count")));

    /// <summary>
    /// The family a metric name in a query refers to, or null when the scrape has none: the name itself, or for
    /// <c>_bucket</c> / <c>_sum</c> / <c>_count</c> the histogram it belongs to.
    /// </summary>
    public string? FamilyOf(string name)
    {
        if (Types.ContainsKey(name))
        {
            return name;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal) && Types.GetValueOrDefault(name[..^suffix.Length]) == "histogram")
            {
                return name[..^suffix.Length];
            }
        }

        return null;
    }

    private static PromSample ParseSample(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var brace = line.IndexOf('{', StringComparison.Ordinal);
        string name;
        int rest;
        if (brace < 0)
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            name = line[..space];
            rest = space;
        }
        else
        {
            name = line[..brace];
            var i = brace + 1;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var key = line[i..eq];
                var value = new StringBuilder();
                var j = eq + 2; // past ="
                while (line[j] != '"')
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] switch { 'n' => '\n', _ => line[j] });
                    }
                    else
                    {
                        value.Append(line[j]);
                    }

                    j++;
                }

                labels[key] = value.ToString();
                i = j + 1;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            rest = i + 1;
        }

        var fields = line[rest..].Trim().Split(' ');
        var number = fields[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v => double.Parse(v, CultureInfo.InvariantCulture),
        };
        return new PromSample(name, labels, number);
    }
}
