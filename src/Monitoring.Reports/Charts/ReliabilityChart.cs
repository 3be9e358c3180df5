using Monitoring.Abstractions.Reports;
using ScottPlot;

namespace Monitoring.Reports.Charts;

/// <summary>Observed against predicted per score bin, the diagonal, and the pairs per bin on the right axis.</summary>
internal sealed record ReliabilityChart : ChartSpec
{
    public override string Kind => "reliability";

    /// <summary>Mean predicted score of each non-empty bin.</summary>
    public double[] Predicted { get; init; } = [];

    /// <summary>Fraction of positives of each non-empty bin.</summary>
    public double[] Observed { get; init; } = [];

    /// <summary>Centres of every bin (for the counts).</summary>
    public double[] BinCentres { get; init; } = [];

    /// <summary>Widths of every bin.</summary>
    public double[] BinWidths { get; init; } = [];

    /// <summary>Pairs in every bin.</summary>
    public double[] Counts { get; init; } = [];

    public override (string X, string Y) AxisLabels => ("Mean predicted probability", "Observed fraction of positives");

    public static ReliabilityChart From(string title, IReadOnlyList<ReliabilityBinReport> bins, double? ece, ChartSize size)
    {
        var chart = new ReliabilityChart
        {
            Title = ece is { } e && double.IsFinite(e) ? $"{title} (ECE {ChartStyle.Number(e)})" : title,
            Width = size.Width,
            Height = size.Height,
        };
        var valid = bins.Where(b => b is not null && double.IsFinite(b.Lower) && double.IsFinite(b.Upper) && b.Upper >= b.Lower && b.Count >= 0)
            .OrderBy(b => b.Lower).ToArray();
        var drawn = valid.Where(b => b.Count > 0 && b.MeanPredicted is { } p && double.IsFinite(p) && b.FractionPositive is { } f && double.IsFinite(f)).ToArray();
        if (drawn.Length == 0)
        {
            return chart with { NoData = valid.Length == 0 ? "no reliability bins" : "no labelled pairs in any bin" };
        }

        return chart with
        {
            Predicted = drawn.Select(b => b.MeanPredicted!.Value).ToArray(),
            Observed = drawn.Select(b => b.FractionPositive!.Value).ToArray(),
            BinCentres = valid.Select(b => (b.Lower + b.Upper) / 2).ToArray(),
            BinWidths = valid.Select(b => b.Upper - b.Lower).ToArray(),
            Counts = valid.Select(b => (double)b.Count).ToArray(),
        };
    }

    public override void Draw(Plot plot)
    {
        var bars = new List<Bar>();
        for (var i = 0; i < Counts.Length; i++)
        {
            bars.Add(new Bar { Position = BinCentres[i], Value = Counts[i], Size = BinWidths[i] * 0.9, FillColor = ChartStyle.Secondary.WithAlpha(0.25), LineWidth = 0 });
        }

        var counts = plot.Add.Bars(bars);
        counts.LegendText = "pairs per bin (right axis)";
        counts.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Right.Label.Text = "Pairs per bin";
        plot.Axes.Right.Label.FontSize = 13;
        plot.Axes.Right.TickLabelStyle.FontSize = 11;

        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.Color = ChartStyle.Secondary;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "perfectly calibrated";

        var observed = plot.Add.Scatter(Predicted, Observed, ChartStyle.Current);
        observed.LegendText = "observed";
        observed.MarkerSize = 7;
        observed.LineWidth = 2;

        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Axes.SetLimitsY(0, Math.Max(1, Counts.Max() * 1.1), plot.Axes.Right);
        ChartStyle.Legend(plot);
    }
}
