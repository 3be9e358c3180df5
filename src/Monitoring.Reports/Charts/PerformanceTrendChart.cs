using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;
using ScottPlot;

namespace Monitoring.Reports.Charts;

/// <summary>Realized and estimated performance per window, label coverage on the right axis, incident marks.</summary>
internal sealed record PerformanceTrendChart : ChartSpec
{
    public override string Kind => "performance-over-time";

    public string MetricLabel { get; init; } = string.Empty;

    /// <summary>Window starts of realized values.</summary>
    public double[] RealizedXs { get; init; } = [];

    public double[] Realized { get; init; } = [];

    /// <summary>Realized interval (accuracy only), lower minus value and upper minus value.</summary>
    public double[] RealizedBelow { get; init; } = [];

    public double[] RealizedAbove { get; init; } = [];

    public double[] EstimatedXs { get; init; } = [];

    public double[] Estimated { get; init; } = [];

    public double[] CoverageXs { get; init; } = [];

    /// <summary>Label coverage in percent.</summary>
    public double[] Coverage { get; init; } = [];

    public IncidentMark[] Incidents { get; init; } = [];

    public double Start { get; init; }

    public double End { get; init; }

    public override (string X, string Y) AxisLabels => ("Window start (UTC)", MetricLabel);

    public static PerformanceTrendChart From(IEnumerable<PerformanceReport> windows, PerformanceMetric metric, IEnumerable<IncidentView>? incidents, ChartSize size)
    {
        var reports = windows.Where(w => w is not null).OrderBy(w => w.WindowStartUnixNano).ToArray();
        var label = metric switch
        {
            PerformanceMetric.Accuracy => "Accuracy",
            PerformanceMetric.Auc => "AUC",
            PerformanceMetric.Precision => "Precision",
            PerformanceMetric.Recall => "Recall",
            _ => "F1",
        };
        var model = reports.Length > 0 ? ChartText.Label(reports[0].Model) + ": " : string.Empty;
        var chart = new PerformanceTrendChart
        {
            Title = $"{model}{label.ToLowerInvariant()}, realized and estimated",
            Width = size.Width,
            Height = size.Height,
            MetricLabel = label + " (0-1)",
            Incidents = TimeSeries.Marks(incidents),
        };
        if (reports.Length == 0)
        {
            return chart with { NoData = "no windows" };
        }

        var rx = new List<double>();
        var r = new List<double>();
        var below = new List<double>();
        var above = new List<double>();
        var ex = new List<double>();
        var e = new List<double>();
        var cx = new List<double>();
        var c = new List<double>();
        var days = 0.0;
        foreach (var w in reports)
        {
            var x = TimeSeries.FromUnixNano(w.WindowStartUnixNano);
            if (TimeSeries.FromIso(w.WindowEnd) is { } end && end > x)
            {
                days = Math.Max(days, end - x);
            }

            var b = w.Binary;
            double? realized = metric switch
            {
                PerformanceMetric.Accuracy => b?.Accuracy.Value,
                PerformanceMetric.Auc => b?.Auc?.Estimate,
                PerformanceMetric.Precision => b?.Precision,
                PerformanceMetric.Recall => b?.Recall,
                _ => b?.F1,
            };
            if (realized is { } rv && double.IsFinite(rv))
            {
                rx.Add(x);
                r.Add(rv);
                var (lo, hi) = metric switch
                {
                    PerformanceMetric.Accuracy => (b!.Accuracy.Lower, b.Accuracy.Upper),
                    PerformanceMetric.Auc => (b!.Auc?.CiLower, b.Auc?.CiUpper),
                    _ => ((double?)null, (double?)null),
                };
                below.Add(lo is { } l && double.IsFinite(l) ? Math.Max(0, rv - l) : 0);
                above.Add(hi is { } h && double.IsFinite(h) ? Math.Max(0, h - rv) : 0);
            }

            var est = w.Estimated;
            double? estimated = metric switch
            {
                PerformanceMetric.Accuracy => est?.Accuracy,
                PerformanceMetric.Auc => est?.Auc,
                PerformanceMetric.Precision => est?.Precision,
                PerformanceMetric.Recall => est?.Recall,
                _ => est?.F1,
            };
            if (estimated is { } ev && double.IsFinite(ev))
            {
                ex.Add(x);
                e.Add(ev);
            }

            if (w.Coverage is { } cov && double.IsFinite(cov))
            {
                cx.Add(x);
                c.Add(cov * 100);
            }
        }

        if (r.Count == 0 && e.Count == 0)
        {
            return chart with { NoData = $"no realized or estimated {label.ToLowerInvariant()} in any window (no labels and no scores)" };
        }

        var all = reports.Select(w => TimeSeries.FromUnixNano(w.WindowStartUnixNano)).ToArray();
        var (from, to) = TimeSeries.Span(all, TimeSeries.WindowDays(all, days));
        return chart with
        {
            RealizedXs = [.. rx],
            Realized = [.. r],
            RealizedBelow = [.. below],
            RealizedAbove = [.. above],
            EstimatedXs = [.. ex],
            Estimated = [.. e],
            CoverageXs = [.. cx],
            Coverage = [.. c],
            Start = from,
            End = to,
        };
    }

    public override void Draw(Plot plot)
    {
        // The date axis replaces the bottom axis and resets the limits: set it up first.
        ChartStyle.TimeAxis(plot, Start, End);
        if (Coverage.Length > 0)
        {
            var coverage = plot.Add.Scatter(CoverageXs, Coverage, ChartStyle.Secondary);
            coverage.LegendText = "label coverage (%, right axis)";
            coverage.LinePattern = LinePattern.Dotted;
            coverage.MarkerSize = 3;
            coverage.Axes.YAxis = plot.Axes.Right;
        }

        plot.Axes.Right.Label.Text = "Label coverage (%)";
        plot.Axes.Right.Label.FontSize = 13;
        plot.Axes.Right.TickLabelStyle.FontSize = 11;

        var low = 1.0;
        if (Realized.Length > 0)
        {
            if (RealizedBelow.Any(v => v > 0) || RealizedAbove.Any(v => v > 0))
            {
                var ci = plot.Add.ErrorBar(RealizedXs, Realized, RealizedAbove);
                ci.YErrorNegative = RealizedBelow;
                ci.YErrorPositive = RealizedAbove;
                ci.Color = ChartStyle.Current.WithAlpha(0.5);
                ci.LegendText = "realized 95% interval";
                low = Math.Min(low, Realized.Select((v, i) => v - RealizedBelow[i]).Min());
            }

            var realized = plot.Add.Scatter(RealizedXs, Realized, ChartStyle.Current);
            realized.LegendText = "realized (joined labels)";
            realized.LineWidth = 2;
            realized.MarkerSize = 5;
            low = Math.Min(low, Realized.Min());
        }

        if (Estimated.Length > 0)
        {
            var estimated = plot.Add.Scatter(EstimatedXs, Estimated, ChartStyle.Estimated);
            estimated.LegendText = "estimated (CBPE)";
            estimated.LinePattern = LinePattern.Dashed;
            estimated.LineWidth = 2;
            estimated.MarkerSize = 4;
            low = Math.Min(low, Estimated.Min());
        }

        ChartStyle.Incidents(plot, Incidents, Start, End);
        plot.Axes.SetLimitsX(Start, End);
        plot.Axes.SetLimitsY(Math.Max(0, Math.Floor((low - 0.05) * 10) / 10), 1.02);
        plot.Axes.SetLimitsY(0, 105, plot.Axes.Right);
        ChartStyle.Legend(plot);
    }
}
