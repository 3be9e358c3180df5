using Monitoring.Alerting.Labels;
using Xunit;

namespace Monitoring.Alerting.Tests.Labels;

public sealed class MatcherTests
{
    [Fact]
    public void Fingerprint_OfKnownLabelSet_MatchesAlertmanager()
    {
        // FNV-1a 64 of the empty set is the offset basis; the end-to-end test against Debian's Alertmanager checks a
        // real label set's fingerprint.
        Assert.Equal("cbf29ce484222325", LabelSet.Empty.FingerprintHex);
        Assert.NotEqual(LabelSet.Of("a", "b").Fingerprint, LabelSet.Of("a", "c").Fingerprint);
        Assert.Equal(LabelSet.Of("b", "2", "a", "1"), LabelSet.Of("a", "1", "b", "2"));
    }

    [Fact]
    public void LabelSet_DropsEmptyValues_AndMissingReadsAsEmpty()
    {
        var set = LabelSet.Of("a", "1", "b", "");
        Assert.Single(set);
        Assert.Equal(string.Empty, set["b"]);
        Assert.Equal("{a=\"1\"}", set.ToString());
    }

    [Theory]
    [InlineData("model=\"credit-risk\"", "credit-risk", true)]
    [InlineData("model!=\"credit-risk\"", "credit-risk", false)]
    [InlineData("model=~\"credit.*\"", "credit-risk", true)]
    [InlineData("model=~\"credit\"", "credit-risk", false)] // anchored
    [InlineData("model!~\"a|b\"", "c", true)]
    [InlineData("model=credit-risk", "credit-risk", true)] // bare value, as Alertmanager's matchers allow
    [InlineData("model = 'x'", "x", true)]
    [InlineData("model=\"\"", "", true)] // missing label is the empty string
    [InlineData("model=~\"a\\\\.b\"", "a.b", true)]
    [InlineData("model=~\"a\\.b\"", "axb", false)] // unknown escape keeps its backslash: \. is a literal dot
    public void Matcher_Parse_MatchesAsPrometheus(string text, string value, bool expected)
    {
        var m = Matchers.Parse(text);
        Assert.Equal(expected, m.Matches(value));
    }

    [Theory]
    [InlineData("1model=\"x\"", "label name")]
    [InlineData("model=~\"(\"", "does not compile")]
    [InlineData("model==\"x\"", "unexpected quote")]
    [InlineData("model=~\"(a)\\\\1\"", "does not compile")] // backreference: RE2 rejects it too
    [InlineData("{model=\"x\"", "missing '}'")]
    public void Matcher_Parse_RejectsWithReason(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => Matchers.ParseList(text));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Matcher_RegexOverLimit_IsRejected()
    {
        var e = Assert.Throws<FormatException>(() => Matcher.Create("a", MatcherType.Regex, new string('a', Matcher.MaxRegexLength + 1)));
        Assert.Contains("over the limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatcherList_WithBraces_ParsesAll()
    {
        var list = Matchers.ParseList("{severity=\"page\", team=~\"risk|ops\"}");
        Assert.Equal(2, list.Count);
        Assert.True(list.MatchesAll(LabelSet.Of("severity", "page", "team", "ops")));
        Assert.False(list.MatchesAll(LabelSet.Of("severity", "page", "team", "web")));
    }
}
