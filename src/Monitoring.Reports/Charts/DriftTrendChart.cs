using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;
using ScottPlot;

namespace Monitoring.Reports.Charts;

/// <summary>One feature's drift metric per window, the threshold, drifted windows and incident marks.</summary>
internal sealed record DriftTrendChart : ChartSpec
{
    public override string Kind => "drift-over-time";

    /// <summary>Window starts (OLE automation dates), ascending.</summary>
    public double[] Xs { get; init; } = [];

    /// <summary>The metric per window.</summary>
    public double[] Ys { get; init; } = [];

    /// <summary>Whether the window's drift call was positive.</summary>
    public bool[] Drifted { get; init; } = [];

    public double? Threshold { get; init; }

    public string MetricLabel { get; init; } = string.Empty;

    public IncidentMark[] Incidents { get; init; } = [];

    public double WindowDays { get; init; }

    public override (string X, string Y) AxisLabels => ("Window start (UTC)", MetricLabel);

    public static DriftTrendChart From(string feature, IEnumerable<WindowReport> windows, DriftMetric metric, double? threshold, IEnumerable<IncidentView>? incidents, ChartSize size)
    {
        var (label, defaultThreshold) = metric switch
        {
            DriftMetric.Psi => ("PSI (reference bins)", (double?)0.2),
            DriftMetric.JensenShannon => ("Jensen-Shannon distance", 0.1),
            DriftMetric.Hellinger => ("Hellinger distance", null),
            _ => ("Kolmogorov-Smirnov D", 0.1),
        };
        var name = ChartText.Label(feature);
        var points = new List<(double X, double Y, bool Drifted, double Days)>();
        foreach (var w in windows)
        {
            // Reports read back from JSON can hold nulls where the types say otherwise; skip them rather than fail the page.
            if (w?.Features is null)
            {
                continue;
            }

            var f = Array.Find(w.Features, f => f?.Name == feature);
            double? y = f is null ? null : metric switch
            {
                DriftMetric.Psi => f.Psi,
                DriftMetric.JensenShannon => f.JensenShannon,
                DriftMetric.Hellinger => f.Hellinger,
                _ => f.Ks?.Estimate,
            };
            if (y is { } v && double.IsFinite(v))
            {
                var days = (w.WindowEndUnixNano - w.WindowStartUnixNano) / 864e11;
                points.Add((TimeSeries.FromUnixNano(w.WindowStartUnixNano), v, f!.Drifted, days));
            }
        }

        points.Sort((a, b) => a.X.CompareTo(b.X));
        var t = threshold ?? defaultThreshold;
        var chart = new DriftTrendChart
        {
            Title = $"{name}: {label.Split(' ')[0]} over time",
            Width = size.Width,
            Height = size.Height,
            MetricLabel = label,
            Threshold = t is { } th && double.IsFinite(th) ? th : null,
            Incidents = TimeSeries.Marks(incidents),
        };
        if (points.Count == 0)
        {
            return chart with { NoData = $"no window with a {label.Split(' ')[0]} value for this feature" };
        }

        var xs = points.Select(p => p.X).ToArray();
        return chart with
        {
            Xs = xs,
            Ys = points.Select(p => p.Y).ToArray(),
            Drifted = points.Select(p => p.Drifted).ToArray(),
            WindowDays = TimeSeries.WindowDays(xs, points.Max(p => p.Days)),
        };
    }

    public override void Draw(Plot plot)
    {
        // The date axis replaces the bottom axis and resets the limits: set it up first.
        var (from, to) = TimeSeries.Span(Xs, WindowDays);
        ChartStyle.TimeAxis(plot, from, to);
        var line = plot.Add.Scatter(Xs, Ys, ChartStyle.Current);
        line.LegendText = MetricLabel.Split(' ')[0] + " per window";
        line.MarkerSize = 5;
        line.LineWidth = 2;

        var dx = Xs.Where((_, i) => Drifted[i]).ToArray();
        if (dx.Length > 0)
        {
            var drifted = plot.Add.ScatterPoints(dx, Ys.Where((_, i) => Drifted[i]).ToArray(), ChartStyle.Alert);
            drifted.MarkerSize = 9;
            drifted.MarkerShape = MarkerShape.OpenCircle;
            drifted.LegendText = "drifted window";
        }

        var top = Ys.Max();
        if (Threshold is { } t)
        {
            var h = plot.Add.HorizontalLine(t, 1.5f, ChartStyle.Alert, LinePattern.Dashed);
            h.LegendText = "threshold " + ChartStyle.Number(t);
            top = Math.Max(top, t);
        }

        ChartStyle.Incidents(plot, Incidents, from, to);
        plot.Axes.SetLimitsX(from, to);
        plot.Axes.SetLimitsY(0, top > 0 ? top * 1.15 : 1);
        ChartStyle.Legend(plot);
    }
}
