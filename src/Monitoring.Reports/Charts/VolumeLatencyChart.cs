using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;
using ScottPlot;

namespace Monitoring.Reports.Charts;

/// <summary>Predictions per window as bars, latency p50 and p99 as lines on the right axis, incident marks.</summary>
internal sealed record VolumeLatencyChart : ChartSpec
{
    public override string Kind => "volume-latency";

    public double[] Xs { get; init; } = [];

    public double[] Volume { get; init; } = [];

    public double[] LatencyXs { get; init; } = [];

    public double[] P50 { get; init; } = [];

    public double[] P99 { get; init; } = [];

    public double WindowDays { get; init; }

    public IncidentMark[] Incidents { get; init; } = [];

    public override (string X, string Y) AxisLabels => ("Window start (UTC)", "Predictions per window");

    public static VolumeLatencyChart From(IEnumerable<WindowReport> windows, IEnumerable<IncidentView>? incidents, ChartSize size)
    {
        var reports = windows.Where(w => w is not null).OrderBy(w => w.WindowStartUnixNano).ToArray();
        var model = reports.Length > 0 ? ChartText.Label(reports[0].Model) + ": " : string.Empty;
        var chart = new VolumeLatencyChart
        {
            Title = $"{model}volume and latency",
            Width = size.Width,
            Height = size.Height,
            Incidents = TimeSeries.Marks(incidents),
        };
        if (reports.Length == 0)
        {
            return chart with { NoData = "no windows" };
        }

        var xs = reports.Select(w => TimeSeries.FromUnixNano(w.WindowStartUnixNano)).ToArray();
        var latency = reports.Where(w => w.Latency is { } l && double.IsFinite(l.P50) && double.IsFinite(l.P99) && l.Count > 0).ToArray();
        var days = reports.Max(w => (w.WindowEndUnixNano - w.WindowStartUnixNano) / 864e11);
        return chart with
        {
            Xs = xs,
            Volume = reports.Select(w => (double)w.Volume).ToArray(),
            LatencyXs = latency.Select(w => TimeSeries.FromUnixNano(w.WindowStartUnixNano)).ToArray(),
            P50 = latency.Select(w => w.Latency!.P50).ToArray(),
            P99 = latency.Select(w => w.Latency!.P99).ToArray(),
            WindowDays = TimeSeries.WindowDays(xs, days),
        };
    }

    public override void Draw(Plot plot)
    {
        // The date axis replaces the bottom axis and resets the limits: set it up first.
        var (from, to) = TimeSeries.Span(Xs, WindowDays);
        ChartStyle.TimeAxis(plot, from, to);
        var bars = new List<Bar>();
        for (var i = 0; i < Xs.Length; i++)
        {
            bars.Add(new Bar { Position = Xs[i], Value = Volume[i], Size = WindowDays * 0.8, FillColor = ChartStyle.Reference, LineWidth = 0 });
        }

        plot.Add.Bars(bars).LegendText = "predictions";

        plot.Axes.Right.Label.Text = "Latency (ms)";
        plot.Axes.Right.Label.FontSize = 13;
        plot.Axes.Right.TickLabelStyle.FontSize = 11;
        if (LatencyXs.Length > 0)
        {
            var p50 = plot.Add.Scatter(LatencyXs, P50, ChartStyle.Current);
            p50.LegendText = "latency p50 (ms, right axis)";
            p50.LineWidth = 2;
            p50.MarkerSize = 4;
            p50.Axes.YAxis = plot.Axes.Right;
            var p99 = plot.Add.Scatter(LatencyXs, P99, ChartStyle.CurrentDark);
            p99.LegendText = "latency p99 (ms, right axis)";
            p99.LineWidth = 2;
            p99.LinePattern = LinePattern.Dashed;
            p99.MarkerSize = 4;
            p99.Axes.YAxis = plot.Axes.Right;
        }

        ChartStyle.Incidents(plot, Incidents, from, to);
        plot.Axes.SetLimitsX(from, to);
        plot.Axes.SetLimitsY(0, Math.Max(1, Volume.Max() * 1.15));
        plot.Axes.SetLimitsY(0, LatencyXs.Length > 0 ? Math.Max(1, P99.Concat(P50).Max() * 1.15) : 1, plot.Axes.Right);
        ChartStyle.Legend(plot);
    }
}
