using System.Globalization;
using System.Text.RegularExpressions;

namespace Monitoring.Alerting.Testing;

/// <summary>
/// promtool's expanding notation for input values, one entry per evaluation: <c>a</c> a value, <c>_</c> or
/// <c>stale</c> no sample, <c>a+bxn</c> / <c>a-bxn</c> the n+1 values a, a±b, ..., a±nb, <c>axn</c> a repeated n+1
/// times, <c>_xn</c> n missing samples (promtool's counts, so a file means the same to both tools). Values may be
/// <c>Inf</c>, <c>-Inf</c> or <c>NaN</c>.
/// </summary>
public static partial class SeriesValues
{
    /// <summary>Most values one series may expand to (so <c>1x100000000</c> is an error, not a hang).</summary>
    public const int MaxValues = 10_000;

    private const string Number = @"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?";

    [GeneratedRegex(@"^(?<a>[+-]?(?:" + Number + @"|Inf|inf|NaN))(?:(?<op>[+-])(?<b>" + Number + @"))?x(?<n>\d+)$")]
    private static partial Regex Expanding();

    [GeneratedRegex(@"^_x(?<n>\d+)$")]
    private static partial Regex MissingRun();

    /// <summary>Expands the notation; null entries are missing samples. Throws <see cref="FormatException"/> naming the token.</summary>
    public static double?[] Expand(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var values = new List<double?>();
        foreach (var token in text.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (token is "_" or "stale")
            {
                values.Add(null);
            }
            else if (MissingRun().Match(token) is { Success: true } missing)
            {
                var n = Count(missing.Groups["n"].Value, token, values.Count, 0);
                values.AddRange(Enumerable.Repeat<double?>(null, n));
            }
            else if (Expanding().Match(token) is { Success: true } m)
            {
                var a = ParseNumber(m.Groups["a"].Value, token);
                var b = m.Groups["b"].Success ? ParseNumber(m.Groups["b"].Value, token) * (m.Groups["op"].Value == "-" ? -1 : 1) : 0;
                var n = Count(m.Groups["n"].Value, token, values.Count, 1);
                for (var i = 0; i <= n; i++)
                {
                    values.Add(a + i * b);
                }
            }
            else
            {
                values.Add(ParseNumber(token, token));
            }
            if (values.Count > MaxValues)
            {
                throw new FormatException($"more than {MaxValues} values");
            }
        }
        return [.. values];
    }

    private static int Count(string digits, string token, int already, int extra)
    {
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || (long)already + n + extra > MaxValues)
        {
            throw new FormatException($"\"{token}\" expands to more than {MaxValues} values");
        }
        return n;
    }

    private static double ParseNumber(string text, string token) => text switch
    {
        "Inf" or "inf" or "+Inf" or "+inf" => double.PositiveInfinity,
        "-Inf" or "-inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"\"{token}\" is not a value (a number, _, stale, a+bxn, a-bxn or axn)"),
    };
}
