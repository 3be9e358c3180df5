using System.Text.Json;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Abstractions.Time;
using Monitoring.Aggregation.Models;
using Monitoring.Aggregation.Tests.Support;
using Monitoring.Stats.Rollouts;
using Xunit;

namespace Monitoring.Aggregation.Tests.Rollouts;

/// <summary>
/// Online shadow pairs through the aggregator over a real SQLite event log, appended the way the model grain appends
/// (log, fold, then the records the log skipped that are not repeats): pairs linked by <c>ml.request.id</c> or by a
/// shared <c>ml.prediction.id</c>, labelled before or after the pair completes, feed the paired DeLong and Brier tests;
/// a retry of the same version is still a duplicate; a replay of the log folds the same.
/// </summary>
public sealed class ShadowPairingTests() : AggregatorTest("monitoring-shadow-", T0)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    /// <summary>Requests scored by both versions (correlated scores, the candidate a little sharper) with their labels.</summary>
    private static (double B, double C, double Y)[] Requests(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ =>
        {
            double y = rng.NextDouble() < 0.4 ? 1 : 0;
            var common = (y == 1 ? 0.62 : 0.38) + (0.15 * Normal(rng));
            return (Math.Clamp(common + (0.06 * Normal(rng)), 0, 1), Math.Clamp(common + (0.06 * Normal(rng)) + (y == 1 ? 0.02 : -0.02), 0, 1), y);
        }).ToArray();
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public async Task RequestIdPairs_LabelledBeforeOrAfterThePairCompletes_FeedThePairedTests()
    {
        var (key, model) = New("request-id");
        var requests = Requests(1_200, 21);
        var expected = new PairedLabelSketch();
        // Request ids are buffered for pairing once a second version has been seen.
        await AppendAsGrainAsync(key, model, [Prediction("v3-first", "v3", 0, 0.5), Prediction("v4-first", "v4", 0, 0.5)]);
        for (var i = 0; i < requests.Length; i++)
        {
            var (b, c, y) = requests[i];
            var baseline = Prediction($"v3-{i}", "v3", i, b) with { RequestId = $"r{i}" };
            var candidate = Prediction($"v4-{i}", "v4", i, c) with { RequestId = $"r{i}" };
            // A third of the candidates score first; a third of the labels come before the second version's prediction.
            var (first, second) = i % 3 == 1 ? (candidate, baseline) : (baseline, candidate);
            if (i % 3 == 2)
            {
                await AppendAsGrainAsync(key, model, [first, Label(first.PredictionId!, y)]);
                await AppendAsGrainAsync(key, model, [second]);
            }
            else if (i % 3 == 1)
            {
                // Each version's prediction labelled: the pair still counts once in the paired tests.
                await AppendAsGrainAsync(key, model, [first, second]);
                await AppendAsGrainAsync(key, model, [Label($"v3-{i}", y), Label($"v4-{i}", y)]);
            }
            else
            {
                await AppendAsGrainAsync(key, model, [first, second]);
                await AppendAsGrainAsync(key, model, [Label($"v4-{i}", y)]);
            }

            expected.Add(b, c, y);
        }

        var versions = model.Versions();
        Assert.Equal(1_200 + 400, model.State.LabelsJoined);
        Assert.Equal(1_200, versions.ShadowPairs);
        Assert.Equal(1_200, versions.ShadowLabeled);
        Assert.Equal(0, versions.ShadowAwaitingLabel);
        var report = (await model.CompareVersionsAsync("v3", "v4", long.MinValue, long.MaxValue, RolloutGuardrails.Default))!;
        AssertPaired(report, expected);

        // Either version can be the baseline: the same pairs, transposed.
        var reversed = (await model.CompareVersionsAsync("v4", "v3", long.MinValue, long.MaxValue, RolloutGuardrails.Default))!;
        var auc = Assert.Single(reversed.Metrics, m => m.Metric == "auc");
        Assert.Equal(-expected.DeLong()!.Test.Difference, auc.Difference, 12);

        await AssertReplayFoldsTheSameAsync(key, model);
    }

    [Fact]
    public async Task SharedPredictionId_LogsEachVersion_PairsThem_AndJoinsTheLabelToBoth()
    {
        var (key, model) = New("shared-id");
        var requests = Requests(900, 22);
        var expected = new PairedLabelSketch();
        var duplicates = 0;
        for (var i = 0; i < requests.Length; i++)
        {
            var (b, c, y) = requests[i];
            var baseline = Prediction($"p{i}", "v3", i, b);
            var candidate = Prediction($"p{i}", "v4", i, c);
            switch (i % 3)
            {
                case 0: // both in one batch, labelled later; the candidate's record retried
                    duplicates += await AppendAsGrainAsync(key, model, [baseline, candidate]);
                    duplicates += await AppendAsGrainAsync(key, model, [candidate]);
                    duplicates += await AppendAsGrainAsync(key, model, [Label($"p{i}", y)]);
                    break;
                case 1: // the candidate first, the baseline in a later batch, and both retried in one batch
                    duplicates += await AppendAsGrainAsync(key, model, [candidate]);
                    duplicates += await AppendAsGrainAsync(key, model, [baseline]);
                    duplicates += await AppendAsGrainAsync(key, model, [baseline, candidate, Label($"p{i}", y)]);
                    break;
                default: // labelled before the second version scores
                    duplicates += await AppendAsGrainAsync(key, model, [baseline, Label($"p{i}", y)]);
                    duplicates += await AppendAsGrainAsync(key, model, [candidate]);
                    break;
            }

            expected.Add(b, c, y);
        }

        Assert.Equal(300 + 600, duplicates); // the retries only
        var versions = model.Versions();
        Assert.Equal(900, versions.ShadowPairs);
        Assert.Equal(900, versions.ShadowLabeled);
        Assert.Equal(900, model.State.LabelsJoined); // a label counts once though it joins both versions
        Assert.All(versions.Versions, v => Assert.Equal(900, v.Predictions));
        var report = (await model.CompareVersionsAsync("v3", "v4", long.MinValue, long.MaxValue, RolloutGuardrails.Default))!;
        Assert.Equal(900, report.BaselineSummary.Labeled);
        Assert.Equal(900, report.CandidateSummary.Labeled);
        AssertPaired(report, expected);

        await AssertReplayFoldsTheSameAsync(key, model);
    }

    [Fact]
    public async Task PairsWithoutLabels_StayUnpaired_AndWaitingPairsExpireAtTheLabelHorizon()
    {
        var (key, model) = New("unlabelled");
        model.Configure(new ModelSettings { LabelHorizon = TimeSpan.FromHours(1) });
        foreach (var (i, (b, c, _)) in Requests(50, 23).Index())
        {
            await AppendAsGrainAsync(key, model, [Prediction($"p{i}", "v3", i, b), Prediction($"p{i}", "v4", i, c)]);
        }

        var report = (await model.CompareVersionsAsync("v3", "v4", long.MinValue, long.MaxValue, RolloutGuardrails.Default))!;
        Assert.Equal("unpaired", report.Pairing);
        Assert.Equal(50, report.Shadow!.Pairs);
        Assert.Equal(50, model.Versions().ShadowAwaitingLabel);

        Time.Advance(TimeSpan.FromHours(2));
        await model.CloseDueAsync(0);

        Assert.Equal(0, model.Versions().ShadowAwaitingLabel);
        Assert.Equal(50, model.Versions().ShadowLabelsMissed);
    }

    private static void AssertPaired(VersionComparisonReport report, PairedLabelSketch expected)
    {
        Assert.Equal("paired", report.Pairing);
        var auc = Assert.Single(report.Metrics, m => m.Metric == "auc");
        var delong = expected.DeLong()!;
        Assert.Equal("delong_paired (binned scores)", auc.Test);
        Assert.Equal(delong.Test.Difference, auc.Difference, 12);
        Assert.Equal(delong.Test.StandardError, auc.StandardError!.Value, 12);
        Assert.Equal(expected.ExactBound(), auc.ExactBound!.Value, 12);
        var brier = Assert.Single(report.Metrics, m => m.Metric == "brier");
        Assert.Equal("paired_z", brier.Test);
        Assert.Equal(expected.Brier()!.StandardError, brier.StandardError!.Value, 12);
    }

    private async Task AssertReplayFoldsTheSameAsync(ModelKey key, ModelAggregator model)
    {
        var replayed = await ReplayAsync(key);

        Assert.Equal(Json(model.Versions()), Json(replayed.Versions()));
        Assert.Equal(
            Json(await model.PerformanceAsync(long.MinValue, long.MaxValue)),
            Json(await replayed.PerformanceAsync(long.MinValue, long.MaxValue)));
    }

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ReportJson.Options);

    /// <summary>Appends as the model grain does (then appends and folds the corrections); returns the duplicates skipped.</summary>
    private async Task<int> AppendAsGrainAsync(ModelKey key, ModelAggregator model, ModelEvent[] events)
    {
        var outcome = await AppendAsync(key, model, events);
        var duplicates = outcome.Duplicates;
        var more = await model.CorrectionsAsync(events, outcome.Appended, outcome.Duplicates);
        if (more.Count > 0)
        {
            duplicates -= (await AppendAsync(key, model, more)).Appended.Count;
        }

        return duplicates;
    }

    private ModelEvent Prediction(string id, string version, int second, double score) => new()
    {
        Kind = EventKind.Prediction,
        PredictionId = id,
        ModelVersion = version,
        EventTimeUnixNano = UnixNanos.FromDateTimeOffset(T0.AddSeconds(second)),
        ReceivedUnixNano = UnixNanos.Now(Time),
        Score = score,
        Segments = [new SegmentValue("plan", second % 2 == 0 ? "free" : "pro")],
    };
}
