using System.Text.Json.Nodes;
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
        var slices = PerformanceReportBuilder.Build("t/m", acc)["slices"]!;

        var pairs = slices["worst_slices"]!.AsArray().Where(s => s!["value"]!.GetValue<string>().Contains(" & ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(pairs);
        foreach (var pair in pairs)
        {
            // "plan & region=a & x"
            var value = pair!["value"]!.GetValue<string>().Split('=')[1].Split(" & ");
            var expected = predictions.Count(p => p.Plan == value[0] && p.Region == value[1]);
            Assert.Equal(expected, pair["predictions"]!.GetValue<long>());
            Assert.True(pair["predictions"]!.GetValue<long>() > pair["count"]!.GetValue<long>());
        }
    }

    [Fact]
    public void ASlice_HasOneAdjustedPValue_InDimensionsAndInWorstSlices()
    {
        var (acc, _) = FoldedWindow(seed: 5);
        var slices = PerformanceReportBuilder.Build("t/m", acc)["slices"]!;
        Assert.Equal(PerformanceReportBuilder.PValueFamily, slices["p_value_family"]!.GetValue<string>());

        var inDimensions = slices["dimensions"]!.AsArray()
            .SelectMany(d => d!["slices"]!.AsArray().Select(s => ($"{d["name"]}={s!["value"]}", s)))
            .ToDictionary(x => x.Item1, x => x.s!["vs_rest"]!["p_value_adjusted"]!.GetValue<double>());
        var singlesInWorst = slices["worst_slices"]!.AsArray()
            .Where(s => !s!["value"]!.GetValue<string>().Contains(" & ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(singlesInWorst);
        foreach (var s in singlesInWorst)
        {
            Assert.Equal(inDimensions[s!["value"]!.GetValue<string>()], s["vs_rest"]!["p_value_adjusted"]!.GetValue<double>());
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
