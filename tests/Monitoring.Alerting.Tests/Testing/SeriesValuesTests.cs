using Monitoring.Alerting.Testing;
using Xunit;

namespace Monitoring.Alerting.Tests.Testing;

/// <summary>promtool's expanding notation (docs/configuration/unit_testing_rules.md), value for value.</summary>
public sealed class SeriesValuesTests
{
    [Theory]
    [InlineData("1 2 3", new[] { "1", "2", "3" })]
    [InlineData("1+1x3", new[] { "1", "2", "3", "4" })]
    [InlineData("10-2x2", new[] { "10", "8", "6" })]
    [InlineData("-2+4x2", new[] { "-2", "2", "6" })]
    [InlineData("0.3x2", new[] { "0.3", "0.3", "0.3" })]
    [InlineData("1 _x3 2", new[] { "1", "_", "_", "_", "2" })]
    [InlineData("_ stale 1e-3", new[] { "_", "_", "0.001" })]
    [InlineData("Inf -Inf", new[] { "Infinity", "-Infinity" })]
    public void Expand_FollowsPromtoolsCounts(string notation, string[] expected)
    {
        var values = SeriesValues.Expand(notation);
        Assert.Equal(expected, values.Select(v => v is { } x ? x.ToString(System.Globalization.CultureInfo.InvariantCulture) : "_"));
    }

    [Theory]
    [InlineData("1 x")]
    [InlineData("1+x3")]
    [InlineData("abc")]
    [InlineData("1x100000000")]
    public void Expand_OfBadNotation_NamesTheToken(string notation)
    {
        var e = Assert.Throws<FormatException>(() => SeriesValues.Expand(notation));
        Assert.Contains("\"", e.Message, StringComparison.Ordinal);
    }
}
