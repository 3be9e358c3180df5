using BenchmarkDotNet.Attributes;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Aggregation;
using Monitoring.Aggregation.Labels;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Windows;
using Monitoring.Abstractions.Time;

namespace Monitoring.Benchmarks;

/// <summary>
/// Issue 4's fold benchmark: one 512-record batch (18 numeric + 2 categorical features, a score, 5 segment dimensions)
/// folded by a model grain's synchronous path into its open window (drift and quality sketches against an uploaded
/// reference) and into the window's performance (CBPE scores and per-slice score counts); and 512 joined labels folded
/// into the window's binary sketch and slices (5 segments, 2 categorical features, 3 segment pairs = 10 slices each).
/// The label lookup in the event log is not part of this figure (the end-to-end label scenario of
/// tests/Monitoring.LoadTest measures it). Op/s = records per second.
/// </summary>
public class FoldBenchmarks
{
    private const int Batch = 512;
    private static readonly string[][] SegmentValues =
    [
        ["US", "DE", "BR", "FR", "IN", "JP", "MX", "GB"],
        ["ios", "android", "web"],
        ["free", "pro", "team"],
        ["a", "b", "c", "d", "e", "f"],
        ["v1", "v2"],
    ];

    private static readonly string[] SegmentNames = ["country", "device", "plan", "cohort", "channel"];

    private ModelEvent[] _predictions = [];
    private ModelEvent[] _labels = [];
    private ModelState _state = null!;
    private WindowFolder _folder = null!;
    private PerformanceAccumulator _performance = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(BenchData.Seed + 40);
        var start = UnixNanos.FromUnixSeconds(1_800_000_000);
        _predictions = Enumerable.Range(0, Batch).Select(i =>
        {
            var features = Enumerable.Range(0, 18).Select(f => new FeatureValue($"f{f:D2}", Math.Round((rng.NextDouble() * 100) - 20, 3), null))
                .Concat([new FeatureValue("browser", null, $"b{rng.Next(6)}"), new FeatureValue("region", null, $"r{rng.Next(12)}")])
                .ToArray();
            var time = start + (i * UnixNanos.PerMillisecond);
            return new ModelEvent
            {
                Kind = EventKind.Prediction,
                PredictionId = $"p{i}",
                EventTimeUnixNano = time,
                ReceivedUnixNano = time,
                Score = rng.NextDouble(),
                Features = features,
                Segments = SegmentNames.Select((n, d) => new SegmentValue(n, SegmentValues[d][rng.Next(SegmentValues[d].Length)])).ToArray(),
            };
        }).ToArray();
        _labels = _predictions.Select(p => new ModelEvent
        {
            Kind = EventKind.Label,
            PredictionId = p.PredictionId,
            EventTimeUnixNano = p.EventTimeUnixNano,
            LabelNumber = rng.NextDouble() < p.Score ? 1 : 0,
        }).ToArray();

        // An uploaded reference fixes the numeric bins, as in production.
        var columns = Enumerable.Range(0, 18).Select(f => new ReferenceColumn($"f{f:D2}", BenchData.Normal(5000, 30, 25, BenchData.Seed + f), null))
            .Append(new ReferenceColumn("ml.prediction.score", BenchData.ScoresAndLabels(5000, BenchData.Seed).Scores, null))
            .ToArray();
        var reference = ReferenceProfile.FromUpload(new ReferenceUpload("bench.csv", 5000, columns), 1, start);
        _state = new ModelState { Settings = new ModelSettings { Window = TimeSpan.FromHours(1) }, Reference = reference };
        _folder = new WindowFolder();
        _folder.UseReference(reference.Version, reference.NumericKernels(), []);
        // Pairs among three segment dimensions, chosen at the window's first prediction as in production.
        _performance = new PerformanceAccumulator { Start = start - (start % UnixNanos.PerHour), PairDimensionNames = [.. SegmentNames.Take(3)] };

        // Warm state: the window, schema and slices exist, as they do after the first batch of a window.
        FoldPredictions();
        JoinLabels();
    }

    /// <summary>
    /// Same-run baseline: one pass over the same 512 predictions that reads every value a fold reads (score, each
    /// feature's number or text length, each segment's value length) and sums them. What any fold must at least do;
    /// the Ratio column of the other rows is their time over this one's, a figure that moves less with the machine
    /// than the absolute times.
    /// </summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public double ReadBatch()
    {
        var sum = 0.0;
        foreach (var e in _predictions)
        {
            sum += e.Score!.Value;
            foreach (var f in e.Features)
            {
                sum += f.Number ?? f.Text!.Length;
            }

            foreach (var g in e.Segments)
            {
                sum += g.Value.Length;
            }
        }

        return sum;
    }

    /// <summary>512 predictions into the open window only (drift and data-quality sketches, schema).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long FoldWindows()
    {
        foreach (var e in _predictions)
        {
            _folder.Fold(_state, e);
        }

        return _state.Predictions;
    }

    /// <summary>512 predictions into the open window and the window's performance: CBPE scores, 5 segment + 2 feature slices.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long FoldPredictions()
    {
        foreach (var e in _predictions)
        {
            _folder.Fold(_state, e);
            _performance.Predictions++;
            _performance.AddScore(e.Score!.Value);
            _folder.AddSliceScores(e, e.Score.Value, _performance);
        }

        return _performance.Predictions;
    }

    /// <summary>512 joined labels into the window's binary sketch and its 10 slices per prediction (lookups excluded).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public long JoinLabels()
    {
        for (var i = 0; i < _labels.Length; i++)
        {
            _folder.Fold(_state, _labels[i]);
            _performance.Labeled++;
            LabelFold.Fold(_predictions[i], _labels[i], _performance);
        }

        return _performance.Labeled;
    }
}
