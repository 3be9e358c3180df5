using System.Diagnostics.Metrics;
using Monitoring.Abstractions.Reports;
using Monitoring.Alerting.Metrics;

namespace Monitoring.Grains.Telemetry;

/// <summary>
/// The model metrics of this silo as observable gauges (meter <see cref="MeterName"/>): per model, the samples of its
/// latest closed window's report and of the newest closed window's performance report, mapped by
/// <see cref="ReportMetrics"/> (the alert rules' mapping) and named by <see cref="ModelMetricNames"/>. Model grains
/// update it when a window closes or late labels change a performance report, and remove their model when they
/// deactivate (so in a cluster a model's series are served by the silo that hosts it). Attributes: <c>tenant</c>,
/// <c>model</c>, and <c>feature</c> or <c>slice</c> (<c>dimension=value</c>).
/// </summary>
/// <remarks>
/// Cardinality cap: at most <see cref="MaxSeries"/> series across all models. An update that would pass it keeps the
/// model-level series first, then per-feature, then per-slice ones, in report order, drops the rest and adds them to
/// <c>monitoring.telemetry.series.dropped</c>. Thread-safe: updates come from grains, reads from the exporters.
/// </remarks>
public sealed class ModelMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Monitoring.Models";

    /// <summary>Default cap on the number of model series (all models, all metrics).</summary>
    public const int DefaultMaxSeries = 10_000;

    private static readonly Dictionary<string, int> IndexByCatalog =
        ModelMetricNames.All.Select((m, i) => (m.Catalog, i)).ToDictionary(p => p.Catalog, p => p.i, StringComparer.Ordinal);

    private readonly Meter _meter;
    private readonly Counter<long> _dropped;
    private readonly object _gate = new();
    private readonly Dictionary<string, ModelEntry> _models = new(StringComparer.Ordinal);
    private int _series;

    /// <summary>Creates the registry and its instruments.</summary>
    /// <param name="maxSeries">Cardinality cap (see the remarks).</param>
    public ModelMetrics(int maxSeries = DefaultMaxSeries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSeries);
        MaxSeries = maxSeries;
        _meter = new Meter(MeterName);
        for (var i = 0; i < ModelMetricNames.All.Count; i++)
        {
            var index = i;
            var name = ModelMetricNames.All[i];
            var help = MetricCatalog.TryGet(name.Catalog, out var info) ? info.Help : name.Catalog;
            _meter.CreateObservableGauge(name.Name, () => Observe(index), name.Unit, $"{help} (rule metric {name.Catalog})");
        }

        _dropped = _meter.CreateCounter<long>(
            "monitoring.telemetry.series.dropped", "{series}", "Model series left out of the model metrics because the cardinality cap was reached");
        _meter.CreateObservableGauge(
            "monitoring.telemetry.series", () => Volatile.Read(ref _series), "{series}", "Model series currently exported (at most the cardinality cap)");
    }

    /// <summary>The cardinality cap.</summary>
    public int MaxSeries { get; }

    /// <summary>This registry's meter (tests listen to it alone).</summary>
    internal Meter Meter => _meter;

    /// <summary>Series held now.</summary>
    public int SeriesCount
    {
        get
        {
            lock (_gate)
            {
                return _series;
            }
        }
    }

    /// <summary>A closed window's report: replaces the model's window series unless an older window than the one held.</summary>
    public void WindowClosed(WindowReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Granularity != "window")
        {
            return;
        }

        lock (_gate)
        {
            var entry = Entry(report.Model);
            if (report.WindowStartUnixNano < entry.WindowStart)
            {
                return;
            }

            entry.WindowStart = report.WindowStartUnixNano;
            entry.WindowEnd = report.WindowEndUnixNano;
            entry.Window = Admit(entry.Window, ReportMetrics.FromWindow(report));
        }
    }

    /// <summary>
    /// Performance reports written by a model: the newest one of a closed window (open windows are still filling), when not
    /// older than the one held, replaces the model's performance series (as the alert grain chooses).
    /// </summary>
    public void PerformanceChanged(IReadOnlyList<PerformanceReport> reports)
    {
        ArgumentNullException.ThrowIfNull(reports);
        if (reports.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            var entry = Entry(reports[0].Model);
            var newest = reports.Where(r => r.WindowStartUnixNano < entry.WindowEnd && r.WindowStartUnixNano >= entry.PerformanceStart)
                .MaxBy(r => r.WindowStartUnixNano);
            if (newest is null)
            {
                return;
            }

            entry.PerformanceStart = newest.WindowStartUnixNano;
            entry.Performance = Admit(entry.Performance, ReportMetrics.FromPerformance(newest));
        }
    }

    /// <summary>The version comparisons evaluated at a window's close: replace the model's rollout series.</summary>
    public void RolloutsCompared(string modelKey, SampleSet samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        lock (_gate)
        {
            var entry = Entry(modelKey);
            entry.Rollout = Admit(entry.Rollout, samples);
        }
    }

    /// <summary>Drops a model's series (its grain deactivated here).</summary>
    public void Remove(string modelKey)
    {
        lock (_gate)
        {
            if (_models.Remove(modelKey, out var entry))
            {
                _series -= entry.Window.Length + entry.Performance.Length + entry.Rollout.Length;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();

    private ModelEntry Entry(string modelKey)
    {
        if (!_models.TryGetValue(modelKey, out var entry))
        {
            entry = new ModelEntry();
            _models.Add(modelKey, entry);
        }

        return entry;
    }

    /// <summary>Replaces <paramref name="held"/> by the new samples that fit under the cap; counts the rest as dropped.</summary>
    private Series[] Admit(Series[] held, SampleSet samples)
    {
        _series -= held.Length;
        var room = Math.Max(0, MaxSeries - _series);
        // One series per metric and attribute set (two slices that print alike, "a=b" of "a" and "b" of "a=", keep the first).
        var seen = new HashSet<(int, string)>();
        var ordered = samples.Samples
            .Where(s => IndexByCatalog.ContainsKey(s.Metric))
            .OrderBy(s => s.Labels.Count) // model-level (tenant, model) before feature, before slice (dimension, value)
            .Select(ToSeries)
            .Where(s => seen.Add((s.Index, string.Join('\u001f', s.Measurement.Tags.ToArray().Select(t => $"{t.Key}={t.Value}")))))
            .ToList();
        var admitted = ordered.Take(room).ToArray();

        _series += admitted.Length;
        if (ordered.Count > admitted.Length)
        {
            _dropped.Add(ordered.Count - admitted.Length);
        }

        return admitted;
    }

    private static Series ToSeries(Sample sample)
    {
        var index = IndexByCatalog[sample.Metric];
        var labels = sample.Labels;
        var tags = new List<KeyValuePair<string, object?>>(3)
        {
            new("tenant", labels["tenant"]),
            new("model", labels["model"]),
        };
        if (labels.TryGetValue("feature", out var feature))
        {
            tags.Add(new("feature", feature));
        }

        if (labels.TryGetValue("slice_dimension", out var dimension))
        {
            tags.Add(new("slice", $"{dimension}={labels["slice_value"]}"));
        }

        if (labels.TryGetValue("baseline", out var baseline))
        {
            tags.Add(new("baseline", baseline));
            tags.Add(new("candidate", labels["candidate"]));
        }

        return new Series(index, new Measurement<double>(sample.Value * ModelMetricNames.All[index].Scale, tags));
    }

    private List<Measurement<double>> Observe(int index)
    {
        var measurements = new List<Measurement<double>>();
        lock (_gate)
        {
            foreach (var entry in _models.Values)
            {
                foreach (var series in entry.Window)
                {
                    if (series.Index == index)
                    {
                        measurements.Add(series.Measurement);
                    }
                }

                foreach (var series in entry.Performance.Concat(entry.Rollout))
                {
                    if (series.Index == index)
                    {
                        measurements.Add(series.Measurement);
                    }
                }
            }
        }

        return measurements;
    }

    private readonly record struct Series(int Index, Measurement<double> Measurement);

    private sealed class ModelEntry
    {
        public long WindowStart { get; set; } = long.MinValue;

        public long WindowEnd { get; set; } = long.MinValue;

        public long PerformanceStart { get; set; } = long.MinValue;

        public Series[] Window { get; set; } = [];

        public Series[] Performance { get; set; } = [];

        public Series[] Rollout { get; set; } = [];
    }
}
