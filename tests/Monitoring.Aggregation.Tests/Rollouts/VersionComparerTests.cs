using Monitoring.Abstractions.Rollouts;
using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.Rollouts;
using Monitoring.Aggregation.Windows;
using Xunit;

namespace Monitoring.Aggregation.Tests.Rollouts;

/// <summary>The comparison and verdict over planted versions built from window accumulators.</summary>
public sealed class VersionComparerTests
{
    private static readonly string[] Countries = ["DE", "FR", "BR", "US"];

    /// <summary>
    /// One version's windows: scores informative of the label (AUC about 0.85); in <paramref name="brokenCountry"/> the
    /// score is noise, so accuracy there drops to about one half.
    /// </summary>
    private static VersionSample Sample(string version, int seed, int windows, int perWindow, string? brokenCountry = null, double latencyMs = 20, bool countryAlsoFeature = false)
    {
        var random = new Random(seed);
        var sample = new VersionSample(version);
        for (var w = 0; w < windows; w++)
        {
            var start = 1_700_000_000_000_000_000L + (w * 3_600_000_000_000L);
            var window = new WindowAccumulator { Start = start, End = start + 3_600_000_000_000L };
            var performance = new PerformanceAccumulator { Start = window.Start, End = window.End };
            for (var i = 0; i < perWindow; i++)
            {
                var country = Countries[random.Next(Countries.Length)];
                var label = random.NextDouble() < 0.4 ? 1.0 : 0.0;
                var score = country == brokenCountry
                    ? random.NextDouble()
                    : Math.Clamp((label == 1 ? 0.68 : 0.32) + (0.22 * Normal(random)), 0, 1);
                window.Predictions++;
                window.Latency.Add(latencyMs * (1 + (0.3 * random.NextDouble())), null);
                WindowAccumulator.Get(window.Numeric, "income").Add(50_000 + (10_000 * Normal(random)), null);
                WindowAccumulator.Get(window.Categorical, "country").Add(country);
                performance.AddScore(score);
                performance.AddBinary(score, label);
                performance.AddSlices(
                    countryAlsoFeature ? [("country", country), ("feature.country", country), ("feature.tier", i % 2 == 0 ? "gold" : "free")] : [("country", country)],
                    score, label, 0.5);
            }

            var one = new VersionSample(version);
            one.AddWindow(window);
            one.AddPerformance(performance);
            sample.Merge(one);
        }

        return sample;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void Compare_EqualCandidate_IsPromoted()
    {
        // 14,400 labelled per version: an unpaired AUC interval about +-0.009 wide, inside the default 0.01 tolerance.
        var baseline = Sample("v3", 1, 24, 600);
        var candidate = Sample("v4", 2, 24, 600);

        var report = VersionComparer.Compare("default/credit-risk", baseline, candidate, RolloutGuardrails.Default);

        Assert.True(report.Verdict.Decision == RolloutVerdict.Promote, string.Join("\n", report.Verdict.Reasons.Select(r => r.Message)));
        Assert.Equal(24, report.Windows);
        Assert.Equal(14400, report.BaselineSummary.Predictions);
        Assert.Equal(14400, report.CandidateSummary.Labeled);
        Assert.Contains(report.Metrics, m => m.Metric == "auc" && m.CiLower < 0 && m.CiUpper > 0);
        Assert.All(report.Slices, s => Assert.False(s.Significant));
        Assert.True(report.PredictionShift!.Psi < 0.01);
        Assert.Contains(report.Features, f => f.Feature == "income" && f.Psi < 0.01);
    }

    [Fact]
    public void Compare_CandidateWorseInOneCountry_IsRolledBackNamingTheSlice()
    {
        var baseline = Sample("v3", 1, 24, 400);
        var candidate = Sample("v4", 2, 24, 400, brokenCountry: "BR");

        var report = VersionComparer.Compare("default/credit-risk", baseline, candidate, RolloutGuardrails.Default);

        Assert.Equal(RolloutVerdict.Rollback, report.Verdict.Decision);
        var broken = Assert.Single(report.Slices, s => s.Significant);
        Assert.Equal(("country", "BR"), (broken.Dimension, broken.Value));
        Assert.Contains(report.Verdict.Reasons, r => r.Guardrail == "max_slice_drop" && r.Outcome == RolloutReason.Broken && r.Message.Contains("country=BR", StringComparison.Ordinal));
    }

    [Fact]
    public void Compare_FewLabels_HoldsWithTheSampleStillNeeded()
    {
        var baseline = Sample("v3", 1, 2, 100);
        var candidate = Sample("v4", 2, 2, 100);

        var report = VersionComparer.Compare("default/credit-risk", baseline, candidate, RolloutGuardrails.Default);

        Assert.Equal(RolloutVerdict.Hold, report.Verdict.Decision);
        Assert.NotNull(report.Verdict.LabeledNeeded);
        Assert.True(report.Verdict.LabeledNeeded >= RolloutGuardrails.DefaultMinLabeledPerVersion);
        Assert.Contains(report.Verdict.Reasons, r => r.Guardrail == "min_labeled_per_version" && r.Outcome == RolloutReason.Unproven);
    }

    [Fact]
    public void Compare_SlowCandidate_IsRolledBackOnLatency()
    {
        var baseline = Sample("v3", 1, 4, 400);
        var candidate = Sample("v4", 2, 4, 400, latencyMs: 40);

        var report = VersionComparer.Compare("default/credit-risk", baseline, candidate, RolloutGuardrails.Default);

        Assert.Equal(RolloutVerdict.Rollback, report.Verdict.Decision);
        Assert.InRange(report.Latency!.Ratio, 1.8, 2.2);
        Assert.Contains(report.Verdict.Reasons, r => r.Guardrail == "max_p99_latency_increase" && r.Outcome == RolloutReason.Broken);
    }

    [Fact]
    public void Compare_SegmentAlsoSentAsFeature_ListsEachSliceOnce()
    {
        var baseline = Sample("v3", 1, 4, 400, countryAlsoFeature: true);
        var candidate = Sample("v4", 2, 4, 400, brokenCountry: "BR", countryAlsoFeature: true);

        var report = VersionComparer.Compare("default/credit-risk", baseline, candidate, RolloutGuardrails.Default);

        Assert.Equal(4, report.Slices.Count(s => s.Dimension == "country"));
        Assert.DoesNotContain(report.Slices, s => s.Dimension == "feature.country");
        Assert.Equal(2, report.Slices.Count(s => s.Dimension == "feature.tier"));
        Assert.Single(report.Slices, s => s.Significant && s.Value == "BR");
    }

    [Fact]
    public void Compare_InvalidGuardrails_NamesTheField()
    {
        var sample = Sample("v3", 1, 1, 10);

        var e = Assert.Throws<ArgumentException>(() => VersionComparer.Compare("m", sample, Sample("v4", 2, 1, 10), RolloutGuardrails.Default with { MaxAucDrop = -0.1 }));

        Assert.Equal("max_auc_drop", e.ParamName);
        Assert.Contains("max_auc_drop must be in [0, 1)", e.Message, StringComparison.Ordinal);
    }
}
