using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Reports;
using Monitoring.Aggregation.Windows;
using Monitoring.Stats.Drift;
using Xunit;

namespace Monitoring.Aggregation.Tests;

/// <summary>Window folding, references and the window report, driven directly (no grain, no store).</summary>
public sealed class WindowReportBuilderTests
{
    private static readonly ModelSettings Settings = new() { Window = TimeSpan.FromMinutes(1), MinimumSampleSize = 50 };
    private const long Minute = 60_000_000_000;

    [Fact]
    public void WindowOpenedUnderAnUploadedReference_IsExact_AndMatchesTheStatisticsCore()
    {
        var rng = new Random(3);
        var reference = ReferenceProfile.FromUpload(Upload(rng, 3000, mean: 40), version: 1, nowUnixNano: 0);
        var (state, folder) = Model(reference);
        var values = Fold(state, folder, rng, 800, mean: 46, start: 10 * Minute);

        var report = WindowReportBuilder.Build("t/m", ReportKinds.Window, state.Open.Values.Single(), reference, Settings);

        var x = report.Features.Single(f => f.Name == "x");
        Assert.Equal("exact", x.Binning);
        var exact = NumericDrift.Compute(Upload(new Random(3), 3000, mean: 40).Columns[0].Numbers!, values);
        Assert.Equal(exact.Psi, x.Psi!.Value, 12);
        Assert.Equal(exact.JensenShannon, x.JensenShannon!.Value, 12);
        Assert.InRange(exact.Ks.Statistic, x.Ks!.Lower, x.Ks.Upper);
        Assert.True(x.Drifted);
        Assert.Equal(1, report.Reference!.Version);
    }

    [Fact]
    public void WindowJudgedAgainstAnotherReferenceVersion_FallsBackToTheBucketEstimate_WithItsUncertainty()
    {
        var rng = new Random(4);
        var v1 = ReferenceProfile.FromUpload(Upload(rng, 3000, mean: 40), version: 1, nowUnixNano: 0);
        var v2 = ReferenceProfile.FromUpload(Upload(rng, 3000, mean: 40), version: 2, nowUnixNano: 0);
        var (state, folder) = Model(v1);
        Fold(state, folder, rng, 800, mean: 40, start: 10 * Minute);

        var report = WindowReportBuilder.Build("t/m", ReportKinds.Window, state.Open.Values.Single(), v2, Settings);

        var x = report.Features.Single(f => f.Name == "x");
        Assert.Equal("bucket_estimate", x.Binning);
        Assert.InRange(x.BinningUncertainFraction!.Value, 0.0, 1.0);
        Assert.Null(x.OutOfReferenceRangeRate);
        Assert.False(x.Drifted);
    }

    [Fact]
    public void ANewReference_AppliesToWindowsOpenedAfterIt_WhileTheOpenWindowKeepsCountingAgainstItsOwn()
    {
        var rng = new Random(5);
        var v1 = ReferenceProfile.FromUpload(Upload(rng, 3000, mean: 40), version: 1, nowUnixNano: 0);
        var v2 = ReferenceProfile.FromUpload(Upload(rng, 3000, mean: 40), version: 2, nowUnixNano: 0);
        var (state, folder) = Model(v1);
        Fold(state, folder, rng, 300, mean: 40, start: 10 * Minute);
        folder.UseReference(2, v2.NumericKernels(), state.Open.Values.Select(w => w.ReferenceVersion));
        Fold(state, folder, rng, 300, mean: 40, start: 10 * Minute);
        Fold(state, folder, rng, 300, mean: 40, start: 11 * Minute);

        var first = state.Open[10 * Minute];
        var second = state.Open[11 * Minute];
        Assert.Equal(1, first.ReferenceVersion);
        Assert.Equal(2, second.ReferenceVersion);
        Assert.True(first.Numeric["x"].HasExactCounts(1, v1.Numeric["x"].BinCounts.Length));
        Assert.Equal(600, first.Numeric["x"].ReferenceBinCounts!.Sum());
        Assert.True(second.Numeric["x"].HasExactCounts(2, v2.Numeric["x"].BinCounts.Length));
    }

    [Fact]
    public void RollingReference_FromWindows_SaysHowManyWindowsItWasBuiltFrom()
    {
        var rng = new Random(6);
        var (state, folder) = Model(null);
        Fold(state, folder, rng, 500, mean: 40, start: 10 * Minute);
        Fold(state, folder, rng, 500, mean: 40, start: 11 * Minute);

        var profile = ReferenceProfile.FromWindows(state.Open.Values.ToList(), 3, ReferenceMode.RollingWindows,
            ReferenceProfile.RollingSource(2), 0, 10 * Minute, 12 * Minute);

        Assert.Equal("rolling:2 previous windows", profile.Source);
        Assert.Equal("rolling:1 previous window", ReferenceProfile.RollingSource(1));
        Assert.Equal(1000, profile.Rows);
        Assert.Equal((10 * Minute, 12 * Minute), (profile.PinnedFromUnixNano, profile.PinnedToUnixNano));
        // Estimated deciles: about a tenth of the merged values in each bin.
        Assert.All(profile.Numeric["x"].BinCounts, c => Assert.InRange(c, 60, 140));
    }

    [Fact]
    public void LabelFold_ThenUnfold_LeavesTheWindowAsItWas()
    {
        var acc = new PerformanceAccumulator { PairDimensionNames = ["a", "b"] };
        var prediction = new ModelEvent
        {
            Kind = EventKind.Prediction,
            PredictionId = "p",
            EventTimeUnixNano = 0,
            Score = 0.8,
            PredictedValue = 3.0,
            Segments = [new SegmentValue("a", "x"), new SegmentValue("b", "y")],
        };
        var one = new ModelEvent { Kind = EventKind.Label, PredictionId = "p", EventTimeUnixNano = 0, LabelNumber = 1 };
        var zero = one with { LabelNumber = 0 };

        LabelFold.Fold(prediction, one, acc);
        LabelFold.Unfold(prediction, one, acc);
        LabelFold.Fold(prediction, zero, acc);

        Assert.Equal(1, acc.BinarySketch!.Count);
        Assert.Equal(0, acc.BinarySketch.Positives);
        Assert.Equal(1, acc.RegressionCount);
        Assert.Equal(3.0, acc.RegressionAbsoluteError, 12);
        Assert.Equal(1, acc.LiveSlices["a & b"]["x & y"].Count);
        Assert.Equal(
            [("a", "x"), ("b", "y"), ("a & b", "x & y")],
            LabelFold.SliceConditions(prediction, acc.PairDimensionNames));
    }

    private static (ModelState State, WindowFolder Folder) Model(ReferenceProfile? reference)
    {
        var state = new ModelState { Settings = Settings, Reference = reference };
        var folder = new WindowFolder();
        folder.UseReference(reference?.Version ?? 0, reference?.NumericKernels(), []);
        return (state, folder);
    }

    private static double[] Fold(ModelState state, WindowFolder folder, Random rng, int n, double mean, long start)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = Math.Round(Normal(rng, mean), 2);
            folder.Fold(state, new ModelEvent
            {
                Kind = EventKind.Prediction,
                PredictionId = $"{start}-{i}",
                EventTimeUnixNano = start + i,
                ReceivedUnixNano = start + i,
                Features = [new FeatureValue("x", values[i], null)],
            });
        }

        return values;
    }

    private static ReferenceUpload Upload(Random rng, int rows, double mean) =>
        new("train.csv", rows, [new ReferenceColumn("x", Enumerable.Range(0, rows).Select(_ => Math.Round(Normal(rng, mean), 2)).ToArray(), null)]);

    private static double Normal(Random rng, double mean) =>
        mean + (10 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
}
