using System.Text.Json;
using Monitoring.Stats.Classification;
using Monitoring.Stats.Rollouts;
using Monitoring.Stats.Tests.Support;
using Xunit;

namespace Monitoring.Stats.Tests.Rollouts;

/// <summary>
/// The rollout difference tests against numpy / sklearn / statsmodels (Fixtures/generate_rollout_fixtures.py): paired
/// DeLong (numpy from the 1988 formula, cross-checked there by a bootstrap), accuracy and F1 two-proportion tests with
/// Newcombe / MOVER intervals, Brier Welch and paired z-tests, ECE.
/// </summary>
public sealed class VersionDifferencesFixtureTests
{
    public static TheoryData<string> PairedCases => RolloutFixtures.Names("paired_delong");

    public static TheoryData<string> AccuracyCases => RolloutFixtures.Names("accuracy");

    public static TheoryData<string> F1Cases => RolloutFixtures.Names("f1");

    public static TheoryData<string> BrierCases => RolloutFixtures.Names("brier");

    public static TheoryData<string> EceCases => RolloutFixtures.Names("ece");

    [Theory]
    [MemberData(nameof(PairedCases))]
    public void PairedDeLong_MatchesTheNumpyReferenceOfThe1988Formula(string name)
    {
        var c = RolloutFixtures.Case("paired_delong", name);
        var r = PairedDeLong.Compare(c.Doubles("baseline"), c.Doubles("candidate"), c.Doubles("labels"));

        Assert.NotNull(r);
        Close.Statistic(c.Double("auc_baseline"), r.Baseline.Auc, "baseline auc");
        Close.Statistic(c.Double("auc_candidate"), r.Candidate.Auc, "candidate auc");
        Close.Statistic(c.Double("variance_baseline"), r.Baseline.Variance, "baseline variance");
        Close.Statistic(c.Double("variance_candidate"), r.Candidate.Variance, "candidate variance");
        Close.Statistic(c.Double("covariance"), r.Covariance, "covariance");
        Close.Statistic(c.Double("difference"), r.Test.Difference, "difference");
        Close.Statistic(c.Double("standard_error"), r.Test.StandardError, "standard error");
        Close.Statistic(c.Double("z"), r.Test.Z, "z");
        Close.PValue(c.Double("p_value"), r.Test.PValue, "p");
        var d = VersionDifferences.Auc(r, c.Double("alpha"))!;
        Close.Statistic(c.Double("lower"), d.Interval!.Value.Lower, "lower");
        Close.Statistic(c.Double("upper"), d.Interval!.Value.Upper, "upper");
        // Each model's own variance is the unpaired DeLong variance of the existing kernel.
        Close.Statistic(DeLong.Compute(c.Doubles("baseline"), c.Doubles("labels"))!.Variance, r.Baseline.Variance, "unpaired variance");
    }

    [Fact]
    public void PairedDeLong_BootstrapCrossCheck_IsRecordedForTheLargeCases()
    {
        // The generator asserts |bootstrap SD - DeLong SE| <= 10% SE; the fixture keeps both so the check is visible here.
        foreach (var name in new[] { "correlated_400", "correlated_1500_worse" })
        {
            var c = RolloutFixtures.Case("paired_delong", name);
            var se = c.Double("standard_error");
            Assert.InRange(c.Double("bootstrap_standard_error"), 0.9 * se, 1.1 * se);
        }
    }

    [Fact]
    public void PairedDeLong_PairingShrinksTheStandardErrorOfCorrelatedModels()
    {
        var c = RolloutFixtures.Case("paired_delong", "correlated_400");
        var r = PairedDeLong.Compare(c.Doubles("baseline"), c.Doubles("candidate"), c.Doubles("labels"))!;

        Assert.True(r.Covariance > 0);
        Assert.True(r.Test.StandardError < Math.Sqrt(r.Baseline.Variance + r.Candidate.Variance));
    }

    [Fact]
    public void PairedDeLong_RejectsBadInputNamingTheArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => PairedDeLong.Compare([0.1, 0.2], [0.1], [0, 1]));
        Assert.Equal("candidateScores", e.ParamName);
        Assert.Null(PairedDeLong.Compare([0.1, 0.2], [0.3, 0.4], [1, 1]));
    }

    [Theory]
    [MemberData(nameof(AccuracyCases))]
    public void Accuracy_MatchesStatsmodelsZTestAndNewcombe(string name)
    {
        var c = RolloutFixtures.Case("accuracy", name);
        var d = VersionDifferences.Accuracy(c.Long("baseline_correct"), c.Long("baseline_count"), c.Long("candidate_correct"), c.Long("candidate_count"));

        AssertDifference(c, d);
    }

    [Theory]
    [MemberData(nameof(F1Cases))]
    public void F1_MatchesStatsmodelsZTestOnJaccardAndTheMoverInterval(string name)
    {
        var c = RolloutFixtures.Case("f1", name);
        var b = c.Longs("baseline");
        var k = c.Longs("candidate");
        var d = VersionDifferences.F1(b[0], b[1], b[2], k[0], k[1], k[2], c.Double("alpha"))!;

        Close.Statistic(c.Double("f1_baseline"), d.Baseline, "baseline f1");
        Close.Statistic(c.Double("f1_candidate"), d.Candidate, "candidate f1");
        AssertDifference(c, d);
    }

    [Theory]
    [MemberData(nameof(BrierCases))]
    public void Brier_MatchesStatsmodelsWelchOrPairedZ(string name)
    {
        var c = RolloutFixtures.Case("brier", name);
        var alpha = c.Double("alpha");
        var d = c.GetProperty("paired").GetBoolean()
            ? VersionDifferences.BrierPaired(c.Doubles("baseline_scores"), c.Doubles("candidate_scores"), c.Doubles("baseline_labels"), alpha)!
            : VersionDifferences.Brier(c.Doubles("baseline_scores"), c.Doubles("baseline_labels"), c.Doubles("candidate_scores"), c.Doubles("candidate_labels"), alpha)!;

        Close.Statistic(c.Double("brier_baseline"), d.Baseline, "baseline brier");
        Close.Statistic(c.Double("brier_candidate"), d.Candidate, "candidate brier");
        AssertDifference(c, d);
    }

    [Theory]
    [MemberData(nameof(EceCases))]
    public void Ece_DifferenceMatchesSklearnCalibrationCurve_WithTheNumpyDeltaMethodInterval(string name)
    {
        var c = RolloutFixtures.Case("ece", name);
        var d = VersionDifferences.Ece(
            Calibration.Compute(c.Doubles("baseline_scores"), c.Doubles("baseline_labels")),
            Calibration.Compute(c.Doubles("candidate_scores"), c.Doubles("candidate_labels")));

        Close.Statistic(c.Double("ece_baseline"), d.Baseline, "baseline ece");
        Close.Statistic(c.Double("ece_candidate"), d.Candidate, "candidate ece");
        Close.Statistic(c.Double("difference"), d.Difference, "difference");
        Close.Statistic(c.Double("standard_error"), d.StandardError, "standard error");
        Close.Statistic(c.Double("z"), d.Z, "z");
        Close.Statistic(c.Double("p_value"), d.PValue, "p-value");
        Close.Statistic(c.Double("ci_lower"), d.Interval!.Value.Lower, "lower");
        Close.Statistic(c.Double("ci_upper"), d.Interval!.Value.Upper, "upper");
        Assert.Equal("delta_method_z", d.Test);
    }

    private static void AssertDifference(JsonElement c, DifferenceTest d)
    {
        Close.Statistic(c.Double("difference"), d.Difference, "difference");
        Close.Statistic(c.Double("standard_error"), d.StandardError, "standard error");
        Close.Statistic(c.Double("z"), d.Z, "z");
        Close.PValue(c.Double("p_value"), d.PValue, "p");
        Close.Statistic(c.Double("lower"), d.Interval!.Value.Lower, "lower");
        Close.Statistic(c.Double("upper"), d.Interval!.Value.Upper, "upper");
    }
}
