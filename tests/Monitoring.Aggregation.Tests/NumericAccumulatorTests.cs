using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Abstractions.Reports;
using Monitoring.Aggregation.Windows;
using Monitoring.Stats.Sketches;
using Orleans.Serialization;
using Xunit;

namespace Monitoring.Aggregation.Tests;

/// <summary>The compact bucket store of <see cref="NumericAccumulator"/> against a plain dictionary of bucket counts.</summary>
public sealed class NumericAccumulatorTests
{
    [Fact]
    public void Buckets_MatchADictionaryOfBucketCounts_AfterAddsAndMerges()
    {
        var rng = new Random(11);
        var expected = new Dictionary<long, long>();
        var a = new NumericAccumulator();
        var b = new NumericAccumulator();
        for (var i = 0; i < 20_000; i++)
        {
            // Both signs, many octaves, repeats and exact zeros: buckets are inserted all over the sorted order.
            var v = i % 97 == 0 ? 0.0 : (rng.NextDouble() - 0.3) * Math.Pow(10, rng.Next(-6, 7));
            (i % 3 == 0 ? b : a).Add(v, null);
            var key = FloatBucketSketch.BucketOf(v, NumericAccumulator.MantissaBits);
            expected[key] = expected.GetValueOrDefault(key) + 1;
        }

        a.Merge(b);

        Assert.Equal(expected.OrderBy(kv => kv.Key), a.CopyBuckets().OrderBy(kv => kv.Key));
        Assert.Equal(expected.Count, a.OccupiedBuckets);
        Assert.Equal(20_000, a.ToSketch().Count);
    }

    [Fact]
    public void ExactCounts_AreDroppedForGood_WhenAValueIsNotCountedAgainstTheBoundReference()
    {
        var v1 = new NumericAccumulator.Kernels(1, new Stats.Kernels.BinEdges([1.0, 2.0]), 0, 3);
        var v2 = v1 with { Version = 2 };
        var acc = new NumericAccumulator();
        acc.BindReference(v1);
        acc.Add(0.5, v1);
        acc.Add(1.5, v1);
        Assert.True(acc.HasExactCounts(1, 3));
        Assert.Equal([1L, 1, 0], acc.ReferenceBinCounts!);

        acc.Add(2.5, v2);
        acc.Add(2.5, v1);

        Assert.False(acc.HasExactCounts(1, 3));
        Assert.False(acc.HasExactCounts(2, 3));
        Assert.Null(acc.ReferenceBinCounts);
        Assert.Equal(4, acc.Count);
    }

    [Fact]
    public void Buckets_SurviveJsonAndOrleansRoundTrips()
    {
        var acc = new NumericAccumulator();
        foreach (var v in new[] { -3.5, -3.5, 0.0, 1e-9, 2.0, 2.0, 2.0, 1e12, double.NaN })
        {
            acc.Add(v, null);
        }

        var json = JsonSerializer.Deserialize<NumericAccumulator>(JsonSerializer.Serialize(acc, ReportJson.Options), ReportJson.Options)!;
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer<NumericAccumulator>>();
        var binary = serializer.Deserialize(serializer.SerializeToArray(acc))!;
        var copy = services.GetRequiredService<DeepCopier<NumericAccumulator>>().Copy(acc)!;

        foreach (var other in new[] { json, binary, copy })
        {
            Assert.Equal(acc.CopyBuckets().OrderBy(kv => kv.Key), other.CopyBuckets().OrderBy(kv => kv.Key));
            Assert.Equal(5, other.OccupiedBuckets);
            Assert.Equal(1, other.Nulls);

            // Still a working store after the round trip.
            other.Add(2.0, null);
            Assert.Equal(4, other.CopyBuckets()[FloatBucketSketch.BucketOf(2.0, NumericAccumulator.MantissaBits)]);
        }
    }

    [Fact]
    public void StoredSketchWithTheOldDictionaryForm_ReadsItsBucketsBack()
    {
        // A window sketch as the report store held it before the buckets became pairs.
        const string Old = """{"buckets":{"32768":3,"32736":1},"count":4,"sum":7,"sum_of_squares":13,"min":1,"max":2}""";

        var acc = JsonSerializer.Deserialize<NumericAccumulator>(Old, ReportJson.Options)!;

        Assert.Equal([KeyValuePair.Create(32736L, 1L), KeyValuePair.Create(32768L, 3L)], acc.CopyBuckets().OrderBy(kv => kv.Key));
        Assert.Equal([32736L, 1, 32768, 3], acc.BucketPairs);
        Assert.DoesNotContain("\"buckets\"", JsonSerializer.Serialize(acc, ReportJson.Options), StringComparison.Ordinal);
    }
}
