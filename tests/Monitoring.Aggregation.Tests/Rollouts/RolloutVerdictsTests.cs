using Monitoring.Abstractions.Rollouts;
using Monitoring.Aggregation.Rollouts;
using Xunit;

namespace Monitoring.Aggregation.Tests.Rollouts;

/// <summary>The verdict as a pure function of a report and the guardrails.</summary>
public sealed class RolloutVerdictsTests
{
    private const double Z95 = 1.959963984540054;

    private static VersionComparisonReport Report(double aucDifference, double aucSe, long labeled = 5000, LatencyDifference? latency = null, ShadowComparison? shadow = null, IReadOnlyList<SliceDifference>? slices = null)
    {
        var half = Z95 * aucSe;
        return new VersionComparisonReport
        {
            Model = "default/m",
            Baseline = "v1",
            Candidate = "v2",
            Confidence = 0.95,
            Pairing = "unpaired",
            BaselineSummary = new VersionSummary("v1", labeled, labeled, labeled / 2, 0.8, 0.8, 0.8, 0.1, 0.02, 0.4),
            CandidateSummary = new VersionSummary("v2", labeled, labeled, labeled / 2, 0.8 + aucDifference, 0.8, 0.8, 0.1, 0.02, 0.4),
            Metrics =
            [
                new MetricDifference("auc", true, 0.8, 0.8 + aucDifference, aucDifference, aucSe, aucDifference / aucSe, 0.5, aucDifference - half, aucDifference + half, "delong_unpaired"),
                new MetricDifference("accuracy", true, 0.8, 0.8, 0, 0.001, 0, 1, -0.002, 0.002, "two_proportion_z + newcombe"),
            ],
            SliceMetric = "accuracy",
            Slices = slices ?? [],
            Latency = latency,
            Shadow = shadow,
            Guardrails = RolloutGuardrails.Default,
            Verdict = new RolloutVerdict(RolloutVerdict.Hold, [], null),
        };
    }

    [Fact]
    public void Decide_IntervalAboveTheTolerance_Promotes()
    {
        var verdict = RolloutVerdicts.Decide(Report(-0.002, 0.003), RolloutGuardrails.Default);

        Assert.Equal(RolloutVerdict.Promote, verdict.Decision);
        Assert.Null(verdict.LabeledNeeded);
        Assert.Contains(verdict.Reasons, r => r.Guardrail == "max_auc_drop" && r.Outcome == RolloutReason.Met);
    }

    [Fact]
    public void Decide_IntervalBelowTheTolerance_RollsBack()
    {
        var verdict = RolloutVerdicts.Decide(Report(-0.05, 0.01), RolloutGuardrails.Default);

        Assert.Equal(RolloutVerdict.Rollback, verdict.Decision);
        Assert.Equal("max_auc_drop", verdict.Reasons[0].Guardrail);
        Assert.Equal(RolloutReason.Broken, verdict.Reasons[0].Outcome);
    }

    [Fact]
    public void Decide_IntervalAcrossTheTolerance_HoldsWithTheIntervalWidthSample()
    {
        // d = -0.004, SE = 0.005 at n = 5000: the interval clears -0.01 once 1.96 SE(n') <= 0.006,
        // n' = 5000 (1.95996 * 0.005 / 0.006)^2 = 13,338.4 -> 13,339.
        var verdict = RolloutVerdicts.Decide(Report(-0.004, 0.005), RolloutGuardrails.Default);

        Assert.Equal(RolloutVerdict.Hold, verdict.Decision);
        Assert.Equal((long)Math.Ceiling(5000 * Math.Pow(Z95 * 0.005 / 0.006, 2)), verdict.LabeledNeeded);
        Assert.Equal(13339, verdict.LabeledNeeded);
    }

    [Fact]
    public void SampleNeeded_EstimateOnTheGuardrail_IsUnknown()
    {
        Assert.Null(RolloutVerdicts.SampleNeeded(-0.01, 0.005, 0.01, Z95, 1000));
        Assert.Equal(4000, RolloutVerdicts.SampleNeeded(0, 0.01, 0.005, 1, 1000));
    }

    [Fact]
    public void Decide_FewLabels_HoldsAtLeastTheMinimum_ButABrokenGuardrailStillRollsBack()
    {
        var few = RolloutVerdicts.Decide(Report(0.01, 0.002, labeled: 100), RolloutGuardrails.Default);
        var fewAndBroken = RolloutVerdicts.Decide(Report(-0.2, 0.02, labeled: 100), RolloutGuardrails.Default);

        Assert.Equal(RolloutVerdict.Hold, few.Decision);
        Assert.Equal(RolloutGuardrails.DefaultMinLabeledPerVersion, few.LabeledNeeded);
        Assert.Equal(RolloutVerdict.Rollback, fewAndBroken.Decision);
    }

    [Fact]
    public void Decide_LatencyWithinBucketErrorOfTheLimit_Holds_BeyondIt_RollsBack()
    {
        var near = new LatencyDifference(0.99, 1000, 1000, 100, 121, 1.21, 1.17, 1.25, 21, 50, 60);
        var beyond = near with { CandidateMs = 130, Ratio = 1.3, RatioLower = 1.26, RatioUpper = 1.34 };

        Assert.Equal(RolloutVerdict.Hold, RolloutVerdicts.Decide(Report(0, 0.001, latency: near), RolloutGuardrails.Default).Decision);
        Assert.Equal(RolloutVerdict.Rollback, RolloutVerdicts.Decide(Report(0, 0.001, latency: beyond), RolloutGuardrails.Default).Decision);
    }

    [Fact]
    public void Decide_SliceWorseButNotSignificantAfterBh_DoesNotRollBack()
    {
        SliceDifference[] slices =
        [
            new("country", "BR", 100, 100, 0.8, 0.7, 0.1, -0.02, 0.03, 0.09, false, "two_proportion_z + newcombe"),
            new("country", "DE", 100, 100, 0.8, 0.82, -0.02, -0.1, 0.6, 0.6, false, "two_proportion_z + newcombe"),
        ];

        var verdict = RolloutVerdicts.Decide(Report(0, 0.001, slices: slices), RolloutGuardrails.Default);

        Assert.Equal(RolloutVerdict.Promote, verdict.Decision);
        Assert.Contains(verdict.Reasons, r => r.Guardrail == "max_slice_drop" && r.Outcome == RolloutReason.Met);
    }

    [Fact]
    public void Decide_ShadowAgreementBelowTheMinimum_RollsBack()
    {
        var shadow = new ShadowComparison(5000, 0.5, 0.8, 0.79, 0.81, 500, 500, 0, 0.1, 0.9, new Dictionary<string, double>(), []);
        var guardrails = RolloutGuardrails.Default with { MinShadowAgreement = 0.9 };

        var verdict = RolloutVerdicts.Decide(Report(0, 0.001, shadow: shadow), guardrails);

        Assert.Equal(RolloutVerdict.Rollback, verdict.Decision);
        Assert.Equal("min_shadow_agreement", verdict.Reasons[0].Guardrail);
    }

    [Theory]
    [InlineData("confidence", 1.0)]
    [InlineData("max_slice_drop", 1.5)]
    [InlineData("max_prediction_psi", 0.0)]
    [InlineData("min_shadow_agreement", 1.1)]
    public void Guardrails_OutOfRange_NameTheField(string field, double value)
    {
        var g = field switch
        {
            "confidence" => RolloutGuardrails.Default with { Confidence = value },
            "max_slice_drop" => RolloutGuardrails.Default with { MaxSliceDrop = value },
            "max_prediction_psi" => RolloutGuardrails.Default with { MaxPredictionPsi = value },
            _ => RolloutGuardrails.Default with { MinShadowAgreement = value },
        };

        var e = Assert.Throws<ArgumentException>(() => g.Validate());

        Assert.Equal(field, e.ParamName);
        Assert.Single(g.Errors());
        Assert.Empty(RolloutGuardrails.Default.Errors());
    }

    [Fact]
    public void Guardrails_UnknownSliceMetric_ListsTheAllowedOnes()
    {
        var errors = (RolloutGuardrails.Default with { SliceMetric = "auc" }).Errors();

        Assert.Equal("slice_metric must be one of accuracy, error_rate, precision, recall, f1, brier (got auc).", Assert.Single(errors));
    }
}
