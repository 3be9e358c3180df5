using Monitoring.Abstractions.Events;
using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.Reports;
using Monitoring.Aggregation.Windows;
using Xunit;

namespace Monitoring.Aggregation.Tests;

/// <summary>The slice part of the performance report, built directly from a folded window.</summary>
public sealed class PerformanceReportBuilderTests
{
    [Fact]
    public void PairSlices_CountEveryPrediction_LabelledOrNot()
    {
        var (acc, predictions) = FoldedWindow(seed: 3);
        var slices = PerformanceReportBuilder.Build("t/m", acc).Slices!;

        var pairs = slices.WorstSlices.Where(s => s.Value.Contains(" & ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(pairs);
        foreach (var pair in pairs)
        {
            // "plan & region=a & x"
            var value = pair.Value.Split('=')[1].Split(" & ");
            var expected = predictions.Count(p => p.Plan == value[0] && p.Region == value[1]);
            Assert.Equal(expected, pair.Predictions);
            Assert.True(pair.Predictions > pair.Count);
        }
    }

    [Fact]
    public void ASlice_HasOneAdjustedPValue_InDimensionsAndInWorstSlices()
    {
        var (acc, _) = FoldedWindow(seed: 5);
        var slices = PerformanceReportBuilder.Build("t/m", acc).Slices!;
        Assert.Equal(PerformanceReportBuilder.PValueFamily, slices.PValueFamily);

        var inDimensions = slices.Dimensions
            .SelectMany(d => d.Slices.Select(s => ($"{d.Name}={s.Value}", s)))
            .ToDictionary(x => x.Item1, x => x.s.VsRest!.PValueAdjusted);
        var singlesInWorst = slices.WorstSlices.Where(s => !s.Value.Contains(" & ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(singlesInWorst);
        foreach (var s in singlesInWorst)
        {
            Assert.Equal(inDimensions[s.Value], s.VsRest!.PValueAdjusted);
        }
    }

    /// <summary>
    /// 4,000 scored predictions over plan x region, half of them labelled; labels follow the score except in plan=a
    /// &amp; region=x, where they are flipped a third of the time (a worse segment and a worse pair).
    /// </summary>
    private static (PerformanceAccumulator Acc, List<(string Plan, string Region)> Predictions) FoldedWindow(int seed)
    {
        var rng = new Random(seed);
        var folder = new WindowFolder();
        var acc = new PerformanceAccumulator { PairDimensionNames = ["plan", "region"] };
        var predictions = new List<(string, string)>();
        for (var i = 0; i < 4000; i++)
        {
            var plan = rng.NextDouble() < 0.5 ? "a" : "b";
            var region = rng.NextDouble() < 0.5 ? "x" : "y";
            var score = rng.NextDouble();
            var e = new ModelEvent
            {
                Kind = EventKind.Prediction,
                PredictionId = $"p{i}",
                EventTimeUnixNano = 0,
                Score = score,
                Segments = [new SegmentValue("plan", plan), new SegmentValue("region", region)],
            };
            acc.Predictions++;
            acc.AddScore(score);
            folder.AddSliceScores(e, score, acc);
            predictions.Add((plan, region));
            if (i % 2 == 0)
            {
                var y = rng.NextDouble() < score ? 1.0 : 0.0;
                if (plan == "a" && region == "x" && rng.NextDouble() < 0.33)
                {
                    y = 1 - y;
                }

                acc.Labeled++;
                LabelFold.Fold(e, new ModelEvent { Kind = EventKind.Label, PredictionId = e.PredictionId, EventTimeUnixNano = 0, LabelNumber = y }, acc);
            }
        }

        return (acc, predictions);
    }
}
