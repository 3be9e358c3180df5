using Monitoring.Abstractions.Reports;
using ScottPlot;

namespace Monitoring.Reports.Charts;

/// <summary>A forest plot: accuracy per slice with its Wilson interval, worst at the top, the model's overall accuracy as a line.</summary>
internal sealed record SliceChart : ChartSpec
{
    public override string Kind => "slice-comparison";

    /// <summary>Row labels, worst first.</summary>
    public string[] Rows { get; init; } = [];

    public double[] Values { get; init; } = [];

    public double[] Lower { get; init; } = [];

    public double[] Upper { get; init; } = [];

    /// <summary>Significantly worse than the rest after Benjamini-Hochberg.</summary>
    public bool[] Significant { get; init; } = [];

    public double? Overall { get; init; }

    public override (string X, string Y) AxisLabels => ("Accuracy (0-1) with 95% Wilson interval", "Slice (labelled pairs)");

    public static SliceChart From(PerformanceReport report, string? dimension, int maxSlices, ChartSize? size)
    {
        var source = report.Slices is not { } s ? null
            : dimension is null ? s.WorstSlices
            : Array.Find(s.Dimensions ?? [], d => d?.Name == dimension)?.Slices;
        var what = dimension is null ? "worst slices" : ChartText.Label(dimension, 40);
        var rows = (source ?? [])
            .Where(e => e?.Accuracy?.Value is { } v && double.IsFinite(v))
            .OrderBy(e => e.Accuracy!.Value!.Value)
            .ThenByDescending(e => e.Count)
            .ThenBy(e => e.Value, StringComparer.Ordinal)
            .ToArray();
        var shown = rows.Take(maxSlices).ToArray();
        var title = $"{ChartText.Label(report.Model)}: accuracy by slice, {what}";
        if (rows.Length > shown.Length)
        {
            title += $" (worst {shown.Length} of {rows.Length})";
        }

        var chosen = size ?? new ChartSize(ChartSize.Standard.Width + 120, Math.Clamp(150 + (26 * Math.Max(shown.Length, 3)), 260, ChartSize.Max));
        var chart = new SliceChart { Title = title, Width = chosen.Width, Height = chosen.Height };
        if (shown.Length == 0)
        {
            var reason = report.Slices is null ? "no slice report in this window"
                : source is null ? $"no slice dimension {what}"
                : "no slice with labelled pairs";
            return chart with { NoData = reason };
        }

        return chart with
        {
            Rows = shown.Select(e => $"{ChartText.Label(e.Value, 32)} (n = {ChartStyle.Count(e.Count)})").ToArray(),
            Values = shown.Select(e => e.Accuracy!.Value!.Value).ToArray(),
            Lower = shown.Select(e => e.Accuracy!.Lower is { } l && double.IsFinite(l) ? l : e.Accuracy.Value!.Value).ToArray(),
            Upper = shown.Select(e => e.Accuracy!.Upper is { } u && double.IsFinite(u) ? u : e.Accuracy.Value!.Value).ToArray(),
            Significant = shown.Select(e => e.VsRest?.Significant == true).ToArray(),
            Overall = report.Binary?.Accuracy.Value is { } o && double.IsFinite(o) ? o : null,
        };
    }

    public override void Draw(Plot plot)
    {
        var n = Rows.Length;
        var ys = Enumerable.Range(0, n).Select(i => (double)(n - 1 - i)).ToArray();
        var zeros = new double[n];
        var bars = new ScottPlot.Plottables.ErrorBar(
            Values, ys,
            Values.Select((v, i) => Math.Max(0, v - Lower[i])).ToArray(),
            Values.Select((v, i) => Math.Max(0, Upper[i] - v)).ToArray(),
            zeros, zeros)
        {
            Color = ChartStyle.Current.WithAlpha(0.6),
            LineWidth = 2,
            LegendText = "95% interval",
        };
        plot.Add.Plottable(bars);

        AddPoints(plot, ys, i => !Significant[i], ChartStyle.Current, "slice accuracy");
        AddPoints(plot, ys, i => Significant[i], ChartStyle.Alert, "worse than the rest (BH-adjusted p < 0.05)");

        if (Overall is { } o)
        {
            var line = plot.Add.VerticalLine(o, 1.5f, ChartStyle.Secondary, LinePattern.Dashed);
            line.LegendText = "model overall " + ChartStyle.Number(o);
        }

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (var i = 0; i < n; i++)
        {
            ticks.AddMajor(ys[i], Rows[i]);
        }

        plot.Axes.Left.TickGenerator = ticks;
        var low = Math.Min(Lower.Min(), Overall ?? 1);
        plot.Axes.SetLimits(Math.Max(0, Math.Floor((low - 0.05) * 10) / 10), 1.0, -0.7, n - 0.3);
        ChartStyle.Legend(plot);
    }

    private void AddPoints(Plot plot, double[] ys, Func<int, bool> which, Color color, string legend)
    {
        var idx = Enumerable.Range(0, Rows.Length).Where(which).ToArray();
        if (idx.Length == 0)
        {
            return;
        }

        var points = plot.Add.ScatterPoints(idx.Select(i => Values[i]).ToArray(), idx.Select(i => ys[i]).ToArray(), color);
        points.MarkerSize = 8;
        points.LegendText = legend;
    }
}
