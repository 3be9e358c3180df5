using System.Diagnostics;
using System.Text;
using Monitoring.Grains.Telemetry;
using Xunit;

namespace Monitoring.Silo.Tests.Telemetry;

/// <summary>
/// /metrics and the OTLP exporter of a real silo after demo-like traffic (<see cref="TelemetrySilo"/>): the output passes
/// Debian's <c>promtool check metrics</c>, carries every documented metric with its type, unit and attributes, the
/// collector receives the same instruments, and no secret leaks.
/// </summary>
public sealed class MetricsEndpointTests(TelemetrySilo silo) : IClassFixture<TelemetrySilo>
{
    private static readonly HashSet<string> ExporterLabels = new(StringComparer.Ordinal) { "otel_scope_name", "le" };

    [Fact]
    public async Task Scrape_AfterTraffic_PassesPromtoolCheckMetrics()
    {
        var start = new ProcessStartInfo("promtool")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("metrics");
        using var promtool = Process.Start(start) ?? throw new InvalidOperationException("promtool (Debian package prometheus) is not installed");
        var stdout = promtool.StandardOutput.ReadToEndAsync();
        var stderr = promtool.StandardError.ReadToEndAsync();
        await promtool.StandardInput.WriteAsync(silo.Scrape.Text);
        promtool.StandardInput.Close();
        await promtool.WaitForExitAsync();
        var problems = (await stdout + await stderr).Trim();
        Assert.True(promtool.ExitCode == 0 && problems.Length == 0, $"promtool check metrics (exit {promtool.ExitCode}):\n{problems}");
        Assert.Contains("monitoring_model_feature_psi", silo.Scrape.Types.Keys); // promtool saw the model metrics too
        Assert.Contains("monitoring_notification_duration_seconds", silo.Scrape.Types.Keys);
    }

    [Fact]
    public void Scrape_HasEveryDocumentedSystemMetric_WithItsTypeAndAttributes()
    {
        var scrape = silo.Scrape;
        foreach (var metric in DocumentedMetrics.System.Where(m => !m.OnlyOnFailure))
        {
            Assert.True(scrape.Types.TryGetValue(metric.Family, out var type), $"{metric.Family} missing from /metrics");
            Assert.Equal(metric.Type, type);
            Assert.False(string.IsNullOrWhiteSpace(scrape.Help.GetValueOrDefault(metric.Family)), $"{metric.Family} has no HELP");
            foreach (var sample in scrape.Family(metric.Family))
            {
                var labels = sample.Labels.Keys.Where(k => !ExporterLabels.Contains(k)).Order(StringComparer.Ordinal);
                Assert.Equal(metric.Attributes.Order(StringComparer.Ordinal), labels);
            }
        }

        // Every family of ours is documented.
        var documented = DocumentedMetrics.System.Select(m => m.Family).ToHashSet(StringComparer.Ordinal);
        var models = ModelMetricNames.All.Select(m => Prometheus(m)).ToHashSet(StringComparer.Ordinal);
        var undocumented = scrape.Types.Keys.Where(f => f.StartsWith("monitoring_", StringComparison.Ordinal) && !documented.Contains(f) && !models.Contains(f)).ToList();
        Assert.True(undocumented.Count == 0, "undocumented: " + string.Join(", ", undocumented));
    }

    [Fact]
    public async Task Scrape_CountsWhatTheTrafficDid()
    {
        var scrape = silo.Scrape;
        Assert.Equal(1, Value(scrape, "monitoring_records_rejected_total", ("protocol", "http/json"), ("reason", "score")));
        Assert.Equal(5, Value(scrape, "monitoring_records_duplicates_total"));
        Assert.Equal(605, Value(scrape, "monitoring_records_accepted_total", ("protocol", "grpc"), ("kind", "prediction")));
        Assert.Equal(400, Value(scrape, "monitoring_records_accepted_total", ("protocol", "grpc"), ("kind", "label")));
        Assert.Equal(1, Value(scrape, "monitoring_alerts_firing", ("alertname", "TelemetryVolume")));
        Assert.Equal(1, Value(scrape, "monitoring_notifications_total", ("receiver", TelemetrySilo.Receiver), ("integration", "webhook"), ("outcome", "sent")));
        Assert.Equal(1, Value(scrape, "monitoring_notification_retries_total", ("receiver", TelemetrySilo.Receiver), ("integration", "webhook")));
        Assert.True(Value(scrape, "monitoring_rule_evaluations_total", ("source", "window"), ("result", "ok")) >= 1);
        Assert.True(Value(scrape, "monitoring_event_log_appended_bytes_total") > 1000);

        // What the API reports, summed over the models, is what the counters counted.
        long windows = 0, joined = 0, pending = 0;
        foreach (var model in TelemetrySilo.Models)
        {
            windows += (await silo.Api.GetJsonAsync($"/api/models/default/{model}/windows")).GetArrayLength();
            var labels = (await silo.Api.GetJsonAsync($"/api/models/default/{model}")).GetProperty("labels");
            joined += labels.GetProperty("joined").GetInt64();
            pending += labels.GetProperty("pending").GetInt64();
        }

        Assert.Equal(windows, Value(scrape, "monitoring_windows_closed_total"));
        Assert.Equal(windows, Value(scrape, "monitoring_window_close_duration_seconds_count"));
        Assert.Equal(joined, Value(scrape, "monitoring_label_joins_total", ("outcome", "joined")));
        Assert.Equal(pending, Value(scrape, "monitoring_label_pending"));
        Assert.True(joined > 400, $"joined {joined}: ours and the demo's");
    }

    [Fact]
    public void Scrape_ModelMetrics_CarryTenantModelAndFeatureOrSlice()
    {
        var scrape = silo.Scrape;
        var psi = Value(scrape, "monitoring_model_feature_psi", ("tenant", "default"), ("model", TelemetrySilo.Model), ("feature", "age"));
        Assert.True(psi > 0.2, $"the drifted second window's age PSI is {psi}");
        Assert.Equal(300, Value(scrape, "monitoring_model_window_predictions", ("tenant", "default"), ("model", TelemetrySilo.Model)));
        Assert.True(Value(scrape, "monitoring_model_performance_mae", ("tenant", "default"), ("model", "eta")) > 0, "the regression model's error");
        var coverage = Value(scrape, "monitoring_model_label_coverage", ("tenant", "default"), ("model", TelemetrySilo.Model));
        Assert.InRange(coverage, 0.6, 0.7); // 200 of the window's 300 predictions labelled
        Assert.InRange(Value(scrape, "monitoring_model_latency_p99_seconds", ("tenant", "default"), ("model", TelemetrySilo.Model)), 0.012, 0.013); // 12.5 ms, in s
        var slices = scrape.Samples.Where(s => s.Name == "monitoring_model_slice_accuracy").ToList();
        Assert.Contains(slices, s => s.Labels["slice"] == "feature.country=BR");
        Assert.All(slices, s => Assert.Equal(["model", "slice", "tenant"], s.Labels.Keys.Where(k => !ExporterLabels.Contains(k)).Order(StringComparer.Ordinal)));
        Assert.Equal(0, scrape.Samples.Count(s => s.Name == "monitoring_telemetry_series_dropped_total"));
    }

    [Fact]
    public async Task SeriesGauge_CountsTheModelSeriesExported()
    {
        // Gauges are read one after another, so a model updating in between (a checkpoint flushing performance) can put
        // the count and the series a step apart: compare two scrapes in a row that agree.
        int? previous = null;
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var scrape = PrometheusText.Parse(await silo.Api.Http.GetStringAsync("/metrics"));
            var series = scrape.Samples.Count(s => s.Name.StartsWith("monitoring_model_", StringComparison.Ordinal));
            var gauge = (int)Value(scrape, "monitoring_telemetry_series");
            if (series == previous)
            {
                Assert.Equal(series, gauge);
                return;
            }

            previous = series;
        }

        Assert.Fail("the model series kept changing");
    }

    [Fact]
    public void OtlpExporter_DeliversTheSameInstrumentsWithUnits_ToACollector()
    {
        var metrics = OtlpMetricsReceiver.Metrics(silo.OtlpExport).ToList();
        var byName = metrics.GroupBy(m => m.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var documented in DocumentedMetrics.System.Where(m => !m.OnlyOnFailure))
        {
            Assert.True(byName.TryGetValue(documented.Name, out var metric), $"{documented.Name} not exported over OTLP");
            Assert.Equal(documented.Unit, metric.Unit);
        }

        Assert.Equal(Otlp.Metric.DataOneofCase.Histogram, byName["monitoring.otlp.ack.duration"].DataCase);
        Assert.True(byName["monitoring.records.received"].Sum.IsMonotonic);
        var psi = byName["monitoring.model.feature.psi"].Gauge.DataPoints;
        Assert.Contains(psi, p => p.Attributes.Any(a => a.Key == "feature" && a.Value.StringValue == "age"));
        var service = silo.OtlpExport.ResourceMetrics[0].Resource.Attributes.Single(a => a.Key == "service.name");
        Assert.Equal("monitoring-silo", service.Value.StringValue);
        Assert.Empty(silo.Otlp.OtherPaths);
    }

    [Fact]
    public void Secrets_NeverAppearInMetrics_ReceiverNamesDo()
    {
        Assert.DoesNotContain(TelemetrySilo.WebhookSecret, silo.Scrape.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("/hooks/", silo.Scrape.Text, StringComparison.Ordinal);
        Assert.Contains($"receiver=\"{TelemetrySilo.Receiver}\"", silo.Scrape.Text, StringComparison.Ordinal);
        foreach (var body in silo.Otlp.RawBodies)
        {
            Assert.DoesNotContain(TelemetrySilo.WebhookSecret, Encoding.UTF8.GetString(body), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Dashboards_QueryOnlyMetricsTheSiloExports()
    {
        // Exported only once something fails or the series cap is hit: declared in the documented list, not in this scrape.
        var onlyOnFailure = DocumentedMetrics.System.Where(m => m.OnlyOnFailure).Select(m => m.Family).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        var used = 0;
        foreach (var (file, json) in Dashboards.All())
        {
            foreach (var query in Dashboards.Queries(json))
            {
                foreach (var name in Dashboards.MetricNames(query))
                {
                    used++;
                    if (silo.Scrape.FamilyOf(name) is null && !onlyOnFailure.Contains(name))
                    {
                        missing.Add($"{file}: {name} in {query}");
                    }
                }
            }
        }

        Assert.True(used > 80, $"{used} metric references found");
        Assert.True(missing.Count == 0, "not exported:\n" + string.Join("\n", missing.Distinct()));
    }

    [Fact]
    public void Docs_DescribeEveryMetric()
    {
        var docs = DocumentedMetrics.ReadDocs();
        foreach (var name in DocumentedMetrics.System.Select(m => m.Name).Concat(ModelMetricNames.All.Select(m => m.Name)))
        {
            Assert.True(docs.Contains($"`{name}`", StringComparison.Ordinal), $"docs/telemetry.md does not document {name}");
        }
    }

    [Fact]
    public async Task MetricsPath_IsServedOnlyOnTheApiPort()
    {
        using var http = new HttpClient();
        using var onOtlpHttp = await http.GetAsync(new Uri(silo.Silo.OtlpHttp, "/metrics"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, onOtlpHttp.StatusCode);
    }

    [Fact]
    public async Task Traces_AreExportedToTheCollector()
    {
        await silo.Otlp.FirstTraceAsync(); // the batch span processor exports every 5 s
        Assert.True(silo.Otlp.TraceRequests > 0, "no OTLP trace export arrived");
    }

    /// <summary>The Prometheus family name of a model metric (a gauge: the unit suffix only, for seconds).</summary>
    internal static string Prometheus(ModelMetricName metric) =>
        metric.Name.Replace('.', '_') + (metric.Unit == "s" ? "_seconds" : string.Empty);

    private static double Value(PrometheusText scrape, string name, params (string Key, string Value)[] labels)
    {
        var matches = scrape.Samples.Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Key) == l.Value)).ToList();
        Assert.True(matches.Count == 1, $"{name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}}: {matches.Count} samples");
        return matches[0].Value;
    }
}
