using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Components.Incidents;
using Monitoring.Reports.Components.Model;
using Monitoring.Reports.Components.Overview;
using Monitoring.Reports.Rendering;
using Xunit;

namespace Monitoring.Reports.Tests.Components;

/// <summary>Components rendered to HTML without a host: values are encoded, and no link is made of a bad URL.</summary>
public sealed class RenderingTests
{
    private const string Hostile = "<script>alert(1)</script>";
    private const string HostileAttr = "\"><img src=x onerror=alert(1)>";

    private static readonly PageRenderer Renderer = new(new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance);

    [Fact]
    public async Task Overview_ShowsRmseForARegressionModel_AndAccuracyForAClassifier()
    {
        var window = new WindowReport { Model = "t/m", Granularity = "window", WindowStart = "2026-01-01T00:00:00.000Z" };
        static PerformanceReport Perf(string model) => new()
        {
            Model = model, WindowStart = "2026-01-01T00:00:00.000Z", WindowEnd = "2026-01-01T00:01:00.000Z", Predictions = 100, Labeled = 50,
        };
        var eta = ModelHealthBuilder.From("t", "eta", window, [Perf("t/eta") with { Regression = new RegressionPerformance(50, 1.5, 2.25, 0.1) }], []);
        var churn = ModelHealthBuilder.From("t", "churn", window,
            [Perf("t/churn") with { Binary = new BinaryPerformance { Count = 50, Accuracy = new RateReport(0.875, null, null, "wilson") } }], []);

        var html = await Renderer.RenderAsync<OverviewView, OverviewPage>(new OverviewPage([eta, churn], 0, DateTimeOffset.UnixEpoch));

        Assert.Contains("RMSE 2.250", html, StringComparison.Ordinal);
        Assert.Contains("0.875", html, StringComparison.Ordinal);
        Assert.DoesNotContain("RMSE 0.875", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IncidentPage_WithAJavascriptRunbook_LinksNothing_AndEncodesEveryValue()
    {
        var incident = new IncidentView
        {
            Id = HostileAttr, State = "triggered", Alert = Hostile, Fingerprint = "f",
            Labels = new() { ["model"] = Hostile, [HostileAttr] = Hostile },
            Annotations = new() { ["summary"] = Hostile, ["dashboard"] = "javascript:alert(1)" },
            RunbookUrl = "javascript:alert(1)",
            Evidence = new EvidenceView { Metric = Hostile, Operator = ">", Threshold = 0.2, Value = 0.5, ReportUrl = "javascript:alert(2)", Details = [HostileAttr] },
            Timeline = [new IncidentEventView(DateTimeOffset.UnixEpoch, Hostile, HostileAttr)],
        };
        var html = await Renderer.RenderAsync<IncidentDetailView, IncidentPage>(new IncidentPage { Incident = incident, ExternalUrl = "http://127.0.0.1:8080" });

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("not linked", html, StringComparison.Ordinal);
        // The form posts to the encoded id.
        Assert.Contains("action=\"/incidents/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/ack\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelPage_EncodesFeatureNames_InTextAndAttributes()
    {
        var description = new ModelDescription
        {
            Model = "default/" + Hostile, Tenant = "default", ModelId = Hostile,
            Settings = new SettingsView(60, 6, 30, "RollingWindows", 24, 100, 20),
            Totals = new ModelTotals(1, 0, 0, 0, 1), Labels = new LabelTotals(0, 0, 0, 0, 0, 14, null, null),
            Schema = [new SchemaEntry(HostileAttr, "numeric", "2026-01-01T00:00:00Z", 0)],
        };
        var window = new WindowReport
        {
            Model = description.Model, Granularity = "window", WindowStart = "2026-01-01T00:00:00.000Z",
            Features = [new FeatureReport { Name = HostileAttr, Kind = "numeric", Psi = 0.5, Drifted = true, Reasons = [Hostile] }],
            DriftedFeatures = [HostileAttr],
        };
        var page = new ModelPage
        {
            Tenant = "default", Model = Hostile, Description = description, Windows = [new WindowRow(window, null)],
            Features = [new FeatureRow(window.Features[0], null)],
        };
        var html = await Renderer.RenderAsync<ModelView, ModelPage>(page);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("data-feature=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/models/default/%3Cscript%3Ealert%281%29%3C%2Fscript%3E/slices\"", html, StringComparison.Ordinal);
    }
}
