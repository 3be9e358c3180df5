using Monitoring.Abstractions.Reports;
using ScottPlot;

namespace Monitoring.Reports.Charts;

/// <summary>Reference against window share per reference bin (numeric) or per category (categorical), side by side.</summary>
internal sealed record DistributionChart : ChartSpec
{
    public override string Kind => "feature-distribution";

    /// <summary>Bin labels ("≤ 12.3", "12.3–15.1", "> 40.2") or category names.</summary>
    public string[] Bins { get; init; } = [];

    /// <summary>Reference share per bin, in percent.</summary>
    public double[] Reference { get; init; } = [];

    /// <summary>Window share per bin, in percent.</summary>
    public double[] Current { get; init; } = [];

    public string ReferenceLegend { get; init; } = "reference";

    public string CurrentLegend { get; init; } = "window";

    public string XLabel { get; init; } = string.Empty;

    public override (string X, string Y) AxisLabels => (XLabel, "Share of values (%)");

    public static DistributionChart From(FeatureReport feature, ChartSize size)
    {
        var name = ChartText.Label(feature.Name);
        var numeric = feature.Kind == "numeric";
        var title = $"{name}: reference vs window";
        if (feature.Psi is { } psi && double.IsFinite(psi))
        {
            title += $" (PSI {ChartStyle.Number(psi)}{(feature.Drifted ? ", drifted" : string.Empty)})";
        }

        var chart = new DistributionChart
        {
            Title = title,
            Width = size.Width,
            Height = size.Height,
            XLabel = numeric ? $"{name} (reference decile bins)" : $"{name} (category)",
        };
        var d = feature.Distribution;
        if (d is not null)
        {
            // Arrays read back from JSON can be null despite their types.
            d = d with { Edges = d.Edges ?? [], Categories = d.Categories ?? [], ReferenceCounts = d.ReferenceCounts ?? [], CurrentCounts = d.CurrentCounts ?? [] };
        }

        var reason = d is null
            ? feature.ReferenceCount == 0 ? "no reference for this feature" : feature.Count == 0 ? "no values in this window" : "this report holds no distribution"
            : d.ReferenceCounts.Length == 0 || d.ReferenceCounts.Length != d.CurrentCounts.Length ? "no bins"
            : d.ReferenceCounts.Any(c => c < 0) || d.CurrentCounts.Any(c => c < 0) ? "negative counts"
            : d.ReferenceCounts.Sum() == 0 && d.CurrentCounts.Sum() == 0 ? "no values in the bins"
            : null;
        if (reason is not null)
        {
            return chart with { NoData = reason };
        }

        string[] bins;
        if (numeric && d!.Edges.Length + 1 == d.ReferenceCounts.Length)
        {
            bins = NumericBins(d.Edges);
        }
        else if (!numeric && d!.Categories.Length == d.ReferenceCounts.Length)
        {
            bins = d.Categories.Select(c => c == FeatureDistribution.OtherBucket && d.OtherCategories > 0
                ? $"(other: {d.OtherCategories})"
                : ChartText.Label(c, 24)).ToArray();
        }
        else
        {
            return chart with { NoData = "the bins do not match their counts" };
        }

        return chart with
        {
            Bins = bins,
            Reference = d.ReferenceProportions().Select(p => p * 100).ToArray(),
            Current = d.CurrentProportions().Select(p => p * 100).ToArray(),
            ReferenceLegend = $"reference (n = {ChartStyle.Count(d.ReferenceCounts.Sum())})",
            CurrentLegend = $"window (n = {ChartStyle.Count(d.CurrentCounts.Sum())}{(feature.Binning == "bucket_estimate" ? ", binned from buckets" : string.Empty)})",
        };
    }

    private static string[] NumericBins(double[] edges)
    {
        if (edges.Length == 0)
        {
            return ["all values"];
        }

        var bins = new string[edges.Length + 1];
        bins[0] = "≤ " + ChartStyle.Number(edges[0]);
        for (var i = 1; i < edges.Length; i++)
        {
            bins[i] = ChartStyle.Number(edges[i - 1]) + "–" + ChartStyle.Number(edges[i]);
        }

        bins[^1] = "> " + ChartStyle.Number(edges[^1]);
        return bins;
    }

    public override void Draw(Plot plot)
    {
        var reference = new List<Bar>();
        var current = new List<Bar>();
        for (var i = 0; i < Bins.Length; i++)
        {
            reference.Add(new Bar { Position = i - 0.2, Value = Reference[i], Size = 0.4, FillColor = ChartStyle.Reference, LineWidth = 0 });
            current.Add(new Bar { Position = i + 0.2, Value = Current[i], Size = 0.4, FillColor = ChartStyle.Current, LineWidth = 0 });
        }

        plot.Add.Bars(reference).LegendText = ReferenceLegend;
        plot.Add.Bars(current).LegendText = CurrentLegend;

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < Bins.Length; i++)
        {
            ticks.AddMajor(i, Bins[i]);
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        // Rotate the bin labels only when they would not fit side by side (about 7 px per character at 11 px).
        var longest = Bins.Max(b => b.Length);
        if (longest * 7 > (Width - 100) / Bins.Length)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 40;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = Math.Min(40 + (longest * 6), Height / 3);
        }

        plot.Axes.SetLimitsX(-0.7, Bins.Length - 0.3);
        plot.Axes.SetLimitsY(0, Math.Max(Reference.Concat(Current).Max() * 1.1, 1));
        ChartStyle.Legend(plot);
    }
}
