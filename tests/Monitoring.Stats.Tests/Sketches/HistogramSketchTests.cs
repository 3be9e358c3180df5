using Monitoring.Stats.Descriptive;
using Monitoring.Stats.Drift;
using Monitoring.Stats.Kernels;
using Monitoring.Stats.Sketches;
using Monitoring.Stats.Tests.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Monitoring.Stats.Tests.Sketches;

/// <summary>
/// <see cref="HistogramSketch"/>: merging equals sketching the concatenation, and the KS and Wasserstein bounds contain
/// the exact statistics of the raw samples (<see cref="EmpiricalCdf.Compare"/> on sorted copies).
/// </summary>
/// <remarks>
/// Width of the KS bounds. Write m_a(i), m_b(i) for the masses of bin i and L for the lower bound (the largest gap at an
/// edge). In bin i the upper bound term F_a(e_i) - F_b(e_{i-1}) equals (F_a(e_i) - F_b(e_i)) + m_b(i) &lt;= L + m_b(i),
/// and also (F_a(e_{i-1}) - F_b(e_{i-1})) + m_a(i) &lt;= L + m_a(i); the other term likewise. So
/// Upper - Lower &lt;= max_i min(m_a(i), m_b(i)) &lt;= the largest bin mass of either sample: with 255 edges at reference
/// quantiles every reference bin holds about 1/256 of the reference, so the KS error is below about 0.004.
/// </remarks>
public sealed class HistogramSketchTests
{
    /// <summary>Rounding allowance for sums of n bin proportions (n eps with n &lt;= 256 bins, generously).</summary>
    private const double ProportionRounding = 1e-13;

    private readonly ITestOutputHelper _output;

    public HistogramSketchTests(ITestOutputHelper output)
    {
        _output = output;
        _output.WriteLine(SimdInfo.Describe());
    }

    public static TheoryData<SampleKind, EdgeLayout> Cases()
    {
        var data = new TheoryData<SampleKind, EdgeLayout>();
        foreach (var sample in Enum.GetValues<SampleKind>())
        {
            foreach (var layout in Enum.GetValues<EdgeLayout>())
            {
                data.Add(sample, layout);
            }
        }

        return data;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(255)]
    public void Merge_EqualsTheSketchOfTheConcatenation(int edgeCount)
    {
        var edges = new BinEdges(Enumerable.Range(0, edgeCount).Select(i => -3 + (6.0 * i / Math.Max(1, edgeCount - 1))).ToArray());
        var rng = new Random(edgeCount);
        var parts = new[] { 0, 1, 7, 1000, 3001 }
            .Select(n => Enumerable.Range(0, n).Select(_ => rng.Next(20) == 0 ? double.NaN : (TestEdges.Normal(rng) * 2) + 0.5).ToArray())
            .ToArray();

        var merged = new HistogramSketch(edges);
        foreach (var part in parts)
        {
            var sketch = new HistogramSketch(edges);
            sketch.Add(part);
            merged.Merge(sketch);
        }

        var all = new HistogramSketch(edges);
        all.Add(parts.SelectMany(p => p).ToArray());

        Assert.Equal(all.Counts.ToArray(), merged.Counts.ToArray());
        Assert.Equal(all.Moments.Count, merged.Moments.Count);
        Assert.Equal(all.Moments.Nulls, merged.Moments.Nulls);
        Assert.Equal(all.Moments.Min, merged.Moments.Min);
        Assert.Equal(all.Moments.Max, merged.Moments.Max);
        Assert.Equal(all.Moments.Sum, merged.Moments.Sum, 1e-12 * Math.Abs(all.Moments.Sum) + 1e-12);
        Assert.Equal(all.Moments.SumOfSquares, merged.Moments.SumOfSquares, 1e-12 * all.Moments.SumOfSquares);
        Assert.Equal(all.Proportions(), merged.Proportions());

        // And both equal a plain count of the non-null values.
        var clean = parts.SelectMany(p => p).Where(v => !double.IsNaN(v)).ToArray();
        var expected = new long[edges.BinCount];
        BinEdges.CountScalar(clean, edges.Edges, expected);
        Assert.Equal(expected, all.Counts.ToArray());
        Assert.Equal(clean.Length, all.Moments.Count);
        Assert.Equal(parts.Sum(p => p.Length) - clean.Length, all.Moments.Nulls);
    }

    [Fact]
    public void Merge_OfIntegerValuedData_HasExactlyTheMomentsOfTheConcatenation()
    {
        var edges = new BinEdges([-10.0, -1.0, 0.0, 2.0, 50.0]);
        var rng = new Random(5);
        var a = Enumerable.Range(0, 5000).Select(_ => (double)rng.Next(-100, 100)).ToArray();
        var b = Enumerable.Range(0, 777).Select(_ => (double)rng.Next(-3, 1000)).ToArray();
        var sa = new HistogramSketch(edges);
        var sb = new HistogramSketch(edges);
        sa.Add(a);
        sb.Add(b);
        sa.Merge(sb);
        var all = new HistogramSketch(edges);
        all.Add([.. a, .. b]);

        Assert.Equal(all.Counts.ToArray(), sa.Counts.ToArray());
        Assert.Equal(all.Moments.Sum, sa.Moments.Sum);
        Assert.Equal(all.Moments.SumOfSquares, sa.Moments.SumOfSquares);
        Assert.Equal(all.Moments.Mean, sa.Moments.Mean);
        Assert.Equal(all.Moments.Variance, sa.Moments.Variance);
    }

    [Fact]
    public void Merge_RejectsDifferentEdges_AndAcceptsEqualEdgesFromAnotherInstance()
    {
        var a = new HistogramSketch(new BinEdges([0.0, 1.0]));
        Assert.Throws<ArgumentException>(() => a.Merge(new HistogramSketch(new BinEdges([0.0, 2.0]))));
        Assert.Throws<ArgumentException>(() => a.Merge(new HistogramSketch(new BinEdges([0.0]))));
        var b = new HistogramSketch(new BinEdges([0.0, 1.0]));
        b.Add([0.5, 3.0]);
        a.Merge(b);
        Assert.Equal([0L, 1L, 1L], a.Counts.ToArray());
    }

    [Fact]
    public void Bounds_RejectEmptySketchesAndDifferentEdges()
    {
        var edges = new BinEdges([0.0, 1.0]);
        var empty = new HistogramSketch(edges);
        var full = new HistogramSketch(edges);
        full.Add([0.5]);
        Assert.Throws<ArgumentException>(() => HistogramSketch.KolmogorovSmirnovBounds(empty, full));
        Assert.Throws<ArgumentException>(() => HistogramSketch.WassersteinBounds(full, empty));
        var other = new HistogramSketch(new BinEdges([0.0, 1.5]));
        other.Add([0.5]);
        Assert.Throws<ArgumentException>(() => HistogramSketch.KolmogorovSmirnovBounds(full, other));
        Assert.Throws<ArgumentException>(() => HistogramSketch.WassersteinBounds(full, other));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void KolmogorovSmirnovBounds_ContainTheExactStatistic(SampleKind kind, EdgeLayout layout)
    {
        foreach (var (reference, current) in Samples(kind))
        {
            var (sketchA, sketchB) = Sketch(reference, current, Edges(layout, reference, current));
            var exact = Exact(reference, current).Ks;
            var bounds = HistogramSketch.KolmogorovSmirnovBounds(sketchA, sketchB);
            _output.WriteLine($"{reference.Length} vs {current.Length}: exact D {exact:R}, bounds [{bounds.Lower:R}, {bounds.Upper:R}]");

            Assert.InRange(exact, bounds.Lower, bounds.Upper);
            Assert.InRange(bounds.Estimate, bounds.Lower, bounds.Upper);
            Assert.InRange(bounds.Upper, 0, 1);

            // Upper - Lower <= max over bins of the smaller bin mass (see remarks).
            var widthBound = MaxSmallerBinMass(sketchA, sketchB);
            Assert.True(bounds.Upper - bounds.Lower <= widthBound + ProportionRounding, $"width {bounds.Upper - bounds.Lower:R} exceeds {widthBound:R}.");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WassersteinBounds_ContainTheExactDistance(SampleKind kind, EdgeLayout layout)
    {
        foreach (var (reference, current) in Samples(kind))
        {
            var (sketchA, sketchB) = Sketch(reference, current, Edges(layout, reference, current));
            var exact = Exact(reference, current).Wasserstein;
            var bounds = HistogramSketch.WassersteinBounds(sketchA, sketchB);
            _output.WriteLine($"{reference.Length} vs {current.Length}: exact W {exact:R}, bounds [{bounds.Lower:R}, {bounds.Upper:R}], estimate {bounds.Estimate:R}");

            // Both sides are sums of many products: allow rounding relative to the value range, which bounds W.
            var range = Math.Max(reference.Max(), current.Max()) - Math.Min(reference.Min(), current.Min());
            var slack = 1e-12 * range;
            Assert.InRange(exact, bounds.Lower - slack, bounds.Upper + slack);
            Assert.InRange(bounds.Estimate, bounds.Lower, bounds.Upper);
            Assert.True(bounds.Lower >= 0);
        }
    }

    /// <summary>Continuous samples only: a point mass (Discrete, Mixture) is one bin however fine the edges.</summary>
    [Theory]
    [InlineData(SampleKind.Normal)]
    [InlineData(SampleKind.Shifted)]
    [InlineData(SampleKind.HeavyTailed)]
    public void KolmogorovSmirnovBounds_With255QuantileEdges_AreNarrow(SampleKind kind)
    {
        foreach (var (reference, current) in Samples(kind))
        {
            if (reference.Length < 1000)
            {
                continue;
            }

            var (sketchA, sketchB) = Sketch(reference, current, Edges(EdgeLayout.ReferenceQuantiles255, reference, current));
            var bounds = HistogramSketch.KolmogorovSmirnovBounds(sketchA, sketchB);
            var maxReferenceMass = sketchA.Proportions().Max();
            _output.WriteLine($"{reference.Length} vs {current.Length}: width {bounds.Upper - bounds.Lower:R}, largest reference bin mass {maxReferenceMass:R}");

            // min(m_a, m_b) <= m_a, and reference quantile bins hold about 1/256 of the reference each.
            Assert.True(bounds.Upper - bounds.Lower <= maxReferenceMass + ProportionRounding);
            Assert.True(maxReferenceMass <= 2.0 / 256, $"largest reference bin mass {maxReferenceMass:R}");
        }
    }

    [Fact]
    public void KolmogorovSmirnovBounds_OfDiscreteDataWithEdgesOnTheSupport_EstimateIsExact()
    {
        // Every value sits on an edge, so each ECDF is constant inside every bin and the largest gap is at an edge.
        var rng = new Random(11);
        var edges = new BinEdges(Enumerable.Range(0, 12).Select(i => (double)i).ToArray());
        foreach (var (n1, n2) in new[] { (10, 7), (1000, 333), (5000, 4999), (3, 10_000) })
        {
            var a = Enumerable.Range(0, n1).Select(_ => (double)Math.Min(11, Poisson(rng, 3))).ToArray();
            var b = Enumerable.Range(0, n2).Select(_ => (double)Math.Min(11, Poisson(rng, 3.4))).ToArray();
            var (sa, sb) = Sketch(a, b, edges);
            var exact = Exact(a, b).Ks;
            var bounds = HistogramSketch.KolmogorovSmirnovBounds(sa, sb);
            Assert.Equal(exact, bounds.Estimate);
            Assert.Equal(exact, bounds.Lower);
        }
    }

    [Fact]
    public void Add_CountsNaNAsNull_AndBinsTheRest()
    {
        var sketch = new HistogramSketch(new BinEdges([0.0]));
        sketch.Add([double.NaN, -1.0, 0.0, -0.0, 1.0, double.NaN, double.PositiveInfinity]);
        Assert.Equal([3L, 2L], sketch.Counts.ToArray());
        Assert.Equal(5, sketch.Moments.Count);
        Assert.Equal(2, sketch.Moments.Nulls);
        Assert.Equal(-1.0, sketch.Moments.Min);
        Assert.Equal(double.PositiveInfinity, sketch.Moments.Max);
    }

    private static (double Ks, double Wasserstein) Exact(double[] a, double[] b)
    {
        var sa = (double[])a.Clone();
        var sb = (double[])b.Clone();
        Array.Sort(sa);
        Array.Sort(sb);
        return EmpiricalCdf.Compare(sa, sb);
    }

    private static (HistogramSketch A, HistogramSketch B) Sketch(double[] a, double[] b, BinEdges edges)
    {
        var sa = new HistogramSketch(edges);
        var sb = new HistogramSketch(edges);

        // Add in uneven chunks, as windows would arrive.
        for (var start = 0; start < a.Length; start += 997)
        {
            sa.Add(a.AsSpan(start, Math.Min(997, a.Length - start)));
        }

        sb.Add(b);
        return (sa, sb);
    }

    private static double MaxSmallerBinMass(HistogramSketch a, HistogramSketch b)
    {
        var pa = a.Proportions();
        var pb = b.Proportions();
        return pa.Zip(pb, Math.Min).Max();
    }

    private static BinEdges Edges(EdgeLayout layout, double[] reference, double[] current)
    {
        var sorted = (double[])reference.Clone();
        Array.Sort(sorted);
        double min = Math.Min(reference.Min(), current.Min()), max = Math.Max(reference.Max(), current.Max());
        return layout switch
        {
            EdgeLayout.ReferenceDeciles => ReferenceBinning.DecileEdges(sorted),
            EdgeLayout.ReferenceQuantiles255 => QuantileEdges(sorted, 255),
            EdgeLayout.Uniform255 => new BinEdges(Enumerable.Range(1, 255).Select(i => min + ((max - min) * i / 256)).Distinct().ToArray()),
            EdgeLayout.NarrowCentral => new BinEdges([-0.5, -0.25, 0.0, 0.25, 0.5]),
            EdgeLayout.SingleEdge => new BinEdges([Quantiles.OfSorted(sorted, 0.5)]),
            _ => throw new ArgumentOutOfRangeException(nameof(layout)),
        };
    }

    private static BinEdges QuantileEdges(double[] sorted, int count)
    {
        var levels = Enumerable.Range(1, count).Select(i => i / (double)(count + 1)).ToArray();
        var q = new double[count];
        Quantiles.OfSorted(sorted, levels, q);
        return new BinEdges(q.Distinct().ToArray());
    }

    /// <summary>Seeded (reference, current) pairs of several sizes, including unequal and tiny ones.</summary>
    private static IEnumerable<(double[] Reference, double[] Current)> Samples(SampleKind kind)
    {
        foreach (var (n1, n2, seed) in new[] { (1, 1, 1), (5, 3, 2), (50, 80, 3), (2000, 1500, 4), (10_000, 7000, 5) })
        {
            var rng = new Random((seed * 100) + (int)kind);
            yield return (Draw(kind, rng, n1, current: false), Draw(kind, rng, n2, current: true));
        }
    }

    private static double[] Draw(SampleKind kind, Random rng, int n, bool current)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = kind switch
            {
                SampleKind.Normal => TestEdges.Normal(rng),
                SampleKind.Shifted => TestEdges.Normal(rng) + (current ? 0.3 : 0),
                SampleKind.Discrete => Poisson(rng, current ? 2.5 : 2),
                SampleKind.HeavyTailed => Math.Tan(Math.PI * (rng.NextDouble() - 0.5)) * (current ? 1.5 : 1),
                SampleKind.Mixture => rng.Next(3) == 0 ? 0.0 : TestEdges.Normal(rng) * (current ? 2 : 1),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
        }

        return values;
    }

    private static int Poisson(Random rng, double lambda)
    {
        // Knuth's product of uniforms; fine for small lambda.
        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = rng.NextDouble();
        while (p > limit)
        {
            k++;
            p *= rng.NextDouble();
        }

        return k;
    }
}

/// <summary>Sample pairs for the sketch bound tests.</summary>
public enum SampleKind
{
    /// <summary>Both standard normal.</summary>
    Normal,

    /// <summary>Current shifted by 0.3 standard deviations.</summary>
    Shifted,

    /// <summary>Poisson counts (many ties), current with a larger mean.</summary>
    Discrete,

    /// <summary>Cauchy, current scaled by 1.5.</summary>
    HeavyTailed,

    /// <summary>A third exactly 0.0, the rest normal; current twice as wide.</summary>
    Mixture,
}

/// <summary>Bin edges for the sketch bound tests.</summary>
public enum EdgeLayout
{
    /// <summary>Reference deciles, duplicates removed (the drift binning).</summary>
    ReferenceDeciles,

    /// <summary>255 reference quantiles, duplicates removed.</summary>
    ReferenceQuantiles255,

    /// <summary>255 evenly spaced edges over the pooled range.</summary>
    Uniform255,

    /// <summary>Five edges around zero (wide outer bins).</summary>
    NarrowCentral,

    /// <summary>The reference median only (two bins).</summary>
    SingleEdge,
}
