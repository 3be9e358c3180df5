using BenchmarkDotNet.Attributes;
using Monitoring.Abstractions.Rollouts;
using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.Rollouts;
using Monitoring.Aggregation.Windows;
using Monitoring.Stats.Rollouts;

namespace Monitoring.Benchmarks;

/// <summary>
/// The comparison of two model versions over 24 stored windows (issue 11): each version has, per window, a window
/// accumulator (20 numeric features, latency) and a performance accumulator (scores, joined labels, 50 slices: 5
/// segment dimensions of 10 values), 500 predictions per window and version (12,000 per version). One operation is the
/// whole comparison, so "Mean" is the time to answer one <c>/versions/compare</c> request from stored sketches.
/// <list type="bullet">
/// <item><see cref="MergeWindows"/> (baseline): merge each version's 24 window and performance accumulators into a
/// <see cref="VersionSample"/>.</item>
/// <item><see cref="MergeAndCompare"/>: that plus <see cref="VersionComparer.Compare"/> (every metric difference, 20
/// feature shifts, 50 slice tests with BH, latency, verdict).</item>
/// <item><see cref="CompareMerged"/>: the comparison alone, on samples merged once.</item>
/// <item><see cref="CompareExact"/> (peer): <see cref="CompareMerged"/> plus the offline route's raw scores of the same
/// 24,000 rows (exact DeLong on the raw scores, KS with its p-value, instead of the sketch bounds).</item>
/// <item><see cref="MergeAndComparePaired"/>: <see cref="MergeAndCompare"/> when every prediction is a labelled shadow
/// pair: also merges the 24 windows' <see cref="PairedLabelSketch"/> and runs the paired DeLong and Brier tests on it,
/// as <c>/versions/compare</c> does for a shadow rollout.</item>
/// </list>
/// </summary>
public class RolloutBenchmarks
{
    private const int Windows = 24;
    private const int PerWindow = 500;
    private const int Features = 20;
    private const int Dimensions = 5;
    private const int ValuesPerDimension = 10;

    private (WindowAccumulator Window, PerformanceAccumulator Performance)[] _baseline = [];
    private (WindowAccumulator Window, PerformanceAccumulator Performance)[] _candidate = [];
    private VersionSample _baselineSample = null!;
    private VersionSample _candidateSample = null!;
    private ComparisonInputs _exact = null!;
    private PairedLabelSketch[] _paired = [];

    [GlobalSetup]
    public void Setup()
    {
        _baseline = Build(BenchData.Seed + 40, 0.0, out var rawB);
        _candidate = Build(BenchData.Seed + 41, 0.03, out var rawC);
        _baselineSample = Merge("v3", _baseline);
        _candidateSample = Merge("v4", _candidate);
        _exact = new ComparisonInputs(BaselineExact: rawB, CandidateExact: rawC);
        _paired = new PairedLabelSketch[Windows];
        for (var w = 0; w < Windows; w++)
        {
            _paired[w] = new PairedLabelSketch();
            for (var i = (w * PerWindow); i < (w + 1) * PerWindow; i++)
            {
                _paired[w].Add(rawB.LabeledScores[i], rawC.LabeledScores[i], rawB.Labels[i]);
            }
        }
    }

    private static (WindowAccumulator, PerformanceAccumulator)[] Build(int seed, double shift, out ExactScores raw)
    {
        var random = new Random(seed);
        var windows = new (WindowAccumulator, PerformanceAccumulator)[Windows];
        var scores = new List<double>();
        var labels = new List<double>();
        var names = Enumerable.Range(0, Features).Select(f => $"f{f:00}").ToArray();
        var dimensions = Enumerable.Range(0, Dimensions).Select(d => $"segment{d}").ToArray();
        var values = Enumerable.Range(0, ValuesPerDimension).Select(v => $"v{v}").ToArray();
        var conditions = new (string, string)[Dimensions];
        for (var w = 0; w < Windows; w++)
        {
            var start = 1_700_000_000_000_000_000L + (w * 3_600_000_000_000L);
            var window = new WindowAccumulator { Start = start, End = start + 3_600_000_000_000L };
            var performance = new PerformanceAccumulator { Start = window.Start, End = window.End };
            for (var i = 0; i < PerWindow; i++)
            {
                var label = random.NextDouble() < 0.3 ? 1.0 : 0.0;
                var score = Math.Clamp((label == 1 ? 0.65 : 0.35) - shift + (0.5 * (random.NextDouble() - 0.5)), 0, 1);
                window.Predictions++;
                window.Latency.Add(10 + (20 * random.NextDouble()), null);
                for (var f = 0; f < Features; f++)
                {
                    WindowAccumulator.Get(window.Numeric, names[f]).Add((f * 10) + random.NextDouble() + shift, null);
                }

                for (var d = 0; d < Dimensions; d++)
                {
                    conditions[d] = (dimensions[d], values[random.Next(ValuesPerDimension)]);
                }

                performance.AddScore(score);
                performance.AddBinary(score, label);
                performance.AddSlices(conditions, score, label, 0.5);
                scores.Add(score);
                labels.Add(label);
            }

            windows[w] = (window, performance);
        }

        raw = new ExactScores(scores.ToArray(), scores.ToArray(), labels.ToArray());
        return windows;
    }

    private static VersionSample Merge(string version, (WindowAccumulator Window, PerformanceAccumulator Performance)[] windows)
    {
        var sample = new VersionSample(version);
        foreach (var (window, performance) in windows)
        {
            sample.AddWindow(window);
            sample.AddPerformance(performance);
        }

        return sample;
    }

    /// <summary>Merge both versions' 24 windows into samples.</summary>
    [Benchmark(Baseline = true)]
    public long MergeWindows() => Merge("v3", _baseline).Predictions + Merge("v4", _candidate).Predictions;

    /// <summary>Merge and compare: the whole request.</summary>
    [Benchmark]
    public string MergeAndCompare() =>
        VersionComparer.Compare("default/m", Merge("v3", _baseline), Merge("v4", _candidate), RolloutGuardrails.Default).Verdict.Decision;

    /// <summary>The comparison alone.</summary>
    [Benchmark]
    public string CompareMerged() =>
        VersionComparer.Compare("default/m", _baselineSample, _candidateSample, RolloutGuardrails.Default).Verdict.Decision;

    /// <summary>The offline route on raw scores (exact DeLong and KS), same samples.</summary>
    [Benchmark]
    public string CompareExact() =>
        VersionComparer.Compare("default/m", _baselineSample, _candidateSample, RolloutGuardrails.Default, _exact).Verdict.Decision;

    /// <summary>Merge, merge the paired sketches, compare with the paired tests: the whole request for a shadow rollout.</summary>
    [Benchmark]
    public string MergeAndComparePaired()
    {
        var paired = new PairedLabelSketch();
        foreach (var window in _paired)
        {
            paired.Merge(window);
        }

        return VersionComparer.Compare(
            "default/m", Merge("v3", _baseline), Merge("v4", _candidate), RolloutGuardrails.Default,
            new ComparisonInputs(PairedLabels: paired)).Verdict.Decision;
    }
}
