using Monitoring.Abstractions.Alerts;
using Monitoring.Abstractions.Reports;
using Monitoring.Reports.Components.Model;
using Monitoring.Reports.Components.Overview;
using Monitoring.Reports.Components.Shared;
using Xunit;

namespace Monitoring.Reports.Tests.Components;

public sealed class PageModelTests
{
    private static FeatureReport F(string name, double? psi, bool drifted = false) => new() { Name = name, Kind = "numeric", Psi = psi, Drifted = drifted };

    [Fact]
    public void FeatureSort_OrdersByTheColumn_MissingValuesLastInEitherDirection()
    {
        FeatureReport[] rows = [F("b", 0.1), F("a", null), F("c", 0.3), F("d", 0.1)];
        Assert.True(FeatureSort.TryParse("psi", "desc", out var desc, out _, out _));
        Assert.Equal(["c", "b", "d", "a"], desc.Apply(rows, f => f).Select(f => f.Name));
        Assert.True(FeatureSort.TryParse("psi", "asc", out var asc, out _, out _));
        Assert.Equal(["b", "d", "c", "a"], asc.Apply(rows, f => f).Select(f => f.Name));
        Assert.True(FeatureSort.TryParse("name", null, out var name, out _, out _));
        Assert.Equal(["a", "b", "c", "d"], name.Apply(rows, f => f).Select(f => f.Name));
        Assert.Equal("asc", desc.NextDirection("psi"));
        Assert.Equal("desc", asc.NextDirection("psi"));
    }

    [Theory]
    [InlineData("colour", null, "sort")]
    [InlineData("psi", "down", "dir")]
    public void FeatureSort_BadValues_NameTheParameter(string? sort, string? dir, string field)
    {
        Assert.False(FeatureSort.TryParse(sort, dir, out _, out var f, out var reason));
        Assert.Equal(field, f);
        Assert.NotEmpty(reason);
    }

    [Fact]
    public void Overview_PutsTheDriftingModelFirst_ThenIncidents_ThenOk_ThenWaiting()
    {
        static WindowReport Window(params FeatureReport[] features) => new() { Model = "t/m", Granularity = "window", WindowStart = "2026-01-01T00:00:00.000Z", Volume = 100, Features = features };
        static IncidentView Incident(string model, string severity, string state = "triggered") => new()
        {
            Id = "i-" + model, State = state, Alert = "A", Fingerprint = "f",
            Labels = new() { ["tenant"] = "default", ["model"] = model, ["severity"] = severity },
        };

        var churn = ModelHealthBuilder.From("default", "churn", Window(F("plan", 0.01)), [], [Incident("churn", "ticket")]);
        var credit = ModelHealthBuilder.From("default", "credit-risk", Window(F("income", 0.4, true), F("country", 0.3, true), F("age", 0.01)), [], [Incident("credit-risk", "ticket")]);
        var eta = ModelHealthBuilder.From("default", "eta", Window(F("distance", 0.01)), [], []);
        var fresh = ModelHealthBuilder.From("default", "fresh", null, [], []);

        Assert.Equal(HealthStatus.Failing, credit.Status);
        Assert.Equal(["income", "country"], credit.DriftedFeatures);
        Assert.Equal(HealthStatus.Degraded, churn.Status);
        Assert.Equal(HealthStatus.Ok, eta.Status);
        Assert.Equal(HealthStatus.Waiting, fresh.Status);
        Assert.Equal(["credit-risk", "churn", "eta", "fresh"], ModelHealth.WorstFirst([fresh, eta, churn, credit]).Select(m => m.Model));
        Assert.Contains("2 features drifted", credit.Reasons);
    }

    [Fact]
    public void Overview_RealizedAccuracyWellBelowTheEstimate_IsDegraded_OnlyWithEnoughLabels()
    {
        static PerformanceReport Perf(long labelled, double realized, double estimated) => new()
        {
            Model = "t/m", WindowStart = "2026-01-01T00:00:00.000Z", WindowEnd = "2026-01-01T00:01:00.000Z", Predictions = 1000, Labeled = labelled,
            Binary = new BinaryPerformance { Count = labelled, Accuracy = new RateReport(realized, null, null, "wilson") },
            Estimated = new EstimatedPerformance { Accuracy = estimated },
        };
        var window = new WindowReport { Model = "t/m", Granularity = "window", WindowStart = "2026-01-01T00:00:00.000Z" };
        Assert.Equal(HealthStatus.Degraded, ModelHealthBuilder.From("t", "m", window, [Perf(500, 0.70, 0.85)], []).Status);
        Assert.Equal(HealthStatus.Ok, ModelHealthBuilder.From("t", "m", window, [Perf(10, 0.70, 0.85)], []).Status);
        Assert.Equal(HealthStatus.Ok, ModelHealthBuilder.From("t", "m", window, [Perf(500, 0.84, 0.85)], []).Status);
    }

    [Theory]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("JaVaScRiPt:alert(1)", null)]
    [InlineData(" javascript:alert(1)", null)]
    [InlineData("data:text/html,<script>alert(1)</script>", null)]
    [InlineData("//evil.example/x", null)]
    [InlineData("/\\evil.example/x", null)]
    [InlineData("vbscript:x", null)]
    [InlineData("/runbooks/feature-drift", "/runbooks/feature-drift")]
    [InlineData("https://wiki.example/runbook", "https://wiki.example/runbook")]
    public void SafeUrl_AllowsOnlyHttpAndSiteRelativeLinks(string url, string? expected) => Assert.Equal(expected, Links.SafeUrl(url));

    [Fact]
    public void Links_EncodeEverySegment_AndReadSlashesBack()
    {
        var link = Links.Model("default", "<script>alert(1)</script>");
        Assert.Equal("/models/default/%3Cscript%3Ealert%281%29%3C%2Fscript%3E", link);
        Assert.Equal("<script>alert(1)</script>", Links.PathValue("<script>alert(1)<%2Fscript>"));
        Assert.Equal("/models/t/m/windows/2026-01-01T00:00:00.000Z", Links.Window("t", "m", "2026-01-01T00:00:00.000Z"));
        Assert.Equal("/runbooks/x", Links.Local("http://127.0.0.1:8080/runbooks/x", "http://127.0.0.1:8080"));
    }
}
