using System.Globalization;
using System.Text;
using Monitoring.Alerting.Labels;

namespace Monitoring.Alerting.Rules;

/// <summary>What a label or annotation template can read.</summary>
/// <param name="Labels">The alert's series labels (<c>$labels</c>, <c>.Labels</c>).</param>
/// <param name="Value">The value that triggered it (<c>$value</c>, <c>.Value</c>).</param>
/// <param name="ExternalUrl">This system's base URL (<c>$externalURL</c>, <c>.ExternalURL</c>).</param>
public sealed record TemplateData(LabelSet Labels, double Value, string ExternalUrl);

/// <summary>
/// The subset of Go's text/template that Prometheus alert templates use: text with <c>{{ pipeline }}</c> actions (and
/// <c>{{-</c> / <c>-}}</c> trimming), where a pipeline is an operand (<c>$labels.name</c>, <c>$value</c>,
/// <c>$externalURL</c>, <c>.Labels.name</c>, <c>.Value</c>, <c>.ExternalURL</c>, <c>index $labels "name"</c>, a quoted
/// string or a number) followed by <c>| function</c> stages, or a function call: <c>printf "%.2f" $value</c>,
/// <c>humanize</c>, <c>humanizePercentage</c>, <c>toUpper</c>, <c>toLower</c>, <c>title</c>, <c>reReplaceAll</c> is not
/// offered. Anything else is rejected when the rule file loads, so a template cannot fail at 3 a.m.
/// <c>$value</c> prints as Go prints a float64 (<c>%v</c>: shortest digits, exponent from 1e+06 and below 1e-04).
/// </summary>
public sealed class AlertTemplate
{
    private readonly List<object> _parts; // string literal or Pipeline

    private AlertTemplate(string source, List<object> parts)
    {
        Source = source;
        _parts = parts;
    }

    /// <summary>Template text as written.</summary>
    public string Source { get; }

    /// <summary>True when the text has no actions.</summary>
    public bool IsLiteral => _parts.All(p => p is string);

    /// <summary>Parses; throws <see cref="FormatException"/> with the reason.</summary>
    public static AlertTemplate Parse(string text)
    {
        var parts = new List<object>();
        var pos = 0;
        while (pos < text.Length)
        {
            var open = text.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(text[pos..]);
                break;
            }
            var literal = text[pos..open];
            var actionStart = open + 2;
            if (actionStart < text.Length && text[actionStart] == '-' && actionStart + 1 < text.Length && char.IsWhiteSpace(text[actionStart + 1]))
            {
                literal = literal.TrimEnd();
                actionStart++;
            }
            if (literal.Length > 0)
            {
                parts.Add(literal);
            }
            var close = FindClose(text, actionStart);
            if (close < 0)
            {
                throw new FormatException($"template: unclosed action starting at position {open + 1}");
            }
            var actionEnd = close;
            var trimAfter = false;
            if (actionEnd > actionStart && text[actionEnd - 1] == '-' && actionEnd - 2 >= actionStart && char.IsWhiteSpace(text[actionEnd - 2]))
            {
                actionEnd--;
                trimAfter = true;
            }
            parts.Add(Pipeline.Parse(text[actionStart..actionEnd]));
            pos = close + 2;
            if (trimAfter)
            {
                while (pos < text.Length && char.IsWhiteSpace(text[pos]))
                {
                    pos++;
                }
            }
        }
        return new AlertTemplate(text, parts);
    }

    private static int FindClose(string text, int from)
    {
        var inString = false;
        for (var i = from; i < text.Length - 1; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c == '}' && text[i + 1] == '}')
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Renders with the alert's data.</summary>
    public string Render(TemplateData data)
    {
        if (_parts.Count == 1 && _parts[0] is string only)
        {
            return only;
        }
        var sb = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part is string s)
            {
                sb.Append(s);
            }
            else
            {
                sb.Append(Format(((Pipeline)part).Run(data)));
            }
        }
        return sb.ToString();
    }

    internal static string Format(object? value) => value switch
    {
        null => "<no value>",
        double d => GoFloat.Format(d),
        string s => s,
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private sealed class Pipeline
    {
        private readonly List<Command> _commands = [];

        public static Pipeline Parse(string text)
        {
            var tokens = Tokenize(text);
            if (tokens.Count == 0)
            {
                throw new FormatException("template: empty action {{ }}");
            }
            var pipeline = new Pipeline();
            var current = new List<string>();
            foreach (var token in tokens)
            {
                if (token == "|")
                {
                    pipeline.Add(current, first: pipeline._commands.Count == 0);
                    current = [];
                }
                else
                {
                    current.Add(token);
                }
            }
            pipeline.Add(current, first: pipeline._commands.Count == 0);
            return pipeline;
        }

        private void Add(List<string> tokens, bool first)
        {
            if (tokens.Count == 0)
            {
                throw new FormatException("template: missing command around '|'");
            }
            _commands.Add(Command.Parse(tokens, first));
        }

        public object? Run(TemplateData data)
        {
            object? value = null;
            for (var i = 0; i < _commands.Count; i++)
            {
                value = _commands[i].Run(data, i == 0 ? null : value, isPiped: i > 0);
            }
            return value;
        }

        private static List<string> Tokenize(string text)
        {
            var tokens = new List<string>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }
                if (c == '|')
                {
                    tokens.Add("|");
                    i++;
                    continue;
                }
                if (c is '"' or '`')
                {
                    var start = i++;
                    while (i < text.Length && text[i] != c)
                    {
                        i += text[i] == '\\' && c == '"' ? 2 : 1;
                    }
                    if (i >= text.Length)
                    {
                        throw new FormatException("template: unterminated string");
                    }
                    tokens.Add(text[start..++i]);
                    continue;
                }
                var s = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '|')
                {
                    i++;
                }
                tokens.Add(text[s..i]);
            }
            return tokens;
        }
    }

    private sealed class Command
    {
        private static readonly HashSet<string> Functions = new(StringComparer.Ordinal)
        {
            "printf", "humanize", "humanizePercentage", "toUpper", "toLower", "title", "index",
        };

        private string? _function;
        private readonly List<string> _args = [];

        public static Command Parse(List<string> tokens, bool first)
        {
            var cmd = new Command();
            if (Functions.Contains(tokens[0]))
            {
                cmd._function = tokens[0];
                cmd._args.AddRange(tokens.Skip(1));
                foreach (var a in cmd._args)
                {
                    ValidateOperand(a);
                }
                var minArgs = cmd._function switch
                {
                    "printf" => 1,
                    "index" => 2,
                    _ => 0,
                };
                var total = cmd._args.Count + (first ? 0 : 1);
                if (total < Math.Max(minArgs, cmd._function is "printf" or "index" ? minArgs : 1))
                {
                    throw new FormatException($"template: {cmd._function} needs {(cmd._function == "index" ? "a map and a key" : "an argument")}");
                }
                if (cmd._function == "printf" && (cmd._args.Count == 0 || !IsString(cmd._args[0])))
                {
                    throw new FormatException("template: printf needs a format string first");
                }
                return cmd;
            }
            if (!first)
            {
                throw new FormatException($"template: unknown function \"{tokens[0]}\" (known: {string.Join(", ", Functions.Order(StringComparer.Ordinal))})");
            }
            if (tokens.Count != 1)
            {
                throw new FormatException($"template: \"{tokens[0]}\" is not a function (known: {string.Join(", ", Functions.Order(StringComparer.Ordinal))})");
            }
            ValidateOperand(tokens[0]);
            cmd._args.Add(tokens[0]);
            return cmd;
        }

        private static bool IsString(string token) => token.Length >= 2 && token[0] is '"' or '`';

        private static void ValidateOperand(string token)
        {
            if (IsString(token) || double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                return;
            }
            if (token is "$value" or ".Value" or "$externalURL" or ".ExternalURL" or "$labels" or ".Labels")
            {
                return;
            }
            foreach (var prefix in new[] { "$labels.", ".Labels." })
            {
                if (token.StartsWith(prefix, StringComparison.Ordinal) && Matcher.IsValidLabelName(token[prefix.Length..]))
                {
                    return;
                }
            }
            throw new FormatException($"template: unknown operand \"{token}\" (use $labels.<name>, $value, $externalURL)");
        }

        public object? Run(TemplateData data, object? piped, bool isPiped)
        {
            var args = _args.Select(a => Operand(a, data)).ToList();
            if (isPiped)
            {
                args.Add(piped);
            }
            if (_function is null)
            {
                return args[0];
            }
            return _function switch
            {
                "printf" => Printf((string)args[0]!, args.Skip(1).ToList()),
                "humanize" => Humanize(ToDouble(args[0])),
                "humanizePercentage" => GoFloat.FormatG(ToDouble(args[0]) * 100, 4) + "%",
                "toUpper" => Format(args[0]).ToUpperInvariant(),
                "toLower" => Format(args[0]).ToLowerInvariant(),
                "title" => CultureInfo.InvariantCulture.TextInfo.ToTitleCase(Format(args[0])),
                _ => args[0] is LabelSet set ? set[Format(args[1])] : "<no value>",
            };
        }

        private static object? Operand(string token, TemplateData data)
        {
            if (IsString(token))
            {
                return Unquote(token);
            }
            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                return d;
            }
            return token switch
            {
                "$value" or ".Value" => data.Value,
                "$externalURL" or ".ExternalURL" => data.ExternalUrl,
                "$labels" or ".Labels" => data.Labels,
                _ => data.Labels[token[(token.IndexOf('.', 1) + 1)..]],
            };
        }

        private static string Unquote(string token)
        {
            if (token[0] == '`')
            {
                return token[1..^1];
            }
            var sb = new StringBuilder();
            for (var i = 1; i < token.Length - 1; i++)
            {
                if (token[i] == '\\' && i + 1 < token.Length - 1)
                {
                    i++;
                    sb.Append(token[i] switch { 'n' => '\n', 't' => '\t', _ => token[i] });
                }
                else
                {
                    sb.Append(token[i]);
                }
            }
            return sb.ToString();
        }

        private static double ToDouble(object? value) => value switch
        {
            double d => d,
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) => p,
            _ => double.NaN,
        };

        /// <summary>Prometheus' humanize: SI prefixes, 4 significant digits.</summary>
        private static string Humanize(double v)
        {
            if (v == 0 || double.IsNaN(v) || double.IsInfinity(v))
            {
                return GoFloat.FormatG(v, 4);
            }
            string[] big = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"];
            string[] small = ["", "m", "u", "n", "p", "f", "a", "z", "y"];
            var abs = Math.Abs(v);
            var i = 0;
            if (abs >= 1)
            {
                while (abs >= 1000 && i < big.Length - 1)
                {
                    v /= 1000;
                    abs /= 1000;
                    i++;
                }
                return GoFloat.FormatG(v, 4) + big[i];
            }
            while (abs < 1 && i < small.Length - 1)
            {
                v *= 1000;
                abs *= 1000;
                i++;
            }
            return GoFloat.FormatG(v, 4) + small[i];
        }

        /// <summary>Largest printf precision Go's fmt accepts (its <c>tooLarge</c> bound).</summary>
        private const int MaxPrecision = 1_000_000;

        /// <summary>printf with Go verbs %v %s %d %f %.Nf %e %g %q %% and the + flag.</summary>
        private static string Printf(string format, List<object?> args)
        {
            var sb = new StringBuilder();
            var next = 0;
            for (var i = 0; i < format.Length; i++)
            {
                if (format[i] != '%')
                {
                    sb.Append(format[i]);
                    continue;
                }
                if (++i >= format.Length)
                {
                    sb.Append("%!(NOVERB)");
                    break;
                }
                if (format[i] == '%')
                {
                    sb.Append('%');
                    continue;
                }
                var plus = false;
                while (i < format.Length && format[i] is '+' or '-' or ' ' or '#' or '0')
                {
                    plus |= format[i] == '+';
                    i++;
                }
                int? precision = null;
                if (i < format.Length && format[i] == '.')
                {
                    i++;
                    var ds = i;
                    while (i < format.Length && char.IsAsciiDigit(format[i]))
                    {
                        i++;
                    }
                    // Go's fmt gives up on a precision over 1e6 (tooLarge) and consumes the rest of the format.
                    if (i - ds > 7 || (i > ds && int.Parse(format.AsSpan(ds, i - ds), CultureInfo.InvariantCulture) > MaxPrecision))
                    {
                        sb.Append("%!(NOVERB)");
                        break;
                    }
                    precision = i > ds ? int.Parse(format.AsSpan(ds, i - ds), CultureInfo.InvariantCulture) : 0;
                }
                if (i >= format.Length)
                {
                    sb.Append("%!(NOVERB)");
                    break;
                }
                var verb = format[i];
                if (next >= args.Count)
                {
                    sb.Append("%!").Append(verb).Append("(MISSING)");
                    continue;
                }
                var arg = args[next++];
                if (plus && verb is 'f' or 'F' or 'e' or 'g' or 'd' && ToDouble(arg) >= 0)
                {
                    sb.Append('+');
                }
                sb.Append(verb switch
                {
                    'f' or 'F' => ToDouble(arg).ToString("F" + (precision ?? 6).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
                    'e' => ToDouble(arg).ToString((precision ?? 6) == 0 ? "0e+00" : "0." + new string('0', precision ?? 6) + "e+00", CultureInfo.InvariantCulture),
                    'g' => precision is { } p ? GoFloat.FormatG(ToDouble(arg), p) : GoFloat.Format(ToDouble(arg)),
                    'd' => Math.Truncate(ToDouble(arg)).ToString("0", CultureInfo.InvariantCulture),
                    'q' => "\"" + Format(arg).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                    _ => Format(arg),
                });
            }
            return sb.ToString();
        }
    }
}

/// <summary>Go's float formatting as templates print it.</summary>
public static class GoFloat
{
    /// <summary>Go's <c>%v</c> of a float64 (strconv 'g', shortest): <c>0.25</c>, <c>123456</c>, <c>1e+06</c>, <c>1e-05</c>, <c>+Inf</c>, <c>NaN</c>.</summary>
    public static string Format(double v)
    {
        if (double.IsNaN(v))
        {
            return "NaN";
        }
        if (double.IsInfinity(v))
        {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == 0)
        {
            return double.IsNegative(v) ? "-0" : "0";
        }
        // Shortest round-trip digits and decimal exponent.
        var (digits, exponent) = Decompose(v.ToString("R", CultureInfo.InvariantCulture));
        return FormatDigits(v < 0, digits, exponent, 6, shortestMode: true);
    }

    /// <summary>Go's <c>%.{precision}g</c>.</summary>
    public static string FormatG(double v, int precision)
    {
        if (double.IsNaN(v) || double.IsInfinity(v) || v == 0)
        {
            return Format(v);
        }
        precision = Math.Max(precision, 1);
        var rounded = v.ToString("E" + (precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var (digits, exponent) = Decompose(rounded);
        return FormatDigits(v < 0, digits, exponent, precision, shortestMode: false);
    }

    private static (string Digits, int Exponent) Decompose(string s)
    {
        s = s.TrimStart('-');
        var e = 0;
        var ePos = s.IndexOfAny(['E', 'e']);
        if (ePos >= 0)
        {
            e = int.Parse(s.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            s = s[..ePos];
        }
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot < 0 ? s : s[..dot];
        var frac = dot < 0 ? string.Empty : s[(dot + 1)..];
        var all = (intPart + frac).TrimStart('0');
        var leadingZeros = (intPart + frac).Length - all.Length;
        // Decimal exponent of the first significant digit.
        var exponent = intPart.Length - 1 + e - leadingZeros;
        all = all.TrimEnd('0');
        return (all.Length == 0 ? "0" : all, exponent);
    }

    private static string FormatDigits(bool negative, string digits, int exponent, int precision, bool shortestMode)
    {
        // strconv: %e when exp < -4 || exp >= eprec; shortest uses eprec = 6 (so 123456 but 1e+06 and 1.234567e+06).
        var eprec = shortestMode ? 6 : precision;
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }
        if (exponent < -4 || exponent >= eprec)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }
            sb.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
            return sb.ToString();
        }
        if (exponent < 0)
        {
            sb.Append("0.").Append('0', -exponent - 1).Append(digits);
        }
        else if (digits.Length <= exponent + 1)
        {
            sb.Append(digits).Append('0', exponent + 1 - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, exponent + 1).Append('.').Append(digits, exponent + 1, digits.Length - exponent - 1);
        }
        return sb.ToString();
    }
}
