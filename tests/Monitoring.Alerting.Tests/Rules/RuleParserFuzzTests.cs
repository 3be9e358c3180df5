using System.Globalization;
using System.Text;
using CsCheck;
using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Rules;
using Monitoring.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Alerting.Tests.Rules;

/// <summary>
/// Property tests of the rule-file, expression, matcher and template parsers over generated input: valid rule files
/// (which must round-trip their rule count), the same files mutated (truncated, lines swapped or duplicated, fields
/// renamed, random bytes and unicode, deep nesting, huge strings, anchors and aliases, complex keys), and random
/// expression, matcher and template strings from a token alphabet. The documented failures are
/// <see cref="RuleFileException"/> (rule files) and <see cref="FormatException"/> (the others); anything else is a bug.
/// Each property runs a fixed number of cases from a fixed seed (the same inputs on every run), with inputs bounded so
/// the whole class takes a few seconds; a per-input timeout turns a hang into a failure (<see cref="FuzzRun"/>, whose
/// environment variables ask for a longer run).
/// </summary>
public sealed class RuleParserFuzzTests(ITestOutputHelper output)
{
    private const ulong Seed = 20261206;
    private const int Cases = 400;
    private const int FuzzTimeoutMs = 120_000;

    private static readonly string[] RegexValues = ["income|age", "f[0-9]+", "m-0{0,3}1", ".*", "credit-.*", "(a|b)c?", "[[:alpha:]]"];
    private static readonly string[] PlainValues = ["credit-risk", "m-0001", "default", "income", "x y", "é", ""];

    private static readonly Gen<string> ValidTerm =
        from metric in Gen.OneOf<MetricInfo>([.. MetricCatalog.All])
        from matchers in Gen.Int[0, 3].SelectMany(n => Gen.Select(
            Gen.OneOf<string>([.. metric.Labels]), Gen.Int[0, 3], Gen.OneOf<string>(PlainValues), Gen.OneOf<string>(RegexValues)).Array[n])
        from op in Gen.OneOf<string>(">", ">=", "<", "<=", "==", "!=")
        from threshold in Gen.OneOf<string>("0.2", "1", "0", "-3.5", "1e-3", "+Inf", "-Inf", "100")
        select matchers.Length == 0
            ? $"{metric.Name} {op} {threshold}"
            : $"{metric.Name}{{{string.Join(", ", matchers.Select(m => Selector(m.Item1, m.Item2, m.Item3, m.Item4)))}}} {op} {threshold}";

    private static readonly Gen<string> ValidExpression =
        from terms in ValidTerm.Array[1, 4]
        from joins in Gen.OneOf<string>(" and ", " or ").Array[terms.Length]
        from parens in Gen.Bool
        select Join(terms, joins, parens);

    private static readonly Gen<string> ValidTemplate = Gen.OneOf<string>(
        "plain text",
        "{{ $labels.model }} drifted (PSI {{ $value }})",
        "{{ $value | humanize }}",
        "{{ printf \"%.2f\" $value }}",
        "{{- $labels.feature -}} / {{ .Labels.tenant | toUpper }}",
        "{{ index $labels \"model\" }}",
        "{{ humanizePercentage $value }} ünïcödé ✓");

    private static readonly Gen<string> ValidRule =
        from expr in ValidExpression
        from forDuration in Gen.OneOf<string>("", "5m", "1h30m", "0s", "2h")
        from keep in Gen.OneOf<string>("", "10m")
        from labelCount in Gen.Int[0, 2]
        from summary in ValidTemplate
        from runbook in Gen.OneOf<string>("", "{{ $externalURL }}/runbooks/feature-drift", "https://runbooks.example/x", "/runbooks/x")
        select RuleBody(expr, forDuration, keep, labelCount, summary, runbook);

    /// <summary>A valid rule file and how many rules it holds.</summary>
    private static readonly Gen<(string Yaml, int Rules)> ValidFile =
        from groups in ValidRule.Array[0, 6].Array[0, 4]
        select (RuleFile(groups), groups.Sum(g => g.Length));

    private static readonly Gen<string> RandomText = Gen.Frequency(
        (4, Gen.String[Gen.Char.AlphaNumeric, 0, 20]),
        (2, Gen.String[Gen.Char[' ', '~'], 0, 20]),
        (2, Gen.String[Gen.Char[(char)0, (char)255], 0, 20]),
        (2, Gen.String[Gen.Char, 0, 20]), // any UTF-16 unit, lone surrogates included
        (1, Gen.OneOf<string>("😀", "\u0000", "\uFEFF", "\u2028", "\r\n", "\t", "\\", "\"", "'", "`", "é", "\uD800")));

    private static readonly string[] Fields =
        ["groups:", "name:", "rules:", "alert:", "expr:", "for:", "keep_firing_for:", "labels:", "annotations:", "summary:", "runbook_url:", "slos:", "record:", "interval:", "limit:"];

    private static readonly Gen<Func<string, string>> Mutation = Gen.Frequency(
        (3, Gen.Int[0, 1 << 20].Select(p => (Func<string, string>)(s => s[..(p % (s.Length + 1))]))),
        (3, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20]).Select(t => (Func<string, string>)(s => SwapLines(s, t.Item1, t.Item2)))),
        (2, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20]).Select(t => (Func<string, string>)(s => DuplicateLine(s, t.Item1, t.Item2)))),
        (3, Gen.Select(Gen.Int[0, 1 << 20], RandomText).Select(t => (Func<string, string>)(s => InsertAt(s, t.Item1, t.Item2)))),
        (2, Gen.Select(Gen.Int[0, 1 << 20], RandomText).Select(t => (Func<string, string>)(s => ReplaceLine(s, t.Item1, t.Item2)))),
        (3, Gen.Select(Gen.OneOf<string>(Fields), Gen.OneOf<string>(Fields)).Select(t => (Func<string, string>)(s => SwapField(s, t.Item1, t.Item2)))),
        (2, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[1, 3000], Gen.Int[0, 3]).Select(t => (Func<string, string>)(s => InsertAt(s, t.Item1, Nesting(t.Item2, t.Item3))))),
        (1, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[1_000, 200_000], Gen.Char[' ', '~']).Select(t => (Func<string, string>)(s => InsertAt(s, t.Item1, new string(t.Item3, t.Item2))))),
        (2, Gen.Select(Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20], Gen.Int[0, 1 << 20]).Select(t => (Func<string, string>)(s => AnchorAndAlias(s, t.Item1, t.Item2, t.Item3)))),
        (1, Gen.Int[0, 1 << 20].Select(p => (Func<string, string>)(s => InsertAt(s, p, "\n? [a, {b: c}]\n: x\n{[k]: v}: y\n")))),
        (1, Gen.Int[0, 1 << 20].Select(p => (Func<string, string>)(s => InsertAt(s, p, "\n---\n")))),
        (1, Gen.Int[0, 1 << 20].Select(p => (Func<string, string>)(s => InsertAt(s, p, "\t")))));

    private static readonly Gen<string> MutatedFile =
        from file in ValidFile
        from mutations in Mutation.Array[1, 4]
        select mutations.Aggregate(file.Yaml, (text, mutate) => mutate(text));

    private static readonly Gen<string> ExpressionToken = Gen.Frequency(
        (6, Gen.OneOf<string>(
            "feature_psi", "window_volume", "slice_accuracy", "prediction_psi", "feature_psy", "", " ", "{", "}", "(", ")", " and ", " or ", "and", "or",
            ">", ">=", "<", "<=", "==", "!=", "=", "=~", "!~", "!", ",", "\"", "'", "`", "\\", "\\\"", "model", "feature", "tenant", "slice_value",
            "0.2", "1e309", "-1e309", "1e", "+", "-", "Inf", "-Inf", "NaN", "0x10", "1_000", ".", "..", "e5", "\"(\"", "\"[\"", "\"(?=x)\"",
            "\"(a)\\\\1\"", "\"a{1000}{1000}\"", "\"(a*)*b\"", "\"\\\\p{L}+\"", "\n", "\t", "\u00a0", "😀")),
        (1, RandomText));

    private static readonly Gen<string> RandomExpression = Gen.Frequency(
        (6, ExpressionToken.Array[0, 40].Select(t => string.Concat(t))),
        (2, Gen.Select(ValidExpression, Gen.Int[0, 1 << 20], ExpressionToken).Select(t => InsertAt(t.Item1, t.Item2, t.Item3))),
        (1, Gen.Select(ValidTerm, Gen.Int[1, 5_000]).Select(t => new string('(', t.Item2) + t.Item1 + new string(')', t.Item2))),
        (1, Gen.Select(ValidTerm, Gen.Int[1, 5_000], Gen.OneOf<string>(" and ", " or ")).Select(t => string.Join(t.Item3, Enumerable.Repeat(t.Item1, t.Item2)))));

    private static readonly Gen<string> MatcherToken = Gen.Frequency(
        (6, Gen.OneOf<string>(
            "model", "feature", "_x", "9a", "", " ", "=", "!=", "=~", "!~", "~", "!", ",", "{", "}", "\"", "'", "`", "\\", "\\\"", "\\n", "\\u00e9",
            "\"credit-.*\"", "\"(\"", "\"[\"", "\"(?<=a)b\"", "\"(a)\\\\1\"", "\"a{1000}{1000}\"", "\"(a|aa)*c\"", "value", "x y", "é", "\n")),
        (1, RandomText));

    private static readonly Gen<string> RandomMatchers = Gen.Frequency(
        (6, MatcherToken.Array[0, 30].Select(t => string.Concat(t))),
        (1, Gen.Int[1_025, 5_000].Select(n => "a=~\"" + new string('a', n) + "\"")));

    private static readonly Gen<string> TemplateToken = Gen.Frequency(
        (6, Gen.OneOf<string>(
            "{{", "}}", "{{-", "-}}", "{{- ", " -}}", " ", "|", "$labels", "$labels.model", "$labels.", "$labels.9", ".Labels.x", "$value", ".Value",
            "$externalURL", "printf", "\"%.2f\"", "\"%d %s %q %e %g %v %%\"", "\"%.99999999999f\"", "\"%.1000000f\"", "\"%", "\"%+.3e\"", "\"%.\"",
            "humanize", "humanizePercentage", "toUpper", "toLower", "title", "index", "exec", "\"", "`", "\\", "\\\"", "1e309", "-0", "NaN",
            "text", "é", "😀", "\n")),
        (1, RandomText));

    private static readonly Gen<string> PrintfFormat = Gen.OneOf<string>(
        "%", "%%", ".", "+", "-", "#", "0", "1", "9", "99999999", "1000000", "f", "e", "g", "d", "q", "v", "s", "x", "é", " ").Array[0, 12]
        .Select(t => string.Concat(t));

    private static readonly Gen<string> RandomTemplate = Gen.Frequency(
        (4, TemplateToken.Array[0, 30].Select(t => string.Concat(t))),
        (1, Gen.Select(PrintfFormat, Gen.OneOf<string>("", " $value", " $labels.model", " \"x\"", " $value $value", " 1e309")).Select(t => $"{{{{ printf \"{t.Item1}\"{t.Item2} }}}}")));

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task ValidRuleFiles_RoundTripTheirRuleCount()
    {
        await Task.Run(() => ForEach(ValidFile, "valid file", file =>
        {
            var parsed = RuleFileParser.Parse(file.Yaml);
            if (parsed.Rules.Count() != file.Rules)
            {
                throw new InvalidOperationException($"generated {file.Rules} rules, parsed {parsed.Rules.Count()}");
            }
        }));
    }

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task MutatedRuleFiles_FailOnlyWithRuleFileException()
    {
        await Task.Run(() => ForEach(MutatedFile, "mutated file", yaml =>
        {
            _ = RuleFileParser.ParseText(yaml, "fuzz.yml");
            try
            {
                _ = RuleFileParser.Parse(yaml, "fuzz.yml");
            }
            catch (RuleFileException e) when (e.Errors.Count > 0)
            {
            }
        }));
    }

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task RandomExpressions_FailOnlyWithFormatException()
    {
        await Task.Run(() => ForEach(RandomExpression, "expression", text =>
        {
            try
            {
                var expr = RuleExpression.Parse(text);
                // What parses must also be usable: its metrics, labels and an evaluation over no samples.
                _ = expr.Metrics.Count();
                _ = expr.LabelNames.Count;
                _ = expr.Evaluate(_ => []);
            }
            catch (FormatException)
            {
            }
        }));
    }

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task RandomMatchers_FailOnlyWithFormatException()
    {
        await Task.Run(() => ForEach(RandomMatchers, "matchers", text =>
        {
            try
            {
                foreach (var m in Matchers.ParseList(text))
                {
                    _ = m.Matches("credit-risk");
                    _ = Matchers.Parse(m.ToString());
                }
            }
            catch (FormatException)
            {
            }
        }));
    }

    [Fact(Timeout = FuzzTimeoutMs)]
    public async Task RandomTemplates_FailOnlyWithFormatException_AndRenderWhenTheyParse()
    {
        var data = new TemplateData(LabelSet.Of("tenant", "default", "model", "credit-risk"), 0.237, "https://monitoring.example");
        await Task.Run(() => ForEach(RandomTemplate, "template", text =>
        {
            AlertTemplate template;
            try
            {
                template = AlertTemplate.Parse(text);
            }
            catch (FormatException)
            {
                return;
            }
            // The parser's contract: a template that loads cannot fail when an alert fires.
            _ = template.Render(data);
        }));
    }

    // Regressions found by the properties above.

    [Fact]
    public void Expression_NestedDeeperThanTheLimit_IsAFormatException_NotAStackOverflow()
    {
        var term = "feature_psi > 0.2";
        var atLimit = new string('(', RuleExpression.MaxNesting) + term + new string(')', RuleExpression.MaxNesting);
        var deep = new string('(', 100_000) + term + new string(')', 100_000);

        Assert.IsType<ComparisonTerm>(RuleExpression.Parse(atLimit));
        var e = Assert.Throws<FormatException>(() => RuleExpression.Parse(deep));
        Assert.StartsWith($"parentheses nested more than {RuleExpression.MaxNesting} deep at position {RuleExpression.MaxNesting + 1} ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Expression_WithMoreTermsThanTheLimit_IsAFormatException()
    {
        var atLimit = string.Join(" or ", Enumerable.Repeat("feature_psi > 0.2", RuleExpression.MaxTerms));
        var over = string.Join(" and ", Enumerable.Repeat("feature_psi > 0.2", 200_000));

        Assert.Equal(RuleExpression.MaxTerms, RuleExpression.Parse(atLimit).Metrics.Count());
        Assert.Contains($"more than {RuleExpression.MaxTerms} comparisons", Assert.Throws<FormatException>(() => RuleExpression.Parse(over)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void RuleFile_NestedDeeperThanTheLimit_IsRefused_NotAStackOverflow(int kind)
    {
        var depth = 1_000_000;
        var yaml = "groups: " + (kind == 0 ? new string('[', depth) + new string(']', depth) : string.Concat(Enumerable.Repeat("{a: ", depth)) + "x" + new string('}', depth));

        var e = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse(yaml));

        Assert.Equal($"YAML nested more than {RuleFileParser.MaxNesting} levels deep: refused", Assert.Single(e.Errors).Message);
    }

    [Fact]
    public void RuleFile_NestedToTheLimit_IsJudgedOnItsFields()
    {
        // The file, groups, a group, rules, a rule and its annotations are 6 levels; lists nested inside an annotation up
        // to the limit are an error about the field (an annotation is a string), not about the nesting.
        var yaml = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: feature_psi > 0.2\n        annotations: {summary: "
            + new string('[', RuleFileParser.MaxNesting - 6) + new string(']', RuleFileParser.MaxNesting - 6) + "}\n";

        var e = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse(yaml));

        Assert.Equal("expected a string", Assert.Single(e.Errors).Message);
    }

    [Theory]
    [InlineData("? [a, {b: c}]\n: x\n", 1, "expected a field name, not a list or mapping as key")]
    [InlineData("{[k]: v}: y\n", 1, "expected a field name, not a list or mapping as key")]
    [InlineData("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: feature_psi > 0.2\n        labels: {[x]: y}\n", 6, "expected a label name, not a list or mapping as key")]
    [InlineData("groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: feature_psi > 0.2\n        annotations:\n          ? {a: b}\n          : y\n", 7, "expected an annotation name, not a list or mapping as key")]
    public void RuleFile_ACollectionAsKey_IsAnError_NotAnInvalidCast(string yaml, int line, string reason)
    {
        var e = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse(yaml));

        var error = Assert.Single(e.Errors);
        Assert.Equal(line, error.Line);
        Assert.StartsWith(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(": [\ns")] // YamlDotNet 18.1's scanner: InvalidOperationException
    [InlineData("groups\ts: *x")] // YamlDotNet 18.1's loader: ArgumentException
    public void RuleFile_TheYamlReaderGivesUpOn_IsNotValidYaml(string yaml)
    {
        var e = Assert.Throws<RuleFileException>(() => RuleFileParser.Parse(yaml));

        Assert.StartsWith("not valid YAML: ", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ printf \"%.99999999999f\" $value }}")]
    [InlineData("{{ printf \"%.2000000000e\" $value }}")]
    [InlineData("{{ printf \"%.1000000000g\" $value }}")]
    [InlineData("{{ printf \"%.1000001f and the rest\" $value }}")]
    public void Template_WithAPrecisionBeyondGosLimit_RendersNoVerb_AsGoDoes(string text)
    {
        // Before: OverflowException, OutOfMemoryException, or 48 s spent on a billion digits when the alert fired.
        var data = new TemplateData(LabelSet.Of("model", "m"), 0.25, "https://x");

        Assert.Equal("%!(NOVERB)", AlertTemplate.Parse(text).Render(data));
    }

    [Theory]
    [InlineData("{{ \"%.\" | printf }}")]
    [InlineData("{{- \"%d\"|printf}}")]
    public void Template_PipingTheFormatIntoPrintf_IsAFormatException_NotAnIndexError(string text)
    {
        // Found by a 35-second run of RandomTemplates (input 63625): printf without arguments of its own read its first
        // argument from an empty list (ArgumentOutOfRangeException) when the rule file was loaded.
        var e = Assert.Throws<FormatException>(() => AlertTemplate.Parse(text));

        Assert.Equal("template: printf needs a format string first", e.Message);
    }

    [Fact]
    public void Template_AtGosPrecisionLimit_Renders()
    {
        var data = new TemplateData(LabelSet.Of("model", "m"), 0.25, "https://x");

        Assert.Equal("0.25" + new string('0', 1_000_000 - 2), AlertTemplate.Parse("{{ printf \"%.1000000f\" $value }}").Render(data));
    }

    /// <summary>
    /// Runs <paramref name="property"/> on <see cref="Cases"/> inputs drawn from a fixed seed (more with
    /// <c>MONITORING_FUZZ_ITERATIONS</c> or <c>MONITORING_FUZZ_SECONDS</c>), each under a timeout, reporting the first failure with its input.
    /// </summary>
    private void ForEach<T>(Gen<T> gen, string what, Action<T> property) =>
        FuzzRun.Run(gen, what, Cases, Seed, property, output.WriteLine);

    private static string Selector(string label, int kind, string plain, string regex) => kind switch
    {
        0 => $"{label}=\"{plain}\"",
        1 => $"{label}!=\"{plain}\"",
        2 => $"{label}=~\"{regex}\"",
        _ => $"{label}!~\"{regex}\"",
    };

    private static string Join(string[] terms, string[] joins, bool parens)
    {
        var sb = new StringBuilder(terms[0]);
        for (var i = 1; i < terms.Length; i++)
        {
            sb.Append(joins[i]).Append(parens && i == terms.Length - 1 ? $"({terms[i]})" : terms[i]);
        }
        return sb.ToString();
    }

    private static string SingleQuoted(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string RuleBody(string expr, string forDuration, string keep, int labelCount, string summary, string runbook)
    {
        var sb = new StringBuilder();
        sb.Append("        expr: ").Append(SingleQuoted(expr)).Append('\n');
        if (forDuration.Length > 0)
        {
            sb.Append("        for: ").Append(forDuration).Append('\n');
        }
        if (keep.Length > 0)
        {
            sb.Append("        keep_firing_for: ").Append(keep).Append('\n');
        }
        if (labelCount > 0)
        {
            sb.Append("        labels:\n          severity: page\n");
            if (labelCount > 1)
            {
                sb.Append("          team: ").Append(SingleQuoted("{{ $labels.tenant }}")).Append('\n');
            }
        }
        sb.Append("        annotations:\n          summary: ").Append(SingleQuoted(summary)).Append('\n');
        if (runbook.Length > 0)
        {
            sb.Append("          runbook_url: ").Append(SingleQuoted(runbook)).Append('\n');
        }
        return sb.ToString();
    }

    private static string RuleFile(string[][] groups)
    {
        var sb = new StringBuilder("groups:\n");
        for (var g = 0; g < groups.Length; g++)
        {
            sb.Append("  - name: g").Append(g.ToString(CultureInfo.InvariantCulture)).Append('\n');
            sb.Append("    rules:").Append(groups[g].Length == 0 ? " []\n" : "\n");
            for (var r = 0; r < groups[g].Length; r++)
            {
                sb.Append("      - alert: A").Append(r.ToString(CultureInfo.InvariantCulture)).Append('\n').Append(groups[g][r]);
            }
        }
        return sb.ToString();
    }

    private static string InsertAt(string s, int position, string text)
    {
        var p = position % (s.Length + 1);
        return string.Concat(s.AsSpan(0, p), text, s.AsSpan(p));
    }

    private static string SwapLines(string s, int a, int b)
    {
        var lines = s.Split('\n');
        (lines[a % lines.Length], lines[b % lines.Length]) = (lines[b % lines.Length], lines[a % lines.Length]);
        return string.Join('\n', lines);
    }

    private static string DuplicateLine(string s, int from, int to)
    {
        var lines = s.Split('\n').ToList();
        lines.Insert(to % (lines.Count + 1), lines[from % lines.Count]);
        return string.Join('\n', lines);
    }

    private static string ReplaceLine(string s, int at, string text)
    {
        var lines = s.Split('\n');
        lines[at % lines.Length] = text;
        return string.Join('\n', lines);
    }

    private static string SwapField(string s, string a, string b)
    {
        var i = s.IndexOf(a, StringComparison.Ordinal);
        return i < 0 ? s : string.Concat(s.AsSpan(0, i), b, s.AsSpan(i + a.Length));
    }

    /// <summary>Nested flow sequences, flow mappings, block sequences or block mappings, <paramref name="depth"/> deep.</summary>
    private static string Nesting(int depth, int kind) => kind switch
    {
        0 => new string('[', depth) + new string(']', depth),
        1 => string.Concat(Enumerable.Repeat("{a: ", depth)) + "x" + new string('}', depth),
        2 => "\n" + string.Concat(Enumerable.Range(0, Math.Min(depth, 500)).Select(d => new string(' ', d * 2) + "- \n")) + "x\n",
        _ => "\n" + string.Concat(Enumerable.Range(0, Math.Min(depth, 500)).Select(d => new string(' ', d) + "k:\n")) + "x\n",
    };

    /// <summary>Puts an anchor on one line's value and aliases to it on others (an undefined alias when the order comes out wrong).</summary>
    private static string AnchorAndAlias(string s, int anchorLine, int aliasLine, int count)
    {
        var lines = s.Split('\n').ToList();
        var a = anchorLine % lines.Count;
        var colon = lines[a].IndexOf(": ", StringComparison.Ordinal);
        if (colon >= 0)
        {
            lines[a] = lines[a].Insert(colon + 2, "&x ");
        }
        for (var i = 0; i < 1 + (count % 100); i++)
        {
            var l = (aliasLine + (i * 7)) % lines.Count;
            var c = lines[l].IndexOf(": ", StringComparison.Ordinal);
            lines[l] = c >= 0 ? lines[l][..(c + 2)] + "*x" : lines[l] + " *x";
        }
        return string.Join('\n', lines);
    }
}
