using System.Globalization;
using Monitoring.Abstractions.Reports;
using Monitoring.Cli.Drift;
using Monitoring.Stats.Intervals;

namespace Monitoring.Cli.Report;

/// <summary>
/// The report of <c>monitoring drift</c> (computed by <see cref="DriftAnalyzer"/>, exact) in the shape the silo's pages
/// format (<see cref="WindowReport"/>), so the offline report uses the same sections and charts: the current file is
/// the window, the reference file its reference. Statistics are exact, so KS and Wasserstein bounds equal the estimate.
/// </summary>
internal static class OfflineWindow
{
    /// <summary>The window report of a drift report.</summary>
    public static WindowReport From(string model, DriftReport report, string referencePath, DateTimeOffset at)
    {
        var time = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var features = report.Features.Select(f => Feature(f, report.CurrentRows, report.ReferenceRows)).ToArray();
        return new WindowReport
        {
            Model = model,
            Granularity = "file",
            WindowStart = time,
            WindowEnd = time,
            WindowStartUnixNano = at.ToUnixTimeMilliseconds() * 1_000_000,
            WindowEndUnixNano = at.ToUnixTimeMilliseconds() * 1_000_000,
            Volume = report.CurrentRows,
            Labels = report.Classification?.Metrics.Count ?? 0,
            Reference = new ReferenceInfo(1, "file", Path.GetFileName(referencePath)),
            Features = features,
            DriftedFeatures = [.. features.Where(f => f.Drifted).Select(f => f.Name)],
        };
    }

    /// <summary>
    /// The current file's classification metrics (<c>--score-column</c>/<c>--label-column</c>, as <c>monitoring drift</c>
    /// computes them) as the window's performance report, with a Wilson interval on accuracy; null without them.
    /// </summary>
    public static PerformanceReport? Performance(DriftReport report, WindowReport window)
    {
        if (report.Classification is not { Metrics: var m })
        {
            return null;
        }

        var correct = (long)Math.Round(m.Accuracy * m.Count);
        var ci = Wilson.IntervalOrNull(correct, m.Count);
        return new PerformanceReport
        {
            Model = window.Model,
            WindowStart = window.WindowStart,
            WindowEnd = window.WindowEnd,
            WindowStartUnixNano = window.WindowStartUnixNano,
            Predictions = report.CurrentRows,
            Labeled = m.Count,
            Coverage = report.CurrentRows == 0 ? null : (double)m.Count / report.CurrentRows,
            Binary = new BinaryPerformance
            {
                Count = m.Count,
                Positives = m.Positives,
                Auc = m.Auc is { } auc ? new AucReport(auc, null, null, null, null, "exact") : null,
                Brier = ReportJson.Finite(m.Brier),
                LogLoss = ReportJson.Finite(m.LogLoss),
                Threshold = m.Threshold,
                Accuracy = new RateReport(ReportJson.Finite(m.Accuracy), ci?.Lower, ci?.Upper, "wilson"),
                Precision = ReportJson.Finite(m.Precision),
                Recall = ReportJson.Finite(m.Recall),
                F1 = ReportJson.Finite(m.F1),
                Ece = ReportJson.Finite(m.Calibration.ExpectedCalibrationError),
                Mce = ReportJson.Finite(m.Calibration.MaximumCalibrationError),
                Reliability = [.. m.Calibration.Bins.Select(b => new ReliabilityBinReport(b.Bin, b.Lower, b.Upper, b.Count, b.MeanPredicted, b.FractionPositive))],
            },
        };
    }

    private static FeatureReport Feature(FeatureDrift f, int currentRows, int referenceRows)
    {
        var nulls = (long)Math.Round(f.CurrentNullFraction * currentRows);
        var common = new FeatureReport
        {
            Name = f.Name,
            Kind = f.Kind == FeatureKind.Numeric ? "numeric" : "categorical",
            Nulls = nulls,
            NullRate = f.CurrentNullFraction,
            Count = currentRows - nulls,
            ReferenceCount = referenceRows - (long)Math.Round(f.ReferenceNullFraction * referenceRows),
            Drifted = f.Decision.Drifted,
            Method = f.Decision.Method,
            Reasons = [.. f.Decision.Reasons],
            Binning = "exact",
        };
        if (f.Numeric is { } n)
        {
            return common with
            {
                Psi = n.Psi,
                JensenShannon = n.JensenShannon,
                Hellinger = n.Hellinger,
                Ks = new KsEstimate(n.Ks.Statistic, n.Ks.Statistic, n.Ks.Statistic, n.Ks.PValue, f.AdjustedPValue),
                Wasserstein = new Bounded(n.Wasserstein, n.Wasserstein, n.Wasserstein),
                Distribution = new FeatureDistribution { Edges = n.Edges, ReferenceCounts = n.ReferenceCounts, CurrentCounts = n.CurrentCounts },
            };
        }

        if (f.Categorical is { } c)
        {
            return common with
            {
                Psi = c.Psi,
                JensenShannon = c.JensenShannon,
                Hellinger = c.Hellinger,
                ChiSquare = c.ChiSquare is { } chi ? new ChiSquareReport(chi.Statistic, chi.PValue, f.AdjustedPValue, chi.DegreesOfFreedom) : null,
                NewCategories = c.NewCategories,
                Distribution = Categories(c.Categories, c.ReferenceCounts, c.CurrentCounts),
            };
        }

        return common;
    }

    /// <summary>The <see cref="FeatureDistribution.MaxCategories"/> categories with the largest share in either file (ties by name), the rest in <see cref="FeatureDistribution.OtherBucket"/>.</summary>
    private static FeatureDistribution Categories(string[] names, long[] reference, long[] current)
    {
        double refTotal = Math.Max(1, reference.Sum()), curTotal = Math.Max(1, current.Sum());
        var order = Enumerable.Range(0, names.Length)
            .OrderByDescending(i => Math.Max(reference[i] / refTotal, current[i] / curTotal)).ThenBy(i => names[i], StringComparer.Ordinal).ToList();
        var kept = order.Take(FeatureDistribution.MaxCategories).ToList();
        var rest = order.Skip(FeatureDistribution.MaxCategories).ToList();
        return new FeatureDistribution
        {
            Categories = [.. kept.Select(i => names[i]), .. rest.Count > 0 ? [FeatureDistribution.OtherBucket] : Array.Empty<string>()],
            ReferenceCounts = [.. kept.Select(i => reference[i]), .. rest.Count > 0 ? [rest.Sum(i => reference[i])] : Array.Empty<long>()],
            CurrentCounts = [.. kept.Select(i => current[i]), .. rest.Count > 0 ? [rest.Sum(i => current[i])] : Array.Empty<long>()],
            OtherCategories = rest.Count,
        };
    }
}
