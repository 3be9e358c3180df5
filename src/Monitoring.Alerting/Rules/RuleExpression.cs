using System.Globalization;
using System.Text;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Metrics;

namespace Monitoring.Alerting.Rules;

/// <summary>Comparison operators of a rule term.</summary>
public enum ComparisonOperator
{
    /// <summary><c>&gt;</c></summary>
    Greater,
    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,
    /// <summary><c>&lt;</c></summary>
    Less,
    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,
    /// <summary><c>==</c></summary>
    Equal,
    /// <summary><c>!=</c></summary>
    NotEqual,
}

/// <summary>
/// A rule's <c>expr</c>: terms <c>metric{matchers} OP number</c> joined by <c>and</c> / <c>or</c> (and binds tighter;
/// parentheses group). Evaluation follows PromQL's filter semantics: a term keeps the series whose value satisfies the
/// comparison, with their value; <c>a and b</c> keeps the series of <c>a</c> that have a series in <c>b</c> agreeing on
/// the labels both metrics carry (PromQL would need <c>on(...)</c> for metrics with different labels: this is that, by
/// default); <c>a or b</c> keeps all of <c>a</c> plus the series of <c>b</c> with no such partner in <c>a</c>.
/// </summary>
public abstract class RuleExpression
{
    /// <summary>
    /// Deepest parenthesis nesting accepted. The parser and the evaluator recurse once per level, so an unbounded depth
    /// would let a rule file overflow the stack (which no handler can catch) instead of failing with a message.
    /// </summary>
    public const int MaxNesting = 32;

    /// <summary>Most comparison terms in one expression (each <c>and</c> / <c>or</c> adds a level of recursion when evaluated).</summary>
    public const int MaxTerms = 100;

    /// <summary>Label names every output series carries (used to match <c>and</c>/<c>or</c> operands).</summary>
    public abstract IReadOnlyCollection<string> LabelNames { get; }

    /// <summary>Metrics the expression reads.</summary>
    public abstract IEnumerable<MetricInfo> Metrics { get; }

    /// <summary>The first comparison (for evidence: metric, operator, threshold of the alert).</summary>
    public abstract ComparisonTerm FirstTerm { get; }

    /// <summary>Evaluates over the samples of each metric.</summary>
    public abstract List<Sample> Evaluate(Func<string, IReadOnlyList<Sample>> samplesOf);

    /// <summary>Parses and validates against <see cref="MetricCatalog"/>; throws <see cref="FormatException"/> with the position and reason.</summary>
    public static RuleExpression Parse(string text) => new ExpressionParser(text).ParseAll();
}

/// <summary><c>metric{matchers} OP threshold</c>.</summary>
public sealed class ComparisonTerm(MetricInfo metric, IReadOnlyList<Matcher> matchers, ComparisonOperator op, double threshold) : RuleExpression
{
    /// <summary>The metric selected.</summary>
    public MetricInfo Metric { get; } = metric;

    /// <summary>Label matchers of the selector (all must match).</summary>
    public IReadOnlyList<Matcher> Matchers { get; } = matchers;

    /// <summary>The comparison.</summary>
    public ComparisonOperator Operator { get; } = op;

    /// <summary>The number compared with.</summary>
    public double Threshold { get; } = threshold;

    /// <inheritdoc />
    public override IReadOnlyCollection<string> LabelNames => (IReadOnlyCollection<string>)Metric.Labels;

    /// <inheritdoc />
    public override IEnumerable<MetricInfo> Metrics => [Metric];

    /// <inheritdoc />
    public override ComparisonTerm FirstTerm => this;

    /// <summary>True when <paramref name="value"/> satisfies the comparison (NaN never does, except with !=).</summary>
    public bool Holds(double value) => Operator switch
    {
        ComparisonOperator.Greater => value > Threshold,
        ComparisonOperator.GreaterOrEqual => value >= Threshold,
        ComparisonOperator.Less => value < Threshold,
        ComparisonOperator.LessOrEqual => value <= Threshold,
        ComparisonOperator.Equal => value == Threshold,
        _ => value != Threshold,
    };

    /// <summary>Operator as written.</summary>
    public string OperatorText => Operator switch
    {
        ComparisonOperator.Greater => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Equal => "==",
        _ => "!=",
    };

    /// <inheritdoc />
    public override List<Sample> Evaluate(Func<string, IReadOnlyList<Sample>> samplesOf)
    {
        var result = new List<Sample>();
        foreach (var s in samplesOf(Metric.Name))
        {
            if (Holds(s.Value) && Matchers.MatchesAll(s.Labels))
            {
                result.Add(s);
            }
        }
        return result;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var sb = new StringBuilder(Metric.Name);
        if (Matchers.Count > 0)
        {
            sb.Append('{').AppendJoin(", ", Matchers).Append('}');
        }
        return sb.Append(' ').Append(OperatorText).Append(' ').Append(Threshold.ToString("R", CultureInfo.InvariantCulture)).ToString();
    }
}

/// <summary><c>left and right</c> / <c>left or right</c>.</summary>
public sealed class BinaryExpression(RuleExpression left, bool isAnd, RuleExpression right) : RuleExpression
{
    private readonly string[] _shared = [.. left.LabelNames.Intersect(right.LabelNames, StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>Left operand.</summary>
    public RuleExpression Left { get; } = left;

    /// <summary>True for <c>and</c>, false for <c>or</c>.</summary>
    public bool IsAnd { get; } = isAnd;

    /// <summary>Right operand.</summary>
    public RuleExpression Right { get; } = right;

    /// <inheritdoc />
    public override IReadOnlyCollection<string> LabelNames => IsAnd ? Left.LabelNames : _shared;

    /// <inheritdoc />
    public override IEnumerable<MetricInfo> Metrics => Left.Metrics.Concat(Right.Metrics);

    /// <inheritdoc />
    public override ComparisonTerm FirstTerm => Left.FirstTerm;

    /// <inheritdoc />
    public override List<Sample> Evaluate(Func<string, IReadOnlyList<Sample>> samplesOf)
    {
        var left = Left.Evaluate(samplesOf);
        if (IsAnd && left.Count == 0)
        {
            return left;
        }
        var right = Right.Evaluate(samplesOf);
        if (IsAnd)
        {
            var keys = new HashSet<string>(right.Select(Signature), StringComparer.Ordinal);
            left.RemoveAll(s => !keys.Contains(Signature(s)));
            return left;
        }
        var leftKeys = new HashSet<string>(left.Select(Signature), StringComparer.Ordinal);
        left.AddRange(right.Where(s => !leftKeys.Contains(Signature(s))));
        return left;
    }

    private string Signature(Sample s)
    {
        var sb = new StringBuilder();
        foreach (var name in _shared)
        {
            sb.Append(s.Labels[name]).Append('\xff');
        }
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"({Left}) {(IsAnd ? "and" : "or")} ({Right})";
}

internal sealed class ExpressionParser(string text)
{
    private readonly MatcherReader _reader = new(text, 0);
    private int _depth;
    private int _terms;

    public RuleExpression ParseAll()
    {
        var e = ParseOr();
        _reader.SkipSpaces();
        if (!_reader.AtEnd)
        {
            throw _reader.Error("unexpected text (expected 'and', 'or' or the end)");
        }
        return e;
    }

    private RuleExpression ParseOr()
    {
        var left = ParseAnd();
        while (Keyword("or"))
        {
            left = new BinaryExpression(left, false, ParseAnd());
        }
        return left;
    }

    private RuleExpression ParseAnd()
    {
        var left = ParseTerm();
        while (Keyword("and"))
        {
            left = new BinaryExpression(left, true, ParseTerm());
        }
        return left;
    }

    private bool Keyword(string word)
    {
        _reader.SkipSpaces();
        var t = _reader.Text;
        var p = _reader.Position;
        if (string.CompareOrdinal(t, p, word, 0, word.Length) == 0 &&
            (p + word.Length == t.Length || !(char.IsAsciiLetterOrDigit(t[p + word.Length]) || t[p + word.Length] == '_')))
        {
            _reader.Position += word.Length;
            return true;
        }
        return false;
    }

    private RuleExpression ParseTerm()
    {
        _reader.SkipSpaces();
        if (_reader.Peek == '(')
        {
            if (++_depth > RuleExpression.MaxNesting)
            {
                throw _reader.Error($"parentheses nested more than {RuleExpression.MaxNesting} deep");
            }
            _reader.Position++;
            var inner = ParseOr();
            _depth--;
            _reader.SkipSpaces();
            if (_reader.Peek != ')')
            {
                throw _reader.Error("missing ')'");
            }
            _reader.Position++;
            return inner;
        }
        if (++_terms > RuleExpression.MaxTerms)
        {
            throw _reader.Error($"more than {RuleExpression.MaxTerms} comparisons in one expression");
        }
        var start = _reader.Position;
        while (!_reader.AtEnd && (char.IsAsciiLetterOrDigit(_reader.Peek) || _reader.Peek is '_' or ':'))
        {
            _reader.Position++;
        }
        var name = _reader.Text[start.._reader.Position];
        if (name.Length == 0)
        {
            throw _reader.Error("expected a metric name");
        }
        if (!MetricCatalog.TryGet(name, out var metric))
        {
            _reader.Position = start;
            throw _reader.Error($"unknown metric \"{name}\" (`monitoring rules metrics` lists them)");
        }
        _reader.SkipSpaces();
        IReadOnlyList<Matcher> matchers = [];
        if (_reader.Peek == '{')
        {
            var braceAt = _reader.Position;
            matchers = _reader.ReadList(allowBare: false, braces: true);
            foreach (var m in matchers)
            {
                if (!metric.Labels.Contains(m.Name, StringComparer.Ordinal))
                {
                    _reader.Position = braceAt;
                    throw _reader.Error($"metric \"{name}\" has no label \"{m.Name}\" (its labels: {string.Join(", ", metric.Labels)})");
                }
            }
        }
        _reader.SkipSpaces();
        var op = ReadOperator() ?? throw _reader.Error($"expected a comparison (> >= < <= == !=) after {name}");
        _reader.SkipSpaces();
        var threshold = ReadNumber();
        return new ComparisonTerm(metric, matchers, op, threshold);
    }

    private ComparisonOperator? ReadOperator()
    {
        foreach (var (token, op) in new (string, ComparisonOperator)[]
        {
            (">=", ComparisonOperator.GreaterOrEqual), ("<=", ComparisonOperator.LessOrEqual), ("==", ComparisonOperator.Equal),
            ("!=", ComparisonOperator.NotEqual), (">", ComparisonOperator.Greater), ("<", ComparisonOperator.Less),
        })
        {
            if (string.CompareOrdinal(_reader.Text, _reader.Position, token, 0, token.Length) == 0)
            {
                _reader.Position += token.Length;
                return op;
            }
        }
        return null;
    }

    private double ReadNumber()
    {
        var start = _reader.Position;
        while (!_reader.AtEnd && (char.IsAsciiLetterOrDigit(_reader.Peek) || _reader.Peek is '.' or '+' or '-'))
        {
            // Stop a sign that is not the first character or an exponent's.
            if (_reader.Peek is '+' or '-' && _reader.Position > start && _reader.Text[_reader.Position - 1] is not ('e' or 'E'))
            {
                break;
            }
            _reader.Position++;
        }
        var token = _reader.Text[start.._reader.Position];
        if (token.Length == 0)
        {
            throw _reader.Error("expected a number");
        }
        if (token is "+Inf" or "Inf" or "inf" or "+inf")
        {
            return double.PositiveInfinity;
        }
        if (token is "-Inf" or "-inf")
        {
            return double.NegativeInfinity;
        }
        if (!double.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
        {
            _reader.Position = start;
            throw _reader.Error($"\"{token}\" is not a number");
        }
        return value;
    }
}
