using Monitoring.Stats.Sketches;

namespace Monitoring.Stats.Rollouts;

/// <summary>Serving latency of the candidate against the baseline at one quantile.</summary>
/// <param name="Quantile">The quantile compared (0.99 for p99).</param>
/// <param name="BaselineCount">Baseline latencies.</param>
/// <param name="CandidateCount">Candidate latencies.</param>
/// <param name="Baseline">Baseline quantile: estimate and the bounds of the bucket holding it.</param>
/// <param name="Candidate">Candidate quantile with its bucket bounds.</param>
/// <param name="Ratio">Candidate / baseline: estimate, and bounds from the bucket bounds (candidate lower / baseline upper, candidate upper / baseline lower).</param>
/// <param name="Delta">Candidate - baseline (ms): estimate and bounds.</param>
/// <param name="BaselineMean">Baseline mean (exact).</param>
/// <param name="CandidateMean">Candidate mean (exact).</param>
public sealed record LatencyComparisonResult(
    double Quantile,
    long BaselineCount,
    long CandidateCount,
    BoundedEstimate Baseline,
    BoundedEstimate Candidate,
    BoundedEstimate Ratio,
    BoundedEstimate Delta,
    double BaselineMean,
    double CandidateMean);

/// <summary>
/// Latency quantiles from relative-error bucket sketches (<see cref="FloatBucketSketch"/>, the window's latency
/// buckets): the quantile is the sample value of rank ceil(q n) (numpy <c>quantile(method='inverted_cdf')</c>); the
/// sketch places it in one bucket, so its estimate (the bucket's upper edge, clamped to [min, max]) comes with the
/// bucket's edges as guaranteed bounds (relative width 2^-mantissaBits, 3.1% at the windows' 5 bits).
/// </summary>
public static class LatencyComparison
{
    /// <summary>p99 is the default quantile compared.</summary>
    public const double DefaultQuantile = 0.99;

    /// <summary>The comparison; null when either sketch is empty.</summary>
    public static LatencyComparisonResult? Compare(FloatBucketSketch baseline, FloatBucketSketch candidate, double quantile = DefaultQuantile)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        ArgumentNullException.ThrowIfNull(candidate);
        if (!(quantile > 0 && quantile <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "The quantile must be in (0, 1].");
        }

        if (baseline.Count == 0 || candidate.Count == 0)
        {
            return null;
        }

        var b = Bounded(baseline, quantile);
        var c = Bounded(candidate, quantile);
        var ratio = new BoundedEstimate(c.Estimate / b.Estimate, c.Lower / b.Upper, c.Upper / b.Lower);
        var delta = new BoundedEstimate(c.Estimate - b.Estimate, c.Lower - b.Upper, c.Upper - b.Lower);
        return new LatencyComparisonResult(quantile, baseline.Count, candidate.Count, b, c, ratio, delta, baseline.Moments.Mean, candidate.Moments.Mean);
    }

    /// <summary>The quantile of one sketch with its bucket's bounds.</summary>
    public static BoundedEstimate Bounded(FloatBucketSketch sketch, double quantile)
    {
        ArgumentNullException.ThrowIfNull(sketch);
        var target = Math.Max(1, (long)Math.Ceiling(quantile * sketch.Count));
        long seen = 0;
        long? previous = null;
        foreach (var k in sketch.Buckets.Keys.Order())
        {
            seen += sketch.Buckets[k];
            if (seen >= target)
            {
                var upper = Math.Clamp(sketch.UpperEdge(k), sketch.Moments.Min, sketch.Moments.Max);
                var lower = Math.Clamp(previous is not null ? sketch.UpperEdge(k - 1) : sketch.Moments.Min, sketch.Moments.Min, sketch.Moments.Max);
                return new BoundedEstimate(upper, lower, upper);
            }

            previous = k;
        }

        return new BoundedEstimate(sketch.Moments.Max, sketch.Moments.Max, sketch.Moments.Max);
    }
}
