using System.Diagnostics;
using System.Text.Json;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Silo.Tests.Telemetry;

/// <summary>The Grafana dashboards are valid, importable dashboard JSON (the metrics they query are checked against a live scrape in <see cref="MetricsEndpointTests"/>).</summary>
public sealed class DashboardTests
{
    [Fact]
    public void Dashboards_AreTheThreeDocumentedOnes_WithUniqueUids()
    {
        var all = Dashboards.All();
        Assert.Equal(["monitoring-model-detail.json", "monitoring-models-overview.json", "monitoring-system-health.json"], all.Select(d => d.File));
        var uids = all.Select(d => d.Json.GetProperty("uid").GetString()).ToList();
        Assert.Equal(uids.Count, uids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(uids, u => Assert.Matches("^[a-z0-9-]{1,40}$", u));
    }

    [Fact]
    public void EveryDashboard_HasTheFieldsGrafanaNeedsToImportIt()
    {
        foreach (var (file, json) in Dashboards.All())
        {
            Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("title").GetString()), file);
            Assert.True(json.GetProperty("schemaVersion").GetInt32() >= 36, $"{file}: schemaVersion");
            Assert.Equal(JsonValueKind.Null, json.GetProperty("id").ValueKind); // a fixed id would clash on import
            Assert.Equal(JsonValueKind.Object, json.GetProperty("time").ValueKind);

            // The Prometheus data source is chosen at import (a data source variable), never a uid of someone's Grafana.
            var variables = json.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
            Assert.Contains(variables, v => v.GetProperty("type").GetString() == "datasource" && v.GetProperty("query").GetString() == "prometheus" && v.GetProperty("name").GetString() == "datasource");
            foreach (var v in variables.Where(v => v.GetProperty("type").GetString() == "query"))
            {
                Assert.Equal("${datasource}", v.GetProperty("datasource").GetProperty("uid").GetString());
            }
        }
    }

    [Fact]
    public void EveryPanel_HasAUniqueId_AGridPositionInside24Columns_AndQueries()
    {
        foreach (var (file, json) in Dashboards.All())
        {
            var panels = Dashboards.Panels(json).ToList();
            Assert.True(panels.Count >= 8, $"{file}: {panels.Count} panels");
            var ids = panels.Select(p => p.GetProperty("id").GetInt32()).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            foreach (var panel in panels)
            {
                var where = $"{file} panel {panel.GetProperty("id").GetInt32()}";
                var grid = panel.GetProperty("gridPos");
                var (x, y, w, h) = (grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
                Assert.True(x >= 0 && y >= 0 && w > 0 && h > 0 && x + w <= 24, $"{where}: gridPos {x},{y} {w}x{h}");
                Assert.False(string.IsNullOrWhiteSpace(panel.GetProperty("title").GetString()), where);
                if (panel.GetProperty("type").GetString() == "row")
                {
                    continue;
                }

                Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
                var targets = panel.GetProperty("targets").EnumerateArray().ToList();
                Assert.NotEmpty(targets);
                Assert.All(targets, t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString()), where));
                Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct(StringComparer.Ordinal).Count());
            }

            // Panels do not overlap (rows are full width, one unit high).
            var boxes = panels.Select(p => p.GetProperty("gridPos")).Select(g => (X: g.GetProperty("x").GetInt32(), Y: g.GetProperty("y").GetInt32(), W: g.GetProperty("w").GetInt32(), H: g.GetProperty("h").GetInt32())).ToList();
            for (var i = 0; i < boxes.Count; i++)
            {
                for (var j = i + 1; j < boxes.Count; j++)
                {
                    var (a, b) = (boxes[i], boxes[j]);
                    var overlap = a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;
                    Assert.False(overlap, $"{file}: panels {i} and {j} overlap");
                }
            }
        }
    }

    [Fact]
    public void Provisioning_HasAFileProviderAndAPrometheusDataSource()
    {
        var folder = Path.Combine(DocumentedMetrics.RepositoryRoot(), "dashboards", "provisioning");
        var providers = Yaml(Path.Combine(folder, "dashboards.yml"));
        Assert.Equal("1", ((YamlScalarNode)providers.Children[new YamlScalarNode("apiVersion")]).Value);
        var provider = (YamlMappingNode)((YamlSequenceNode)providers.Children[new YamlScalarNode("providers")]).Children.Single();
        Assert.Equal("file", ((YamlScalarNode)provider.Children[new YamlScalarNode("type")]).Value);
        Assert.StartsWith("/", ((YamlScalarNode)((YamlMappingNode)provider.Children[new YamlScalarNode("options")]).Children[new YamlScalarNode("path")]).Value, StringComparison.Ordinal);

        var sources = Yaml(Path.Combine(folder, "datasources.yml"));
        var source = (YamlMappingNode)((YamlSequenceNode)sources.Children[new YamlScalarNode("datasources")]).Children.Single();
        Assert.Equal("prometheus", ((YamlScalarNode)source.Children[new YamlScalarNode("type")]).Value);
        Assert.True(Uri.TryCreate(((YamlScalarNode)source.Children[new YamlScalarNode("url")]).Value, UriKind.Absolute, out _));
    }

    [Fact]
    public async Task PrometheusExample_PassesPromtoolCheckConfig()
    {
        var start = new ProcessStartInfo("promtool") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("check");
        start.ArgumentList.Add("config");
        start.ArgumentList.Add(Path.Combine(DocumentedMetrics.RepositoryRoot(), "dashboards", "provisioning", "prometheus.yml"));
        using var promtool = Process.Start(start) ?? throw new InvalidOperationException("promtool (Debian package prometheus) is not installed");
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        Assert.True(promtool.ExitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public void MetricNameExtraction_FindsMetrics_NotFunctionsLabelsOrVariables()
    {
        var names = Dashboards.MetricNames("histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{instance=~\"$instance\"}[$__rate_interval]))) or vector(0)").ToList();
        Assert.Equal(["http_server_request_duration_seconds_bucket"], names);
        Assert.Equal(["monitoring_model_feature_psi"], Dashboards.MetricNames("label_values(monitoring_model_feature_psi{tenant=\"$tenant\", model=\"$model\"}, feature)"));
        Assert.Equal(["a_total", "b"], Dashboards.MetricNames("max by (model) (a_total{x=\"y z\"}) / on (model) group_left b"));
    }

    private static YamlMappingNode Yaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }
}
