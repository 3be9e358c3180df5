using System.Globalization;
using Monitoring.Abstractions.Alerts;

namespace Monitoring.Reports.Charts;

/// <summary>Time conversions shared by the charts over time.</summary>
internal static class TimeSeries
{
    /// <summary>Width of one window when the reports cannot tell (one hour).</summary>
    public const double DefaultWindowDays = 1.0 / 24;

    /// <summary>Unix nanoseconds as an OLE automation date (ScottPlot's date axis unit).</summary>
    public static double FromUnixNano(long ns) => DateTime.UnixEpoch.AddTicks(ns / 100).ToOADate();

    /// <summary>An ISO 8601 instant as an OLE automation date, or null when it does not parse.</summary>
    public static double? FromIso(string? iso) =>
        DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t)
            ? t.UtcDateTime.ToOADate()
            : null;

    /// <summary>Triggers and resolutions of the incidents, as marks.</summary>
    public static IncidentMark[] Marks(IEnumerable<IncidentView>? incidents)
    {
        if (incidents is null)
        {
            return [];
        }

        var marks = new List<IncidentMark>();
        foreach (var i in incidents)
        {
            if (i is null)
            {
                continue;
            }

            marks.Add(new IncidentMark(i.TriggeredAt.UtcDateTime.ToOADate(), false));
            if (i.ResolvedAt is { } r)
            {
                marks.Add(new IncidentMark(r.UtcDateTime.ToOADate(), true));
            }
        }

        return [.. marks.OrderBy(m => m.At).ThenBy(m => m.Resolved)];
    }

    /// <summary>The x span to show: the points, half a window either side.</summary>
    public static (double From, double To) Span(double[] xs, double windowDays) =>
        (xs.Min() - (windowDays / 2), xs.Max() + (windowDays / 2));

    /// <summary>Typical window width: the smallest positive gap between starts, else <paramref name="fallback"/>.</summary>
    public static double WindowDays(double[] sortedXs, double fallback)
    {
        var best = double.PositiveInfinity;
        for (var i = 1; i < sortedXs.Length; i++)
        {
            var gap = sortedXs[i] - sortedXs[i - 1];
            if (gap > 0 && gap < best)
            {
                best = gap;
            }
        }

        return double.IsFinite(best) ? best : fallback > 0 ? fallback : DefaultWindowDays;
    }
}
