using Monitoring.Stats.Kernels;
using Monitoring.Stats.Sketches;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Sketches;

/// <summary><see cref="CategoryCountSketch"/>: capacity, "other", nulls, merge eviction, the documented error bound, TopK.</summary>
public sealed class CategoryCountSketchTests
{
    private readonly ITestOutputHelper _output;

    public CategoryCountSketchTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine(SimdInfo.Describe());
    }

    [Fact]
    public void Add_TracksUpToCapacity_ThenCountsNewCategoriesAsOther()
    {
        var sketch = new CategoryCountSketch(capacity: 2);
        sketch.Add("a");
        sketch.Add("b", 3);
        sketch.Add("c");
        sketch.Add("a", 2);
        sketch.Add("d", 4);
        sketch.Add("c");

        Assert.Equal(2, sketch.Counts.Count);
        Assert.Equal(3, sketch.Counts["a"]);
        Assert.Equal(3, sketch.Counts["b"]);
        Assert.Equal(6, sketch.OtherCount);
        Assert.Equal(12, sketch.Total);
    }

    [Fact]
    public void Add_CountsNullsApart_WithoutTakingASlot()
    {
        var sketch = new CategoryCountSketch(capacity: 1);
        sketch.Add(null);
        sketch.Add(null, 4);
        sketch.Add("y");
        sketch.Add("z");
        Assert.Equal(5, sketch.Nulls);
        Assert.Equal(2, sketch.Total);
        Assert.Equal(1, sketch.Counts["y"]);
        Assert.Equal(1, sketch.OtherCount);
    }

    [Fact]
    public void Categories_AreCaseSensitiveOrdinalKeys()
    {
        var sketch = new CategoryCountSketch();
        sketch.Add("A");
        sketch.Add("a");
        sketch.Add("a");
        Assert.Equal(1, sketch.Counts["A"]);
        Assert.Equal(2, sketch.Counts["a"]);
    }

    [Fact]
    public void Constructor_AndAdd_RejectInvalidArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CategoryCountSketch(0));
        var sketch = new CategoryCountSketch();
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.Add("a", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => sketch.TopK(-1));
        Assert.Throws<ArgumentNullException>(() => sketch.Merge(null!));
    }

    [Fact]
    public void Merge_WithinCapacity_AddsCountsExactly()
    {
        var a = new CategoryCountSketch(capacity: 5);
        var b = new CategoryCountSketch(capacity: 5);
        a.Add("x", 2);
        a.Add("y", 1);
        a.Add(null);
        b.Add("y", 4);
        b.Add("z", 7);
        b.Add(null, 2);

        a.Merge(b);
        Assert.Equal(new Dictionary<string, long> { ["x"] = 2, ["y"] = 5, ["z"] = 7 }, a.Counts);
        Assert.Equal(0, a.OtherCount);
        Assert.Equal(3, a.Nulls);
        Assert.Equal(14, a.Total);
    }

    [Fact]
    public void Merge_BeyondCapacity_KeepsTheMostFrequent_TiesByOrdinalName_AndMovesTheRestToOther()
    {
        var a = new CategoryCountSketch(capacity: 3);
        var b = new CategoryCountSketch(capacity: 3);
        a.Add("b", 5);
        a.Add("a", 5);
        a.Add("c", 1);
        a.Add("late", 9); // a is full: other
        b.Add("B", 5);
        b.Add("d", 2);
        b.Add("c", 1);

        a.Merge(b);

        // Union: a 5, b 5, B 5, d 2, c 2. Keep three: ties at 5 by ordinal name ("B" < "a" < "b").
        Assert.Equal(new Dictionary<string, long> { ["B"] = 5, ["a"] = 5, ["b"] = 5 }, a.Counts);
        Assert.Equal(9 + 2 + 2, a.OtherCount);
        Assert.Equal(15 + 9 + 2 + 2, a.Total);
    }

    [Fact]
    public void Merge_OfShards_KeepsTheTotalExact_AndTrackedCountsWithinTheOtherCount()
    {
        // Zipf-like stream over 200 categories split round-robin into shards with small capacity.
        var rng = new Random(8);
        var stream = Enumerable.Range(0, 20_000).Select(_ => $"cat{(int)Math.Floor(Math.Pow(200, rng.NextDouble()))}").ToArray();
        var exact = stream.GroupBy(s => s, StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        var shards = Enumerable.Range(0, 4).Select(_ => new CategoryCountSketch(capacity: 20)).ToArray();
        for (var i = 0; i < stream.Length; i++)
        {
            shards[(i / 37) % shards.Length].Add(stream[i]);
        }

        var merged = new CategoryCountSketch(capacity: 20);
        foreach (var shard in shards)
        {
            merged.Merge(shard);
        }

        _output.WriteLine($"tracked {merged.Counts.Count}, other {merged.OtherCount}");
        Assert.Equal(stream.Length, merged.Total);
        Assert.Equal(20, merged.Counts.Count);
        foreach (var (category, count) in merged.Counts)
        {
            Assert.InRange(exact[category] - count, 0, merged.OtherCount);
        }
    }

    [Fact]
    public void TopK_OrdersByCountThenName_AndSumsTheRestAsOther()
    {
        var sketch = new CategoryCountSketch(capacity: 4);
        sketch.Add("b", 3);
        sketch.Add("a", 3);
        sketch.Add("c", 10);
        sketch.Add("d", 1);
        sketch.Add("e", 2); // full: other

        Assert.Equal(
            [new("c", 10), new("a", 3), new(CategoryCountSketch.OtherCategory, 3 + 1 + 2)],
            sketch.TopK(2));
        Assert.Equal([new(CategoryCountSketch.OtherCategory, 19)], sketch.TopK(0));
        Assert.Equal(
            [new("c", 10), new("a", 3), new("b", 3), new("d", 1), new(CategoryCountSketch.OtherCategory, 2)],
            sketch.TopK(10));
    }

    [Fact]
    public void TopK_AndToDictionary_OmitOther_WhenItIsZero()
    {
        var sketch = new CategoryCountSketch(capacity: 3);
        sketch.Add("x", 2);
        sketch.Add("y", 1);
        Assert.Equal([new("x", 2), new("y", 1)], sketch.TopK(5));
        Assert.DoesNotContain(CategoryCountSketch.OtherCategory, sketch.ToDictionary().Keys);

        sketch.Add("z");
        sketch.Add("w", 4);
        var d = sketch.ToDictionary();
        Assert.Equal(4, d[CategoryCountSketch.OtherCategory]);
        Assert.Equal(sketch.Total, d.Values.Sum());
    }
}
