using Monitoring.Alerting.Slo;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Alerting.Tests.Slo;

public sealed class SloParserTests
{
    private const string Valid = """
        groups: []
        slos:
          - name: credit-risk-latency
            model: '{model="credit-risk"}'
            objective: 99.5
            window: 28d
            min_events: 50
            sli:
              latency: {threshold_ms: 250}
            alerting:
              page:   {labels: {severity: page},   annotations: {summary: "slow", runbook_url: "https://runbooks/latency"}}
              ticket: {labels: {severity: ticket}, annotations: {summary: "slowish"}}
          - name: credit-risk-accuracy
            model: '{tenant="acme", model=~"credit-.*"}'
            objective: 95
            sli:
              label_agreement: {}
            alerting:
              page: {disable: true}
        """;

    [Fact]
    public void Parse_AValidFile_ReadsEveryField()
    {
        var result = SloParser.Parse(Valid, "rules/credit.yml");

        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Slos.Count);
        var latency = result.Slos[0];
        Assert.Equal("credit-risk-latency", latency.Name);
        Assert.Equal("model=\"credit-risk\"", Assert.Single(latency.Model).ToString());
        Assert.Equal(99.5m, latency.ObjectivePercent);
        Assert.Equal(0.005, latency.ErrorBudget);
        Assert.Equal(TimeSpan.FromDays(28), latency.Window);
        Assert.Equal(50, latency.MinEvents);
        Assert.Equal(new LatencyIndicator(250), latency.Sli);
        Assert.Equal("page", latency.Page.Labels["severity"]);
        Assert.Equal("https://runbooks/latency", latency.Page.Annotations["runbook_url"]);
        Assert.Equal("slowish", latency.Ticket.Annotations["summary"]);
        Assert.Equal("rules/credit.yml", latency.Source);
        Assert.Equal(3, latency.Line);

        var accuracy = result.Slos[1];
        Assert.Equal(TimeSpan.FromDays(30), accuracy.Window);
        Assert.Equal(100, accuracy.MinEvents);
        Assert.IsType<LabelAgreementIndicator>(accuracy.Sli);
        Assert.True(accuracy.Page.Disabled);
        Assert.False(accuracy.Ticket.Disabled);
        Assert.Equal("ticket", accuracy.Ticket.Labels["severity"]);
        Assert.Equal(2, accuracy.Model.Count);
    }

    [Fact]
    public void Parse_TakesTheSequenceNodeDirectly()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(Valid));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;

        var result = SloParser.Parse((YamlSequenceNode)root.Children[new YamlScalarNode("slos")], "rules/credit.yml");

        Assert.Equal(["credit-risk-latency", "credit-risk-accuracy"], result.Slos.Select(s => s.Name));
    }

    [Fact]
    public void Parse_AnObjectiveOver100_NamesTheFieldAndLine()
    {
        var result = SloParser.Parse("""
            slos:
              - name: a
                model: '{model="m"}'
                sli: {latency: {threshold_ms: 250}}
                objective: 120
            """, "f.yml");

        Assert.Empty(result.Slos);
        var error = Assert.Single(result.Errors);
        Assert.Equal("slos[0].objective (line 5): 120 is not a percentage in (0, 100)", error.ToString());
        Assert.Equal("f.yml", error.Source);
    }

    [Fact]
    public void Parse_AnAnnotationTemplateThatDoesNotParse_IsRejectedAtLoadNamingTheField()
    {
        var result = SloParser.Parse("""
            slos:
              - name: a
                model: '{model="m"}'
                sli: {latency: {threshold_ms: 250}}
                objective: 99
                alerting:
                  page: {annotations: {summary: "burn {{ $value | nosuchfunction }}"}}
            """, "f.yml");

        Assert.Empty(result.Slos);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("slos[0].alerting.page.annotations.summary (line 7): ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("nosuchfunction", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_90PercentWithThePageEnabled_IsRejectedNamingTheFactorAndTheMinimumObjective()
    {
        // 14.4 x (1 - 0.90) = 1.44 > 1: even 100% errors burn at 10x, below 14.4. The 6x page: 6 x 0.1 = 0.6, reachable.
        var result = SloParser.Parse("""
            slos:
              - name: a
                model: '{model="m"}'
                objective: 90
                sli: {label_agreement: {}}
            """, "f.yml");

        Assert.Empty(result.Slos);
        var error = Assert.Single(result.Errors);
        Assert.Equal("slos[0].objective", error.Field);
        Assert.Equal(4, error.Line);
        Assert.Contains("page alert unreachable", error.Reason, StringComparison.Ordinal);
        Assert.Contains("1h/5m burn factor 14.4x", error.Reason, StringComparison.Ordinal);
        Assert.Contains("error ratio of 1.44", error.Reason, StringComparison.Ordinal);
        Assert.Contains("needs objective > 93.06%", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_90PercentWithThePageDisabled_IsAccepted()
    {
        var result = SloParser.Parse("""
            slos:
              - name: a
                model: '{model="m"}'
                objective: 90
                sli: {label_agreement: {}}
                alerting:
                  page: {disable: true}
            """, "f.yml");

        Assert.Empty(result.Errors);
        Assert.Equal(90m, Assert.Single(result.Slos).ObjectivePercent);
    }

    [Theory]
    [InlineData("    windw: 30d", "slos[0].windw (line 6): unknown field; expected one of name, description, model, objective, window, min_events, sli, alerting")]
    [InlineData("    window: 30days", "slos[0].window (line 6): not a valid duration \"30days\": unknown unit \"days\" (units y w d h m s ms)")]
    [InlineData("    window: 2d", "slos[0].window (line 6): 2d is shorter than the longest alert window 3d (ticket 3d/6h)")]
    [InlineData("    window: 3d30m", "slos[0].window (line 6): 3d30m is not a whole number of hours")]
    [InlineData("    min_events: 0", "slos[0].min_events (line 6): 0 is not a whole number of at least 1")]
    [InlineData("    objective: 99.9%", "slos[0].objective (line 6): \"99.9%\" is not a number (write the percentage, e.g. 99.9)")]
    [InlineData("    alerting: {page: {disable: maybe}}", "slos[0].alerting.page.disable (line 6): \"maybe\" is not true or false")]
    [InlineData("    alerting: {pager: {}}", "slos[0].alerting.pager (line 6): unknown field; expected one of page, ticket")]
    public void Parse_ABadField_NamesItWithItsLine(string line, string expected)
    {
        var fifth = line.Contains("objective", StringComparison.Ordinal) ? "description: x" : "objective: 99.9";
        var yaml = $$$"""
            slos:
              - name: a
                model: '{model="m"}'
                sli: {latency: {threshold_ms: 250}}
                {{{fifth}}}
            {{{line}}}
            """;

        var result = SloParser.Parse(yaml, "f.yml");

        Assert.Empty(result.Slos);
        Assert.Equal(expected, Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Parse_MissingName_BothSliKinds_NeitherSliKind_AndABadModel_AreEachReported()
    {
        var result = SloParser.Parse("""
            slos:
              - model: '{model="m"}'
                objective: 99
                sli: {latency: {threshold_ms: 250}}
              - name: b
                model: '{model="m"}'
                objective: 99
                sli: {latency: {threshold_ms: 250}, label_agreement: {}}
              - name: c
                model: '{model="m"}'
                objective: 99
                sli: {}
              - name: d
                model: '{version="v1"}'
                objective: 99
                sli: {latency: {threshold_ms: -1}}
            """, "f.yml");

        Assert.Empty(result.Slos);
        Assert.Equal(
        [
            "slos[0].name (line 2): required field missing",
            "slos[1].sli (line 8): both latency and label_agreement given: give exactly one SLI kind",
            "slos[2].sli (line 12): no SLI kind: give exactly one of latency, label_agreement",
            "slos[3].model (line 14): matcher version=\"v1\" is on label \"version\"; an SLO selects models by tenant and model only",
            "slos[3].sli.latency.threshold_ms (line 16): -1 is not a positive number of milliseconds",
        ], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Parse_DuplicateNames_RejectsTheSecond_KeepsTheFirst()
    {
        var result = SloParser.Parse("""
            slos:
              - name: a
                model: '{model="m"}'
                objective: 99
                sli: {label_agreement: {}}
              - name: a
                model: '{model="n"}'
                objective: 99
                sli: {label_agreement: {}}
            """, "f.yml");

        Assert.Equal("{model=\"m\"}", "{" + Assert.Single(result.Slos).Model[0] + "}");
        Assert.Equal("slos[1].name (line 6): duplicate SLO name \"a\", first defined at line 2", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void Parse_AnUnparsableMatcher_ReportsTheMatcherError()
    {
        var result = SloParser.Parse("""
            slos:
              - name: a
                model: '{model="m"'
                objective: 99
                sli: {label_agreement: {}}
            """, "f.yml");

        var error = Assert.Single(result.Errors);
        Assert.Equal("slos[0].model", error.Field);
        Assert.Equal(3, error.Line);
        Assert.Contains("missing '}'", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TextThatIsNotYaml_GivesOneErrorWithTheLine()
    {
        var result = SloParser.Parse("slos:\n  - name: a\n    model: [unclosed\n", "f.yml");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith("not valid YAML", error.Reason, StringComparison.Ordinal);
        Assert.True(error.Line >= 3, error.ToString());
    }

    [Fact]
    public void Parse_AFileWithoutSlos_GivesNothing()
    {
        var result = SloParser.Parse("groups: []\n", "f.yml");

        Assert.Empty(result.Slos);
        Assert.Empty(result.Errors);
    }
}
