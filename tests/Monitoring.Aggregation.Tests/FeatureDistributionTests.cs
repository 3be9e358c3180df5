using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Abstractions.Events;
using Monitoring.Abstractions.Models;
using Monitoring.Abstractions.Reports;
using Monitoring.Aggregation.References;
using Monitoring.Aggregation.Reports;
using Monitoring.Aggregation.Windows;
using Monitoring.Stats.Drift;
using Orleans.Serialization;
using Xunit;

namespace Monitoring.Aggregation.Tests;

/// <summary>The distribution a window report carries for charts is the one its drift statistics were computed from.</summary>
public sealed class FeatureDistributionTests
{
    private static readonly ModelSettings Settings = new() { Window = TimeSpan.FromMinutes(1), MinimumSampleSize = 50 };
    private const long Minute = 60_000_000_000;

    [Fact]
    public void NumericExact_CarriesTheReferenceEdgesAndTheCountsPsiUsed()
    {
        var rng = new Random(11);
        var reference = ReferenceProfile.FromUpload(NumericUpload(rng, 3000, mean: 40), version: 1, nowUnixNano: 0);
        var (state, folder) = Model(reference);
        var values = FoldNumeric(state, folder, rng, 800, mean: 47, start: 10 * Minute);

        var window = state.Open.Values.Single();
        var x = WindowReportBuilder.Build("t/m", ReportKinds.Window, window, reference, Settings).Features.Single(f => f.Name == "x");

        var d = x.Distribution!;
        Assert.Equal("exact", x.Binning);
        Assert.Equal(reference.Numeric["x"].Edges, d.Edges);
        Assert.Equal(d.Edges.Length + 1, d.ReferenceCounts.Length);
        Assert.Equal(reference.Numeric["x"].BinCounts, d.ReferenceCounts);
        Assert.Equal(window.Numeric["x"].ReferenceBinCounts, d.CurrentCounts);
        Assert.Equal(3000, d.ReferenceCounts.Sum());
        Assert.Equal(800, d.CurrentCounts.Sum());
        Assert.Equal(1.0, d.ReferenceProportions().Sum(), 12);
        Assert.Equal(1.0, d.CurrentProportions().Sum(), 12);
        Assert.Equal(x.Psi!.Value, Psi.Compute(d.ReferenceProportions(), d.CurrentProportions()), 12);
        Assert.Equal(Math.Min(reference.Numeric["x"].Sketch.Min, values.Min()), d.Min);
        Assert.Equal(Math.Max(reference.Numeric["x"].Sketch.Max, values.Max()), d.Max);
        Assert.Empty(d.Categories);
    }

    [Fact]
    public void NumericBucketEstimate_CarriesTheEstimatedCountsPsiUsed()
    {
        var rng = new Random(12);
        var v1 = ReferenceProfile.FromUpload(NumericUpload(rng, 3000, mean: 40), version: 1, nowUnixNano: 0);
        var v2 = ReferenceProfile.FromUpload(NumericUpload(rng, 3000, mean: 40), version: 2, nowUnixNano: 0);
        var (state, folder) = Model(v1);
        FoldNumeric(state, folder, rng, 800, mean: 40, start: 10 * Minute);

        var x = WindowReportBuilder.Build("t/m", ReportKinds.Window, state.Open.Values.Single(), v2, Settings).Features.Single(f => f.Name == "x");

        var d = x.Distribution!;
        Assert.Equal("bucket_estimate", x.Binning);
        Assert.Equal(v2.Numeric["x"].Edges, d.Edges);
        Assert.Equal(800, d.CurrentCounts.Sum());
        Assert.Equal(1.0, d.CurrentProportions().Sum(), 12);
        Assert.Equal(x.Psi!.Value, Psi.Compute(d.ReferenceProportions(), d.CurrentProportions()), 12);
    }

    [Fact]
    public void CategoricalWithFewCategories_KeepsThemAll_LargestShareFirst_AndReproducesPsi()
    {
        var reference = ReferenceProfile.FromUpload(TextUpload(("a", 500), ("b", 300), ("c", 200)), version: 1, nowUnixNano: 0);
        var (state, folder) = Model(reference);
        FoldText(state, folder, 10 * Minute, ("a", 100), ("b", 100), ("c", 300), ("new", 50));

        var f = WindowReportBuilder.Build("t/m", ReportKinds.Window, state.Open.Values.Single(), reference, Settings).Features.Single(f => f.Name == "city");

        var d = f.Distribution!;
        Assert.Equal(["c", "a", "b", "new"], d.Categories);
        Assert.Equal([200L, 500, 300, 0], d.ReferenceCounts);
        Assert.Equal([300L, 100, 100, 50], d.CurrentCounts);
        Assert.Equal(0, d.OtherCategories);
        Assert.Empty(d.Edges);
        Assert.Equal(1.0, d.ReferenceProportions().Sum(), 12);
        Assert.Equal(1.0, d.CurrentProportions().Sum(), 12);
        // With every category shown, PSI over the shown bins is the report's PSI (bin order does not matter to PSI).
        Assert.Equal(f.Psi!.Value, Psi.Compute(d.ReferenceProportions(), d.CurrentProportions()), 12);
    }

    [Fact]
    public void CategoricalWithManyCategories_IsCappedWithAnOtherBucket_ThatKeepsEveryCount()
    {
        var refCounts = Enumerable.Range(0, 35).Select(i => ($"c{i:D2}", 100 - i)).ToArray();
        var curCounts = Enumerable.Range(0, 35).Select(i => ($"c{i:D2}", 10 + i)).ToArray();
        var reference = ReferenceProfile.FromUpload(TextUpload(refCounts), version: 1, nowUnixNano: 0);
        var (state, folder) = Model(reference);
        FoldText(state, folder, 10 * Minute, curCounts);

        var f = WindowReportBuilder.Build("t/m", ReportKinds.Window, state.Open.Values.Single(), reference, Settings).Features.Single(f => f.Name == "city");

        var d = f.Distribution!;
        Assert.Equal(FeatureDistribution.MaxCategories + 1, d.Categories.Length);
        Assert.Equal(FeatureDistribution.OtherBucket, d.Categories[^1]);
        Assert.Equal(35 - FeatureDistribution.MaxCategories, d.OtherCategories);
        Assert.Equal(f.ReferenceCount, d.ReferenceCounts.Sum());
        Assert.Equal(f.Count, d.CurrentCounts.Sum());
        Assert.Equal(1.0, d.ReferenceProportions().Sum(), 12);
        Assert.Equal(1.0, d.CurrentProportions().Sum(), 12);
        // Shares shown in descending order of the larger of the two shares.
        var rp = d.ReferenceProportions();
        var cp = d.CurrentProportions();
        var shown = Enumerable.Range(0, d.Categories.Length - 1).Select(i => Math.Max(rp[i], cp[i])).ToArray();
        Assert.Equal(shown.OrderByDescending(v => v).ToArray(), shown);
    }

    [Fact]
    public void Distribution_SurvivesOrleansAndJson_AndReportsStoredBeforeItReadWithout()
    {
        var reference = ReferenceProfile.FromUpload(NumericUpload(new Random(13), 1000, mean: 40), version: 1, nowUnixNano: 0);
        var (state, folder) = Model(reference);
        FoldNumeric(state, folder, new Random(14), 300, mean: 44, start: 10 * Minute);
        var report = WindowReportBuilder.Build("t/m", ReportKinds.Window, state.Open.Values.Single(), reference, Settings);

        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer<WindowReport>>();
        var viaOrleans = serializer.Deserialize(serializer.SerializeToArray(report))!.Features.Single().Distribution!;
        var json = JsonSerializer.Serialize(report, ReportJson.Options);
        var viaJson = JsonSerializer.Deserialize<WindowReport>(json, ReportJson.Options)!.Features.Single().Distribution!;
        var original = report.Features.Single().Distribution!;
        Assert.Equal(original.ReferenceCounts, viaOrleans.ReferenceCounts);
        Assert.Equal(original.CurrentCounts, viaOrleans.CurrentCounts);
        Assert.Equal(original.Edges, viaOrleans.Edges);
        Assert.Equal(original.CurrentCounts, viaJson.CurrentCounts);
        Assert.Equal(original.Edges, viaJson.Edges);

        // A report stored before distributions existed: the same JSON without the property.
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        var first = node["features"]![0]!.AsObject();
        Assert.True(first.Remove("distribution"));
        var old = JsonSerializer.Deserialize<WindowReport>(node.ToJsonString(), ReportJson.Options)!;
        Assert.Null(old.Features.Single().Distribution);
        Assert.Equal(report.Features.Single().Psi, old.Features.Single().Psi);
    }

    [Fact]
    public void NoReference_LeavesTheDistributionOut()
    {
        var (state, folder) = Model(null);
        FoldNumeric(state, folder, new Random(1), 100, mean: 40, start: 10 * Minute);

        var x = WindowReportBuilder.Build("t/m", ReportKinds.Window, state.Open.Values.Single(), null, Settings).Features.Single();

        Assert.Null(x.Distribution);
    }

    private static (ModelState State, WindowFolder Folder) Model(ReferenceProfile? reference)
    {
        var state = new ModelState { Settings = Settings, Reference = reference };
        var folder = new WindowFolder();
        folder.UseReference(reference?.Version ?? 0, reference?.NumericKernels(), []);
        return (state, folder);
    }

    private static double[] FoldNumeric(ModelState state, WindowFolder folder, Random rng, int n, double mean, long start)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = Math.Round(Normal(rng, mean), 2);
            Fold(state, folder, start, i, new FeatureValue("x", values[i], null));
        }

        return values;
    }

    private static void FoldText(ModelState state, WindowFolder folder, long start, params (string Value, int Count)[] counts)
    {
        var i = 0;
        foreach (var (value, count) in counts)
        {
            for (var k = 0; k < count; k++)
            {
                Fold(state, folder, start, i++, new FeatureValue("city", null, value));
            }
        }
    }

    private static void Fold(ModelState state, WindowFolder folder, long start, int i, FeatureValue feature) =>
        folder.Fold(state, new ModelEvent
        {
            Kind = EventKind.Prediction,
            PredictionId = $"{start}-{i}",
            EventTimeUnixNano = start + i,
            ReceivedUnixNano = start + i,
            Features = [feature],
        });

    private static ReferenceUpload NumericUpload(Random rng, int rows, double mean) =>
        new("train.csv", rows, [new ReferenceColumn("x", Enumerable.Range(0, rows).Select(_ => Math.Round(Normal(rng, mean), 2)).ToArray(), null)]);

    private static ReferenceUpload TextUpload(params (string Value, int Count)[] counts)
    {
        var texts = counts.SelectMany(c => Enumerable.Repeat<string?>(c.Value, c.Count)).ToArray();
        return new("train.csv", texts.Length, [new ReferenceColumn("city", null, texts)]);
    }

    private static double Normal(Random rng, double mean) =>
        mean + (10 * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
}
