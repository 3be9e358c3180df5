using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Windows;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Multiple;
using Monitoring.Stats.Sketches;

namespace Monitoring.Aggregation.Reports;

/// <summary>
/// Turns a closed window and the reference it is judged against into a <see cref="WindowReport"/>. PSI/JS/Hellinger
/// and the out-of-range rate are exact when every value of the window was counted against this very reference version's
/// edges (<see cref="NumericAccumulator.HasExactCounts"/>), otherwise estimated from relative-error buckets (the share
/// of values in buckets straddling an edge is reported). KS and Wasserstein come from the buckets with guaranteed
/// bounds; the KS p-value is that of the estimate (ks_2samp's distribution for the two sample sizes). p-values are
/// Benjamini-Hochberg adjusted across the window's features; the call follows <see cref="DriftPolicy"/> with the model's
/// minimum sample size.
/// </summary>
public static class WindowReportBuilder
{
    /// <summary>Builds the report.</summary>
    public static WindowReport Build(string model, string granularity, WindowAccumulator window, ReferenceProfile? reference, ModelSettings settings)
    {
        var policy = DriftPolicy.Default with { MinimumSampleSize = settings.MinimumSampleSize };
        var features = new List<FeatureReport>();
        var pValues = new List<double>();
        foreach (var (name, acc) in window.Numeric.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var r = Numeric(name, acc, reference?.Numeric.GetValueOrDefault(name), reference?.Version ?? 0, window.TypeMismatches.GetValueOrDefault(name));
            features.Add(r);
            pValues.Add(r.Ks?.PValue ?? double.NaN);
        }

        foreach (var (name, acc) in window.Categorical.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var r = Categorical(name, acc, reference?.Categorical.GetValueOrDefault(name), window.TypeMismatches.GetValueOrDefault(name));
            features.Add(r);
            pValues.Add(r.ChiSquare?.PValue ?? double.NaN);
        }

        var adjusted = BenjaminiHochberg.Adjust(pValues.ToArray());
        for (var i = 0; i < features.Count; i++)
        {
            var f = features[i];
            double? p = double.IsNaN(adjusted[i]) ? null : adjusted[i];
            DriftDecision decision;
            if (f.Psi is null)
            {
                decision = new DriftDecision(false, f.Kind == "numeric" ? policy.NumericMethod : policy.CategoricalMethod, [reference is null ? "no_reference" : "not_in_reference"]);
            }
            else
            {
                var effect = f.Kind == "numeric" ? f.Ks!.Estimate : f.JensenShannon ?? 0;
                decision = policy.DecideEstimated(f.Kind == "numeric", Math.Min(f.Count, f.ReferenceCount), f.Psi.Value, p ?? 1.0, effect);
            }

            features[i] = f with
            {
                Ks = f.Ks is null ? null : f.Ks with { PValueAdjusted = p },
                ChiSquare = f.ChiSquare is null ? null : f.ChiSquare with { PValueAdjusted = p },
                Drifted = decision.Drifted,
                Method = decision.Method,
                Reasons = [.. decision.Reasons],
            };
        }

        LatencyReport? latency = null;
        if (window.Latency.Count > 0)
        {
            var s = window.Latency.ToSketch();
            latency = new LatencyReport(s.Count, s.Moments.Mean, s.Quantile(0.5), s.Quantile(0.99), s.Moments.Max);
        }

        return new WindowReport
        {
            Model = model,
            Granularity = granularity,
            WindowStartUnixNano = window.Start,
            WindowEndUnixNano = window.End,
            WindowStart = UnixNanos.ToIso(window.Start),
            WindowEnd = UnixNanos.ToIso(window.End),
            Volume = window.Predictions,
            Labels = window.Labels,
            LateRecords = window.LateRecords,
            Versions = new Dictionary<string, long>(window.Versions, StringComparer.Ordinal),
            Reference = reference is null ? null : new ReferenceInfo(reference.Version, reference.Mode.ToString(), reference.Source),
            Features = [.. features],
            DriftedFeatures = features.Where(f => f.Drifted).Select(f => f.Name).ToArray(),
            Latency = latency,
            ByVersion = window.ByVersion?.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv =>
            {
                var sub = Build(model, granularity, kv.Value, reference, settings);
                return new VersionWindowReport
                {
                    Version = kv.Key,
                    Volume = sub.Volume,
                    Share = window.Predictions == 0 ? 0 : (double)sub.Volume / window.Predictions,
                    Features = sub.Features,
                    DriftedFeatures = sub.DriftedFeatures,
                    Latency = sub.Latency,
                };
            }).ToArray(),
            UntrackedVersionPredictions = window.UntrackedVersionPredictions,
        };
    }

    private static FeatureReport Numeric(string name, NumericAccumulator acc, NumericReference? reference, int referenceVersion, long mismatches)
    {
        var report = new FeatureReport
        {
            Name = name,
            Kind = "numeric",
            Count = acc.Count,
            Nulls = acc.Nulls,
            NullRate = Rate(acc.Nulls, acc.Count + acc.Nulls),
            TypeMismatches = mismatches,
            Mean = acc.Count > 0 ? acc.Sum / acc.Count : null,
        };
        if (reference is null || acc.Count == 0 || reference.Sketch.Count == 0)
        {
            return report with { ReferenceCount = reference?.Sketch.Count ?? 0 };
        }

        long[] counts;
        string binning;
        double uncertain = 0;
        double? outOfRange = null;
        if (acc.HasExactCounts(referenceVersion, reference.BinCounts.Length))
        {
            // Every value of the window was counted against this very reference's edges.
            counts = acc.ReferenceBinCounts!;
            binning = "exact";
            outOfRange = Rate(acc.OutOfReferenceRange, acc.Count);
        }
        else
        {
            counts = acc.ToSketch().CountsOver(reference.Edges, out var straddling);
            binning = "bucket_estimate";
            uncertain = Rate(straddling, acc.Count);
        }

        var r = ReferenceBinning.Proportions(reference.BinCounts);
        var c = ReferenceBinning.Proportions(counts);
        var refSketch = reference.Sketch.ToSketch();
        var winSketch = acc.ToSketch();
        var ks = FloatBucketSketch.KolmogorovSmirnov(refSketch, winSketch);
        var p = KolmogorovSmirnovDistribution.TwoSided(ClampToInt(refSketch.Count), ClampToInt(winSketch.Count), ks.Estimate);
        var w = FloatBucketSketch.Wasserstein(refSketch, winSketch);
        return report with
        {
            ReferenceCount = refSketch.Count,
            Psi = Psi.Compute(r, c),
            JensenShannon = JensenShannon.Distance(r, c),
            Hellinger = Hellinger.Distance(r, c),
            Binning = binning,
            BinningUncertainFraction = uncertain,
            Ks = new KsEstimate(ks.Estimate, ks.Lower, ks.Upper, p.PValue, null),
            Wasserstein = new Bounded(w.Estimate, w.Lower, w.Upper),
            OutOfReferenceRangeRate = outOfRange,
            Distribution = new FeatureDistribution
            {
                Edges = [.. reference.Edges],
                Min = FiniteOrNull(Math.Min(reference.Sketch.Min, acc.Min)),
                Max = FiniteOrNull(Math.Max(reference.Sketch.Max, acc.Max)),
                ReferenceCounts = [.. reference.BinCounts],
                CurrentCounts = [.. counts],
            },
        };
    }

    private static FeatureReport Categorical(string name, CategoricalAccumulator acc, CategoricalAccumulator? reference, long mismatches)
    {
        var report = new FeatureReport
        {
            Name = name,
            Kind = "categorical",
            Count = acc.Count,
            Nulls = acc.Nulls,
            NullRate = Rate(acc.Nulls, acc.Count + acc.Nulls),
            TypeMismatches = mismatches,
        };
        if (reference is null || acc.Count == 0 || reference.Count == 0)
        {
            return report with { ReferenceCount = reference?.Count ?? 0 };
        }

        var result = CategoricalDrift.Compute(reference.WithOther(), acc.WithOther());
        return report with
        {
            ReferenceCount = reference.Count,
            Psi = result.Psi,
            JensenShannon = result.JensenShannon,
            Hellinger = result.Hellinger,
            Binning = "exact",
            ChiSquare = result.ChiSquare is { } x ? new ChiSquareReport(x.Statistic, x.PValue, null, x.DegreesOfFreedom) : null,
            NewCategories = result.NewCategories,
            Distribution = TopCategories(result),
        };
    }

    /// <summary>
    /// The categories with the largest share in either sample (ties by ordinal name), at most
    /// <see cref="FeatureDistribution.MaxCategories"/>, and the rest summed into one bucket.
    /// </summary>
    internal static FeatureDistribution TopCategories(CategoricalDriftResult result)
    {
        var refTotal = Math.Max(1, result.ReferenceTotal);
        var curTotal = Math.Max(1, result.CurrentTotal);
        var order = Enumerable.Range(0, result.Categories.Length)
            .OrderByDescending(i => Math.Max((double)result.ReferenceCounts[i] / refTotal, (double)result.CurrentCounts[i] / curTotal))
            .ThenBy(i => result.Categories[i], StringComparer.Ordinal)
            .ToArray();

        // The accumulators' own overflow bucket never takes a named slot: it joins the shown "(other)" bucket.
        var named = order.Where(i => result.Categories[i] != CategoricalAccumulator.Other).ToArray();
        var shown = named.Take(FeatureDistribution.MaxCategories).ToArray();
        var rest = order.Except(shown).ToArray();
        var categories = shown.Select(i => result.Categories[i]).ToList();
        var reference = shown.Select(i => result.ReferenceCounts[i]).ToList();
        var current = shown.Select(i => result.CurrentCounts[i]).ToList();
        var otherCategories = 0;
        if (rest.Length > 0)
        {
            categories.Add(FeatureDistribution.OtherBucket);
            reference.Add(rest.Sum(i => result.ReferenceCounts[i]));
            current.Add(rest.Sum(i => result.CurrentCounts[i]));
            otherCategories = rest.Count(i => result.Categories[i] != CategoricalAccumulator.Other);
        }

        return new FeatureDistribution
        {
            Categories = [.. categories],
            ReferenceCounts = [.. reference],
            CurrentCounts = [.. current],
            OtherCategories = otherCategories,
        };
    }

    private static double? FiniteOrNull(double v) => double.IsFinite(v) ? v : null;

    private static double Rate(long part, long whole) => whole == 0 ? 0 : (double)part / whole;

    private static int ClampToInt(long n) => (int)Math.Min(n, int.MaxValue);
}
