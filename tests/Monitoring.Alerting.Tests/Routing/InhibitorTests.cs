using Monitoring.Alerting.Labels;
using Monitoring.Alerting.Routing;
using Xunit;

namespace Monitoring.Alerting.Tests.Routing;

public sealed class InhibitorTests
{
    private static readonly IReadOnlyList<InhibitRule> Rules = AlertmanagerConfig.LoadFile(ConfigFiles.PathOf("routing.yml")).InhibitRules;

    private static InhibitionCandidate Firing(params string[] labels) => new(LabelSet.Of(labels), true);

    [Fact]
    public void FiringSource_WithEqualLabels_MutesTarget_AndSaysWhichRuleAndSource()
    {
        var page = Firing("alertname", "Latency", "severity", "page", "model", "m1");
        var inhibitor = new Inhibitor(Rules, [page]);
        var muted = inhibitor.MutedBy(LabelSet.Of("alertname", "Drift", "severity", "ticket", "model", "m1"));
        Assert.NotNull(muted);
        Assert.Equal(0, muted.RuleIndex);
        Assert.Equal("inhibit_rules[0]", muted.Rule.Path);
        Assert.Equal(page.Labels, muted.Source);
    }

    [Fact]
    public void SourceWithDifferentEqualLabel_DoesNotMute()
    {
        var inhibitor = new Inhibitor(Rules, [Firing("severity", "page", "model", "m2")]);
        Assert.False(inhibitor.Mutes(LabelSet.Of("severity", "ticket", "model", "m1")));
    }

    [Fact]
    public void ResolvedSource_DoesNotMute()
    {
        var inhibitor = new Inhibitor(Rules, [new InhibitionCandidate(LabelSet.Of("severity", "page", "model", "m1"), Firing: false)]);
        Assert.False(inhibitor.Mutes(LabelSet.Of("severity", "ticket", "model", "m1")));
    }

    [Fact]
    public void EqualLabelMissingOnBothSides_CountsAsEqual()
    {
        // Rule 1: ModelDown inhibits Drift.* with equal [model, env]; env is absent on both.
        var inhibitor = new Inhibitor(Rules, [Firing("alertname", "ModelDown", "model", "m1")]);
        Assert.True(inhibitor.Mutes(LabelSet.Of("alertname", "DriftPsi", "model", "m1")));
        Assert.False(inhibitor.Mutes(LabelSet.Of("alertname", "DriftPsi", "model", "m1", "env", "prod")));
        Assert.Equal(1, inhibitor.MutedBy(LabelSet.Of("alertname", "DriftKs", "model", "m1"))!.RuleIndex);
    }

    [Fact]
    public void TargetNotMatchingTargetMatchers_IsNotMuted()
    {
        var inhibitor = new Inhibitor(Rules, [Firing("severity", "page", "model", "m1")]);
        Assert.False(inhibitor.Mutes(LabelSet.Of("severity", "warning", "model", "m1")));
    }

    [Fact]
    public void AlertsMatchingBothSides_DoNotInhibitEachOther_ButAOneSidedSourceStillMutesThem()
    {
        var rule = new InhibitRule(null, [Matchers.Parse("kind=\"x\"")], [Matchers.Parse("kind=\"x\"")], ["model"], "inhibit_rules[0]");
        var a = Firing("kind", "x", "model", "m1", "n", "1");
        var b = Firing("kind", "x", "model", "m1", "n", "2");
        var inhibitor = new Inhibitor([rule], [a, b]);
        Assert.False(inhibitor.Mutes(a.Labels));
        Assert.False(inhibitor.Mutes(b.Labels));

        // A target that matches only the target side is muted by a two-sided source.
        var oneSided = new InhibitRule(null, [Matchers.Parse("kind=\"x\"")], [Matchers.Parse("model=\"m1\"")], [], "inhibit_rules[0]");
        Assert.True(new Inhibitor([oneSided], [a]).Mutes(LabelSet.Of("model", "m1", "kind", "y")));
        // An alert matching both sides is still muted by a source that matches only the source side.
        var source = Firing("kind", "x", "model", "m2");
        Assert.True(new Inhibitor([oneSided], [source]).Mutes(a.Labels));
    }
}
