using System.Globalization;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Stats.Hypothesis;

namespace Monitoring.Aggregation.Rollouts;

/// <summary>
/// Decides a comparison's verdict from its report and the guardrails (pure: the same report gives the same verdict).
/// Each guardrail is met, unproven or broken (see <see cref="RolloutGuardrails"/>); any broken one rolls back, else any
/// unproven one holds, else the candidate is promoted. A version with fewer labelled predictions than
/// <see cref="RolloutGuardrails.MinLabeledPerVersion"/> is never promoted, but can be rolled back (a latency breach or an
/// established AUC drop needs no more labels).
/// <para>
/// <b>The labelled sample still needed</b> (for a hold) is an interval-width argument: the interval of a difference d
/// is d -+ z SE with SE proportional to 1 / sqrt(n) when both versions' labelled counts grow by the same factor. An
/// unproven drop guardrail with tolerance X is decided once the interval clears -X, i.e. once z SE(n') &lt;= |d + X|;
/// assuming the current estimate d and SE hold, n' = n (z SE / |d + X|)^2, with n the larger of the two versions'
/// labelled counts (so that both reach it). The verdict reports the largest n' over the unproven guardrails and
/// <see cref="RolloutGuardrails.MinLabeledPerVersion"/>, rounded up; null when an estimate sits exactly on its
/// guardrail (|d + X| = 0: no sample size decides it) or when the only unproven guardrail is not about labels (a
/// prediction shift under review). It is a planning figure at 50% power for the observed effect, not a guarantee.
/// </para>
/// </summary>
public static class RolloutVerdicts
{
    /// <summary>The verdict of <paramref name="report"/> under <paramref name="guardrails"/>.</summary>
    public static RolloutVerdict Decide(VersionComparisonReport report, RolloutGuardrails guardrails)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(guardrails);
        guardrails.Validate();
        var reasons = new List<RolloutReason>();
        var needs = new List<long?>();
        var z = StandardNormal.TwoSidedCritical(guardrails.Alpha);
        var labeledB = report.BaselineSummary.Labeled;
        var labeledC = report.CandidateSummary.Labeled;
        var n = Math.Max(labeledB, labeledC);
        var minLabeled = Math.Min(labeledB, labeledC);
        var confidence = Pct(guardrails.Confidence);

        if (minLabeled < guardrails.MinLabeledPerVersion)
        {
            reasons.Add(new RolloutReason("min_labeled_per_version", RolloutReason.Unproven, string.Create(CultureInfo.InvariantCulture,
                $"{minLabeled} labelled predictions in the smaller version; {guardrails.MinLabeledPerVersion} needed per version.")));
            needs.Add(guardrails.MinLabeledPerVersion);
        }

        Drop(report, "auc", "max_auc_drop", guardrails.MaxAucDrop, "AUC", z, n, confidence, reasons, needs);
        Drop(report, "accuracy", "max_accuracy_drop", guardrails.MaxAccuracyDrop, "accuracy", z, n, confidence, reasons, needs);

        var worse = report.Slices.Where(s => s.Significant && s.Degradation > guardrails.MaxSliceDrop).OrderByDescending(s => s.Degradation).ToArray();
        foreach (var s in worse)
        {
            reasons.Add(new RolloutReason("max_slice_drop", RolloutReason.Broken, string.Create(CultureInfo.InvariantCulture,
                $"slice {s.Dimension}={s.Value}: {report.SliceMetric} {s.Candidate:0.####} vs {s.Baseline:0.####}, worse by {s.Degradation:0.####} > {guardrails.MaxSliceDrop} (BH-adjusted p = {s.AdjustedPValue:G3}, {s.CandidateLabeled} and {s.BaselineLabeled} labelled).")));
        }

        if (worse.Length == 0 && report.Slices.Count > 0)
        {
            reasons.Add(new RolloutReason("max_slice_drop", RolloutReason.Met, string.Create(CultureInfo.InvariantCulture,
                $"no slice of {report.Slices.Count} is worse by more than {guardrails.MaxSliceDrop} with BH-adjusted significance at {confidence}.")));
        }

        if (report.Latency is { } latency)
        {
            var limit = 1 + guardrails.MaxP99LatencyIncrease;
            var text = string.Create(CultureInfo.InvariantCulture,
                $"p99 latency {latency.CandidateMs:0.###} ms vs {latency.BaselineMs:0.###} ms (ratio {latency.Ratio:0.###}, bounds {latency.RatioLower:0.###}-{latency.RatioUpper:0.###}; limit {limit:0.###}).");
            if (Math.Min(latency.BaselineCount, latency.CandidateCount) < guardrails.MinLatencySamples)
            {
                reasons.Add(new RolloutReason("max_p99_latency_increase", RolloutReason.Unproven, string.Create(CultureInfo.InvariantCulture,
                    $"{Math.Min(latency.BaselineCount, latency.CandidateCount)} latencies in the smaller version; {guardrails.MinLatencySamples} needed. ") + text));
                needs.Add(null);
            }
            else if (latency.RatioLower > limit)
            {
                reasons.Add(new RolloutReason("max_p99_latency_increase", RolloutReason.Broken, text));
            }
            else if (latency.Ratio > limit)
            {
                reasons.Add(new RolloutReason("max_p99_latency_increase", RolloutReason.Unproven, "within the sketches' bucket error of the limit: " + text));
                needs.Add(null);
            }
            else
            {
                reasons.Add(new RolloutReason("max_p99_latency_increase", RolloutReason.Met, text));
            }
        }

        if (report.PredictionShift is { } shift)
        {
            var text = string.Create(CultureInfo.InvariantCulture, $"score PSI candidate vs baseline {shift.Psi:0.####} (limit {guardrails.MaxPredictionPsi}), JS {shift.JensenShannon:0.####}.");
            if (shift.Psi > guardrails.MaxPredictionPsi)
            {
                reasons.Add(new RolloutReason("max_prediction_psi", RolloutReason.Unproven, "the candidate's predictions shifted; review before promoting: " + text));
                needs.Add(null);
            }
            else
            {
                reasons.Add(new RolloutReason("max_prediction_psi", RolloutReason.Met, text));
            }
        }

        if (guardrails.MinShadowAgreement is { } minAgreement && report.Shadow is { } shadow)
        {
            var text = string.Create(CultureInfo.InvariantCulture,
                $"shadow agreement {shadow.Agreement:0.####} ({shadow.AgreementLower:0.####}-{shadow.AgreementUpper:0.####}, {shadow.Pairs} pairs; least {minAgreement}).");
            var outcome = shadow.AgreementUpper < minAgreement ? RolloutReason.Broken : shadow.AgreementLower >= minAgreement ? RolloutReason.Met : RolloutReason.Unproven;
            reasons.Add(new RolloutReason("min_shadow_agreement", outcome, text));
            if (outcome == RolloutReason.Unproven)
            {
                needs.Add(null);
            }
        }

        if (reasons.Any(r => r.Outcome == RolloutReason.Broken))
        {
            return new RolloutVerdict(RolloutVerdict.Rollback, Order(reasons), null);
        }

        if (reasons.Any(r => r.Outcome == RolloutReason.Unproven))
        {
            var known = needs.Where(x => x is not null).Select(x => x!.Value).ToArray();
            return new RolloutVerdict(RolloutVerdict.Hold, Order(reasons), known.Length == 0 ? null : Math.Max(known.Max(), guardrails.MinLabeledPerVersion));
        }

        return new RolloutVerdict(RolloutVerdict.Promote, Order(reasons), null);
    }

    /// <summary>
    /// Labelled predictions per version for an interval d -+ z SE, now at n, to clear -X: n (z SE / |d + X|)^2 rounded up;
    /// null when |d + X| is 0 or SE undefined.
    /// </summary>
    public static long? SampleNeeded(double difference, double standardError, double tolerance, double z, long n)
    {
        var margin = Math.Abs(difference + tolerance);
        if (margin == 0 || !double.IsFinite(standardError) || n <= 0)
        {
            return null;
        }

        var factor = Math.Pow(z * standardError / margin, 2);
        var needed = Math.Ceiling(n * factor);
        return needed >= long.MaxValue ? null : (long)needed;
    }

    private static void Drop(VersionComparisonReport report, string metric, string guardrail, double tolerance, string label, double z, long n, string confidence, List<RolloutReason> reasons, List<long?> needs)
    {
        var d = report.Metrics.FirstOrDefault(m => m.Metric == metric);
        if (d is null || d.CiLower is not { } lower || d.CiUpper is not { } upper)
        {
            reasons.Add(new RolloutReason(guardrail, RolloutReason.Unproven, $"{label} difference undefined (a version lacks labelled positives or negatives)."));
            needs.Add(null);
            return;
        }

        var text = string.Create(CultureInfo.InvariantCulture,
            $"{label} {d.Candidate:0.####} vs {d.Baseline:0.####}: difference {d.Difference:+0.####;-0.####;0} ({confidence} interval {lower:+0.####;-0.####;0} to {upper:+0.####;-0.####;0}, {d.Test}); tolerated drop {tolerance}.");
        if (upper < -tolerance)
        {
            reasons.Add(new RolloutReason(guardrail, RolloutReason.Broken, text));
        }
        else if (lower >= -tolerance)
        {
            reasons.Add(new RolloutReason(guardrail, RolloutReason.Met, text));
        }
        else
        {
            reasons.Add(new RolloutReason(guardrail, RolloutReason.Unproven, "not yet decided: " + text));
            needs.Add(d.StandardError is { } se ? SampleNeeded(d.Difference, se, tolerance, z, n) : null);
        }
    }

    private static RolloutReason[] Order(List<RolloutReason> reasons) =>
        reasons.OrderBy(r => r.Outcome switch { RolloutReason.Broken => 0, RolloutReason.Unproven => 1, _ => 2 }).ToArray();

    private static string Pct(double confidence) => (confidence * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
