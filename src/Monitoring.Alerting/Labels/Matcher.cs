using System.Text;
using System.Text.RegularExpressions;

namespace Monitoring.Alerting.Labels;

/// <summary>The four Prometheus / Alertmanager matcher operators.</summary>
public enum MatcherType
{
    /// <summary><c>=</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
    /// <summary><c>=~</c> (fully anchored regex)</summary>
    Regex,
    /// <summary><c>!~</c> (fully anchored regex)</summary>
    NotRegex,
}

/// <summary>
/// One label matcher as in Prometheus and Alertmanager: a missing label matches as the empty string, regexes are fully
/// anchored (<c>^(?:re)$</c>). Regexes run on .NET's non-backtracking engine (linear time, like Go's RE2; backreferences
/// and lookarounds, which RE2 also lacks, are rejected) and are limited to <see cref="MaxRegexLength"/> characters.
/// </summary>
public sealed class Matcher : IEquatable<Matcher>
{
    /// <summary>Longest regex accepted in a matcher.</summary>
    public const int MaxRegexLength = 1024;

    private readonly Regex? _regex;

    private Matcher(string name, MatcherType type, string value, Regex? regex)
    {
        Name = name;
        Type = type;
        Value = value;
        _regex = regex;
    }

    /// <summary>Label name.</summary>
    public string Name { get; }

    /// <summary>Operator.</summary>
    public MatcherType Type { get; }

    /// <summary>Value or regex source.</summary>
    public string Value { get; }

    /// <summary>True for <c>=~</c> and <c>!~</c>.</summary>
    public bool IsRegex => Type is MatcherType.Regex or MatcherType.NotRegex;

    /// <summary>Creates a matcher; throws <see cref="FormatException"/> naming the reason for a bad name or regex.</summary>
    public static Matcher Create(string name, MatcherType type, string value)
    {
        if (!IsValidLabelName(name))
        {
            throw new FormatException($"invalid label name \"{name}\": must match [a-zA-Z_][a-zA-Z0-9_]*");
        }
        Regex? regex = null;
        if (type is MatcherType.Regex or MatcherType.NotRegex)
        {
            if (value.Length > MaxRegexLength)
            {
                throw new FormatException($"regex for label \"{name}\" is {value.Length} characters, over the limit of {MaxRegexLength}");
            }
            try
            {
                regex = new Regex("^(?:" + value + ")$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                throw new FormatException($"regex for label \"{name}\" does not compile: {e.Message}");
            }
        }
        return new Matcher(name, type, value, regex);
    }

    /// <summary>True when the label set matches.</summary>
    public bool Matches(LabelSet labels) => Matches(labels[Name]);

    /// <summary>True when a label value (empty when absent) matches.</summary>
    public bool Matches(string value) => Type switch
    {
        MatcherType.Equal => string.Equals(value, Value, StringComparison.Ordinal),
        MatcherType.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
        MatcherType.Regex => _regex!.IsMatch(value),
        _ => !_regex!.IsMatch(value),
    };

    /// <summary>The operator as written.</summary>
    public static string OperatorText(MatcherType type) => type switch
    {
        MatcherType.Equal => "=",
        MatcherType.NotEqual => "!=",
        MatcherType.Regex => "=~",
        _ => "!~",
    };

    /// <summary>Prometheus label names: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static bool IsValidLabelName(string name)
    {
        if (string.IsNullOrEmpty(name) || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary><c>name="value"</c> with the value quoted.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Name).Append(OperatorText(Type));
        LabelSet.AppendQuoted(sb, Value);
        return sb.ToString();
    }

    /// <inheritdoc />
    public bool Equals(Matcher? other) => other is not null && other.Type == Type &&
        string.Equals(other.Name, Name, StringComparison.Ordinal) && string.Equals(other.Value, Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Matcher);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Type, Value);
}

/// <summary>Helpers over lists of matchers (all must match).</summary>
public static class Matchers
{
    /// <summary>True when every matcher matches (an empty list matches everything).</summary>
    public static bool MatchesAll(this IReadOnlyList<Matcher> matchers, LabelSet labels)
    {
        foreach (var m in matchers)
        {
            if (!m.Matches(labels))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Parses one matcher as Alertmanager's config and amtool accept it: <c>name=value</c>, <c>name="value"</c>,
    /// <c>name=~"re"</c>, <c>name!="v"</c>, <c>name!~re</c>, with optional spaces around the operator.
    /// Throws <see cref="FormatException"/> naming the reason.
    /// </summary>
    public static Matcher Parse(string text)
    {
        var list = ParseList(text);
        if (list.Count != 1)
        {
            throw new FormatException($"expected one matcher in \"{text}\", found {list.Count}");
        }
        return list[0];
    }

    /// <summary>
    /// Parses a matcher list: <c>{a="b", c=~"d"}</c> or <c>a="b", c=~"d"</c> (braces optional; values quoted with
    /// double quotes, single quotes or backticks, or bare up to the next comma or brace).
    /// Throws <see cref="FormatException"/> with the position and reason.
    /// </summary>
    public static IReadOnlyList<Matcher> ParseList(string text)
    {
        var p = new MatcherReader(text, 0);
        var result = p.ReadList(allowBare: true, braces: null);
        p.SkipSpaces();
        if (!p.AtEnd)
        {
            throw p.Error("unexpected text after the matchers");
        }
        return result;
    }
}

/// <summary>A small reader for matcher syntax, shared by the rule-expression parser.</summary>
internal sealed class MatcherReader(string text, int position)
{
    public string Text { get; } = text;

    public int Position { get; set; } = position;

    public bool AtEnd => Position >= Text.Length;

    public char Peek => AtEnd ? '\0' : Text[Position];

    public FormatException Error(string reason) => new($"{reason} at position {Position + 1} of \"{Text}\"");

    public void SkipSpaces()
    {
        while (!AtEnd && char.IsWhiteSpace(Text[Position]))
        {
            Position++;
        }
    }

    /// <summary>
    /// Reads a matcher list. <paramref name="braces"/> true: requires <c>{...}</c>; false: none; null: optional.
    /// </summary>
    public List<Matcher> ReadList(bool allowBare, bool? braces)
    {
        SkipSpaces();
        var braced = Peek == '{';
        if (braces == true && !braced)
        {
            throw Error("expected '{'");
        }
        if (braced)
        {
            Position++;
        }
        var list = new List<Matcher>();
        while (true)
        {
            SkipSpaces();
            if (braced && Peek == '}')
            {
                Position++;
                break;
            }
            if (AtEnd)
            {
                if (braced)
                {
                    throw Error("missing '}'");
                }
                break;
            }
            list.Add(ReadMatcher(allowBare));
            SkipSpaces();
            if (Peek == ',')
            {
                Position++;
                continue;
            }
            if (braced && Peek == '}')
            {
                continue;
            }
            if (braced && AtEnd)
            {
                throw Error("missing '}'");
            }
            if (!braced && (AtEnd || braces == false))
            {
                break;
            }
            throw Error(braced ? "expected ',' or '}'" : "expected ','");
        }
        return list;
    }

    public Matcher ReadMatcher(bool allowBare)
    {
        SkipSpaces();
        var start = Position;
        while (!AtEnd && (char.IsAsciiLetterOrDigit(Peek) || Peek == '_'))
        {
            Position++;
        }
        var name = Text[start..Position];
        if (name.Length == 0)
        {
            throw Error("expected a label name");
        }
        if (!Matcher.IsValidLabelName(name))
        {
            throw Error($"invalid label name \"{name}\"");
        }
        SkipSpaces();
        MatcherType type;
        if (Match("=~"))
        {
            type = MatcherType.Regex;
        }
        else if (Match("!~"))
        {
            type = MatcherType.NotRegex;
        }
        else if (Match("!="))
        {
            type = MatcherType.NotEqual;
        }
        else if (Match("="))
        {
            type = MatcherType.Equal;
        }
        else
        {
            throw Error($"expected one of = != =~ !~ after label \"{name}\"");
        }
        SkipSpaces();
        var value = ReadValue(allowBare);
        try
        {
            return Matcher.Create(name, type, value);
        }
        catch (FormatException e)
        {
            throw Error(e.Message);
        }
    }

    private bool Match(string token)
    {
        if (string.CompareOrdinal(Text, Position, token, 0, token.Length) == 0)
        {
            Position += token.Length;
            return true;
        }
        return false;
    }

    private string ReadValue(bool allowBare)
    {
        var quote = Peek;
        if (quote is '"' or '\'' or '`')
        {
            Position++;
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("unterminated quoted value");
                }
                var c = Text[Position++];
                if (c == quote)
                {
                    return sb.ToString();
                }
                if (c == '\\' && quote != '`')
                {
                    if (AtEnd)
                    {
                        throw Error("unterminated escape");
                    }
                    // Go string escapes; an unknown escape (a regex's \. or \d) keeps its backslash.
                    var e = Text[Position++];
                    switch (e)
                    {
                        case 'n': sb.Append('\n'); break;
                        case 't': sb.Append('\t'); break;
                        case 'r': sb.Append('\r'); break;
                        case '\\' or '"' or '\'' or '`': sb.Append(e); break;
                        default: sb.Append('\\').Append(e); break;
                    }
                    continue;
                }
                sb.Append(c);
            }
        }
        if (!allowBare)
        {
            throw Error("expected a quoted value");
        }
        var start = Position;
        while (!AtEnd && Peek != ',' && Peek != '}')
        {
            Position++;
        }
        var bare = Text[start..Position].TrimEnd();
        if (bare.IndexOfAny(['"', '\'', '`']) >= 0)
        {
            Position = start;
            throw Error("unexpected quote in an unquoted value");
        }
        return bare;
    }
}
