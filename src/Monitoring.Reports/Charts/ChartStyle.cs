using System.Globalization;
using System.Text;
using ScottPlot;

namespace Monitoring.Reports.Charts;

/// <summary>The one palette and frame every chart uses, so a reader learns the colours once.</summary>
internal static class ChartStyle
{
    /// <summary>The reference, and anything "as it should be" (blue-grey).</summary>
    public static readonly Color Reference = Color.FromHex("#8DA0CB");

    /// <summary>The window, and realized values (dark blue).</summary>
    public static readonly Color Current = Color.FromHex("#1F4E9A");

    /// <summary>Estimates (orange).</summary>
    public static readonly Color Estimated = Color.FromHex("#E08214");

    /// <summary>Thresholds and problems (red).</summary>
    public static readonly Color Alert = Color.FromHex("#C0392B");

    /// <summary>Resolutions (green).</summary>
    public static readonly Color Resolved = Color.FromHex("#2E8B57");

    /// <summary>Secondary quantities: counts, coverage (grey).</summary>
    public static readonly Color Secondary = Color.FromHex("#7F7F7F");

    /// <summary>A second line of the same family as <see cref="Current"/> (p99 next to p50).</summary>
    public static readonly Color CurrentDark = Color.FromHex("#6A1B9A");

    /// <summary>Title, axis labels and a clean grid.</summary>
    public static void Frame(Plot plot, ChartSpec spec)
    {
        plot.Title(spec.Title, size: 15);
        Labels(plot, spec);
        plot.Grid.MajorLineColor = Color.FromHex("#000000").WithAlpha(0.08);
        plot.Axes.Left.TickLabelStyle.FontSize = 11;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 11;
    }

    /// <summary>Axis labels (again after drawing: a date axis replaces the bottom axis and its label).</summary>
    public static void Labels(Plot plot, ChartSpec spec)
    {
        var (x, y) = spec.AxisLabels;
        plot.XLabel(x, size: 13);
        plot.YLabel(y, size: 13);
    }

    /// <summary>An empty frame with the reason in the middle.</summary>
    public static void NoData(Plot plot, ChartSpec spec)
    {
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        var text = plot.Add.Text("No data: " + spec.NoData, 0.5, 0.5);
        text.LabelFontSize = 14;
        text.LabelFontColor = Secondary;
        text.LabelAlignment = Alignment.MiddleCenter;
        if (ChartFonts.Family is { } family)
        {
            text.LabelFontName = family;
        }
    }

    /// <summary>Dates on the bottom axis, limited to [from, to] (OLE automation dates, what ScottPlot's date axis uses).</summary>
    public static void TimeAxis(Plot plot, double from, double to)
    {
        var axis = plot.Axes.DateTimeTicksBottom();
        if (axis.TickGenerator is ScottPlot.TickGenerators.DateTimeAutomatic ticks)
        {
            ticks.LabelFormatter = DateTick;
        }

        plot.Axes.SetLimitsX(from, to);
    }

    /// <summary>ISO-style tick labels (UTC): the date at midnight, month-day and time otherwise.</summary>
    public static string DateTick(DateTime t) => t.TimeOfDay == TimeSpan.Zero
        ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
        : t.ToString("MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Vertical lines where incidents triggered (red) and resolved (green), one legend entry per kind.</summary>
    public static void Incidents(Plot plot, IncidentMark[] marks, double from, double to)
    {
        var triggeredShown = false;
        var resolvedShown = false;
        foreach (var m in marks)
        {
            if (m.At < from || m.At > to)
            {
                continue;
            }

            var line = plot.Add.VerticalLine(m.At, 1.5f, m.Resolved ? Resolved : Alert, LinePattern.Dashed);
            if (m.Resolved && !resolvedShown)
            {
                line.LegendText = "incident resolved";
                resolvedShown = true;
            }
            else if (!m.Resolved && !triggeredShown)
            {
                line.LegendText = "incident triggered";
                triggeredShown = true;
            }
        }
    }

    /// <summary>A legend below the data, outside it, so it never hides a point.</summary>
    public static void Legend(Plot plot)
    {
        plot.ShowLegend(Edge.Bottom);
        plot.Legend.Orientation = Orientation.Horizontal;
        plot.Legend.FontSize = 11;
    }

    /// <summary>Numbers in labels: 3 significant digits, invariant culture.</summary>
    public static string Number(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>Integers with thousands separators, invariant culture.</summary>
    public static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>An incident's trigger or resolution time on a time axis (OLE automation date).</summary>
/// <param name="At">When.</param>
/// <param name="Resolved">Resolution (true) or trigger (false).</param>
internal sealed record IncidentMark(double At, bool Resolved);

/// <summary>User-controlled text (feature names, model ids, slice values) prepared for drawing.</summary>
internal static class ChartText
{
    /// <summary>Control characters replaced (they are not allowed in XML), and cut to <paramref name="max"/> characters with an ellipsis.</summary>
    public static string Label(string? s, int max = 60)
    {
        if (string.IsNullOrEmpty(s))
        {
            return "(empty)";
        }

        var b = new StringBuilder(Math.Min(s.Length, max + 1));
        foreach (var rune in s.EnumerateRunes())
        {
            if (b.Length >= max)
            {
                b.Append('…');
                break;
            }

            if (Rune.IsControl(rune) || rune.Value is 0xFFFE or 0xFFFF)
            {
                b.Append('\uFFFD');
            }
            else
            {
                b.Append(rune.ToString());
            }
        }

        return b.ToString();
    }
}
