using Monitoring.Abstractions.Rollouts;
using Monitoring.Alerting.Metrics;
using Monitoring.Alerting.Rules;
using Monitoring.Alerting.Evaluation;
using Xunit;

namespace Monitoring.Alerting.Tests.Metrics;

public sealed class RolloutMetricsTests
{
    [Fact]
    public void Comparisons_GiveRolloutSamples_WithBaselineAndCandidateLabels_AndTheVerdictAsZeroOneTwo()
    {
        var rollback = Report("v3", "v4", RolloutVerdict.Rollback) with
        {
            Metrics = [new MetricDifference("auc", true, 0.85, 0.82, -0.03, 0.01, -3, 0.003, -0.05, -0.01, "delong_unpaired")],
            Slices =
            [
                new SliceDifference("country", "BR", 200, 200, 0.85, 0.6, 0.25, 0.17, 1e-6, 1e-5, true, "two_proportion_z"),
                new SliceDifference("country", "US", 900, 900, 0.85, 0.84, 0.01, -0.02, 0.4, 0.6, false, "two_proportion_z"),
            ],
        };
        var set = ReportMetrics.FromRollouts("acme/churn", "2026-12-06T00:00:00Z", "2026-12-06T01:00:00Z", 0,
            [rollback, Report("v3", "v5", RolloutVerdict.Promote), Report("v3", "v6", RolloutVerdict.Hold)]);

        Assert.Equal(MetricSource.Rollout, set.Source);
        Assert.All(set.Samples, s =>
        {
            Assert.True(MetricCatalog.TryGet(s.Metric, out var info), s.Metric);
            Assert.Equal(info.Labels.Order(StringComparer.Ordinal), s.Labels.Names);
        });
        double Value(string metric, string candidate) => set.Samples.Single(s => s.Metric == metric && s.Labels["candidate"] == candidate).Value;
        Assert.Equal(2, Value("rollout_verdict", "v4"));
        Assert.Equal(0, Value("rollout_verdict", "v5"));
        Assert.Equal(1, Value("rollout_verdict", "v6"));
        Assert.Equal(-0.03, Value("version_auc_delta", "v4"));
        Assert.Equal(-0.05, Value("version_auc_delta_lower", "v4"));
        Assert.Equal(1, Value("version_slices_regressed", "v4"));
        Assert.DoesNotContain(set.Samples, s => s.Metric == "version_auc_delta" && s.Labels["candidate"] == "v5");
    }

    [Fact]
    public void RolloutVerdict_IsThePublishedDecision_WhenHysteresisHoldsIt()
    {
        // This close's own verdict is hold, but rollback stays published until hold repeats at two closes in a row.
        var held = Report("v3", "v4", RolloutVerdict.Hold) with { Published = new PublishedVerdict(RolloutVerdict.Rollback, RolloutVerdict.Hold, 1, 2, 7) };

        var set = ReportMetrics.FromRollouts("acme/churn", "2026-12-06T00:00:00Z", "2026-12-06T01:00:00Z", 0, [held, Report("v3", "v5", RolloutVerdict.Rollback)]);

        Assert.Equal(2, set.Samples.Single(s => s.Metric == "rollout_verdict" && s.Labels["candidate"] == "v4").Value);
        Assert.Equal(2, set.Samples.Single(s => s.Metric == "rollout_verdict" && s.Labels["candidate"] == "v5").Value);
    }

    [Fact]
    public void RolloutRule_FiresOnARollbackVerdict_OnlyForThatCandidate()
    {
        const string Rules = """
            groups:
              - name: rollouts
                rules:
                  - alert: RolloutRegression
                    expr: rollout_verdict == 2
                    labels: {severity: page}
            """;
        var evaluator = new RuleEvaluator(RuleFileParser.Parse(Rules).Rules, "http://h:8080", FlapDamping.Off);
        var set = ReportMetrics.FromRollouts("default/churn", "2026-12-06T00:00:00Z", "2026-12-06T01:00:00Z", 0,
            [Report("v3", "v4", RolloutVerdict.Rollback), Report("v3", "v5", RolloutVerdict.Hold)]);

        var result = evaluator.Evaluate("default", "churn", new Dictionary<MetricSource, SampleSet> { [MetricSource.Rollout] = set },
            MetricSource.Rollout, DateTimeOffset.UnixEpoch, []);

        var alert = Assert.Single(result.Alerts);
        Assert.Equal("v4", alert.Labels["candidate"]);
        Assert.Equal("v3", alert.Labels["baseline"]);
        Assert.Equal("rollout", MetricCatalog.SourceName(MetricSource.Rollout));
    }

    private static VersionComparisonReport Report(string baseline, string candidate, string decision) => new()
    {
        Model = "acme/churn",
        Baseline = baseline,
        Candidate = candidate,
        Pairing = "unpaired",
        BaselineSummary = new VersionSummary(baseline, 1000, 1000, 500, 0.85, 0.85, 0.85, 0.1, 0.02, 0.5),
        CandidateSummary = new VersionSummary(candidate, 1000, 1000, 500, 0.82, 0.8, 0.8, 0.12, 0.03, 0.5),
        SliceMetric = "accuracy",
        Verdict = new RolloutVerdict(decision, [], decision == RolloutVerdict.Hold ? 400 : null),
        Guardrails = RolloutGuardrails.Default,
    };
}
