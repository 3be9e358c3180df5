using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Rules;
using Xunit;

namespace Monitoring.Alerting.Tests.Rules;

public sealed class AlertTemplateTests
{
    private static readonly TemplateData Data = new(LabelSet.Of("feature", "income", "model", "credit-risk"), 0.23456, "http://h:8080");

    [Theory]
    [InlineData("{{ $labels.feature }} drifted on {{ $labels.model }} (PSI {{ $value }})", "income drifted on credit-risk (PSI 0.23456)")]
    [InlineData("{{ .Labels.feature }} {{ .Value }} {{ .ExternalURL }}", "income 0.23456 http://h:8080")]
    [InlineData("{{ $externalURL }}/runbooks/feature-drift", "http://h:8080/runbooks/feature-drift")]
    [InlineData("{{ $value | printf \"%.2f\" }}", "0.23")]
    [InlineData("{{ printf \"%.3f\" $value }}", "0.235")]
    [InlineData("{{ $value | printf \"%+.2f\" }}", "+0.23")]
    [InlineData("{{ $value | humanizePercentage }}", "23.46%")]
    [InlineData("{{ $labels.missing }}", "")]
    [InlineData("{{ index $labels \"feature\" }}", "income")]
    [InlineData("{{ $labels.feature | toUpper }}", "INCOME")]
    [InlineData("a {{- $labels.feature -}} b", "aincomeb")]
    [InlineData("no actions", "no actions")]
    public void Render_AsPrometheusWould(string template, string expected) =>
        Assert.Equal(expected, AlertTemplate.Parse(template).Render(Data));

    [Theory]
    [InlineData(0.25, "0.25")]
    [InlineData(123456.0, "123456")]
    [InlineData(1000000.0, "1e+06")]
    [InlineData(1234567.0, "1.234567e+06")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(3.0, "3")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Value_PrintsAsGoFloat(double value, string expected) => Assert.Equal(expected, GoFloat.Format(value));

    [Theory]
    [InlineData(1234.5, "1.234k")]
    [InlineData(0.012, "12m")]
    [InlineData(5.0, "5")]
    public void Humanize_UsesSiPrefixes(double value, string expected) =>
        Assert.Equal(expected, AlertTemplate.Parse("{{ humanize $value }}").Render(Data with { Value = value }));

    [Theory]
    [InlineData("{{ $value ")]
    [InlineData("{{ }}")]
    [InlineData("{{ $labels.feature | exec }}")]
    [InlineData("{{ $nope }}")]
    [InlineData("{{ printf $value }}")]
    public void BadTemplates_AreRejectedAtLoad(string template) =>
        Assert.Throws<FormatException>(() => AlertTemplate.Parse(template));
}
